// The error catalogue matches its documentation (fastify's errors.test.js habit).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { CirtError } from '../../../proto/errors.ts';
import { NETFLOW_ERROR_CODES, NetflowDecodeError, type NetflowErrorCode } from '../index.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

it('every code is its own key, follows ERR_NETFLOW_<WHAT>, and is documented in README.md', () => {
  for (const [key, code] of Object.entries(NETFLOW_ERROR_CODES)) {
    assert.equal(key, code);
    assert.match(code, /^ERR_NETFLOW_[A-Z_]+$/);
    assert.ok(readme.includes(`| \`${code}\` |`), `${code} missing from README.md`);
  }
});

it('README.md documents no code that does not exist', () => {
  const documented = [...readme.matchAll(/\| `(ERR_NETFLOW_[A-Z_]+)` \|/g)].map((m) => m[1]);
  assert.deepEqual(documented.sort(), Object.keys(NETFLOW_ERROR_CODES).sort());
});

it('NetflowDecodeError is a CirtError with code, offset, context and cause', () => {
  const cause = new Error('inner');
  const e = new NetflowDecodeError('ERR_NETFLOW_LENGTH' satisfies NetflowErrorCode, 'bad', { offset: 18, field: 'set.length', setId: 2, templateId: 300, domainId: 1, version: 10, exporter: '192.0.2.1', cause });
  assert.ok(e instanceof CirtError);
  assert.equal(e.name, 'NetflowDecodeError');
  assert.equal(e.retryable, false);
  assert.equal(e.cause, cause);
  assert.deepEqual(e.location, { field: 'set.length', offset: 18 });
  assert.equal(String(e), 'field set.length byte 18: bad [ERR_NETFLOW_LENGTH]');
  assert.deepEqual(e.toJSON(), { name: 'NetflowDecodeError', code: 'ERR_NETFLOW_LENGTH', message: 'bad', retryable: false, location: { field: 'set.length', offset: 18 }, version: 10, domainId: 1, templateId: 300, setId: 2, exporter: '192.0.2.1' });
  const more = e.withContext({ exporter: '192.0.2.2' });
  assert.equal(more.offset, 18);
  assert.equal(more.exporter, '192.0.2.2');
});
