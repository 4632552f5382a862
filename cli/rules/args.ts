// Tiny argv parser for `cirt rules <sub>`: positionals, `--flag`, `--key value` / `--key=value`; unknown options
// are usage errors (exit 2).
export class UsageError extends Error {}

export interface Parsed { positionals: string[]; flags: Set<string>; options: Map<string, string[]> }

export function parseArgs(argv: readonly string[], spec: { flags: readonly string[]; options: readonly string[] }): Parsed {
  const out: Parsed = { positionals: [], flags: new Set(), options: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--') || a === '--') { out.positionals.push(a); continue; }
    const [key, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (spec.flags.includes(key)) { if (inline !== undefined) throw new UsageError(`--${key} takes no value`); out.flags.add(key); continue; }
    if (spec.options.includes(key)) {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`--${key} needs a value`);
      out.options.set(key, [...(out.options.get(key) ?? []), v]);
      continue;
    }
    throw new UsageError(`unknown option --${key}`);
  }
  return out;
}

/** Render rows as an aligned text table. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const w = header.map((h, i) => Math.min(80, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
  const line = (r: readonly string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!))).join('  ').trimEnd();
  return [line(header), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}

export type Out = { stdout: (s: string) => void; stderr: (s: string) => void };
export const processOut: Out = { stdout: (s) => process.stdout.write(s + '\n'), stderr: (s) => process.stderr.write(s) };
