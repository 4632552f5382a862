// Alerts record which exact rule text fired: the SHA-256 of the rule file as loaded and its Sigma version
// (`modified`, else `date`), for detections and correlations alike (evidence bundles match the text by it).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { compileCorrelations, compileRules } from '../../engine/index.ts';
import { alertFromMatch } from '../../service/alerts.ts';

const TEXT = `title: SMB out
id: 5f0c0c52-0000-4000-8000-000000000001
name: smb_out
date: 2026-01-10
modified: 2026-03-02
level: high
logsource: { product: netflow }
detection:
  sel: { dst_port: 445 }
  condition: sel
---
title: Many SMB flows
id: 5f0c0c52-0000-4000-8000-000000000002
date: 2026-02-01
correlation:
  type: event_count
  rules: [smb_out]
  group-by: [src_ip]
  timespan: 5m
  condition: { gte: 3 }
`;

test('a detection alert carries the rule file hash and the modified date as its version', () => {
  const loaded = compileRules(TEXT, { file: 'rules/smb.yml' });
  assert.deepEqual(loaded.errors, []);
  const rule = loaded.rules[0]!;
  const sha = createHash('sha256').update(TEXT).digest('hex');
  assert.equal(rule.meta.hash, sha);
  const alert = alertFromMatch(rule.meta, { '@timestamp': '2026-05-01T00:00:00Z', event: { id: 'e1' }, organization: { id: 'moh' } }, new Date());
  assert.equal(alert.rule.hash, sha);
  assert.equal(alert.rule.version, '2026-03-02');
  const corr = compileCorrelations(loaded.correlations, loaded.rules);
  assert.deepEqual(corr.errors, []);
  assert.equal(corr.correlations[0]!.meta.hash, sha);
  assert.equal(corr.correlations[0]!.meta.version, '2026-02-01');
});

test('an edited rule file gets another hash', () => {
  const a = compileRules(TEXT).rules[0]!.meta.hash;
  const b = compileRules(TEXT.replace('445', '139')).rules[0]!.meta.hash;
  assert.ok(a && b && a !== b);
});
