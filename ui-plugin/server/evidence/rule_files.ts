// A RuleSource over rule files on disk: the exact text of the rule that fired, found by the SHA-256 the detector
// recorded on the alert (`rule.hash`, the hash of the whole rule file as it loaded it). A file whose text changed
// since has another hash and is NOT returned: a bundle holds the version that fired or says it could not find it.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { RuleSource } from '../services/evidence_service';

const RULE_FILE = /\.ya?ml$/i;
/** A hash not found triggers a rescan at most this often (rules hot-reload in the detector; files change). */
const RESCAN_MS = 30_000;

async function ruleFiles(dir: string, out: string[] = []): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out; // a missing directory holds no rules
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await ruleFiles(p, out);
    else if (e.isFile() && RULE_FILE.test(e.name)) out.push(p);
  }
  return out;
}

export function ruleFileSource(dirs: readonly string[], now: () => number = Date.now): RuleSource {
  let index = new Map<string, { text: string; origin: string }>();
  let scannedAt = -Infinity;
  const scan = async () => {
    const next = new Map<string, { text: string; origin: string }>();
    for (const dir of dirs) {
      for (const file of await ruleFiles(dir)) {
        const text = await readFile(file, 'utf8').catch(() => undefined);
        if (text === undefined) continue;
        const hash = createHash('sha256').update(text).digest('hex');
        if (!next.has(hash)) next.set(hash, { text, origin: `rule file ${relative(dir, file)} in ${dir}, SHA-256 ${hash} (= the rule.hash the alerts recorded)` });
      }
    }
    index = next;
    scannedAt = now();
  };
  return async (rule) => {
    if (!rule.hash) return undefined;
    if (!index.has(rule.hash) && now() - scannedAt >= RESCAN_MS) await scan();
    return index.get(rule.hash);
  };
}
