import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { AGENT_ENV, agentSchema } from '../agents/config.ts';
import { INPUT_TYPES } from '../agents/inputs/inputs.ts';
import { DETECTOR_ENV, detectorSchema } from '../detection/service/config.ts';
import { GATEWAY_ENV, gatewaySchema } from '../ingest/gateway/config.ts';
import { INDEXER_ENV, indexerSchema } from '../ingest/indexer/config.ts';
import { FIX_COMMAND, OUTPUT, keyRows, loadUiConfig, missingDescriptions, render, table, variants, type SchemaNode } from './config-docs.ts';

test('docs/configuration.md is what the generator makes from the current schemas', async () => {
  const expected = render(await loadUiConfig());
  const current = readFileSync(OUTPUT, 'utf8');
  if (current !== expected) {
    const a = current.split('\n');
    const b = expected.split('\n');
    const line = a.findIndex((l, i) => l !== b[i]);
    assert.fail(`docs/configuration.md is out of date (first difference at line ${line + 1}: ${JSON.stringify(b[line] ?? '(end)')}); run \`${FIX_COMMAND}\``);
  }
});

test('every configuration key has a description', async () => {
  assert.deepEqual(missingDescriptions(await loadUiConfig()), []);
});

test('every environment variable of a service points at a key of its schema', () => {
  for (const [name, schema, env] of [
    ['agent', agentSchema, AGENT_ENV],
    ['gateway', gatewaySchema, GATEWAY_ENV],
    ['detector', detectorSchema, DETECTOR_ENV],
    ['indexer', indexerSchema, INDEXER_ENV],
  ] as const) {
    const keys = new Set(keyRows(schema as SchemaNode).map((r) => r.key));
    for (const [variable, path] of Object.entries(env)) assert.ok(keys.has(path), `${name}: ${variable} -> '${path}' is not a key of the schema`);
    const documented = keyRows(schema as SchemaNode, env).flatMap((r) => r.env);
    assert.deepEqual(documented.sort(), Object.keys(env).sort(), `${name}: every variable lands in a row`);
  }
});

test('every agent input type gets its own table', async () => {
  const doc = render(await loadUiConfig());
  const found = variants((agentSchema as SchemaNode).properties!.inputs!).map((v) => v.name);
  assert.deepEqual(found.sort(), Object.keys(INPUT_TYPES).sort());
  for (const t of found) assert.ok(doc.includes(`### Agent \`inputs:\` entry \`type: ${t}\``), t);
});

test('keyRows: nested keys, required, defaults, allowed values, ranges and env variables', () => {
  const schema: SchemaNode = {
    type: 'object',
    required: ['id'],
    properties: {
      id: { type: 'string', pattern: '^[a-z]+$', description: 'name' },
      kind: { const: 'x' },
      net: {
        type: 'object',
        properties: {
          port: { type: 'integer', minimum: 0, maximum: 65535, default: 9104, description: 'port' },
          mode: { enum: ['a', 'b'], default: 'a', description: 'mode' },
          hosts: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, default: ['h:1'], description: 'hosts' },
          bufferBytes: { type: 'integer', minimum: 1024, default: 8 * 1024 * 1024, description: 'buffer' },
          deny: { type: ['string', 'null'], default: null, description: 'deny' },
          path: { type: 'string', default: '', description: 'path' },
        },
      },
    },
  };
  const rows = keyRows(schema, { X_PORT: 'net.port', X_ID: 'id', X_ID2: 'id' });
  assert.deepEqual(rows, [
    { key: 'id', type: 'string', default: '**required**', allowed: 'matches `^[a-z]+$`', env: ['X_ID', 'X_ID2'], description: 'name' },
    { key: 'net.port', type: 'integer', default: '`9104`', allowed: '0 … 65535', env: ['X_PORT'], description: 'port' },
    { key: 'net.mode', type: 'string', default: '`a`', allowed: '`a`, `b`', env: [], description: 'mode' },
    { key: 'net.hosts', type: 'list of string', default: '`["h:1"]`', allowed: 'at least 1 item; each not empty', env: [], description: 'hosts' },
    { key: 'net.bufferBytes', type: 'integer', default: '`8388608` (8 MiB)', allowed: '≥ 1024', env: [], description: 'buffer' },
    { key: 'net.deny', type: 'string or null', default: '`null`', allowed: '', env: [], description: 'deny' },
    { key: 'net.path', type: 'string', default: '`""` (empty)', allowed: '', env: [], description: 'path' },
  ]);
});

test('table: placeholders and pipes are escaped outside code, the env column only when used', () => {
  const row = { key: 'a', type: 'string', default: '—', allowed: '', env: [], description: 'spiffe://<td>/x | y, `<kept>`, alerts-*' };
  assert.equal(table([row]), ['| key | type | default | allowed | description |', '|---|---|---|---|---|', '| `a` | string | — | | spiffe://&lt;td&gt;/x \\| y, `<kept>`, alerts-\\* |'].join('\n'));
  assert.match(table([{ ...row, env: ['A_B'] }]).split('\n')[0]!, /\| env \|/);
});
