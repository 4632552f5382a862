// The Reference Security Incident Taxonomy (RSIT, ENISA / TF-CSIRT working copy, as in MISP's `rsit` taxonomy):
// every alert and incident is classified as `classification/type`, e.g. information-gathering/scanner. Pure.
//
// Rule tag convention (Sigma tags are `namespace.name`, lower case): `rsit.<classification>.<type>`, e.g.
// `rsit.intrusion-attempts.brute-force`. MISP's machine tag `rsit:intrusion-attempts="brute-force"` is read too.
// A rule without an rsit tag is classified from its ATT&CK tags (`rsitFromAttack`): techniques first (they are
// precise), then tactics, else other/undetermined.
import { CirtError } from './errors.ts';

export interface RsitClass {
  /** Machine name of the classification, e.g. `information-gathering`. */
  readonly classification: string;
  readonly label: string;
  readonly types: readonly { readonly type: string; readonly label: string }[];
}

/** The RSIT classifications and their types, machine names + labels. */
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

export interface Rsit {
  classification: string;
  type: string;
}

/** What a rule without any classification gets. */
export const RSIT_UNDETERMINED: Readonly<Rsit> = Object.freeze({ classification: 'other', type: 'undetermined' });

export class TaxonomyError extends CirtError {}

export function isRsit(value: unknown): value is Rsit {
  if (!value || typeof value !== 'object') return false;
  const v = value as Rsit;
  return RSIT.some((c) => c.classification === v.classification && c.types.some((t) => t.type === v.type));
}

/** "Information Gathering / Scanning" */
export function rsitLabel(r: Rsit): string {
  const c = RSIT.find((x) => x.classification === r.classification);
  const t = c?.types.find((x) => x.type === r.type);
  return `${c?.label ?? r.classification} / ${t?.label ?? r.type}`;
}

/** Throws TaxonomyError (ERR_RSIT_UNKNOWN) naming what is wrong and what would be right. */
export function checkRsit(classification: string, type: string, where = 'rsit'): Rsit {
  const c = RSIT.find((x) => x.classification === classification);
  if (!c) throw new TaxonomyError('ERR_RSIT_UNKNOWN', `${where}: '${classification.slice(0, 64)}' is not an RSIT classification (expected one of ${RSIT.map((x) => x.classification).join(', ')})`);
  if (!c.types.some((t) => t.type === type)) {
    throw new TaxonomyError('ERR_RSIT_UNKNOWN', `${where}: '${type.slice(0, 64)}' is not an RSIT type of ${classification} (expected one of ${c.types.map((t) => t.type).join(', ')})`);
  }
  return { classification, type };
}

/** Whether a tag is in the rsit namespace (`rsit.*` or MISP's `rsit:*`), valid or not. */
export function isRsitTag(tag: string): boolean {
  return /^rsit[.:]/i.test(tag.trim());
}

/**
 * `rsit.intrusion-attempts.brute-force` (Sigma) or `rsit:intrusion-attempts="brute-force"` (MISP) → the pair.
 * Throws TaxonomyError (ERR_RSIT_TAG) for a malformed tag and ERR_RSIT_UNKNOWN for names outside the taxonomy.
 */
export function parseRsitTag(tag: string): Rsit {
  const t = tag.trim().toLowerCase();
  const m = /^rsit\.([a-z0-9-]+)\.([a-z0-9-]+)$/.exec(t) ?? /^rsit:([a-z0-9-]+)="([a-z0-9-]+)"$/.exec(t);
  if (!m) throw new TaxonomyError('ERR_RSIT_TAG', `tag '${tag.slice(0, 96)}' is not rsit.<classification>.<type> (e.g. rsit.information-gathering.scanner)`);
  return checkRsit(m[1]!, m[2]!, `tag '${tag.slice(0, 96)}'`);
}

/** The Sigma tag of a pair: `rsit.information-gathering.scanner`. */
export function rsitTag(r: Rsit): string {
  return `rsit.${r.classification}.${r.type}`;
}

