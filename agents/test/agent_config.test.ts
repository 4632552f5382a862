// Agent configuration (inputs list validated per type, env overrides) and the jsonl input's exactly-once replay.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { EcsEvent } from '../../proto/ecs.ts';
import { createLogger } from '../../proto/runtime/log.ts';
import { effectiveInputs, loadAgentConfig } from '../config.ts';
import { createJsonlInput } from '../inputs/jsonl_replay.ts';
import { configPathFromArgs } from '../main.ts';

const dir = mkdtempSync(join(tmpdir(), 'cirt-agent-config-'));
const yml = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const log = createLogger('test', { write: () => undefined });

describe('agent config', () => {
  test('inputs are validated by their type; unknown keys are rejected with their path', () => {
    const f = yml('bad.yml', 'agentId: a1\ninputs:\n  - type: netflow\n    bogus: 1\n  - type: pcap\n    files: [x.pcap]\n    flowmeter: { idleTimeout: 3 }\n  - type: smtp\n');
    assert.throws(() => loadAgentConfig(f, undefined), (err: Error) => {
      assert.match(err.message, /\/inputs\/0: unknown key 'bogus'/);
      assert.match(err.message, /\/inputs\/1\/flowmeter: unknown key 'idleTimeout'/);
      assert.match(err.message, /\/inputs\/2\/type: must be equal to one of the allowed values/);
      return true;
    });
  });

  test('defaults are filled per input type; http and compression have defaults', () => {
    const f = yml('good.yml', 'agentId: a1\ninputs:\n  - type: netflow\n    port: 9995\n  - type: pcap\n    files: [a.pcapng]\n    speed: 10\n');
    const c = loadAgentConfig(f, undefined);
    assert.deepEqual(c.inputs[0], { type: 'netflow', port: 9995, host: '127.0.0.1', receiveBufferBytes: 8 << 20, queuePackets: 20_000, whenFull: 'drop_newest', spillMaxBytes: 256 * 1024 * 1024, maxTemplates: 10_000, templateTtlSeconds: 1800 });
    assert.deepEqual((c.inputs[1] as unknown as { netflowPorts: number[] }).netflowPorts, [2055, 4739, 9995, 9996]);
    assert.deepEqual(c.http, { host: '127.0.0.1', port: 9104 });
    assert.equal(c.gateway.compression, 'gzip');
  });

  test('the env variables of cli/services.ts keep working: CIRT_REPLAY_FILES becomes a jsonl input', () => {
    const saved = { ...process.env };
    Object.assign(process.env, { CIRT_AGENT_ID: 'agent-01', CIRT_REPLAY_FILES: 'a.jsonl,b.jsonl', CIRT_AGENT_SPOOL_DIR: '/tmp/s', CIRT_GATEWAY_ADDRESS: '127.0.0.1:1', CIRT_AGENT_HTTP_PORT: '0', CIRT_AGENT_COMPRESSION: 'none' });
    try {
      const c = loadAgentConfig();
      assert.equal(c.agentId, 'agent-01');
      assert.equal(c.spool.dir, '/tmp/s');
      assert.equal(c.http.port, 0);
      assert.equal(c.gateway.compression, 'none');
      assert.deepEqual(effectiveInputs(c), [{ type: 'jsonl', files: ['a.jsonl', 'b.jsonl'], shiftToNow: true, loopSeconds: 0, resume: true, checkpointEvery: 500 }]);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    }
  });

  test('--config, --config= and a bare path', () => {
    assert.equal(configPathFromArgs(['--config', 'a.yml']), 'a.yml');
    assert.equal(configPathFromArgs(['--config=b.yml']), 'b.yml');
    assert.equal(configPathFromArgs(['c.yml']), 'c.yml');
    assert.equal(configPathFromArgs([]), undefined);
  });
});

describe('jsonl input: exactly once across a crash', () => {
  const file = yml('events.jsonl', Array.from({ length: 50 }, (_, i) => JSON.stringify({ '@timestamp': new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), message: `m${i}` })).join('\n') + '\nnot json\n');
  const cfg = { files: [file], shiftToNow: false, loopSeconds: 0, resume: true, checkpointEvery: 10 };

  test('a restart resumes after the last checkpoint with the same event ids; a finished file is not replayed again', async () => {
    const stateDir = join(dir, 'state');
    const first: EcsEvent[] = [];
    const crash = new Error('killed');
    const a = createJsonlInput(cfg, { stateDir });
    await assert.rejects(a.start({ log, reject: () => undefined, emit: async (_k, ev) => { if (first.length === 25) throw crash; first.push(ev); } }), crash);
    const second: EcsEvent[] = [];
    const rejected: string[] = [];
    const b = createJsonlInput(cfg, { stateDir });
    await b.start({ log, reject: (e) => rejected.push(`${e.code}@${e.location?.line}`), emit: async (_k, ev) => void second.push(ev) });
    assert.equal(second[0]!.message, 'm20', 'resumed after the checkpoint at line 20');
    const ids = new Map<string, string>();
    for (const ev of [...first, ...second]) {
      const prev = ids.get(String(ev.message));
      if (prev) assert.equal(prev, ev.event?.id, 'a re-sent line keeps its id');
      ids.set(String(ev.message), ev.event!.id!);
    }
    assert.equal(ids.size, 50, 'every line arrived');
    assert.equal(new Set(ids.values()).size, 50, 'ids are distinct');
    assert.deepEqual(rejected, ['ERR_REPLAY_JSON@51']);
    const third: EcsEvent[] = [];
    await createJsonlInput(cfg, { stateDir }).start({ log, reject: () => undefined, emit: async (_k, ev) => void third.push(ev) });
    assert.equal(third.length, 0);
    const again: EcsEvent[] = [];
    await createJsonlInput({ ...cfg, resume: false }, { stateDir }).start({ log, reject: () => undefined, emit: async (_k, ev) => void again.push(ev) });
    assert.equal(again.length, 50, 'resume: false replays the file again');
  });
});

test('the documented example configuration (agents/agent.example.yml) is valid', () => {
  const config = loadAgentConfig(new URL('../agent.example.yml', import.meta.url).pathname, undefined);
  assert.deepEqual(config.inputs.map((i) => i.type), ['netflow', 'syslog', 'syslog', 'file']);
  assert.equal(config.spool.whenFull, 'block');
});
