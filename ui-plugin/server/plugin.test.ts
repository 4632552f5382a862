import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pluginServiceOptions } from './plugin';
import { webhookEntryError } from './services/advisories_service';

test('OSD settings become the services\' options: alerts pattern, webhooks with their clearance, rule directories', () => {
  const o = pluginServiceOptions({ enabled: true, alertsIndexPattern: 'cirt-alerts-*', autoRefreshSeconds: 15, webhooks: ['https://a.example/hook', 'https://b.example/hook AMBER'], ruleDirs: ['/opt/cirt/rules'] });
  assert.deepEqual(o.indices, { alerts: 'cirt-alerts-*' });
  assert.deepEqual(o.publish?.webhooks, [{ url: 'https://a.example/hook' }, { url: 'https://b.example/hook', clearance: 'AMBER' }]);
  assert.equal(typeof o.ruleSource, 'function');
  const none = pluginServiceOptions({ enabled: true, alertsIndexPattern: 'alerts-*', autoRefreshSeconds: 15, webhooks: [], ruleDirs: [] });
  assert.deepEqual(none.publish?.webhooks, []);
  assert.equal(none.ruleSource, undefined, 'no rule directories: bundles say the rule text was not available');
});

test('the schema check of one webhook entry names what is wrong', () => {
  assert.equal(webhookEntryError('https://a.example/hook'), undefined);
  assert.equal(webhookEntryError('https://a.example/hook amber+strict'.replace('amber+strict', 'AMBER+STRICT')), undefined);
  assert.match(webhookEntryError('https://a.example/hook PURPLE') ?? '', /clearance one of CLEAR, GREEN, AMBER, AMBER\+STRICT, RED/);
  assert.match(webhookEntryError('https://a.example/hook, https://b.example/hook') ?? '', /expected one/);
});
