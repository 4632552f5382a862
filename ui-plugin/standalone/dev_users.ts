// The development users of `npm start`: written once (hashed) to a git-ignored file under .stack/, and printed by
// the host at start. Never used when CIRT_UI_USERS_FILE names a real users file.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import { hashPassword } from '../server/auth/passwords';

export const DEV_USERS = [
  { username: 'analyst', password: 'analyst', role: 'analyst' },
  { username: 'lead', password: 'lead', role: 'lead' },
  { username: 'liaison-mofa', password: 'liaison', role: 'liaison', agency: 'mofa' },
] as const;

/** Creates the dev users file if it does not exist; returns whether it did. */
export async function ensureDevUsersFile(file: string): Promise<boolean> {
  if (existsSync(file)) return false;
  const users = [];
  for (const u of DEV_USERS) {
    users.push({ username: u.username, role: u.role, ...('agency' in u ? { agency: u.agency } : {}), password_hash: await hashPassword(u.password) });
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `# Development users of the operations room (npm start). Passwords: see ui-plugin/README.md.\n${stringify({ users })}`, { mode: 0o600 });
  return true;
}
