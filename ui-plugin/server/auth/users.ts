// The standalone host's users file (YAML), validated strictly:
//   users:
//     - username: analyst
//       role: analyst            # analyst | lead | liaison
//       password_hash: "scrypt$16384$8$1$…"   # print one with: npx tsx ui-plugin/standalone/hash-password.ts
//     - username: liaison-mofa
//       role: liaison
//       agency: mofa             # required for a liaison, refused for the others
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ROLES, type Principal, type Role } from '../../common/index';
import { CirtUiError } from '../errors';
import { isPasswordHash } from './passwords';

export interface UserRecord extends Principal {
  passwordHash: string;
}

const USERNAME = /^[A-Za-z0-9_.@-]{1,64}$/;
const AGENCY = /^[A-Za-z0-9_.:@-]{1,128}$/;

function bad(where: string, message: string): CirtUiError {
  return new CirtUiError('ERR_UI_CONFIG', `users file ${where}: ${message}`, { location: { field: where } });
}

export function parseUsers(text: string, file = '<users>'): Map<string, UserRecord> {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new CirtUiError('ERR_UI_CONFIG', `users file ${file}: not YAML (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw bad(file, 'expected a mapping with a `users` list');
  for (const key of Object.keys(doc)) if (key !== 'users') throw bad(`${file}: ${key}`, 'unknown key (allowed: users)');
  const list = (doc as { users?: unknown }).users;
  if (!Array.isArray(list) || list.length === 0) throw bad(`${file}: users`, 'expected a non-empty list');
  const out = new Map<string, UserRecord>();
  list.forEach((raw: unknown, i) => {
    const where = `${file}: users[${i}]`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad(where, 'expected a mapping');
    const u = raw as Record<string, unknown>;
    for (const key of Object.keys(u)) if (!['username', 'role', 'password_hash', 'agency'].includes(key)) throw bad(`${where}.${key}`, 'unknown key');
    if (typeof u.username !== 'string' || !USERNAME.test(u.username)) throw bad(`${where}.username`, 'expected 1 to 64 of A-Z a-z 0-9 _ . @ -');
    if (typeof u.role !== 'string' || !(ROLES as readonly string[]).includes(u.role)) throw bad(`${where}.role`, `expected one of ${ROLES.join(', ')}`);
    if (typeof u.password_hash !== 'string' || !isPasswordHash(u.password_hash)) throw bad(`${where}.password_hash`, 'expected a scrypt$… hash (see standalone/hash-password.ts)');
    const role = u.role as Role;
    if (role === 'liaison' && (typeof u.agency !== 'string' || !AGENCY.test(u.agency))) throw bad(`${where}.agency`, 'a liaison needs its agency (organization.id)');
    if (role !== 'liaison' && u.agency !== undefined) throw bad(`${where}.agency`, 'only a liaison has an agency');
    if (out.has(u.username)) throw bad(`${where}.username`, `duplicate user ${u.username}`);
    out.set(u.username, { username: u.username, role, passwordHash: u.password_hash, ...(role === 'liaison' ? { agency: u.agency as string } : {}) });
  });
  return out;
}

export function loadUsersFile(file: string): Map<string, UserRecord> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CirtUiError('ERR_UI_CONFIG', `users file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
  return parseUsers(text, file);
}
