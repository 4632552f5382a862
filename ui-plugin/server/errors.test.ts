import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CirtUiError, UI_ERRORS } from './errors';
import { toErrorResult } from './routes/error_mapper';

test('every ERR_UI_* code equals its key and is documented in ui-plugin/README.md', () => {
  const readme = readFileSync(join(dirname(__filename), '..', 'README.md'), 'utf8');
  for (const [key, code] of Object.entries(UI_ERRORS)) {
    assert.equal(key, code);
    assert.ok(readme.includes(code), `${code} is not in the README`);
  }
});

test('the one error mapper: status per code; a 500 hides the upstream message', () => {
  const quiet = { error() {} };
  const statuses = Object.fromEntries(
    (['ERR_UI_VALIDATION', 'ERR_UI_UNAUTHENTICATED', 'ERR_UI_FORBIDDEN', 'ERR_UI_TLP_REFUSED', 'ERR_UI_NOT_FOUND', 'ERR_UI_CONFLICT', 'ERR_UI_PAYLOAD', 'ERR_UI_RATE_LIMITED', 'ERR_UI_STORE_RESPONSE', 'ERR_UI_CONFIG', 'ERR_UI_INTERNAL'] as const).map((c) => [c, toErrorResult(new CirtUiError(c, 'm'), quiet, 'r').status]),
  );
  assert.deepEqual(statuses, { ERR_UI_VALIDATION: 400, ERR_UI_UNAUTHENTICATED: 401, ERR_UI_FORBIDDEN: 403, ERR_UI_TLP_REFUSED: 403, ERR_UI_NOT_FOUND: 404, ERR_UI_CONFLICT: 409, ERR_UI_PAYLOAD: 413, ERR_UI_RATE_LIMITED: 429, ERR_UI_STORE_RESPONSE: 500, ERR_UI_CONFIG: 500, ERR_UI_INTERNAL: 500 });
  const conflict = toErrorResult(Object.assign(new Error('version conflict, current version [3] index secret'), { meta: { statusCode: 409 } }), quiet, 'r');
  assert.equal(conflict.status, 409);
  assert.doesNotMatch(JSON.stringify(conflict.body), /secret/);
});
