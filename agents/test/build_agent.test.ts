// The agent as agencies run it (scripts/build-agent.mjs): the agent bundle, the config bundle it loads once and
// drops (agents/config_loader.ts), and a launcher. Built here for real, then run:
// it must start as the agent (a missing config is its own precise error, with the error's name kept through the
// minifier), each runtime profile must reach node with its flags, and an unknown profile is refused.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

const ROOT = new URL('../../', import.meta.url).pathname;
const profiles = JSON.parse(readFileSync(join(ROOT, 'agents/runtime_profile.json'), 'utf8')) as { profiles: Record<string, { nodeArgs: string[]; env: Record<string, string> }> };

describe('scripts/build-agent.mjs', () => {
  let out = '';
  before(() => {
    out = mkdtempSync(join(os.tmpdir(), 'agent-dist-'));
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/build-agent.mjs'), out], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  test('builds one self-contained module, its config bundle and an executable launcher', () => {
    const bundle = readFileSync(join(out, 'agent.mjs'), 'utf8');
    assert.doesNotMatch(bundle, /from\s*"(@grpc|ajv|yaml|prom-client|@bufbuild)/, 'npm packages are bundled, not imported');
    const config = readFileSync(join(out, 'agent-config.cjs'), 'utf8');
    for (const marker of ['YAMLParseError', 'strictSchema']) {
      assert.equal(config.includes(marker), true, `${marker} in agent-config.cjs`);
      assert.equal(bundle.includes(marker), false, `${marker} not in agent.mjs: the YAML parser and the validator are loaded once, then dropped`);
    }
    assert.ok((statSync(join(out, 'cirt-agent')).mode & 0o111) !== 0, 'the launcher is executable');
  });

  test('a config with an unknown key fails through the config bundle with its path', () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'agent-dist-config-'));
    const file = join(dir, 'agent.yml');
    writeFileSync(file, 'agentId: agent-01\nspool:\n  dir: /tmp/x\n  bogus: 1\n');
    const r = spawnSync(join(out, 'cirt-agent'), ['--config', file], { encoding: 'utf8', env: { ...process.env, CIRT_AGENT_PROFILE: 'lean', NODE_OPTIONS: '' } });
    rmSync(dir, { recursive: true, force: true });
    assert.equal(r.status, 1);
    const line = JSON.parse(`${r.stdout}${r.stderr}`.trim().split('\n').at(-1)!) as { error: { code: string; message: string } };
    assert.equal(line.error.code, 'ERR_CONFIG_INVALID');
    assert.match(line.error.message, /\/spool.*bogus/);
  });

  for (const name of Object.keys(profiles.profiles)) {
    test(`profile ${name}: the launcher runs the agent with the profile's node flags and malloc settings`, () => {
      const missing = join(out, 'no-such-config.yml');
      const r = spawnSync(join(out, 'cirt-agent'), ['--config', missing], { encoding: 'utf8', env: { ...process.env, CIRT_AGENT_PROFILE: name, NODE_OPTIONS: '' } });
      assert.equal(r.status, 1);
      assert.equal(r.stderr.includes('Warning'), false, `no warnings from node: ${r.stderr}`);
      const line = JSON.parse(`${r.stdout}${r.stderr}`.trim().split('\n').at(-1)!) as { msg: string; error: { code: string; name: string } };
      assert.equal(line.msg, 'agent failed');
      assert.equal(line.error.code, 'ERR_CONFIG_FILE');
      assert.equal(line.error.name, 'ConfigError', 'class names survive the minifier');
      const script = readFileSync(join(out, 'cirt-agent'), 'utf8');
      const row = script.split('\n').find((l) => l.trimStart().startsWith(`${name})`))!;
      for (const flag of profiles.profiles[name]!.nodeArgs) assert.ok(row.includes(`'${flag}'`), `${name} passes ${flag}`);
      for (const [k, v] of Object.entries(profiles.profiles[name]!.env)) assert.ok(row.includes(`${k}='${v}'`), `${name} sets ${k}`);
    });
  }

  test('an unknown profile is refused with a clear message', () => {
    const r = spawnSync(join(out, 'cirt-agent'), ['--config', 'x.yml'], { encoding: 'utf8', env: { ...process.env, CIRT_AGENT_PROFILE: 'turbo' } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown CIRT_AGENT_PROFILE turbo \(standard or lean\)/);
  });
});
