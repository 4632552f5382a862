import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../runtime/config.ts';

const schema = {
  type: 'object', additionalProperties: false, default: {},
  properties: {
    port: { type: 'integer', default: 80 },
    kafka: { type: 'object', additionalProperties: false, default: {}, properties: { brokers: { type: 'array', items: { type: 'string' }, default: ['a:1'] } } },
  },
};
const dir = mkdtempSync(join(tmpdir(), 'cfg-'));

test('defaults fill in, env overrides the file, the result is frozen', () => {
  const file = join(dir, 'ok.yml');
  writeFileSync(file, 'port: 81\n');
  const c = loadConfig<{ port: number; kafka: { brokers: string[] } }>('svc', schema, { file, env: { K: 'x:1,y:2' }, envMap: { K: 'kafka.brokers' } });
  assert.deepEqual(c, { port: 81, kafka: { brokers: ['x:1', 'y:2'] } });
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.kafka));
  assert.deepEqual(loadConfig('svc', schema, { env: { P: '82' }, envMap: { P: 'port' } }), { port: 82, kafka: { brokers: ['a:1'] } });
});

test('unknown keys and bad YAML are errors that name the key or the line', () => {
  const bad = join(dir, 'bad.yml');
  writeFileSync(bad, 'port: 81\nprot: 3\n');
  assert.throws(() => loadConfig('svc', schema, { file: bad }), (e: ConfigError) => e.code === 'ERR_CONFIG_INVALID' && /unknown key 'prot'/.test(e.message));
  const yaml = join(dir, 'yaml.yml');
  writeFileSync(yaml, 'port: 81\nkafka: [\n');
  assert.throws(() => loadConfig('svc', schema, { file: yaml }), (e: ConfigError) => e.code === 'ERR_CONFIG_YAML' && e.location?.file === yaml && typeof e.location.line === 'number');
  assert.throws(() => loadConfig('svc', schema, { file: join(dir, 'missing.yml') }), (e: ConfigError) => e.code === 'ERR_CONFIG_FILE');
  assert.throws(() => loadConfig('svc', schema, { overrides: { port: 'abc' } }), /port: must be integer/);
});
