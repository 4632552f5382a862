// Hot reload of rules and intel: a poller fingerprints the source files (path, size, mtime) and, when they changed,
// rebuilds the rule set. A rebuild that brings a NEW error (one the active set does not already have: a broken rule
// or intel file) is refused: the previous good set stays active and the located errors are reported.
// Polling, not fs.watch: portable (recursive fs.watch is not on every platform/filesystem), deterministic in tests,
// and a 2 s interval costs a few hundred stat calls.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CirtError } from '../../proto/errors.ts';
import { buildRuleSet, type RuleSet, type RuleSetSources } from './ruleset.ts';

/** A fingerprint of every file under the given paths (missing paths count as "missing"). */
export function fingerprint(paths: readonly string[]): string {
  const parts: string[] = [];
  const walk = (p: string): void => {
    let st;
    try { st = statSync(p); } catch { parts.push(`${p}:missing`); return; }
    if (st.isDirectory()) { for (const e of readdirSync(p).sort()) walk(join(p, e)); return; }
    parts.push(`${p}:${st.size}:${st.mtimeMs}`);
  };
  for (const p of paths) walk(p);
  return parts.join('\n');
}

export type ReloadOutcome =
  | { result: 'unchanged' }
  | { result: 'reloaded'; set: RuleSet }
  | { result: 'rejected'; errors: CirtError[] };

export class RuleSetReloader {
  private active: RuleSet;
  private print: string;
  private timer: NodeJS.Timeout | undefined;
  readonly counters = { reloads: 0, rejected: 0 };

  constructor(private readonly sources: RuleSetSources, initial?: RuleSet) {
    this.print = fingerprint(this.watched());
    this.active = initial ?? buildRuleSet(sources);
  }

  get current(): RuleSet { return this.active; }

  private watched(): string[] { return [...this.sources.rulePaths, ...this.sources.pipelineFiles, ...this.sources.intelPaths]; }

  /** Check once: rebuild if the sources changed; keep the previous set if the new one has new errors. */
  check(): ReloadOutcome {
    const now = fingerprint(this.watched());
    if (now === this.print) return { result: 'unchanged' };
    this.print = now;
    const next = buildRuleSet(this.sources);
    const known = new Set(this.active.errors.map(String));
    const fresh = next.errors.filter((e) => !known.has(String(e)));
    if (fresh.length) { this.counters.rejected++; return { result: 'rejected', errors: fresh }; }
    this.active = next;
    this.counters.reloads++;
    return { result: 'reloaded', set: next };
  }

  /** Poll every intervalMs; onOutcome gets every reload and every refusal. */
  start(intervalMs: number, onOutcome: (o: Exclude<ReloadOutcome, { result: 'unchanged' }>) => void): void {
    this.stop();
    this.timer = setInterval(() => {
      const o = this.check();
      if (o.result !== 'unchanged') onOutcome(o);
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void { if (this.timer) clearInterval(this.timer); this.timer = undefined; }
}
