// The alert detail pane: rule with author attribution (DRL 1.1), ATT&CK tags, the triggering events with the
// matched fields highlighted, triage actions, related alerts (other agencies only for CIRT staff: the server
// scopes a liaison's query to its own agency).
import React from 'react';
import type { TriagedAlert } from '../../common/index';
import type { Api, SessionInfo, TriageAction } from '../api';
import { RsitText, TlpBadge } from './classification';
import { attackTags, attackUrl, flattenEvent, formatTime, matchedFields, ruleAttribution, severityClass } from './format';
import { FlowWithTraceback } from './traceback';
import { shown, usePoll } from './use_poll';

export interface AlertDetailProps {
  api: Api;
  session: SessionInfo;
  id: string;
  onClose(): void;
  onChanged(): void;
  onTriage(action: TriageAction): Promise<void>;
  navigate(hash: string): void;
}

function RelatedList({ title, alerts, navigate }: { title: string; alerts: TriagedAlert[]; navigate(hash: string): void }) {
  return (
    <div className="cirt-related">
      <h4>
        {title} ({alerts.length})
      </h4>
      {alerts.length === 0 ? (
        <p className="cirt-muted">none</p>
      ) : (
        <ul>
          {alerts.slice(0, 10).map((a) => (
            <li key={a.alert.id}>
              <button type="button" className="cirt-link" onClick={() => navigate(`#/alerts/${encodeURIComponent(a.alert.id)}`)}>
                {formatTime(a['@timestamp'])} · {a.organization.id} · {a.rule.name}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function AlertDetail({ api, session, id, onClose, onChanged, onTriage, navigate }: AlertDetailProps) {
  const [tick, setTick] = React.useState(0);
  const [state] = usePoll((signal) => api.getAlert(id, signal), [api, id, tick], 0);
  const [related] = usePoll(() => api.relatedAlerts(id), [api, id], 0);
  const [reason, setReason] = React.useState('');
  const alert = shown(state);
  const rel = shown(related);
  const canTriage = session.permissions.includes('alerts:triage');
  const act = async (action: TriageAction) => {
    await onTriage(action);
    setTick((t) => t + 1);
    onChanged();
  };

  if (state.kind === 'error' && !alert) {
    return (
      <aside className="cirt-detail" aria-label="Alert detail">
        <button type="button" className="cirt-close" onClick={onClose}>
          ×
        </button>
        <p className="cirt-error">could not load the alert: {state.message}</p>
      </aside>
    );
  }
  if (!alert) return <aside className="cirt-detail">loading…</aside>;
  const { techniques, tactics } = attackTags(alert.rule.tags);

  return (
    <aside className="cirt-detail" aria-label="Alert detail">
      <button type="button" className="cirt-close" aria-label="close" onClick={onClose}>
        ×
      </button>
      <h2>
        <span className={severityClass(alert.alert.severity)}>{alert.alert.severity}</span> {alert.rule.name}
      </h2>
      <p className="cirt-rule-author">
        Rule {alert.rule.id} {ruleAttribution(alert.rule)}
      </p>
      {alert.rule.description && <p>{alert.rule.description}</p>}
      <dl className="cirt-dl">
        <dt>Time</dt>
        <dd>{formatTime(alert['@timestamp'])}</dd>
        <dt>Agency</dt>
        <dd>{alert.organization.id}</dd>
        <dt>Flow</dt>
        <dd className="cirt-flow">
          <FlowWithTraceback alert={alert} />
        </dd>
        <dt>Status</dt>
        <dd data-testid="alert-status">
          {alert.alert.status}
          {alert.triage?.qualification ? ` · ${alert.triage.qualification.replace('_', ' ')} (${alert.triage.reason ?? ''})` : ''}
          {alert.triage?.assignee ? ` · assigned to ${alert.triage.assignee}` : ''}
          {alert.triage?.incident_id ? ' · ' : ''}
          {alert.triage?.incident_id && (
            <button type="button" className="cirt-link" onClick={() => navigate(`#/incidents/${alert.triage?.incident_id}`)}>
              incident
            </button>
          )}
        </dd>
        <dt>Reason</dt>
        <dd>{alert.alert.reason}</dd>
        <dt>Classification</dt>
        <dd>
          <RsitText rsit={alert.rsit} /> <TlpBadge tlp={alert.tlp} />
        </dd>
      </dl>
      {(techniques.length > 0 || tactics.length > 0) && (
        <p className="cirt-tags" aria-label="ATT&CK">
          {tactics.map((t) => (
            <span key={t} className="cirt-chip">
              {t}
            </span>
          ))}
          {techniques.map((t) => (
            <a key={t} className="cirt-chip cirt-chip--technique" href={attackUrl(t)} target="_blank" rel="noreferrer noopener">
              {t}
            </a>
          ))}
        </p>
      )}
      {canTriage && (
        <div className="cirt-actions" aria-label="Triage">
          <button type="button" onClick={() => void act({ action: 'acknowledge' })} disabled={alert.alert.status !== 'open'}>
            Acknowledge
          </button>
          <input aria-label="reason" placeholder="qualification reason" value={reason} maxLength={1000} onChange={(e) => setReason(e.target.value)} />
          <button type="button" disabled={!reason.trim()} onClick={() => void act({ action: 'qualify', qualification: 'true_positive', reason: reason.trim() })}>
            True positive
          </button>
          <button type="button" disabled={!reason.trim()} onClick={() => void act({ action: 'qualify', qualification: 'false_positive', reason: reason.trim() })}>
            False positive
          </button>
          {alert.alert.status !== 'open' && (
            <button type="button" onClick={() => void act({ action: 'reopen' })}>
              Reopen
            </button>
          )}
        </div>
      )}
      <h3>Triggering events ({alert.events?.length ?? 0})</h3>
      {(alert.events ?? []).slice(0, 5).map((ev, i) => {
        const matched = matchedFields(alert, ev as Record<string, unknown>);
        return (
          <table key={i} className="cirt-kv">
            <tbody>
              {flattenEvent(ev).map(([k, v]) => (
                <tr key={k} className={matched.has(k) ? 'cirt-kv--matched' : undefined}>
                  <th scope="row">{k}</th>
                  <td>{v}</td>
                </tr>
              ))}
            </tbody>
          </table>
        );
      })}
      <h3>Related alerts{session.role === 'liaison' ? ' (your agency)' : ' (all agencies)'}</h3>
      {rel ? (
        <>
          <RelatedList title="Same source IP" alerts={rel.same_source} navigate={navigate} />
          <RelatedList title="Same rule" alerts={rel.same_rule} navigate={navigate} />
        </>
      ) : (
        <p className="cirt-muted">loading…</p>
      )}
    </aside>
  );
}
