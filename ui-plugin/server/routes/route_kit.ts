// The route table's building blocks. A route is a plain, framework-free definition: method, OSD-style path,
// strict parsers for query/params/body, and a handler `(request) => Promise<{status, body}>`. The standalone host
// and the OSD router adapter (registerRoutes) both mount the same table; both resolve the signed-in Principal
// (session cookie / OSD auth context) and pass it in — a request without one is answered 401 here.
import type { Principal } from '../../common/index';
import { CirtUiError } from '../errors';
import { toErrorResult, type ErrorLogger, type HandlerResult } from './error_mapper';

export type { HandlerResult, ErrorLogger };

export interface HandlerRequest {
  query?: unknown;
  params?: unknown;
  body?: unknown;
  /** Resolved by the host/adapter, never from the request itself. */
  principal?: Principal;
}

export type RouteHandler = (request: HandlerRequest) => Promise<HandlerResult>;

export type Method = 'GET' | 'POST';

export interface RouteDefinition {
  method: Method;
  /** OSD path syntax: `{name}` is a path parameter. */
  path: string;
  validate: { query?: (raw: unknown) => unknown; params?: (raw: unknown) => unknown; body?: (raw: unknown) => unknown };
  handler: RouteHandler;
}

export const consoleLogger: ErrorLogger = { error: (message, meta) => console.error(JSON.stringify({ level: 'error', message, ...meta })) };

const none = () => ({}) as never;

interface Parsers<Q, P, B> {
  query?: (raw: unknown) => Q;
  params?: (raw: unknown) => P;
  body?: (raw: unknown) => B;
}

/**
 * Defines a route whose handler: checks there is a principal (401), parses query/params/body strictly (400),
 * runs `run` (a service call: permission checks and scoping live there), and maps any error in one place.
 * `run` returns the JSON body (200) or a full HandlerResult (other status, downloads).
 */
export function defineRoute<Q = Record<string, never>, P = Record<string, never>, B = undefined>(
  method: Method,
  path: string,
  parsers: Parsers<Q, P, B>,
  run: (input: { query: Q; params: P; body: B }, principal: Principal) => Promise<unknown>,
  logger: ErrorLogger,
): RouteDefinition {
  const handler: RouteHandler = async (request) => {
    try {
      if (!request.principal) throw new CirtUiError('ERR_UI_UNAUTHENTICATED', 'sign in first');
      const query = (parsers.query ?? none)(request.query) as Q;
      const params = (parsers.params ?? none)(request.params) as P;
      const body = (parsers.body ? parsers.body(request.body) : undefined) as B;
      const out = await run({ query, params, body }, request.principal);
      return isHandlerResult(out) ? out : { status: 200, body: out };
    } catch (err) {
      return toErrorResult(err, logger, `${method} ${path}`);
    }
  };
  const validate: RouteDefinition['validate'] = {};
  if (parsers.query) validate.query = parsers.query;
  if (parsers.params) validate.params = parsers.params;
  if (parsers.body) validate.body = parsers.body;
  return { method, path, validate, handler };
}

const RESULT = Symbol.for('cirt.handlerResult');

export function result(status: number, body: unknown, extra: { contentType?: string; headers?: Record<string, string> } = {}): HandlerResult {
  return Object.assign({ status, body, ...extra }, { [RESULT]: true });
}

function isHandlerResult(x: unknown): x is HandlerResult {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[RESULT] === true;
}
