// Incidents: the list, and one incident with its lifecycle (FIRST CSIRT: new → triage → containment →
// eradication → recovery → closed), assignee, notes, timeline, linked alerts and its advisories (publish: lead).
import React from 'react';
import { INCIDENT_STATUSES, INCIDENT_TRANSITIONS, isTlp, type Incident, type IncidentStatus } from '../../common/index';
import type { Api, SessionInfo } from '../api';
import { ClassifyControls, RsitText, TlpBadge, TlpOptions } from './classification';
import { formatTime, severityClass } from './format';
import { shown, usePoll } from './use_poll';


export function IncidentList({ api, refreshMs, navigate }: { api: Api; refreshMs: number; navigate(hash: string): void }) {
  const [status, setStatus] = React.useState<IncidentStatus | ''>('');
  const [state] = usePoll(() => api.listIncidents(status || undefined), [api, status], refreshMs);
  const data = shown(state);
  return (
    <section className="cirt-incidents" aria-label="Incidents">
      <div className="cirt-filters">
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value as IncidentStatus | '')}>
            <option value="">all</option>
            {INCIDENT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <span className="cirt-status">{state.kind === 'error' ? <span className="cirt-error">{state.message}</span> : data ? `${data.total} incident(s)` : 'loading…'}</span>
      </div>
      <table className="cirt-table">
        <thead>
          <tr>
            <th scope="col">Updated</th>
            <th scope="col">Severity</th>
            <th scope="col">Title</th>
            <th scope="col">Status</th>
            <th scope="col">Agencies</th>
            <th scope="col">Assignee</th>
            <th scope="col">Alerts</th>
          </tr>
        </thead>
        <tbody>
          {data?.incidents.map((i) => (
            <tr key={i.id} className="cirt-row cirt-clickable" onClick={() => navigate(`#/incidents/${i.id}`)}>
              <td className="cirt-time">{formatTime(i.updated_at)}</td>
              <td>
                <span className={severityClass(i.severity)}>{i.severity}</span>
              </td>
              <td>{i.title}</td>
              <td>
                <span className={`cirt-lifecycle cirt-lifecycle--${i.status}`}>{i.status}</span>
              </td>
              <td>{i.organization.id.join(', ')}</td>
              <td>{i.assignee ?? '—'}</td>
              <td>{i.alert_ids.length}</td>
            </tr>
          ))}
          {data && data.incidents.length === 0 && (
            <tr>
              <td colSpan={7} className="cirt-empty">
                no incidents
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

export function IncidentDetail({ api, session, id, navigate }: { api: Api; session: SessionInfo; id: string; navigate(hash: string): void }) {
  const [tick, setTick] = React.useState(0);
  const [state] = usePoll(() => api.getIncident(id), [api, id, tick], 0);
  const [advState] = usePoll(() => api.listAdvisories(id), [api, id, tick], 0);
  const [note, setNote] = React.useState('');
  const [assignee, setAssignee] = React.useState('');
  const [closeReason, setCloseReason] = React.useState('');
  const [draft, setDraft] = React.useState({ headline: '', description: '', instruction: '', tlp: '' });
  const [message, setMessage] = React.useState<{ kind: 'ok' | 'error'; text: string } | undefined>();
  const incident: Incident | undefined = shown(state);
  const advisories = shown(advState)?.advisories ?? [];
  const canWrite = session.permissions.includes('incidents:write');
  const canClose = session.permissions.includes('incidents:close');
  const canPublish = session.permissions.includes('advisories:publish');
  const canExport = session.permissions.includes('evidence:export');

  const change = async (c: Parameters<Api['changeIncident']>[1], ok: string) => {
    try {
      await api.changeIncident(id, c);
      setMessage({ kind: 'ok', text: ok });
      setTick((t) => t + 1);
    } catch (err) {
      setMessage({ kind: 'error', text: err instanceof Error ? err.message : String(err) });
    }
  };
  const publish = async (e: React.FormEvent) => {
    e.preventDefault();
    try {
      const { tlp, ...rest } = draft;
      const adv = await api.publishAdvisory(id, isTlp(tlp) ? { ...rest, tlp } : rest);
      const failed = adv.deliveries.filter((d) => d.status === 'failed').length;
      const refused = adv.deliveries.filter((d) => d.status === 'refused').length;
      const delivered = adv.deliveries.length - failed - refused;
      setMessage({ kind: failed ? 'error' : 'ok', text: `advisory published to ${adv.organization.id.join(', ')}; ${delivered}/${adv.deliveries.length} webhook(s) delivered${refused ? `, ${refused} refused (clearance below the advisory's TLP)` : ''}${failed ? `, ${failed} failed` : ''}` });
      setTick((t) => t + 1);
    } catch (err) {
      setMessage({ kind: 'error', text: err instanceof Error ? err.message : String(err) });
    }
  };

  if (state.kind === 'error' && !incident) return <p className="cirt-error">could not load the incident: {state.message}</p>;
  if (!incident) return <p>loading…</p>;
  return (
    <section className="cirt-incident" aria-label="Incident">
      <p>
        <button type="button" className="cirt-link" onClick={() => navigate('#/incidents')}>
          ← incidents
        </button>
      </p>
      <h2>
        <span className={severityClass(incident.severity)}>{incident.severity}</span> {incident.title}
      </h2>
      <ol className="cirt-stepper" aria-label="Lifecycle">
        {INCIDENT_STATUSES.map((s) => (
          <li key={s} className={s === incident.status ? 'cirt-step cirt-step--current' : INCIDENT_STATUSES.indexOf(s) < INCIDENT_STATUSES.indexOf(incident.status) ? 'cirt-step cirt-step--done' : 'cirt-step'}>
            {s}
          </li>
        ))}
      </ol>
      {message && <p className={message.kind === 'ok' ? 'cirt-ok' : 'cirt-error'}>{message.text}</p>}
      <dl className="cirt-dl">
        <dt>Status</dt>
        <dd data-testid="incident-status">{incident.status}</dd>
        <dt>Agencies</dt>
        <dd>{incident.organization.id.join(', ')}</dd>
        <dt>Assignee</dt>
        <dd>{incident.assignee ?? '—'}</dd>
        <dt>Classification</dt>
        <dd data-testid="incident-classification">
          <RsitText rsit={incident.rsit} /> <TlpBadge tlp={incident.tlp} />
        </dd>
        <dt>Created</dt>
        <dd>
          {formatTime(incident.created_at)} by {incident.created_by}
        </dd>
        <dt>Description</dt>
        <dd>{incident.description || '—'}</dd>
      </dl>
      {canWrite && (
        <div className="cirt-actions" aria-label="Lifecycle actions">
          {INCIDENT_TRANSITIONS[incident.status]
            .filter((s) => (s === 'closed' || incident.status === 'closed' ? canClose : true))
            .map((s) => (
              <button key={s} type="button" disabled={s === 'closed' && !closeReason.trim()} onClick={() => void change({ status: s, ...(closeReason.trim() ? { reason: closeReason.trim() } : {}) }, `moved to ${s}`)}>
                → {s}
              </button>
            ))}
          {canClose && INCIDENT_TRANSITIONS[incident.status].includes('closed') && <input aria-label="closing reason" placeholder="closing reason" value={closeReason} onChange={(e) => setCloseReason(e.target.value)} />}
          <input aria-label="assign to" placeholder="assignee" value={assignee} maxLength={64} onChange={(e) => setAssignee(e.target.value)} />
          <button type="button" disabled={!assignee.trim()} onClick={() => void change({ assignee: assignee.trim() }, 'assigned')}>
            Assign
          </button>
          <ClassifyControls current={{ rsit: incident.rsit, tlp: incident.tlp }} onApply={(c) => void change(c, 'classified')} />
        </div>
      )}
      <div className="cirt-columns">
        <div>
          <h3>Timeline</h3>
          <ol className="cirt-timeline">
            {incident.timeline.map((t, i) => (
              <li key={i}>
                <span className="cirt-time">{formatTime(t.at)}</span> {t.by}: {t.action}
                {t.detail ? ` — ${t.detail}` : ''}
              </li>
            ))}
          </ol>
          <h3>Notes</h3>
          {incident.notes.map((n, i) => (
            <blockquote key={i} className="cirt-note">
              <div className="cirt-rule-author">
                {formatTime(n.at)} · {n.by}
              </div>
              {n.text}
            </blockquote>
          ))}
          {canWrite && (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                if (note.trim()) void change({ note: note.trim() }, 'note added').then(() => setNote(''));
              }}
            >
              <textarea aria-label="note" value={note} maxLength={10_000} onChange={(e) => setNote(e.target.value)} />
              <button type="submit" disabled={!note.trim()}>
                Add note
              </button>
            </form>
          )}
          <h3>Linked alerts ({incident.alert_ids.length})</h3>
          {canExport && (
            <p>
              <a href={api.evidenceHref(incident.id)} download data-testid="evidence-download" title="Alerts, the raw events behind them and the rules that fired, with a SHA-256 manifest; verify with `cirt evidence verify`">
                Export evidence bundle
              </a>
            </p>
          )}
          <ul>
            {incident.alert_ids.map((a) => (
              <li key={a}>
                <button type="button" className="cirt-link" onClick={() => navigate(`#/alerts/${encodeURIComponent(a)}`)}>
                  {a}
                </button>
              </li>
            ))}
          </ul>
        </div>
        <div>
          <h3>Advisories</h3>
          {advisories.length === 0 && <p className="cirt-muted">none published</p>}
          <ul className="cirt-advisories">
            {advisories.map((a) => (
              <li key={a.id}>
                <strong>{a.headline}</strong> · {formatTime(a.sent)} by {a.sent_by} → {a.organization.id.join(', ')}
                <div>
                  <a href={api.capHref(a.id)} download={`advisory-${a.id}.cap.xml`} data-testid="cap-download">
                    CAP 1.2 XML
                  </a>{' '}
                  ·{' '}
                  <a href={api.stixHref(a.id)} download={`advisory-${a.id}.stix.json`}>
                    STIX 2.1 bundle
                  </a>
                </div>
                <ul>
                  {a.deliveries.map((d, i) => (
                    <li key={i} className={d.status === 'delivered' ? 'cirt-ok' : 'cirt-error'}>
                      {d.url}: {d.status} after {d.attempts} attempt(s){d.http_status ? ` (HTTP ${d.http_status})` : ''}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
          {canPublish && (
            <form className="cirt-form" onSubmit={(e) => void publish(e)} aria-label="Publish advisory">
              <h4>Publish an advisory to {incident.organization.id.join(', ')}</h4>
              <label>
                Headline
                <input name="headline" value={draft.headline} maxLength={160} required onChange={(e) => setDraft((d) => ({ ...d, headline: e.target.value }))} />
              </label>
              <label>
                Description
                <textarea name="description" value={draft.description} maxLength={10_000} required onChange={(e) => setDraft((d) => ({ ...d, description: e.target.value }))} />
              </label>
              <label>
                Instruction
                <textarea name="instruction" value={draft.instruction} maxLength={10_000} onChange={(e) => setDraft((d) => ({ ...d, instruction: e.target.value }))} />
              </label>
              <label>
                TLP
                <select name="tlp" value={draft.tlp} onChange={(e) => setDraft((d) => ({ ...d, tlp: e.target.value }))}>
                  <option value="">the incident's ({incident.tlp ? `TLP:${incident.tlp}` : 'default'})</option>
                  <TlpOptions />
                </select>
              </label>
              <button type="submit" className="cirt-primary" disabled={!draft.headline.trim() || !draft.description.trim()}>
                Publish (CAP + STIX)
              </button>
            </form>
          )}
        </div>
      </div>
    </section>
  );
}
