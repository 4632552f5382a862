// Pure builders of the two advisory formats (no I/O):
//  - CAP 1.2 (OASIS, ITU-T X.1303 bis): namespace urn:oasis:names:tc:emergency:cap:1.2, elements in the schema's
//    strict order, `sent` as 2026-05-01T12:00:00-00:00 (no Z, no milliseconds). Scope "Private" with the agencies
//    as <addresses>; the TLP 2.0 marking as <code>TLP:AMBER</code> (CAP's "special handling" code: <restriction> is
//    only for scope Restricted, and an advisory is addressed to agencies, so scope stays Private). Checked against the
//    official XSD by the tests (xmllint).
//  - STIX 2.1 bundle: identity (the CIRT), report, indicators for the source addresses, attack-patterns for the
//    ATT&CK techniques and "indicates" relationships; every object is marked with the standard TLP 2.0
//    marking-definition (object_marking_refs, the definition itself in the bundle). Checked by stix2-validator.
import { createHash } from 'node:crypto';
import { STIX_TLP_MARKING_IDS, type Incident, type Severity, type Tlp, type TriagedAlert } from '../../common/index';

export interface AdvisoryInput {
  id: string;
  incident: Incident;
  alerts: TriagedAlert[];
  agencies: string[];
  headline: string;
  description: string;
  instruction: string;
  urgency: string;
  certainty: string;
  sent: Date;
  sender: string;
  senderName: string;
  /** TLP 2.0 marking of the advisory. */
  tlp: Tlp;
}

const CAP_SEVERITY: Record<Severity, string> = { critical: 'Extreme', high: 'Severe', medium: 'Moderate', low: 'Minor', informational: 'Minor' };

/** `2026-05-01T12:00:00-00:00`: what CAP's dateTime pattern wants (no Z, no fraction). */
export function capDateTime(d: Date): string {
  return `${d.toISOString().slice(0, 19)}-00:00`;
}

export function xmlEscape(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string)
    // XML 1.0 forbids most control characters; drop them rather than emit an unparsable document.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');
}

function el(name: string, value: string, indent: string): string {
  return `${indent}<${name}>${xmlEscape(value)}</${name}>\n`;
}

/** CAP identifiers/addresses may not contain spaces, commas or restricted characters (< and &). */
function capToken(s: string): string {
  return s.replace(/[\s,<&]/g, '_');
}

export function attackTechniques(alerts: TriagedAlert[]): string[] {
  const ids = new Set<string>();
  for (const a of alerts) {
    for (const t of a.threat?.technique ?? []) if (/^T\d{4}(\.\d{3})?$/.test(t.id)) ids.add(t.id);
    for (const tag of a.rule?.tags ?? []) {
      const m = /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(tag);
      if (m) ids.add((m[1] as string).toUpperCase());
    }
  }
  return [...ids].sort();
}

export function sourceAddresses(alerts: TriagedAlert[]): string[] {
  return [...new Set(alerts.map((a) => a.source?.ip).filter((x): x is string => typeof x === 'string' && x !== ''))].sort();
}

export function buildCap(input: AdvisoryInput): string {
  const i1 = '  ';
  const i2 = '    ';
  const i3 = '      ';
  let x = '<?xml version="1.0" encoding="UTF-8"?>\n';
  x += '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">\n';
  // alert: identifier, sender, sent, status, msgType, source, scope, restriction, addresses, code, note, references, incidents, info
  x += el('identifier', capToken(input.id), i1);
  x += el('sender', capToken(input.sender), i1);
  x += el('sent', capDateTime(input.sent), i1);
  x += el('status', 'Actual', i1);
  x += el('msgType', 'Alert', i1);
  x += el('source', input.senderName, i1);
  x += el('scope', 'Private', i1);
  x += el('addresses', input.agencies.map(capToken).join(' '), i1);
  x += el('code', 'CIRT-ADVISORY', i1);
  x += el('code', `TLP:${input.tlp}`, i1);
  x += el('incidents', capToken(input.incident.id), i1);
  // info: language, category, event, responseType, urgency, severity, certainty, audience, eventCode, effective,
  //       onset, expires, senderName, headline, description, instruction, web, contact, parameter, resource, area
  x += `${i1}<info>\n`;
  x += el('language', 'en-US', i2);
  x += el('category', 'Security', i2);
  x += el('event', input.incident.title, i2);
  x += el('responseType', 'Execute', i2);
  x += el('urgency', input.urgency, i2);
  x += el('severity', CAP_SEVERITY[input.incident.severity], i2);
  x += el('certainty', input.certainty, i2);
  x += el('audience', 'Agency security officers', i2);
  for (const t of attackTechniques(input.alerts)) {
    x += `${i2}<eventCode>\n${el('valueName', 'MITRE-ATT&CK', i3)}${el('value', t, i3)}${i2}</eventCode>\n`;
  }
  x += el('effective', capDateTime(input.sent), i2);
  x += el('senderName', input.senderName, i2);
  x += el('headline', input.headline, i2);
  x += el('description', input.description, i2);
  if (input.instruction) x += el('instruction', input.instruction, i2);
  x += el('contact', input.sender, i2);
  x += `${i2}<parameter>\n${el('valueName', 'incident-status', i3)}${el('value', input.incident.status, i3)}${i2}</parameter>\n`;
  for (const ip of sourceAddresses(input.alerts)) {
    x += `${i2}<parameter>\n${el('valueName', 'indicator-ip', i3)}${el('value', ip, i3)}${i2}</parameter>\n`;
  }
  x += `${i1}</info>\n`;
  x += '</alert>\n';
  return x;
}

