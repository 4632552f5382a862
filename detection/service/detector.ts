// The per-event evaluation step of the streaming detector: every event of a telemetry batch is routed to the
// rules of its logsource (logsource.ts RuleRouter: Windows Channel/EventID as the pipeline conditions them), the
// route's prefilter index picks the candidate rules, and the candidates are matched sharing one FieldMemo.
// Pure apart from the clock used to sample per-rule evaluation times: batches in, alerts out.
import { performance } from 'node:perf_hooks';
import type { Alert, EcsEvent } from '../../proto/ecs.ts';
import { CorrelationState, type CompiledCorrelation, type CompiledRule, type CorrelationOptions } from '../engine/index.ts';
import type { Tlp } from '../../proto/tlp.ts';
import { alertFromCorrelation, alertFromMatch, DEFAULT_ALERT_TLP, ruleMarking, type RuleMarking } from './alerts.ts';
import { FieldMemo } from '../engine/fields.ts';
import { RuleRouter } from './logsource.ts';

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
  /** time one event in this many (per-rule evaluation time); 0 = never */
  sampleEvery?: number;
  /** TLP of alerts whose rule has no tlp.* tag (default AMBER) */
  defaultTlp?: Tlp;
}

/** Per-rule figures for the service to export (e.g. as Prometheus counters labelled by rule id). */
export interface RuleStat {
  /** matches */
  hits: number;
  /** evaluations that threw (counted, the stream goes on) */
  errors: number;
  lastError?: string;
  /** evaluations timed (one event in `sampleEvery`) and their total time */
  sampledEvals: number;
  sampledMs: number;
}

export interface RuleMetric extends RuleStat { id: string; title: string; meanEvalUs: number }

export class Detector {
  private readonly router: RuleRouter;
  private readonly memo = new FieldMemo();
  private readonly sampleEvery: number;
  readonly counters: DetectorCounters = { events: 0, matches: 0, ruleErrors: 0, correlationAlerts: 0, suppressed: 0 };
  /** The correlation state (checkpoint it with snapshot()/restore()). */
  readonly correlation: CorrelationState;
  private readonly suppressed: ReadonlySet<string>;
  /** Per rule id: hits, and the last evaluation error (a rule that throws is counted, never stops the stream). */
  readonly ruleStats = new Map<string, RuleStat>();
  private readonly titles = new Map<string, string>();
  /** Per rule or correlation id: the RSIT classification and TLP of its alerts, resolved once from its tags. */
  private readonly markings = new Map<string, RuleMarking>();
  /** Rules whose rsit/tlp tags are invalid (their alerts fall back to ATT&CK / the default TLP): for the service to count and log. */
  readonly markingProblems: { ruleId: string; problem: string }[] = [];

  constructor(rules: readonly CompiledRule[], opts: DetectorOptions = {}) {
    this.correlation = new CorrelationState(opts.correlations ?? [], opts.correlation);
    this.suppressed = opts.suppressed ?? new Set();
    this.router = new RuleRouter(rules);
    this.sampleEvery = opts.sampleEvery ?? 64;
    for (const r of rules) this.titles.set(r.meta.id, r.meta.title);
    const defaultTlp = opts.defaultTlp ?? DEFAULT_ALERT_TLP;
    for (const meta of [...rules.map((r) => r.meta), ...(opts.correlations ?? []).map((c) => c.meta)]) {
      const m = ruleMarking(meta.tags, defaultTlp);
      this.markings.set(meta.id, m);
      for (const problem of m.problems) this.markingProblems.push({ ruleId: meta.id, problem });
    }
  }

  /** Per-rule hits, errors and sampled evaluation time, for rules that were evaluated at least once. */
  ruleMetrics(): RuleMetric[] {
    return [...this.ruleStats].map(([id, s]) => ({ id, title: this.titles.get(id) ?? id, ...s, meanEvalUs: s.sampledEvals ? (s.sampledMs * 1000) / s.sampledEvals : 0 }));
  }

  evaluate(events: readonly EcsEvent[], now: Date): Alert[] {
    const alerts: Alert[] = [];
    for (const event of events) alerts.push(...this.evaluateEvent(event, now));
    return alerts;
  }

  evaluateEvent(event: EcsEvent, now: Date): Alert[] {
    this.counters.events++;
    const alerts: Alert[] = [];
    const index = this.router.indexFor(event as unknown as Record<string, unknown>);
    const memo = this.memo.reset(event as unknown as Record<string, unknown>);
    const timed = this.sampleEvery > 0 && this.counters.events % this.sampleEvery === 0;
    // candidatesIn reuses its array for the next event: copy it, so nothing below can disturb this loop.
    const candidates = [...index.candidatesIn(memo)];
    for (const ci of candidates) {
      const rule = index.rules[ci]!;
      let hit: boolean;
      const t0 = timed ? performance.now() : 0;
      try {
        hit = rule.matchMemo ? rule.matchMemo(memo) : rule.match(event as unknown as Record<string, unknown>);
      } catch (err) {
        this.counters.ruleErrors++;
        const s = this.stat(rule.meta.id);
        s.errors++;
        s.lastError = (err as Error).message;
        continue;
      }
      if (timed) { const s = this.stat(rule.meta.id); s.sampledEvals++; s.sampledMs += performance.now() - t0; }
      if (!hit) continue;
      this.counters.matches++;
      this.stat(rule.meta.id).hits++;
      if (this.suppressed.has(rule.meta.id)) this.counters.suppressed++;
      else alerts.push(alertFromMatch(rule.meta, event, now, rule.matchedFields?.(event), this.markings.get(rule.meta.id)));
      if (this.correlation.references(rule.meta.id)) {
        // event time drives the windows; an event without a usable @timestamp falls back to the processing time
        const parsed = Date.parse(String(event['@timestamp']));
        const t = Number.isFinite(parsed) ? parsed : now.getTime();
        for (const hit of this.correlation.observe(rule.meta.id, event as unknown as Record<string, unknown>, t)) {
          this.counters.correlationAlerts++;
          alerts.push(alertFromCorrelation(hit, now, this.markings.get(hit.correlation.meta.id)));
        }
      }
    }
    return alerts;
  }

  private stat(id: string): RuleStat {
    let s = this.ruleStats.get(id);
    if (!s) this.ruleStats.set(id, (s = { hits: 0, errors: 0, sampledEvals: 0, sampledMs: 0 }));
    return s;
  }
}