// ATT&CK → RSIT, for rules (SigmaHQ's) that carry no rsit tag. Techniques are checked first, in this order.
const BY_TECHNIQUE: readonly [RegExp, Rsit][] = [
  [/^t1595(\.|$)|^t1046$|^t1590(\.|$)|^t1018$/, { classification: 'information-gathering', type: 'scanner' }], // active scanning, network service/remote system discovery
  [/^t1040$/, { classification: 'information-gathering', type: 'sniffing' }],
  [/^t1110(\.|$)/, { classification: 'intrusion-attempts', type: 'brute-force' }],
  [/^t1190$|^t1203$|^t1210$/, { classification: 'intrusion-attempts', type: 'exploit' }],
  [/^t1566(\.|$)|^t1598(\.|$)/, { classification: 'fraud', type: 'phishing' }],
  [/^t1498(\.|$)|^t1499(\.|$)/, { classification: 'availability', type: 'dos' }],
  [/^t1496$/, { classification: 'fraud', type: 'unauthorised-use-of-resources' }],
  [/^t1071(\.|$)|^t1095$|^t1571$|^t1572$|^t1573(\.|$)|^t1568(\.|$)/, { classification: 'malicious-code', type: 'infected-system' }], // C2 channels
  [/^t1048(\.|$)|^t1041$|^t1567(\.|$)|^t1537$/, { classification: 'information-content-security', type: 'data-leak' }], // exfiltration
  [/^t1485$|^t1486$|^t1489$|^t1490$/, { classification: 'availability', type: 'sabotage' }], // destruction, ransomware, service stop
  [/^t1078(\.|$)/, { classification: 'intrusions', type: 'unprivileged-account-compromise' }],
  [/^t1505\.003$/, { classification: 'intrusions', type: 'application-compromise' }], // web shell
];

// Tactics (Sigma writes them with - or _), the most serious first: a rule tagged discovery + execution is an intrusion.
const BY_TACTIC: readonly [readonly string[], Rsit][] = [
  [['execution', 'persistence', 'privilege-escalation', 'defense-evasion', 'stealth', 'defense-impairment', 'lateral-movement'], { classification: 'intrusions', type: 'system-compromise' }],
  [['command-and-control'], { classification: 'malicious-code', type: 'infected-system' }],
  [['exfiltration'], { classification: 'information-content-security', type: 'data-leak' }],
  [['collection'], { classification: 'information-content-security', type: 'unauthorised-information-access' }],
  [['credential-access'], { classification: 'intrusion-attempts', type: 'brute-force' }],
  [['initial-access'], { classification: 'intrusion-attempts', type: 'exploit' }],
  [['reconnaissance', 'discovery'], { classification: 'information-gathering', type: 'scanner' }],
];

/** The RSIT pair implied by a rule's ATT&CK tags (`attack.t1110`, `attack.credential_access`), or other/undetermined. */
export function rsitFromAttack(tags: readonly string[]): Rsit {
  const attack = tags.map((t) => t.trim().toLowerCase()).filter((t) => t.startsWith('attack.')).map((t) => t.slice(7).replace(/_/g, '-'));
  for (const [pattern, rsit] of BY_TECHNIQUE) if (attack.some((a) => pattern.test(a))) return { ...rsit };
  for (const [tactics, rsit] of BY_TACTIC) if (attack.some((a) => tactics.includes(a))) return { ...rsit };
  return { ...RSIT_UNDETERMINED };
}

export interface RuleClassification {
  rsit: Rsit;
  /** Where the pair came from: the rule's rsit tag, its ATT&CK tags, or nothing (other/undetermined). */
  source: 'tag' | 'attack' | 'none';
  /** Invalid or conflicting rsit tags (the classification then falls back to ATT&CK). */
  problems: string[];
}

/** A rule's classification from its tags: its (single) rsit tag, else the ATT&CK fallback. */
export function rsitFromTags(tags: readonly string[]): RuleClassification {
  const problems: string[] = [];
  const found: Rsit[] = [];
  for (const tag of tags) {
    if (!isRsitTag(tag)) continue;
    try {
      found.push(parseRsitTag(tag));
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  const distinct = [...new Map(found.map((r) => [rsitTag(r), r])).values()];
  if (distinct.length > 1) problems.push(`more than one rsit tag (${distinct.map(rsitTag).join(', ')}): a rule has one classification`);
  if (distinct.length === 1) return { rsit: distinct[0]!, source: 'tag', problems };
  const fallback = rsitFromAttack(tags);
  const none = fallback.classification === RSIT_UNDETERMINED.classification && fallback.type === RSIT_UNDETERMINED.type;
  return { rsit: fallback, source: none ? 'none' : 'attack', problems };
}
