// Paths and readers for the SigmaHQ corpus (third-party data, DRL 1.1; used by path, never copied).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const CORPUS = resolve(here, '../../../shared/corpora/sigmahq');
export const PIPELINES = resolve(here, '../pipelines');
export const corpusPresent = existsSync(CORPUS);

export function ruleDirs(): string[] {
  return readdirSync(CORPUS, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name.startsWith('rules')).map((e) => join(CORPUS, e.name)).sort();
}

export function* findFiles(dir: string, name: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* findFiles(p, name);
    else if (e.name === name) yield p;
  }
}

/** evtx_dump JSON files hold one or several pretty-printed objects back to back. */
export function readJsonEvents(file: string): Array<Record<string, unknown>> {
  const t = readFileSync(file, 'utf8');
  const out: Array<Record<string, unknown>> = [];
  let depth = 0; let start = -1; let inStr = false; let esc = false;
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (inStr) { if (esc) esc = false; else if (c === '\\') esc = true; else if (c === '"') inStr = false; continue; }
    if (c === '"') inStr = true;
    else if (c === '{') { if (depth++ === 0) start = i; } else if (c === '}') { if (--depth === 0) out.push(JSON.parse(t.slice(start, i + 1)) as Record<string, unknown>); }
  }
  return out;
}
