// Traceback (#/traceback/<ip or CIDR>): where else has this source appeared. One search box; the answer per agency
// and per sensor (first/last seen, events, volume, peers, ports, alerts by severity), the rules that fired on it,
// the newest alerts (links to their detail), and its top ports and peers (each peer links to its own traceback).
// A liaison gets its own agency's rows only (the server scopes the searches).
import React from 'react';
import { SEVERITY_LEVELS, type Alert, type Severity, type TracebackResponse, type TracebackSide } from '../../common/index';
import type { Api } from '../api';
import { formatEndpoint, formatFlow, formatTime, severityClass } from './format';
import { shown, usePoll } from './use_poll';
import { formatBytes } from './wall';

/** The hash of an address's (or block's) traceback view; the slash of a CIDR is encoded. */
export function tracebackHash(ip: string): string {
  return `#/traceback/${encodeURIComponent(ip.trim())}`;
}

/** `12 ev · 3 peers · 2 ports`, or `—` when the address never was on that side. */
export function sideLabel(side: TracebackSide): string {
  if (side.events === 0) return '—';
  return `${side.events} ev · ${side.peers} peer${side.peers === 1 ? '' : 's'} · ${side.ports} port${side.ports === 1 ? '' : 's'}`;
}

/** Non-zero severities, highest first: [['critical', 1], ['low', 2]]. */
export function severityParts(counts: Record<Severity, number>): [Severity, number][] {
  return [...SEVERITY_LEVELS].reverse().filter((s) => counts[s] > 0).map((s) => [s, counts[s]]);
}

/** An alert's flow with each address a link to its traceback (the alert detail's "Flow" line). */
export function FlowWithTraceback({ alert }: { alert: Pick<Alert, 'source' | 'destination'> }) {
  if (!alert.source?.ip && !alert.destination?.ip) return <>{formatFlow(alert as Alert)}</>;
  const end = (ep: Alert['source'], role: string) =>
    ep?.ip ? (
      <a href={tracebackHash(ep.ip)} title={`traceback of the ${role} ${ep.ip}: every agency and sensor that saw it`}>
        {formatEndpoint(ep)}
      </a>
    ) : (
      formatEndpoint(ep)
    );
  return (
    <>
      {end(alert.source, 'source')} → {end(alert.destination, 'destination')}
    </>
  );
}

function Severities({ counts }: { counts: Record<Severity, number> }) {
  const parts = severityParts(counts);
  if (parts.length === 0) return <span className="cirt-muted">—</span>;
  return (
    <>
      {parts.map(([s, n]) => (
        <span key={s} className={severityClass(s)} title={`${n} ${s}`}>
          {s.slice(0, 4)} {n}
        </span>
      ))}
    </>
  );
}

function Search({ ip, navigate }: { ip: string | undefined; navigate: (hash: string) => void }) {
  const [value, setValue] = React.useState(ip ?? '');
  React.useEffect(() => setValue(ip ?? ''), [ip]);
  return (
    <form
      className="cirt-filters"
      aria-label="Traceback search"
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) navigate(tracebackHash(value));
      }}
    >
      <input aria-label="IP address or CIDR" placeholder="IP address or CIDR, e.g. 198.51.100.7 or 10.1.0.0/16" value={value} maxLength={64} onChange={(e) => setValue(e.target.value)} />
      <button type="submit" disabled={!value.trim()}>
        Trace back
      </button>
    </form>
  );
}

