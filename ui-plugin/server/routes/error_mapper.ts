// The one place where errors become HTTP answers: validation → 400, missing → 404, anything else → 500.
// A 500 never echoes the upstream message (it may carry index names, hosts or query fragments); the full detail is
// logged with a reference the operator can quote.
import { randomUUID } from 'node:crypto';
import type { ApiErrorBody } from '../../common/index.ts';
import { CirtUiError } from '../errors.ts';

export interface HandlerResult {
  status: number;
  body: unknown;
}

export interface ErrorLogger {
  error(message: string, meta?: Record<string, unknown>): void;
}

function errorBody(statusCode: number, error: string, code: string, message: string): ApiErrorBody {
  return { statusCode, error, code, message };
}

export function toErrorResult(err: unknown, logger: ErrorLogger, route: string): HandlerResult {
  if (err instanceof CirtUiError && err.code === 'ERR_UI_VALIDATION') {
    return { status: 400, body: errorBody(400, 'Bad Request', err.code, err.message) };
  }
  if (err instanceof CirtUiError && err.code === 'ERR_UI_NOT_FOUND') {
    return { status: 404, body: errorBody(404, 'Not Found', err.code, err.message) };
  }
  const ref = randomUUID();
  const e = err instanceof Error ? err : new Error(String(err));
  const upstream = (err as { meta?: { statusCode?: unknown; body?: unknown } } | null)?.meta;
  logger.error(`${route} failed`, {
    ref,
    route,
    error: { name: e.name, message: e.message, code: (err as { code?: unknown }).code, stack: e.stack },
    upstream: upstream ? { statusCode: upstream.statusCode, body: upstream.body } : undefined,
  });
  const code = err instanceof CirtUiError ? err.code : 'ERR_UI_INTERNAL';
  return { status: 500, body: errorBody(500, 'Internal Server Error', code, `the alert store could not answer (reference ${ref}, see the server log)`) };
}
