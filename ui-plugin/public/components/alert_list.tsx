// The alert table of the operations room: newest first, auto-refreshing, filterable by severity, agency and text.
// No `style` props anywhere (the standalone host's CSP forbids inline styles): classes from application.css.
import React from 'react';
import { SEVERITY_LEVELS, isSeverity, type Alert, type Severity } from '../../common/index.ts';
import type { AlertFilters, AlertsApi } from '../api.ts';
import { formatFlow, formatTime, ruleAttribution, severityClass } from './format.ts';

export interface AlertListProps {
  api: AlertsApi;
  /** Auto-refresh period; 0 turns it off. */
  refreshMs: number;
}

type LoadState =
  | { kind: 'loading' }
  | { kind: 'ready'; total: number; alerts: Alert[]; at: Date }
  | { kind: 'error'; message: string; previous?: { total: number; alerts: Alert[] } };

export function AlertList({ api, refreshMs }: AlertListProps) {
  const [filters, setFilters] = React.useState<AlertFilters>({});
  const [agencyDraft, setAgencyDraft] = React.useState('');
  const [textDraft, setTextDraft] = React.useState('');
  const [state, setState] = React.useState<LoadState>({ kind: 'loading' });
  const inFlight = React.useRef(false);

  React.useEffect(() => {
    let cancelled = false;
    const controller = new AbortController();
    const load = async () => {
      if (inFlight.current) return; // a slow store: skip this tick rather than pile up requests
      inFlight.current = true;
      try {
        const res = await api.listAlerts(filters, controller.signal);
        if (!cancelled) setState({ kind: 'ready', total: res.total, alerts: res.alerts, at: new Date() });
      } catch (err) {
        if (cancelled) return;
        const message = err instanceof Error ? err.message : String(err);
        setState((prev) => ({ kind: 'error', message, previous: prev.kind === 'ready' ? prev : prev.kind === 'error' ? prev.previous : undefined }));
      } finally {
        inFlight.current = false;
      }
    };
    void load();
    const timer = refreshMs > 0 ? setInterval(() => void load(), refreshMs) : undefined;
    return () => {
      cancelled = true;
      controller.abort();
      inFlight.current = false;
      if (timer !== undefined) clearInterval(timer);
    };
  }, [api, filters, refreshMs]);

  const onSeverity = (e: React.ChangeEvent<HTMLSelectElement>) => {
    const value = e.target.value;
    setFilters((f) => ({ ...f, severity: isSeverity(value) ? value : undefined }));
  };
  const onSubmit = (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setFilters((f) => ({ ...f, agency: agencyDraft.trim() || undefined, q: textDraft.trim() || undefined }));
  };
  const onClear = () => {
    setAgencyDraft('');
    setTextDraft('');
    setFilters({});
  };

  const shown = state.kind === 'ready' ? state : state.kind === 'error' ? state.previous : undefined;

  return (
    <section className="cirt-alerts" aria-label="Alerts">
      <form className="cirt-filters" onSubmit={onSubmit} role="search">
        <label>
          Severity
          <select value={filters.severity ?? ''} onChange={onSeverity} name="severity">
            <option value="">all</option>
            {[...SEVERITY_LEVELS].reverse().map((s: Severity) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Agency
          <input name="agency" value={agencyDraft} maxLength={128} placeholder="organization id" onChange={(e) => setAgencyDraft(e.target.value)} />
        </label>
        <label>
          Text
          <input name="q" type="search" value={textDraft} maxLength={256} placeholder="rule, reason, author, host" onChange={(e) => setTextDraft(e.target.value)} />
        </label>
        <button type="submit">Apply</button>
        <button type="button" onClick={onClear}>
          Clear
        </button>
        <span className="cirt-status" role="status" aria-live="polite">
          {state.kind === 'loading' && 'loading…'}
          {state.kind === 'ready' && `${state.total} alert${state.total === 1 ? '' : 's'} · updated ${formatTime(state.at.toISOString())}`}
          {state.kind === 'error' && <span className="cirt-error">could not load alerts: {state.message}</span>}
        </span>
      </form>
      <table className="cirt-table">
        <thead>
          <tr>
            <th scope="col">Time (UTC)</th>
            <th scope="col">Agency</th>
            <th scope="col">Severity</th>
            <th scope="col">Rule</th>
            <th scope="col">Source → destination</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {shown && shown.alerts.length === 0 && (
            <tr>
              <td colSpan={6} className="cirt-empty">
                no alerts match
              </td>
            </tr>
          )}
          {shown?.alerts.map((a, i) => (
            <tr key={a.alert?.id ?? i} className={`cirt-row cirt-row--${isSeverity(a.alert?.severity) ? a.alert.severity : 'unknown'}`}>
              <td className="cirt-time">{formatTime(a['@timestamp'])}</td>
              <td>{a.organization?.id ?? '—'}</td>
              <td>
                <span className={severityClass(a.alert?.severity)}>{a.alert?.severity ?? 'unknown'}</span>
              </td>
              <td>
                <div className="cirt-rule-name">{a.rule?.name ?? a.rule?.id ?? '—'}</div>
                <div className="cirt-rule-author">{ruleAttribution(a.rule)}</div>
              </td>
              <td className="cirt-flow">{formatFlow(a)}</td>
              <td>{a.alert?.reason ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
