import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CirtUiError } from '../errors';
import { principalFromOsdAuth } from './osd_auth';
import { hashPassword, isPasswordHash, verifyPassword } from './passwords';
import { agencyFilter, can, permissionsOf, visibleTo } from './principal';
import { LoginRateLimiter, SessionStore, csrfMatches } from './sessions';
import { parseUsers } from './users';

describe('passwords (scrypt + per-user salt)', () => {
  test('hash and verify; two hashes of one password differ (salt)', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    assert.ok(isPasswordHash(a));
    assert.notEqual(a, b);
    assert.equal(await verifyPassword('correct horse', a), true);
    assert.equal(await verifyPassword('wrong', a), false);
    assert.equal(await verifyPassword('correct horse', undefined), false, 'unknown user');
    assert.equal(await verifyPassword('x', 'plain-text'), false);
  });
});

describe('users file', () => {
  const h = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
  test('parses roles and a liaison agency', () => {
    const users = parseUsers(`users:\n  - {username: ana, role: analyst, password_hash: "${h}"}\n  - {username: li, role: liaison, agency: mofa, password_hash: "${h}"}\n`);
    assert.deepEqual(users.get('li'), { username: 'li', role: 'liaison', agency: 'mofa', passwordHash: h });
    assert.equal(users.get('ana')?.agency, undefined);
  });
  const bad: [string, string, RegExp][] = [
    ['unknown key', `users:\n  - {username: a, role: analyst, password_hash: "${h}", admin: true}`, /admin.*unknown key/],
    ['unknown role', `users:\n  - {username: a, role: root, password_hash: "${h}"}`, /role/],
    ['plain password', `users:\n  - {username: a, role: analyst, password_hash: "secret"}`, /password_hash/],
    ['liaison without agency', `users:\n  - {username: a, role: liaison, password_hash: "${h}"}`, /agency/],
    ['analyst with agency', `users:\n  - {username: a, role: analyst, agency: x, password_hash: "${h}"}`, /only a liaison/],
    ['duplicate', `users:\n  - {username: a, role: analyst, password_hash: "${h}"}\n  - {username: a, role: lead, password_hash: "${h}"}`, /duplicate/],
    ['top-level key', `admins: []\nusers: []`, /admins/],
  ];
  for (const [name, text, re] of bad) {
    test(`refuses: ${name}`, () => {
      assert.throws(() => parseUsers(text, 'u.yaml'), (e: unknown) => e instanceof CirtUiError && e.code === 'ERR_UI_CONFIG' && re.test(e.message));
    });
  }
});

describe('sessions', () => {
  test('idle and absolute timeouts', () => {
    let t = 0;
    const store = new SessionStore({ idleTimeoutMs: 100, absoluteTimeoutMs: 250, maxSessions: 10, now: () => t });
    const s = store.create({ username: 'a', role: 'analyst' });
    assert.match(s.id, /^[A-Za-z0-9_-]{43}$/, '256-bit random id');
    t = 90;
    assert.ok(store.get(s.id), 'touched within the idle timeout');
    t = 180;
    assert.ok(store.get(s.id));
    t = 260;
    assert.equal(store.get(s.id), undefined, 'absolute timeout reached although active');
    const s2 = store.create({ username: 'a', role: 'analyst' });
    t = 361;
    assert.equal(store.get(s2.id), undefined, 'idle timeout');
    assert.equal(store.get('nope'), undefined);
  });

  test('CSRF token compared exactly', () => {
    const s = new SessionStore().create({ username: 'a', role: 'analyst' });
    assert.equal(csrfMatches(s, s.csrfToken), true);
    assert.equal(csrfMatches(s, undefined), false);
    assert.equal(csrfMatches(s, `${s.csrfToken}x`), false);
  });

  test('bounded: the least recently used session goes first', () => {
    let t = 0;
    const store = new SessionStore({ idleTimeoutMs: 1e9, absoluteTimeoutMs: 1e9, maxSessions: 2, now: () => t++ });
    const a = store.create({ username: 'a', role: 'analyst' });
    const b = store.create({ username: 'b', role: 'analyst' });
    store.get(a.id);
    store.create({ username: 'c', role: 'analyst' });
    assert.ok(store.get(a.id));
    assert.equal(store.get(b.id), undefined);
  });

  test('login rate limit per key within the window', () => {
    let t = 0;
    const rl = new LoginRateLimiter({ maxFailures: 3, windowMs: 1000, now: () => t });
    const keys = ['ip:1', 'user:a'];
    for (let i = 0; i < 3; i++) {
      assert.equal(rl.retryAfter(keys), 0);
      rl.fail(keys);
    }
    assert.equal(rl.retryAfter(keys), 1);
    assert.equal(rl.retryAfter(['ip:2', 'user:a']), 1, 'the user is limited from any address');
    t = 1001;
    assert.equal(rl.retryAfter(keys), 0, 'the window passed');
  });
});

describe('roles', () => {
  test('permissions', () => {
    assert.equal(can({ username: 'l', role: 'liaison', agency: 'x' }, 'alerts:triage'), false);
    assert.equal(can({ username: 'a', role: 'analyst' }, 'advisories:publish'), false);
    assert.equal(can({ username: 'l', role: 'lead' }, 'advisories:publish'), true);
    assert.deepEqual(permissionsOf('liaison'), ['alerts:read', 'incidents:read', 'advisories:read']);
  });
  test('the liaison filter and visibility', () => {
    assert.deepEqual(agencyFilter({ username: 'a', role: 'analyst' }), []);
    assert.deepEqual(agencyFilter({ username: 'l', role: 'liaison', agency: 'mofa' }), [{ term: { 'organization.id': 'mofa' } }]);
    assert.throws(() => agencyFilter({ username: 'l', role: 'liaison' }), /without an agency/);
    assert.equal(visibleTo({ username: 'l', role: 'liaison', agency: 'mofa' }, ['mof', 'mofa']), true);
    assert.equal(visibleTo({ username: 'l', role: 'liaison', agency: 'mofa' }, 'mof'), false);
    assert.equal(visibleTo({ username: 'a', role: 'lead' }, 'mof'), true);
  });
  test('OSD auth context → principal (documented mapping)', () => {
    assert.deepEqual(principalFromOsdAuth({ user_name: 'u', backend_roles: ['cirt_analyst'], roles: [] }), { username: 'u', role: 'analyst' });
    assert.deepEqual(principalFromOsdAuth({ user_name: 'u', backend_roles: ['cirt_analyst'], roles: ['cirt_lead'] }), { username: 'u', role: 'lead' });
    assert.deepEqual(principalFromOsdAuth({ user_name: 'u', backend_roles: ['cirt_liaison_mofa'] }), { username: 'u', role: 'liaison', agency: 'mofa' });
    assert.equal(principalFromOsdAuth({ user_name: 'u', backend_roles: ['cirt_liaison_a', 'cirt_liaison_b'] }), undefined, 'two agencies: refused');
    assert.equal(principalFromOsdAuth({ user_name: 'u', backend_roles: ['kibana_user'] }), undefined);
    assert.equal(principalFromOsdAuth(undefined), undefined);
  });
});
