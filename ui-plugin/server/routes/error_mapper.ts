// The one place where errors become HTTP answers: validation → 400, unauthenticated → 401, forbidden/CSRF → 403,
// missing (or not visible to the caller) → 404, conflict → 409, payload → 413, rate limit → 429, anything else → 500.
// A 500 never echoes the upstream message (it may carry index names, hosts or query fragments); the full detail is
// logged with a reference the operator can quote.
import { randomUUID } from 'node:crypto';
import type { ApiErrorBody } from '../../common/index';
import { CirtUiError, type UiErrorCode } from '../errors';

export interface HandlerResult {
  status: number;
  body: unknown;
  /** Set for non-JSON answers (downloads): the body is then a string sent as is. */
  contentType?: string;
  headers?: Record<string, string>;
}

export interface ErrorLogger {
  error(message: string, meta?: Record<string, unknown>): void;
}

function errorBody(statusCode: number, error: string, code: string, message: string): ApiErrorBody {
  return { statusCode, error, code, message };
}

const CLIENT_ERRORS: Partial<Record<UiErrorCode, [number, string]>> = {
  ERR_UI_VALIDATION: [400, 'Bad Request'],
  ERR_UI_UNAUTHENTICATED: [401, 'Unauthorized'],
  ERR_UI_FORBIDDEN: [403, 'Forbidden'],
  ERR_UI_TLP_REFUSED: [403, 'Forbidden'],
  ERR_UI_NOT_FOUND: [404, 'Not Found'],
  ERR_UI_CONFLICT: [409, 'Conflict'],
  ERR_UI_PAYLOAD: [413, 'Payload Too Large'],
  ERR_UI_RATE_LIMITED: [429, 'Too Many Requests'],
};

export function toErrorResult(err: unknown, logger: ErrorLogger, route: string): HandlerResult {
  if (err instanceof CirtUiError) {
    const client = CLIENT_ERRORS[err.code];
    if (client) return { status: client[0], body: errorBody(client[0], client[1], err.code, err.message) };
  }
  // An optimistic-concurrency clash reported by the store (if_seq_no): a 409 the user can retry, no detail echoed.
  const upstream = (err as { meta?: { statusCode?: unknown; body?: unknown } } | null)?.meta;
  if (upstream?.statusCode === 409) {
    return { status: 409, body: errorBody(409, 'Conflict', 'ERR_UI_CONFLICT', 'the object changed meanwhile; reload and try again') };
  }
  const ref = randomUUID();
  const e = err instanceof Error ? err : new Error(String(err));
  logger.error(`${route} failed`, {
    ref,
    route,
    error: { name: e.name, message: e.message, code: (err as { code?: unknown }).code, stack: e.stack },
    upstream: upstream ? { statusCode: upstream.statusCode, body: upstream.body } : undefined,
  });
  const code = err instanceof CirtUiError ? err.code : 'ERR_UI_INTERNAL';
  return { status: 500, body: errorBody(500, 'Internal Server Error', code, `the store could not answer (reference ${ref}, see the server log)`) };
}
