import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Incident, TriagedAlert } from '../../common/index';
import { validateCap, validateStix } from '../../test/validators';
import { attackTechniques, buildCap, buildStixBundle, capDateTime, stixId, xmlEscape, type AdvisoryInput } from './advisory_formats';

const alert = (id: string, agency: string, ip: string): TriagedAlert => ({
  '@timestamp': '2026-05-01T11:59:00.000Z',
  event: { kind: 'alert', created: '2026-05-01T11:59:01.000Z' },
  alert: { id, status: 'open', severity: 'high', reason: `SMB to ${ip}` },
  rule: { id: 'r1', name: 'SMB Traffic To The Internet', author: 'CIRT', level: 'high', tags: ['attack.exfiltration', 'attack.t1048', 'attack.t1059.001'], references: [], type: 'detection' },
  organization: { id: agency },
  source: { ip, port: 445 },
  threat: { technique: [{ id: 'T1187' }], tactic: [{ name: 'credential access' }] },
  events: [],
});

const incident: Incident = {
  id: '0b7d6c1e-1111-4222-8333-444455556666',
  title: 'SMB exfiltration <ministries> & "friends"',
  description: 'd',
  status: 'containment',
  severity: 'critical',
  organization: { id: ['mofa', 'mof'] },
  alert_ids: ['a1', 'a2'],
  created_at: '2026-05-01T12:00:00.000Z',
  created_by: 'lead',
  updated_at: '2026-05-01T12:00:00.000Z',
  timeline: [],
  notes: [],
};

const input: AdvisoryInput = {
  id: '9f0e8d7c-aaaa-4bbb-8ccc-dddd00001111',
  incident,
  alerts: [alert('a1', 'mofa', '185.220.101.4'), alert('a2', 'mof', '2001:db8::7')],
  agencies: ['mofa', 'mof'],
  headline: 'Block SMB to 185.220.101.4',
  description: 'Two ministries sent SMB traffic to a Tor exit. <b>not html</b>',
  instruction: 'Block TCP 445 outbound; reset the passwords of the users of 10.1.1.77.',
  urgency: 'Immediate',
  certainty: 'Observed',
  sent: new Date('2026-05-01T12:00:00.000Z'),
  sender: 'cirt@cirt.gov.example',
  senderName: 'Government CIRT',
  tlp: 'AMBER',
};

describe('CAP 1.2', () => {
  test('sent is YYYY-MM-DDThh:mm:ss-00:00 (no Z, no milliseconds)', () => {
    assert.equal(capDateTime(new Date('2026-05-01T12:00:00.123Z')), '2026-05-01T12:00:00-00:00');
  });

  test('the document validates against the official CAP-v1.2-schema.xsd (xmllint)', () => {
    const xml = buildCap(input);
    validateCap(xml);
    assert.match(xml, /<alert xmlns="urn:oasis:names:tc:emergency:cap:1\.2">/);
    assert.match(xml, /<sent>2026-05-01T12:00:00-00:00<\/sent>/);
    assert.match(xml, /<scope>Private<\/scope>\n {2}<addresses>mofa mof<\/addresses>/);
    assert.match(xml, /<severity>Extreme<\/severity>/);
    assert.ok(xml.includes('SMB exfiltration &lt;ministries&gt; &amp; &quot;friends&quot;'));
    for (const t of ['T1048', 'T1059.001', 'T1187']) assert.ok(xml.includes(`<value>${t}</value>`), t);
  });

  test('elements come in the schema order', () => {
    const xml = buildCap(input);
    const order = ['identifier', 'sender', 'sent', 'status', 'msgType', 'source', 'scope', 'addresses', 'code', 'incidents', 'info'];
    assert.match(xml, /<code>CIRT-ADVISORY<\/code>\n {2}<code>TLP:AMBER<\/code>\n {2}<incidents>/, 'the TLP marking is a CAP special-handling code');
    const positions = order.map((e) => xml.indexOf(`<${e}>`));
    assert.deepEqual([...positions].sort((a, b) => a - b), positions);
    const info = ['language', 'category', 'event', 'responseType', 'urgency', 'severity', 'certainty', 'audience', 'eventCode', 'effective', 'senderName', 'headline', 'description', 'instruction', 'contact', 'parameter'];
    const ip = info.map((e) => xml.indexOf(`<${e}>`));
    assert.deepEqual([...ip].sort((a, b) => a - b), ip);
  });

  test('a document without instruction nor indicators still validates; control characters are dropped', () => {
    validateCap(buildCap({ ...input, alerts: [], instruction: '', description: 'bell \u0007 here' }));
    assert.equal(xmlEscape('a\u0001b<'), 'ab&lt;');
  });
});

describe('STIX 2.1', () => {
  test('the bundle passes stix2_validator', () => {
    const bundle = buildStixBundle(input);
    validateStix(bundle);
    const objects = bundle.objects as { type: string; pattern?: string }[];
    assert.deepEqual([...new Set(objects.map((o) => o.type))].sort(), ['attack-pattern', 'identity', 'indicator', 'marking-definition', 'relationship', 'report']);
    assert.deepEqual(objects.filter((o) => o.type === 'indicator').map((o) => o.pattern), ["[ipv4-addr:value = '185.220.101.4']", "[ipv6-addr:value = '2001:db8::7']"]);
  });

  test('ids are UUIDv4-shaped and deterministic', () => {
    const id = stixId('report', 'x');
    assert.match(id, /^report--[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(stixId('report', 'x'), id);
    assert.deepEqual(buildStixBundle(input), buildStixBundle(input));
  });

  test('ATT&CK techniques from threat.technique and rule tags', () => {
    assert.deepEqual(attackTechniques(input.alerts), ['T1048', 'T1059.001', 'T1187']);
  });

  test('every object carries the standard TLP 2.0 marking-definition, for each of the five levels', () => {
    const ids = {
      CLEAR: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
      GREEN: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
      AMBER: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
      'AMBER+STRICT': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
      RED: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
    } as const;
    for (const [tlp, id] of Object.entries(ids) as [keyof typeof ids, string][]) {
      const bundle = buildStixBundle({ ...input, tlp });
      const objects = bundle.objects as { type: string; id: string; name?: string; object_marking_refs?: string[] }[];
      const def = objects.find((o) => o.type === 'marking-definition');
      assert.deepEqual({ id: def?.id, name: def?.name }, { id, name: `TLP:${tlp}` });
      for (const o of objects.filter((x) => x.type !== 'marking-definition')) assert.deepEqual(o.object_marking_refs, [id], `${tlp} ${o.type}`);
      if (tlp === 'RED' || tlp === 'CLEAR') validateStix(bundle);
      assert.ok(buildCap({ ...input, tlp }).includes(`<code>TLP:${tlp}</code>`));
    }
  });
});