function Result({ data, navigate }: { data: TracebackResponse; navigate: (hash: string) => void }) {
  const s = data.summary;
  return (
    <>
      <dl className="cirt-dl" aria-label="Summary">
        <dt>Seen</dt>
        <dd>
          {s.events === 0 ? 'not in the retained telemetry' : `${formatTime(s.first_seen)} → ${formatTime(s.last_seen)}`}
        </dd>
        <dt>Agencies</dt>
        <dd data-testid="traceback-agencies">
          {s.agencies} ({s.sensors} sensor{s.sensors === 1 ? '' : 's'})
        </dd>
        <dt>Volume</dt>
        <dd>
          {s.events} events · {formatBytes(s.bytes)} · {s.packets} packets
        </dd>
        <dt>As source</dt>
        <dd>{sideLabel(s.as_source)}</dd>
        <dt>As destination</dt>
        <dd>{sideLabel(s.as_destination)}</dd>
        <dt>Alerts</dt>
        <dd>{s.alerts}</dd>
      </dl>
      {data.truncated && <p className="cirt-muted">More agencies, sensors or rules than listed: narrow the window or the block.</p>}

      <h3>Agencies</h3>
      <table className="cirt-table" aria-label="Agencies">
        <thead>
          <tr>
            <th>Agency</th>
            <th>First seen</th>
            <th>Last seen</th>
            <th>Events</th>
            <th>Bytes</th>
            <th>Packets</th>
            <th>As source</th>
            <th>As destination</th>
            <th>Sensors</th>
            <th>Alerts</th>
          </tr>
        </thead>
        <tbody>
          {data.agencies.map((a) => (
            <tr key={a.agency} className="cirt-row">
              <td>{a.agency}</td>
              <td className="cirt-time">{formatTime(a.first_seen)}</td>
              <td className="cirt-time">{formatTime(a.last_seen)}</td>
              <td>{a.events}</td>
              <td>{formatBytes(a.bytes)}</td>
              <td>{a.packets}</td>
              <td>{sideLabel(a.as_source)}</td>
              <td>{sideLabel(a.as_destination)}</td>
              <td>
                {a.sensors.length === 0 && <span className="cirt-muted">—</span>}
                {a.sensors.map((x) => (
                  <div key={x.agent} title={`${formatTime(x.first_seen)} → ${formatTime(x.last_seen)}`}>
                    {x.agent}
                    {x.observers.some((o) => o !== x.agent) ? ` (${x.observers.filter((o) => o !== x.agent).join(', ')})` : ''}: {x.events}
                  </div>
                ))}
              </td>
              <td>
                <Severities counts={a.alerts.by_severity} />
              </td>
            </tr>
          ))}
          {data.agencies.length === 0 && (
            <tr>
              <td colSpan={10} className="cirt-empty">
                no agency has seen it{data.query.from || data.query.to ? ' in this window' : ''}
              </td>
            </tr>
          )}
        </tbody>
      </table>

      <h3>Rules</h3>
      {data.rules.length === 0 ? (
        <p className="cirt-muted">no alert involves it</p>
      ) : (
        <table className="cirt-table" aria-label="Rules">
          <thead>
            <tr>
              <th>Rule</th>
              <th>Alerts</th>
              <th>Severity</th>
              <th>Agencies</th>
              <th>Last</th>
            </tr>
          </thead>
          <tbody>
            {data.rules.map((r) => (
              <tr key={r.rule_id} className="cirt-row">
                <td>{r.rule_name}</td>
                <td>{r.count}</td>
                <td>
                  <Severities counts={r.by_severity} />
                </td>
                <td>{r.agencies.join(', ')}</td>
                <td className="cirt-time">{formatTime(r.last)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {data.latest_alerts.length > 0 && (
        <>
          <h3>Latest alerts</h3>
          <ul className="cirt-top" aria-label="Latest alerts">
            {data.latest_alerts.map((a) => (
              <li key={a.alert.id}>
                <a href={`#/alerts/${encodeURIComponent(a.alert.id)}`}>
                  <span className="cirt-time">{formatTime(a['@timestamp'])}</span> <span className={severityClass(a.alert.severity)}>{a.alert.severity}</span> {a.organization.id} · {a.rule.name}
                </a>
              </li>
            ))}
          </ul>
        </>
      )}

      {(data.top_ports.length > 0 || data.top_peers.length > 0) && (
        <div className="cirt-traceback-tops">
          <div>
            <h3>Top destination ports</h3>
            <ol className="cirt-top">
              {data.top_ports.map((p) => (
                <li key={p.port}>
                  {p.port} — {p.events}
                </li>
              ))}
            </ol>
          </div>
          <div>
            <h3>Top peers</h3>
            <ol className="cirt-top">
              {data.top_peers.map((p) => (
                <li key={p.ip}>
                  <button type="button" className="cirt-link cirt-flow" onClick={() => navigate(tracebackHash(p.ip))}>
                    {p.ip}
                  </button>{' '}
                  — {p.events}
                </li>
              ))}
            </ol>
          </div>
        </div>
      )}
    </>
  );
}

export function Traceback({ api, ip, navigate }: { api: Api; ip?: string; navigate: (hash: string) => void }) {
  const [state] = usePoll<TracebackResponse | undefined>((signal) => (ip ? api.traceback(ip, {}, signal) : Promise.resolve(undefined)), [api, ip], 0);
  const data = shown(state);
  return (
    <section className="cirt-traceback" aria-label="Traceback">
      <h2>Traceback{ip ? `: ${ip}` : ''}</h2>
      <p className="cirt-muted">Where else has this address appeared: every agency and sensor, over the retained flows, logs and alerts.</p>
      <Search ip={ip} navigate={navigate} />
      {state.kind === 'error' && <p className="cirt-error">{state.message}</p>}
      {ip && state.kind === 'loading' && <p>loading…</p>}
      {data && <Result data={data} navigate={navigate} />}
    </section>
  );
}
