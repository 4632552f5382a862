// RSIT classification and TLP 2.0 for the operations room (server validation, queue filters, badges, wall).
// A local copy of the lists in proto/taxonomy.ts and proto/tlp.ts: ui-plugin imports the rest of the repository as
// types only (see index.ts). `taxonomy.test.ts` checks that the copies equal the proto originals.
import type { Rsit, Tlp } from '../../proto/ecs';

export type { Rsit, Tlp };

export interface RsitClass {
  readonly classification: string;
  readonly label: string;
  readonly types: readonly { readonly type: string; readonly label: string }[];
}

/** The Reference Security Incident Taxonomy: classifications and their types (machine names + labels). */
export const RSIT: readonly RsitClass[] = [
  { classification: 'abusive-content', label: 'Abusive Content', types: [
    { type: 'spam', label: 'Spam' },
    { type: 'harmful-speech', label: 'Harmful Speech' },
    { type: 'violence', label: '(Child) Sexual Exploitation/Sexual/Violent Content' },
  ] },
  { classification: 'malicious-code', label: 'Malicious Code', types: [
    { type: 'infected-system', label: 'Infected System' },
    { type: 'c2-server', label: 'C2 Server' },
    { type: 'malware-distribution', label: 'Malware Distribution' },
    { type: 'malware-configuration', label: 'Malware Configuration' },
  ] },
  { classification: 'information-gathering', label: 'Information Gathering', types: [
    { type: 'scanner', label: 'Scanning' },
    { type: 'sniffing', label: 'Sniffing' },
    { type: 'social-engineering', label: 'Social Engineering' },
  ] },
  { classification: 'intrusion-attempts', label: 'Intrusion Attempts', types: [
    { type: 'ids-alert', label: 'Exploitation of Known Vulnerabilities' },
    { type: 'brute-force', label: 'Login Attempts' },
    { type: 'exploit', label: 'New Attack Signature' },
  ] },
  { classification: 'intrusions', label: 'Intrusions', types: [
    { type: 'privileged-account-compromise', label: 'Privileged Account Compromise' },
    { type: 'unprivileged-account-compromise', label: 'Unprivileged Account Compromise' },
    { type: 'application-compromise', label: 'Application Compromise' },
    { type: 'system-compromise', label: 'System Compromise' },
    { type: 'burglary', label: 'Burglary' },
  ] },
  { classification: 'availability', label: 'Availability', types: [
    { type: 'dos', label: 'Denial of Service' },
    { type: 'ddos', label: 'Distributed Denial of Service' },
    { type: 'misconfiguration', label: 'Misconfiguration' },
    { type: 'sabotage', label: 'Sabotage' },
    { type: 'outage', label: 'Outage' },
  ] },
  { classification: 'information-content-security', label: 'Information Content Security', types: [
    { type: 'unauthorised-information-access', label: 'Unauthorised Access to Information' },
    { type: 'unauthorised-information-modification', label: 'Unauthorised Modification of Information' },
    { type: 'data-loss', label: 'Data Loss' },
    { type: 'data-leak', label: 'Leak of Confidential Information' },
  ] },
  { classification: 'fraud', label: 'Fraud', types: [
    { type: 'unauthorised-use-of-resources', label: 'Unauthorised Use of Resources' },
    { type: 'copyright', label: 'Copyright' },
    { type: 'masquerade', label: 'Masquerade' },
    { type: 'phishing', label: 'Phishing' },
  ] },
  { classification: 'vulnerable', label: 'Vulnerable', types: [
    { type: 'weak-crypto', label: 'Weak Cryptography' },
    { type: 'ddos-amplifier', label: 'DDoS Amplifier' },
    { type: 'potentially-unwanted-accessible', label: 'Potentially Unwanted Accessible Services' },
    { type: 'information-disclosure', label: 'Information Disclosure' },
    { type: 'vulnerable-system', label: 'Vulnerable System' },
  ] },
  { classification: 'other', label: 'Other', types: [
    { type: 'other', label: 'Uncategorised' },
    { type: 'undetermined', label: 'Undetermined' },
  ] },
  { classification: 'test', label: 'Test', types: [{ type: 'test', label: 'Test' }] },
];

export function isRsit(value: unknown): value is Rsit {
  if (!value || typeof value !== 'object') return false;
  const v = value as Rsit;
  return RSIT.some((c) => c.classification === v.classification && c.types.some((t) => t.type === v.type));
}

export function isRsitClassification(value: unknown): value is string {
  return typeof value === 'string' && RSIT.some((c) => c.classification === value);
}

/** "Information Gathering / Scanning"; the classification's label alone when `type` is omitted. */
export function rsitLabel(r: { classification: string; type?: string }): string {
  const c = RSIT.find((x) => x.classification === r.classification);
  if (r.type === undefined) return c?.label ?? r.classification;
  const t = c?.types.find((x) => x.type === r.type);
  return `${c?.label ?? r.classification} / ${t?.label ?? r.type}`;
}

/** TLP 2.0 levels, least restricted first. */
export const TLP_LEVELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const satisfies readonly Tlp[];
type MissingTlp = Exclude<Tlp, (typeof TLP_LEVELS)[number]>;
const _allTlpListed: MissingTlp extends never ? true : never = true;
void _allTlpListed;

export function isTlp(value: unknown): value is Tlp {
  return typeof value === 'string' && (TLP_LEVELS as readonly string[]).includes(value);
}

/** Whether information marked `marking` may go to a recipient cleared for `clearance`. */
export function mayShare(marking: Tlp, clearance: Tlp): boolean {
  return TLP_LEVELS.indexOf(marking) <= TLP_LEVELS.indexOf(clearance);
}

/** The most restricted of the levels, or `fallback` when there are none. */
export function highestTlp(levels: Iterable<Tlp | undefined>, fallback: Tlp): Tlp {
  let best: Tlp | undefined;
  for (const l of levels) if (l !== undefined && (best === undefined || TLP_LEVELS.indexOf(l) > TLP_LEVELS.indexOf(best))) best = l;
  return best ?? fallback;
}

/** The marking of an alert indexed before alerts carried one (the detector's default). */
export const DEFAULT_TLP: Tlp = 'AMBER';

/** FIRST TLP 2.0 colours (text on a black background), for the badges. AMBER+STRICT uses AMBER's colour. */
export const TLP_COLOURS: Record<Tlp, string> = { CLEAR: '#FFFFFF', GREEN: '#33FF00', AMBER: '#FFC000', 'AMBER+STRICT': '#FFC000', RED: '#FF2B2B' };

/** The STIX 2.1 TLP 2.0 marking-definition ids (OASIS cti-stix-common-objects; fixed by the standard). */
export const STIX_TLP_MARKING_IDS: Record<Tlp, string> = {
  CLEAR: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  GREEN: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  AMBER: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'AMBER+STRICT': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  RED: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};