/** Deterministic UUIDv4-shaped id from a seed (stable STIX ids for the same advisory content). */
export function stixId(type: string, seed: string): string {
  const h = createHash('sha256').update(`${type}|${seed}`).digest('hex');
  const variant = ((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${type}--${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function stixTime(d: Date): string {
  return d.toISOString(); // 2026-05-01T12:00:00.000Z: STIX timestamps are UTC with Z; millisecond precision is allowed
}

export function buildStixBundle(input: AdvisoryInput): Record<string, unknown> {
  const t = stixTime(input.sent);
  const marking = stixTlpMarking(input.tlp);
  const identity = {
    type: 'identity',
    spec_version: '2.1',
    id: stixId('identity', input.sender),
    created: t,
    modified: t,
    name: input.senderName,
    identity_class: 'organization',
    object_marking_refs: [marking.id],
  };
  const common = { spec_version: '2.1', created: t, modified: t, created_by_ref: identity.id, object_marking_refs: [marking.id] };
  const patterns = attackTechniques(input.alerts).map((tid) => ({
    type: 'attack-pattern',
    ...common,
    id: stixId('attack-pattern', tid),
    name: tid,
    external_references: [{ source_name: 'mitre-attack', external_id: tid, url: `https://attack.mitre.org/techniques/${tid.replace('.', '/')}/` }],
  }));
  const indicators = sourceAddresses(input.alerts).map((ip) => ({
    type: 'indicator',
    ...common,
    id: stixId('indicator', `${input.id}|${ip}`),
    name: `Source address ${ip}`,
    indicator_types: ['malicious-activity'],
    pattern: ip.includes(':') ? `[ipv6-addr:value = '${ip}']` : `[ipv4-addr:value = '${ip}']`,
    pattern_type: 'stix',
    valid_from: t,
  }));
  const relationships = indicators.flatMap((ind) =>
    patterns.map((ap) => ({ type: 'relationship', ...common, id: stixId('relationship', `${ind.id}|${ap.id}`), relationship_type: 'indicates', source_ref: ind.id, target_ref: ap.id })),
  );
  const report = {
    type: 'report',
    ...common,
    id: stixId('report', input.id),
    name: input.headline,
    description: `${input.description}${input.instruction ? `\n\nWhat to do: ${input.instruction}` : ''}`,
    report_types: ['threat-report'],
    published: t,
    object_refs: [identity.id, ...patterns.map((p) => p.id), ...indicators.map((i) => i.id), ...relationships.map((r) => r.id)],
    labels: [`severity:${input.incident.severity}`],
    external_references: [{ source_name: 'cirt-incident', external_id: input.incident.id }],
  };
  return { type: 'bundle', id: stixId('bundle', input.id), objects: [marking, identity, report, ...patterns, ...indicators, ...relationships] };
}

/** The standard TLP 2.0 STIX marking-definition (OASIS cti-stix-common-objects, TLP 2.0 property extension). */
export function stixTlpMarking(tlp: Tlp): { type: 'marking-definition'; id: string } & Record<string, unknown> {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: STIX_TLP_MARKING_IDS[tlp],
    created: '2022-10-01T00:00:00.000Z',
    name: `TLP:${tlp}`,
    extensions: { 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d': { extension_type: 'property-extension', tlp_2_0: tlp.toLowerCase() } },
  };
}
