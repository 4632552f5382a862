// The wall's "Honeypot sensors" panel: the top sources hitting the CIRT's honeypots in the last 24 h (hits, sensors,
// first/last seen) and whether each also appears in agency telemetry or alerts (flag + agencies). Polls its own route.
import React from 'react';
import type { HoneypotSource } from '../../common/index';
import type { Api } from '../api';
import { formatTime, relativeAge } from './format';
import { shown, usePoll } from './use_poll';

/** The agency cell: "mofa, moh" or "—" (not seen in any agency). */
export function agencyCell(s: Pick<HoneypotSource, 'in_agencies' | 'agencies'>): { flag: 'seen' | 'none'; text: string } {
  return s.in_agencies ? { flag: 'seen', text: s.agencies.join(', ') } : { flag: 'none', text: '—' };
}

export function HoneypotPanel({ api, refreshMs }: { api: Api; refreshMs: number }) {
  const [state] = usePoll((signal) => api.honeypots(24, signal), [api], refreshMs);
  const data = shown(state);
  const now = new Date();
  return (
    <div className="cirt-panel cirt-panel--honeypots" aria-label="Honeypot sensors">
      <h3>Honeypot sensors, last 24 h</h3>
      {state.kind === 'error' && <p className="cirt-error">{state.message}</p>}
      {data && (
        <>
          <p className="cirt-muted">
            {data.total_hits} hit(s) from {data.distinct_sources} source(s); {data.sources.filter((s) => s.in_agencies).length} of the top {data.sources.length} also seen in agencies
          </p>
          <table className="cirt-table">
            <thead>
              <tr>
                <th scope="col">Source</th>
                <th scope="col">Hits</th>
                <th scope="col">Sensors</th>
                <th scope="col">First / last seen</th>
                <th scope="col">In agencies</th>
              </tr>
            </thead>
            <tbody>
              {data.sources.map((s) => {
                const cell = agencyCell(s);
                return (
                  <tr key={s.ip} className={cell.flag === 'seen' ? 'cirt-row cirt-row--hp-seen' : 'cirt-row'}>
                    <td className="cirt-flow">{s.ip}</td>
                    <td>{s.hits}</td>
                    <td title={s.products.join(', ')}>{s.sensors.join(', ') || s.products.join(', ')}</td>
                    <td className="cirt-time" title={`${formatTime(s.first_seen)} – ${formatTime(s.last_seen)}`}>
                      {relativeAge(s.first_seen, now)} / {relativeAge(s.last_seen, now)}
                    </td>
                    <td>
                      <span className={`cirt-hp-flag cirt-hp-flag--${cell.flag}`} aria-label={cell.flag === 'seen' ? 'seen in agencies' : 'not seen in agencies'}>
                        {cell.flag === 'seen' ? '● ' : ''}
                      </span>
                      {cell.text}
                    </td>
                  </tr>
                );
              })}
              {data.sources.length === 0 && (
                <tr>
                  <td colSpan={5} className="cirt-empty">
                    no honeypot hit in the last 24 h
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
