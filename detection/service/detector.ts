// The per-event evaluation step of the streaming detector: every event of a telemetry batch is matched
// against the compiled rules written for its logsource. Pure: batches in, alerts out.
import type { Alert, EcsEvent, TelemetryBatch } from '../../proto/ecs.ts';
import type { CompiledRule } from '../engine/index.ts';
import { alertFromMatch } from './alerts.ts';
import { eventLogsource, ruleApplies, type Logsource } from './logsource.ts';

export interface DetectorCounters {
  events: number;
  matches: number;
  ruleErrors: number;
}

export class Detector {
  private readonly byLogsource = new Map<string, CompiledRule[]>();
  readonly counters: DetectorCounters = { events: 0, matches: 0, ruleErrors: 0 };
  /** Per rule id: hits, and the last evaluation error (a rule that throws is counted, never stops the stream). */
  readonly ruleStats = new Map<string, { hits: number; errors: number; lastError?: string }>();

  constructor(private readonly rules: CompiledRule[]) {}

  evaluate(batch: TelemetryBatch, now: Date): Alert[] {
    const alerts: Alert[] = [];
    for (const event of batch.events) alerts.push(...this.evaluateEvent(event, now));
    return alerts;
  }

  evaluateEvent(event: EcsEvent, now: Date): Alert[] {
    this.counters.events++;
    const alerts: Alert[] = [];
    for (const rule of this.rulesFor(eventLogsource(event))) {
      let hit: boolean;
      try {
        hit = rule.match(event);
      } catch (err) {
        this.counters.ruleErrors++;
        const s = this.stat(rule.meta.id);
        s.errors++;
        s.lastError = (err as Error).message;
        continue;
      }
      if (!hit) continue;
      this.counters.matches++;
      this.stat(rule.meta.id).hits++;
      alerts.push(alertFromMatch(rule.meta, event, now));
    }
    return alerts;
  }

  private rulesFor(ls: Logsource): CompiledRule[] {
    const key = `${ls.product ?? ''}|${ls.category ?? ''}|${ls.service ?? ''}`;
    let list = this.byLogsource.get(key);
    if (!list) {
      list = this.rules.filter((r) => ruleApplies(r.meta.logsource, ls));
      this.byLogsource.set(key, list);
    }
    return list;
  }

  private stat(id: string) {
    let s = this.ruleStats.get(id);
    if (!s) this.ruleStats.set(id, (s = { hits: 0, errors: 0 }));
    return s;
  }
}
