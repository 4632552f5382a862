// RSIT classification and TLP of incidents: the defaults taken from their alerts, and the one rule about changing
// a marking (lowering a TLP — declassifying — takes the tlp:lower permission, i.e. a lead). Pure.
import { DEFAULT_TLP, highestTlp, TLP_LEVELS, type Principal, type Rsit, type Tlp, type TriagedAlert } from '../../common/index';
import { CirtUiError } from '../errors';
import { can } from '../auth/principal';

export const RSIT_UNDETERMINED: Rsit = { classification: 'other', type: 'undetermined' };

export function rsitText(r: Rsit | undefined): string {
  return r ? `${r.classification}/${r.type}` : 'unclassified';
}

/** Throws ERR_UI_FORBIDDEN when `to` is below `from` and the principal may not lower a TLP. */
export function checkTlpChange(from: Tlp | undefined, to: Tlp, principal: Principal, what: string): void {
  if (from !== undefined && TLP_LEVELS.indexOf(to) < TLP_LEVELS.indexOf(from) && !can(principal, 'tlp:lower')) {
    throw new CirtUiError('ERR_UI_FORBIDDEN', `role ${principal.role} may not lower the TLP of an ${what} (TLP:${from} → TLP:${to})`, { location: { field: 'tlp' } });
  }
}

/**
 * An incident's rsit + tlp: as given, else the alerts' classification when they all agree (other/undetermined when
 * they differ) and the highest TLP of the alerts (an alert without one counts as the default, AMBER). A given TLP
 * below that of the alerts is a declassification (checkTlpChange).
 */
export function incidentMarking(alerts: Pick<TriagedAlert, 'rsit' | 'tlp'>[], input: { rsit?: Rsit; tlp?: Tlp }, principal: Principal): { rsit: Rsit; tlp: Tlp } {
  const fromAlerts = highestTlp(alerts.map((a) => a.tlp ?? DEFAULT_TLP), DEFAULT_TLP);
  if (input.tlp !== undefined) checkTlpChange(fromAlerts, input.tlp, principal, 'incident');
  const kinds = new Set(alerts.map((a) => rsitText(a.rsit ?? RSIT_UNDETERMINED)));
  const agreed = kinds.size === 1 ? (alerts[0]?.rsit ?? RSIT_UNDETERMINED) : RSIT_UNDETERMINED;
  return { rsit: { ...(input.rsit ?? agreed) }, tlp: input.tlp ?? fromAlerts };
}
