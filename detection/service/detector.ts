// The per-event evaluation step of the streaming detector: every event of a telemetry batch is matched
// against the compiled rules written for its logsource. Pure: batches in, alerts out.
import type { Alert, EcsEvent, TelemetryBatch } from '../../proto/ecs.ts';
import { CorrelationState, type CompiledCorrelation, type CompiledRule, type CorrelationOptions } from '../engine/index.ts';
import { alertFromCorrelation, alertFromMatch } from './alerts.ts';
import { eventLogsource, ruleApplies, type Logsource } from './logsource.ts';

export interface DetectorCounters {
  events: number;
  matches: number;
  ruleErrors: number;
  correlationAlerts: number;
  /** matches of rules that only feed correlations (generate: false): no alert of their own */
  suppressed: number;
}

export interface DetectorOptions {
  correlations?: readonly CompiledCorrelation[];
  /** rule ids that must not emit alerts themselves (compileCorrelations' `suppressed`) */
  suppressed?: ReadonlySet<string>;
  correlation?: CorrelationOptions;
}

export class Detector {
  private readonly byLogsource = new Map<string, CompiledRule[]>();
  readonly counters: DetectorCounters = { events: 0, matches: 0, ruleErrors: 0, correlationAlerts: 0, suppressed: 0 };
  /** The correlation state (checkpoint it with snapshot()/restore()). */
  readonly correlation: CorrelationState;
  private readonly suppressed: ReadonlySet<string>;
  /** Per rule id: hits, and the last evaluation error (a rule that throws is counted, never stops the stream). */
  readonly ruleStats = new Map<string, { hits: number; errors: number; lastError?: string }>();

  constructor(private readonly rules: CompiledRule[], opts: DetectorOptions = {}) {
    this.correlation = new CorrelationState(opts.correlations ?? [], opts.correlation);
    this.suppressed = opts.suppressed ?? new Set();
  }

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
      if (this.suppressed.has(rule.meta.id)) this.counters.suppressed++;
      else alerts.push(alertFromMatch(rule.meta, event, now));
      if (this.correlation.references(rule.meta.id)) {
        // event time drives the windows; an event without a usable @timestamp falls back to the processing time
        const parsed = Date.parse(String(event['@timestamp']));
        const t = Number.isFinite(parsed) ? parsed : now.getTime();
        for (const hit of this.correlation.observe(rule.meta.id, event as unknown as Record<string, unknown>, t)) {
          this.counters.correlationAlerts++;
          alerts.push(alertFromCorrelation(hit, now));
        }
      }
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
