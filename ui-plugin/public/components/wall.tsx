// The wall: a kiosk view for the operations room's big screen (large type, auto-refresh): agency health (last seen,
// event rate, agents' spool backlog from their heartbeats, earliest certificate expiry), alerts by severity over
// time (SVG: no inline styles under the CSP), the live ticker, top sources, honeypot sensors, cross-agency campaigns.
import React from 'react';
import type { AgencyHealth } from '../../../proto/ecs';
import { SEVERITY_LEVELS, rsitLabel, type Severity, type WallData } from '../../common/index';
import type { Api } from '../api';
import { formatTime, healthClass, relativeAge, severityClass } from './format';
import { HoneypotPanel } from './honeypot_panel';
import { shown, usePoll } from './use_poll';

/** The wall sends each agency with its `health` (server/services/wall_service.ts); older servers do not. */
type AgencyRow = WallData['agencies'][number] & { health?: AgencyHealth };

const DAY = 86_400_000;

/** Certificate expiry class: expired / red (< 14 days) / amber (< 30 days) / ok. */
export function certClass(notAfter: string | undefined, now: Date): 'expired' | 'red' | 'amber' | 'ok' | 'unknown' {
  const t = notAfter ? Date.parse(notAfter) : Number.NaN;
  if (Number.isNaN(t)) return 'unknown';
  const left = t - now.getTime();
  return left <= 0 ? 'expired' : left < 14 * DAY ? 'red' : left < 30 * DAY ? 'amber' : 'ok';
}

/** `in 12 d` / `in 5 h` / `expired 2 d ago`. */
export function certLabel(notAfter: string | undefined, now: Date): string {
  const t = notAfter ? Date.parse(notAfter) : Number.NaN;
  if (Number.isNaN(t)) return '—';
  const left = t - now.getTime();
  const span = (ms: number) => (ms >= 2 * DAY ? `${Math.floor(ms / DAY)} d` : `${Math.max(1, Math.floor(ms / 3_600_000))} h`);
  return left <= 0 ? `expired ${span(-left)} ago` : `in ${span(left)}`;
}

/** 0 B, 512 B, 1.5 KiB, 20 MiB, 1.2 GiB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 ? Math.round(v) : Math.round(v * 10) / 10} ${units[i]}`;
}

/** Backlog class: stale (the newest heartbeat of some agent is older than 5 min) / backlog / ok. */
export function spoolClass(spool: AgencyHealth['spool'], now: Date): 'ok' | 'backlog' | 'stale' | 'unknown' {
  if (!spool) return 'unknown';
  const t = Date.parse(spool.heartbeat_at);
  if (Number.isNaN(t) || now.getTime() - t > 5 * 60_000) return 'stale';
  return spool.backlog_records > 0 || spool.disconnected > 0 ? 'backlog' : 'ok';
}

function SpoolCell({ spool, now }: { spool: AgencyHealth['spool']; now: Date }) {
  if (!spool) return <span className="cirt-muted">no heartbeat</span>;
  const cls = spoolClass(spool, now);
  const title = `${spool.backlog_records} record(s) in ${spool.agents} agent spool(s)${spool.disconnected ? `, ${spool.disconnected} disconnected` : ''}; heartbeat ${relativeAge(spool.heartbeat_at, now)}`;
  return (
    <span className={`cirt-spool cirt-spool--${cls}`} title={title}>
      {formatBytes(spool.backlog_bytes)}
      <span className="cirt-spool-age"> · {relativeAge(spool.heartbeat_at, now)}</span>
    </span>
  );
}

function CertCell({ cert, now }: { cert: AgencyHealth['certificate']; now: Date }) {
  if (!cert) return <span className="cirt-muted">—</span>;
  const cls = certClass(cert.not_after, now);
  return (
    <span className={`cirt-cert cirt-cert--${cls}`} title={`${cert.agent}: certificate valid until ${formatTime(cert.not_after)}`} aria-label={`certificate ${cls}`}>
      {certLabel(cert.not_after, now)}
    </span>
  );
}

function SeverityChart({ timeline }: { timeline: WallData['timeline'] }) {
  const width = 800;
  const height = 180;
  const n = Math.max(1, timeline.buckets.length);
  const max = Math.max(1, ...timeline.buckets.map((b) => SEVERITY_LEVELS.reduce((s, l) => s + b.counts[l], 0)));
  const bw = width / n;
  return (
    <svg className="cirt-chart" viewBox={`0 0 ${width} ${height + 20}`} role="img" aria-label={`alerts by severity per ${timeline.interval}`}>
      {timeline.buckets.map((b, i) => {
        let y = height;
        return (
          <g key={b.at}>
            {SEVERITY_LEVELS.map((l: Severity) => {
              const h = (b.counts[l] / max) * height;
              y -= h;
              return h > 0 ? <rect key={l} className={`cirt-bar cirt-bar--${l}`} x={i * bw + 1} y={y} width={Math.max(1, bw - 2)} height={h} /> : null;
            })}
          </g>
        );
      })}
      <line className="cirt-axis" x1={0} y1={height} x2={width} y2={height} />
      <text className="cirt-axis-label" x={0} y={height + 16}>
        {timeline.buckets[0] ? formatTime(timeline.buckets[0].at) : ''}
      </text>
      <text className="cirt-axis-label" x={width} y={height + 16} textAnchor="end">
        max {max} / {timeline.interval}
      </text>
    </svg>
  );
}

