// The alert queue: filters (agency, severity, rule, status, time, text), grouping of similar alerts, selection with
// bulk actions (acknowledge, assign, qualify, open an incident) and the detail pane. No `style` props anywhere
// (the standalone host's CSP forbids inline styles): classes from application.css.
import React from 'react';
import { ALERT_STATUSES, RSIT, SEVERITY_LEVELS, isSeverity, isTlp, type AlertGroup, type Severity, type TriagedAlert } from '../../common/index';
import type { AlertFilters, Api, SessionInfo, TriageAction } from '../api';
import { AlertDetail } from './alert_detail';
import { ClassifyControls, RsitText, TlpBadge, TlpOptions } from './classification';
import { formatFlow, formatTime, ruleAttribution, severityClass } from './format';
import { shown, usePoll } from './use_poll';

export interface AlertQueueProps {
  api: Api;
  session: SessionInfo;
  refreshMs: number;
  openAlertId?: string;
  navigate(hash: string): void;
}

type GroupBy = 'none' | 'rule_agency' | 'source_ip';

const SINCE_CHOICES: [string, number][] = [
  ['any time', 0],
  ['last hour', 1],
  ['last 24 h', 24],
  ['last 7 days', 168],
];

export function AlertQueue({ api, session, refreshMs, openAlertId, navigate }: AlertQueueProps) {
  const [filters, setFilters] = React.useState<AlertFilters>({});
  const [drafts, setDrafts] = React.useState({ agency: '', q: '', rule: '' });
  const [sinceHours, setSinceHours] = React.useState(0);
  const [groupBy, setGroupBy] = React.useState<GroupBy>('none');
  const [selected, setSelected] = React.useState<Set<string>>(new Set());
  const [message, setMessage] = React.useState<{ kind: 'ok' | 'error'; text: string } | undefined>();
  const [assignee, setAssignee] = React.useState('');
  const [reason, setReason] = React.useState('');
  const canTriage = session.permissions.includes('alerts:triage');
  const canIncident = session.permissions.includes('incidents:write');

  const effective = React.useMemo<AlertFilters>(
    () => ({ ...filters, ...(sinceHours > 0 ? { since: new Date(Date.now() - sinceHours * 3_600_000).toISOString() } : {}) }),
    [filters, sinceHours],
  );
  const [state, reload] = usePoll((signal) => api.listAlerts({ ...effective, size: 100 }, signal), [api, effective], refreshMs);
  const [groupState] = usePoll(
    (signal) => (groupBy === 'none' ? Promise.resolve({ groups: [] as AlertGroup[] }) : api.alertGroups({ ...effective, by: groupBy }, signal)),
    [api, effective, groupBy],
    refreshMs,
  );
  const data = shown(state);
  const groups = shown(groupState)?.groups ?? [];

  const onSubmit = (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setFilters((f) => ({ ...f, agency: drafts.agency.trim() || undefined, q: drafts.q.trim() || undefined, rule: drafts.rule.trim() || undefined }));
  };
  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  const allIds = data?.alerts.map((a) => a.alert.id) ?? [];
  const allSelected = allIds.length > 0 && allIds.every((id) => selected.has(id));

  const run = async (action: TriageAction, ids = [...selected]) => {
    if (ids.length === 0) return;
    try {
      const out = await api.triage(ids, action);
      setMessage(out.failed.length ? { kind: 'error', text: `${out.updated.length} updated, ${out.failed.length} failed: ${out.failed[0]?.message}` } : { kind: 'ok', text: `${action.action}: ${out.updated.length} alert(s) updated` });
      reload();
    } catch (err) {
      setMessage({ kind: 'error', text: err instanceof Error ? err.message : String(err) });
    }
  };
  const openIncident = async () => {
    const ids = [...selected];
    const first = data?.alerts.find((a) => selected.has(a.alert.id));
    if (!first) return;
    try {
      const inc = await api.createIncident({ title: `${first.rule.name} (${first.organization.id})`, description: first.alert.reason, severity: first.alert.severity, alert_ids: ids });
      setSelected(new Set());
      navigate(`#/incidents/${inc.id}`);
    } catch (err) {
      setMessage({ kind: 'error', text: err instanceof Error ? err.message : String(err) });
    }
  };
  const selectGroup = (g: AlertGroup) => {
    if (g.key.source_ip) setFilters((f) => ({ ...f, source: g.key.source_ip }));
    else setFilters((f) => ({ ...f, rule: g.key.rule_id, agency: g.key.agency }));
    setGroupBy('none');
  };

  return (
    <div className="cirt-queue">
      <section className="cirt-alerts" aria-label="Alerts">
        <form className="cirt-filters" onSubmit={onSubmit} role="search">
          <label>
            Severity
            <select value={filters.severity ?? ''} name="severity" onChange={(e) => setFilters((f) => ({ ...f, severity: isSeverity(e.target.value) ? e.target.value : undefined }))}>
              <option value="">all</option>
              {[...SEVERITY_LEVELS].reverse().map((s: Severity) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label>
            Status
            <select value={filters.status ?? ''} name="status" onChange={(e) => setFilters((f) => ({ ...f, status: e.target.value || undefined }))}>
              <option value="">all</option>
              {ALERT_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label>
            Classification
            <select value={filters.classification ?? ''} name="classification" onChange={(e) => setFilters((f) => ({ ...f, classification: e.target.value || undefined }))}>
              <option value="">all</option>
              {RSIT.map((c) => (
                <option key={c.classification} value={c.classification}>
                  {c.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            TLP
            <select value={filters.tlp ?? ''} name="tlp" onChange={(e) => setFilters((f) => ({ ...f, tlp: isTlp(e.target.value) ? e.target.value : undefined }))}>
              <option value="">all</option>
              <TlpOptions />
            </select>
          </label>
          {session.role !== 'liaison' && (
            <label>
              Agency
              <input name="agency" value={drafts.agency} maxLength={128} placeholder="organization id" onChange={(e) => setDrafts((d) => ({ ...d, agency: e.target.value }))} />
            </label>
          )}
          <label>
            Rule id
            <input name="rule" value={drafts.rule} maxLength={256} placeholder="rule.id" onChange={(e) => setDrafts((d) => ({ ...d, rule: e.target.value }))} />
          </label>
          <label>
            Time
            <select name="since" value={sinceHours} onChange={(e) => setSinceHours(Number(e.target.value))}>
              {SINCE_CHOICES.map(([label, h]) => (
                <option key={h} value={h}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Text
            <input name="q" type="search" value={drafts.q} maxLength={256} placeholder="rule, reason, author, host" onChange={(e) => setDrafts((d) => ({ ...d, q: e.target.value }))} />
          </label>
          <label>
            Group
            <select name="group" value={groupBy} onChange={(e) => setGroupBy(e.target.value as GroupBy)}>
              <option value="none">no grouping</option>
              <option value="rule_agency">same rule + agency</option>
              <option value="source_ip">same source IP</option>
            </select>
          </label>
          <button type="submit">Apply</button>
          <button
            type="button"
            onClick={() => {
              setDrafts({ agency: '', q: '', rule: '' });
              setFilters({});
              setSinceHours(0);
            }}
          >
            Clear
          </button>
          <span className="cirt-status" role="status" aria-live="polite">
            {state.kind === 'loading' && 'loading…'}
            {state.kind === 'ready' && `${state.data.total} alert${state.data.total === 1 ? '' : 's'} · updated ${formatTime(state.at.toISOString())}`}
            {state.kind === 'error' && <span className="cirt-error">could not load alerts: {state.message}</span>}
          </span>
        </form>

        {(filters.source || filters.rule) && (
          <p className="cirt-chips">
            {filters.source && <span className="cirt-chip">source {filters.source}</span>}
            {filters.rule && <span className="cirt-chip">rule {filters.rule}</span>}
          </p>
        )}

        {canTriage && (
          <div className="cirt-bulk" aria-label="Bulk actions">
            <span>{selected.size} selected</span>
            <button type="button" disabled={selected.size === 0} onClick={() => void run({ action: 'acknowledge' })}>
              Acknowledge
            </button>
            <input aria-label="assignee" placeholder="assignee" value={assignee} maxLength={64} onChange={(e) => setAssignee(e.target.value)} />
            <button type="button" disabled={selected.size === 0 || !assignee.trim()} onClick={() => void run({ action: 'assign', assignee: assignee.trim() })}>
              Assign
            </button>
            <input aria-label="qualification reason" placeholder="reason" value={reason} maxLength={1000} onChange={(e) => setReason(e.target.value)} />
            <button type="button" disabled={selected.size === 0 || !reason.trim()} onClick={() => void run({ action: 'qualify', qualification: 'true_positive', reason: reason.trim() })}>
              True positive
            </button>
            <button type="button" disabled={selected.size === 0 || !reason.trim()} onClick={() => void run({ action: 'qualify', qualification: 'false_positive', reason: reason.trim() })}>
              False positive
            </button>
            <ClassifyControls disabled={selected.size === 0} onApply={(c) => void run({ action: 'classify', ...c })} />
            {canIncident && (
              <button type="button" className="cirt-primary" disabled={selected.size === 0} onClick={() => void openIncident()}>
                Open incident
              </button>
            )}
            {message && <span className={message.kind === 'ok' ? 'cirt-ok' : 'cirt-error'}>{message.text}</span>}
          </div>
        )}

        {groupBy !== 'none' && (
          <table className="cirt-table cirt-groups">
            <thead>
              <tr>
                <th scope="col">{groupBy === 'source_ip' ? 'Source IP' : 'Rule · agency'}</th>
                <th scope="col">Alerts</th>
                <th scope="col">Agencies</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {groups.map((g) => (
                <tr key={JSON.stringify(g.key)} className="cirt-row cirt-clickable" onClick={() => selectGroup(g)}>
                  <td>
                    {g.key.source_ip ?? (
                      <>
                        <span className={severityClass(g.severity)}>{g.severity ?? '?'}</span> {g.key.rule_name ?? g.key.rule_id} · {g.key.agency}
                      </>
                    )}
                  </td>
                  <td>{g.count}</td>
                  <td>{g.agencies}</td>
                  <td className="cirt-time">{formatTime(g.last_seen)}</td>
                </tr>
              ))}
              {groups.length === 0 && (
                <tr>
                  <td colSpan={4} className="cirt-empty">
                    no groups
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        )}

        <table className="cirt-table">
          <thead>
            <tr>
              {canTriage && (
                <th scope="col">
                  <input type="checkbox" aria-label="select all" checked={allSelected} onChange={() => setSelected(allSelected ? new Set() : new Set(allIds))} />
                </th>
              )}
              <th scope="col">Time (UTC)</th>
              <th scope="col">Agency</th>
              <th scope="col">Severity</th>
              <th scope="col">Rule</th>
              <th scope="col">Classification · TLP</th>
              <th scope="col">Source → destination</th>
              <th scope="col">Status</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {data && data.alerts.length === 0 && (
              <tr>
                <td colSpan={9} className="cirt-empty">
                  no alerts match
                </td>
              </tr>
            )}
            {data?.alerts.map((a: TriagedAlert, i) => (
              <tr
                key={a.alert?.id ?? i}
                data-alert-id={a.alert?.id}
                className={`cirt-row cirt-clickable cirt-row--${isSeverity(a.alert?.severity) ? a.alert.severity : 'unknown'}${a.alert.id === openAlertId ? ' cirt-row--open' : ''}`}
                onClick={() => navigate(`#/alerts/${encodeURIComponent(a.alert.id)}`)}
              >
                {canTriage && (
                  <td onClick={(e) => e.stopPropagation()}>
                    <input type="checkbox" aria-label={`select ${a.alert.id}`} checked={selected.has(a.alert.id)} onChange={() => toggle(a.alert.id)} />
                  </td>
                )}
                <td className="cirt-time">{formatTime(a['@timestamp'])}</td>
                <td>{a.organization?.id ?? '—'}</td>
                <td>
                  <span className={severityClass(a.alert?.severity)}>{a.alert?.severity ?? 'unknown'}</span>
                </td>
                <td>
                  <div className="cirt-rule-name">{a.rule?.name ?? a.rule?.id ?? '—'}</div>
                  <div className="cirt-rule-author">{ruleAttribution(a.rule)}</div>
                </td>
                <td>
                  <RsitText rsit={a.rsit} /> <TlpBadge tlp={a.tlp} />
                </td>
                <td className="cirt-flow">{formatFlow(a)}</td>
                <td>
                  <span className={`cirt-status-badge cirt-status-badge--${a.alert.status}`}>{a.alert.status}</span>
                  {a.triage?.qualification && <div className={`cirt-qual cirt-qual--${a.triage.qualification}`}>{a.triage.qualification.replace('_', ' ')}</div>}
                  {a.triage?.assignee && <div className="cirt-rule-author">→ {a.triage.assignee}</div>}
                </td>
                <td>{a.alert?.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {openAlertId && (
        <AlertDetail
          key={openAlertId}
          api={api}
          session={session}
          id={openAlertId}
          onClose={() => navigate('#/queue')}
          onChanged={reload}
          onTriage={(action) => run(action, [openAlertId])}
          navigate={navigate}
        />
      )}
    </div>
  );
}
