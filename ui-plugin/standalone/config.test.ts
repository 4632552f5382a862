import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOST_ENV, readHostEnv } from './config';

test('readHostEnv: the declared defaults when nothing is set (empty counts as unset)', () => {
  assert.deepEqual(readHostEnv({ CIRT_UI_PORT: '', CIRT_UI_WEBHOOKS: '' }), {
    config: {
      port: HOST_ENV.CIRT_UI_PORT.default,
      opensearchUrl: HOST_ENV.CIRT_OPENSEARCH_URL.default,
      usersFile: undefined,
      stackDir: undefined,
      webhooks: [],
      sender: HOST_ENV.CIRT_UI_ADVISORY_SENDER.default,
      ruleDirs: undefined,
    },
  });
});

test('readHostEnv: values from the environment', () => {
  const read = readHostEnv({
    CIRT_UI_PORT: '21455',
    CIRT_OPENSEARCH_URL: 'http://os:9200',
    CIRT_UI_USERS_FILE: '/etc/cirt/users.yaml',
    CIRT_STACK_DIR: '/var/lib/cirt',
    CIRT_UI_WEBHOOKS: 'https://a.example/hook, https://b.example/hook,',
    CIRT_UI_ADVISORY_SENDER: 'soc@cirt.example',
    CIRT_UI_RULE_DIRS: '/opt/cirt/rules, /opt/sigmahq/rules',
  });
  assert.deepEqual(read, {
    config: {
      port: 21455,
      opensearchUrl: 'http://os:9200',
      usersFile: '/etc/cirt/users.yaml',
      stackDir: '/var/lib/cirt',
      webhooks: ['https://a.example/hook', 'https://b.example/hook'],
      sender: 'soc@cirt.example',
      ruleDirs: ['/opt/cirt/rules', '/opt/sigmahq/rules'],
    },
  });
});

test('readHostEnv: a bad port is an error naming the variable', () => {
  for (const value of ['65536', 'http', '-1', '1e3']) {
    assert.deepEqual(readHostEnv({ CIRT_UI_PORT: value }), { error: { variable: 'CIRT_UI_PORT', value, expected: 'an integer from 0 to 65535' } });
  }
});