export function Wall({ api, refreshMs }: { api: Api; refreshMs: number }) {
  const [state] = usePoll((signal) => api.wall(60, signal), [api], refreshMs);
  const data = shown(state);
  const now = new Date();
  return (
    <section className="cirt-wall" aria-label="Wall">
      <header className="cirt-wall-head">
        <h2>Operations wall</h2>
        <span className="cirt-status">{state.kind === 'error' ? <span className="cirt-error">{state.message}</span> : data ? `updated ${formatTime(data.generated_at)}` : 'loading…'}</span>
      </header>
      {data && (
        <div className="cirt-wall-grid">
          <div className="cirt-panel cirt-panel--agencies">
            <h3>Agencies</h3>
            <table className="cirt-table">
              <thead>
                <tr>
                  <th scope="col">Agency</th>
                  <th scope="col">Last seen</th>
                  <th scope="col">Events/min</th>
                  <th scope="col">Spool backlog</th>
                  <th scope="col">Cert expiry</th>
                  {[...SEVERITY_LEVELS].reverse().map((s) => (
                    <th key={s} scope="col">
                      <span className={severityClass(s)}>{s.slice(0, 4)}</span>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {(data.agencies as AgencyRow[]).map((a) => (
                  <tr key={a.agency}>
                    <td>
                      <span className={`cirt-dot cirt-dot--${healthClass(a.last_seen, now)}`} aria-label={healthClass(a.last_seen, now)} /> {a.agency}
                    </td>
                    <td>{relativeAge(a.last_seen, now)}</td>
                    <td>{a.events_per_minute}</td>
                    <td>
                      <SpoolCell spool={a.health?.spool} now={now} />
                    </td>
                    <td>
                      <CertCell cert={a.health?.certificate} now={now} />
                    </td>
                    {[...SEVERITY_LEVELS].reverse().map((s) => (
                      <td key={s}>{a.alerts[s] || ''}</td>
                    ))}
                  </tr>
                ))}
                {data.agencies.length === 0 && (
                  <tr>
                    <td colSpan={10} className="cirt-empty">
                      no agency has reported yet
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
          <div className="cirt-panel cirt-panel--chart">
            <h3>Alerts by severity, last hour</h3>
            <SeverityChart timeline={data.timeline} />
          </div>
          <div className="cirt-panel cirt-panel--ticker">
            <h3>Live alerts</h3>
            <ul className="cirt-ticker">
              {data.ticker.map((a) => (
                <li key={a.alert.id}>
                  <span className="cirt-time">{formatTime(a['@timestamp']).slice(11)}</span> <span className={severityClass(a.alert.severity)}>{a.alert.severity}</span> {a.organization.id} · {a.rule.name}
                </li>
              ))}
            </ul>
          </div>
          <div className="cirt-panel">
            <h3>Top sources</h3>
            <ol className="cirt-top">
              {data.top_sources.map((s) => (
                <li key={s.ip}>
                  <span className="cirt-flow">{s.ip}</span> — {s.alerts} alert(s), {s.agencies} agenc{s.agencies === 1 ? 'y' : 'ies'}
                </li>
              ))}
            </ol>
          </div>
          <HoneypotPanel api={api} refreshMs={refreshMs} />
          <div className="cirt-panel">
            <h3>Alerts by classification (RSIT)</h3>
            {(data.classifications ?? []).length === 0 ? (
              <p className="cirt-muted">none</p>
            ) : (
              <ul className="cirt-top" aria-label="Alerts by classification">
                {(data.classifications ?? []).map((c) => (
                  <li key={c.classification}>
                    <strong>{rsitLabel({ classification: c.classification })}</strong> — {c.alerts}
                  </li>
                ))}
              </ul>
            )}
            <h3>Cross-agency campaigns</h3>
            {data.campaigns.length === 0 ? (
              <p className="cirt-muted">none</p>
            ) : (
              <ul className="cirt-top">
                {data.campaigns.map((c) => (
                  <li key={`${c.kind}:${c.key}`} className="cirt-campaign">
                    <strong>{c.key}</strong> — {c.alerts} alert(s) · {c.kind === 'shared-source' ? `seen by ${c.agencies.join(', ')}` : 'cross-agency rule'}
                  </li>
                ))}
              </ul>
            )}
          </div>
        </div>
      )}
    </section>
  );
}

export function RuleHealthView({ api, refreshMs }: { api: Api; refreshMs: number }) {
  const [state] = usePoll(() => api.ruleHealth(), [api], refreshMs);
  const data = shown(state);
  return (
    <section aria-label="Rule health">
      <h2>Rule health (last 30 days)</h2>
      {state.kind === 'error' && <p className="cirt-error">{state.message}</p>}
      <table className="cirt-table">
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Hits</th>
            <th scope="col">Qualified</th>
            <th scope="col">False positives</th>
            <th scope="col">FP rate</th>
            <th scope="col">Last hit</th>
          </tr>
        </thead>
        <tbody>
          {data?.rules.map((r) => (
            <tr key={r.rule_id} className={r.silent ? 'cirt-row cirt-row--silent' : 'cirt-row'}>
              <td>
                <div className="cirt-rule-name">{r.rule_name}</div>
                <div className="cirt-rule-author">
                  {r.rule_id}
                  {r.author ? ` · by ${r.author}` : ''}
                  {r.silent ? ' · silent for 7 days' : ''}
                </div>
              </td>
              <td>{r.hits}</td>
              <td>{r.qualified}</td>
              <td>{r.false_positives}</td>
              <td className={r.false_positive_rate !== null && r.false_positive_rate >= 0.5 ? 'cirt-error' : undefined}>{r.false_positive_rate === null ? '—' : `${Math.round(r.false_positive_rate * 100)} %`}</td>
              <td className="cirt-time">{formatTime(r.last_hit)}</td>
            </tr>
          ))}
          {data && data.rules.length === 0 && (
            <tr>
              <td colSpan={6} className="cirt-empty">
                no rule fired in the period
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
