// The standalone host of the operations room: node:http + the OpenSearch client, no framework. It mounts the
// same route handlers as the OSD plugin (server/routes) and serves the same front end (public/), bundled with
// esbuild at startup into memory. Loopback only by default; strict CSP; structured JSON logs.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from '@opensearch-project/opensearch';
import { build } from 'esbuild';
import { API_BASE_PATH, CSRF_HEADER, DEFAULT_ALERTS_INDEX_PATTERN, HEALTH_PATH, LOGIN_PATH, LOGOUT_PATH, PLUGIN_NAME, SESSION_COOKIE, SESSION_PATH } from '../common/index';
import { permissionsOf } from '../server/auth/principal';
import { verifyPassword } from '../server/auth/passwords';
import { DEFAULT_SESSION_OPTIONS, LoginRateLimiter, SessionStore, csrfMatches, type Session, type SessionOptions } from '../server/auth/sessions';
import { loadUsersFile, type UserRecord } from '../server/auth/users';
import { createRoutes } from '../server/routes/index';
import type { HandlerResult, RouteDefinition } from '../server/routes/route_kit';
import type { PublishOptions } from '../server/services/advisories_service';
import { ruleFileSource } from '../server/evidence/rule_files';
import { createServices } from '../server/services/index';
import { createOpenSearchStore } from '../server/services/opensearch_store';
import type { IndexNames } from '../server/services/store';

const MAX_BODY_BYTES = 64 * 1024;

export const CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; frame-ancestors 'none'";
export const BUNDLE_JS_PATH = '/assets/operations-room.js';
export const BUNDLE_CSS_PATH = '/assets/operations-room.css';
const HEALTH_TIMEOUT_MS = 2_000;
// ui-plugin/ has an OSD-style package.json without "type": "module" (OSD builds plugins to CommonJS), so the files
// under it are CommonJS modules for Node and TypeScript: no import.meta. (__filename, not __dirname: tsx's ESM
// loader, used when an ES module imports this file, sets __filename right but __dirname not.)
const UI_PLUGIN_DIR = join(dirname(__filename), '..');

export interface HostLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** One JSON object per line on stdout. */
export function jsonLogger(component = 'ui-host', write: (line: string) => void = (l) => process.stdout.write(l)): HostLogger {
  const emit = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    write(`${JSON.stringify({ ts: new Date().toISOString(), level, component, message, ...fields })}\n`);
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}

export interface HostOptions {
  port: number;
  host?: string;
  opensearchUrl: string;
  /** Index names (tests use their own prefixes); `indexPattern` is the older name of `indices.alerts`. */
  indexPattern?: string;
  indices?: Partial<IndexNames>;
  /** Users: a YAML file (see server/auth/users.ts) or an already loaded map. */
  usersFile?: string;
  users?: Map<string, UserRecord>;
  sessions?: Partial<SessionOptions>;
  loginLimit?: { maxFailures: number; windowMs: number };
  publish?: Partial<PublishOptions>;
  /** Serve over TLS: the session cookie then gets `Secure`. */
  tls?: { key: Buffer | string; cert: Buffer | string };
  logger?: HostLogger;
  /** Rule directories for evidence bundles (the exact text of each rule that fired); none: bundles say it is missing. */
  ruleDirs?: readonly string[];
}

export interface RunningHost {
  url: string;
  close(): Promise<void>;
}

interface Asset {
  contentType: string;
  body: Buffer;
}

/** Bundles public/standalone_main.tsx (and the CSS it imports) into memory. */
export async function bundleFrontEnd(): Promise<{ js: Buffer; css: Buffer }> {
  const entry = join(UI_PLUGIN_DIR, 'public', 'standalone_main.tsx');
  if (!existsSync(entry)) throw new Error(`the front-end entry ${entry} is missing (is ui-plugin/ complete?)`);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    outdir: join(UI_PLUGIN_DIR, 'target', 'standalone'), // not written: write:false keeps it in memory
    entryNames: 'operations-room',
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    jsx: 'automatic',
    minify: true,
    legalComments: 'eof', // keep the licence notices (React: MIT) in the served bundle
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const css = result.outputFiles.find((f) => f.path.endsWith('.css'));
  if (!js || !css) throw new Error(`esbuild produced ${result.outputFiles.map((f) => f.path).join(', ')}, expected a .js and a .css file`);
  return { js: Buffer.from(js.contents), css: Buffer.from(css.contents) };
}

function indexHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${PLUGIN_NAME}</title>
<link rel="stylesheet" href="${BUNDLE_CSS_PATH}">
<script src="${BUNDLE_JS_PATH}" defer></script>
</head>
<body>
<div id="cirt-root"></div>
<noscript>The operations room needs JavaScript.</noscript>
</body>
</html>
`;
}

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

interface CompiledRoute {
  pattern: RegExp;
  names: string[];
  route: RouteDefinition;
}

function compileRoute(route: RouteDefinition): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((seg) => {
      const m = /^\{(\w+)\}$/.exec(seg);
      if (!m) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(m[1] as string);
      return '([^/]+)';
    })
    .join('/');
  return { pattern: new RegExp(`^${source}$`), names, route };
}

/** Query string → object; a repeated key becomes an array, which the strict validation refuses. */
function queryObject(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    out[key] = all.length === 1 ? (all[0] as string) : all;
  }
  return out;
}

function errorResult(status: number, error: string, code: string, message: string): HandlerResult {
  return { status, body: { statusCode: status, error, code, message } };
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

class BodyError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Reads a JSON body of at most MAX_BODY_BYTES; refuses other content types. */
async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new BodyError(413, 'ERR_UI_PAYLOAD', `the body is larger than ${MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyError(413, 'ERR_UI_PAYLOAD', `the body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  if (type !== 'application/json') throw new BodyError(415, 'ERR_UI_PAYLOAD', 'send the body as application/json');
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BodyError(400, 'ERR_UI_VALIDATION', '[body]: not valid JSON');
  }
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const logger = options.logger ?? jsonLogger();
  const bindHost = options.host ?? '127.0.0.1';
  const started = Date.now();
  const users = options.users ?? (options.usersFile ? loadUsersFile(options.usersFile) : undefined);
  if (!users || users.size === 0) throw new Error('the operations room needs users: pass usersFile (YAML, see ui-plugin/README.md) or users');
  const bundle = await bundleFrontEnd();
  const assets = new Map<string, Asset>([
    ['/', { contentType: 'text/html; charset=utf-8', body: Buffer.from(indexHtml()) }],
    ['/index.html', { contentType: 'text/html; charset=utf-8', body: Buffer.from(indexHtml()) }],
    [BUNDLE_JS_PATH, { contentType: 'text/javascript; charset=utf-8', body: bundle.js }],
    [BUNDLE_CSS_PATH, { contentType: 'text/css; charset=utf-8', body: bundle.css }],
  ]);

  const client = new Client({ node: options.opensearchUrl, requestTimeout: 15_000, maxRetries: 1 });
  const indices: Partial<IndexNames> = { alerts: options.indexPattern ?? DEFAULT_ALERTS_INDEX_PATTERN, ...options.indices };
  const services = createServices(createOpenSearchStore(client), { indices, ...(options.publish ? { publish: options.publish } : {}), ...(options.ruleDirs ? { ruleSource: ruleFileSource(options.ruleDirs) } : {}) });
  const routes = createRoutes(services, logger).map(compileRoute);
  const sessions = new SessionStore({ ...DEFAULT_SESSION_OPTIONS, ...options.sessions });
  const limiter = new LoginRateLimiter(options.loginLimit ?? { maxFailures: 5, windowMs: 5 * 60_000 });
  const secure = options.tls !== undefined;
  const cookieAttrs = `HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}`;

  async function health(): Promise<HandlerResult> {
    try {
      const res = await client.cluster.health({}, { requestTimeout: HEALTH_TIMEOUT_MS, maxRetries: 0 });
      const status = (res.body as { status?: string }).status;
      if (status === 'green' || status === 'yellow') return { status: 200, body: { status: 'ok', opensearch: status } };
      return { status: 503, body: { status: 'unavailable', opensearch: status ?? 'unknown', reason: `OpenSearch cluster status is ${status ?? 'unknown'}` } };
    } catch (err) {
      const kind = err instanceof Error ? err.name : 'Error';
      return { status: 503, body: { status: 'unavailable', reason: `OpenSearch is not reachable at ${options.opensearchUrl} (${kind})` } };
    }
  }

  function sessionBody(session: Session) {
    const p = session.principal;
    return { username: p.username, role: p.role, ...(p.agency ? { agency: p.agency } : {}), permissions: permissionsOf(p.role), csrfToken: session.csrfToken };
  }

  async function login(req: IncomingMessage, body: unknown): Promise<HandlerResult> {
    const input = (body ?? {}) as { username?: unknown; password?: unknown };
    if (typeof input !== 'object' || typeof input.username !== 'string' || typeof input.password !== 'string' || input.username.length > 64 || input.password.length > 1024) {
      return errorResult(400, 'Bad Request', 'ERR_UI_VALIDATION', '[body]: expected {"username": "...", "password": "..."}');
    }
    const keys = [`ip:${req.socket.remoteAddress ?? '?'}`, `user:${input.username}`];
    const wait = limiter.retryAfter(keys);
    if (wait > 0) return { ...errorResult(429, 'Too Many Requests', 'ERR_UI_RATE_LIMITED', `too many failed logins; try again in ${wait} s`), headers: { 'retry-after': String(wait) } };
    const user = users?.get(input.username);
    const ok = await verifyPassword(input.password, user?.passwordHash);
    if (!ok || !user) {
      limiter.fail(keys);
      logger.warn('login failed', { user: input.username.slice(0, 64), remote: req.socket.remoteAddress });
      return errorResult(401, 'Unauthorized', 'ERR_UI_UNAUTHENTICATED', 'wrong user name or password');
    }
    limiter.succeed(`user:${input.username}`);
    const { passwordHash: _h, ...principal } = user;
    // A new id at every login (no session fixation); an old session of this browser is dropped.
    sessions.destroy(parseCookies(req.headers.cookie)[SESSION_COOKIE]);
    const session = sessions.create(principal);
    logger.info('login', { user: user.username, role: user.role });
    return { status: 200, body: sessionBody(session), headers: { 'set-cookie': `${SESSION_COOKIE}=${session.id}; ${cookieAttrs}` } };
  }

  async function route(req: IncomingMessage, method: string, url: URL): Promise<HandlerResult | Asset> {
    const path = url.pathname;
    if (path === HEALTH_PATH || path.startsWith(`${API_BASE_PATH}/`) || path === API_BASE_PATH) {
      if (method !== 'GET' && method !== 'POST') return errorResult(405, 'Method Not Allowed', 'ERR_UI_METHOD', `${method} is not allowed on ${path}`);
      if (path === HEALTH_PATH) return method === 'GET' ? health() : errorResult(405, 'Method Not Allowed', 'ERR_UI_METHOD', `${method} is not allowed on ${path}`);
      let body: unknown;
      if (method === 'POST') {
        // Cross-site requests are refused outright when the browser says where they come from.
        const origin = req.headers.origin;
        if (origin !== undefined && origin !== `${secure ? 'https' : 'http'}://${req.headers.host ?? ''}`) {
          return errorResult(403, 'Forbidden', 'ERR_UI_FORBIDDEN', 'cross-origin request refused');
        }
        try {
          body = await readJsonBody(req);
        } catch (err) {
          if (err instanceof BodyError) return errorResult(err.status, err.status === 400 ? 'Bad Request' : 'Unsupported', err.code, err.message);
          throw err;
        }
      }
      if (path === LOGIN_PATH) return method === 'POST' ? login(req, body) : errorResult(405, 'Method Not Allowed', 'ERR_UI_METHOD', 'POST your credentials');
      const sid = parseCookies(req.headers.cookie)[SESSION_COOKIE];
      const session = sessions.get(sid);
      if (method === 'POST' && session && !csrfMatches(session, req.headers[CSRF_HEADER] as string | undefined)) {
        return errorResult(403, 'Forbidden', 'ERR_UI_FORBIDDEN', `missing or wrong ${CSRF_HEADER} header`);
      }
      if (path === LOGOUT_PATH) {
        if (method !== 'POST') return errorResult(405, 'Method Not Allowed', 'ERR_UI_METHOD', 'POST to log out');
        sessions.destroy(session?.id);
        return { status: 200, body: { ok: true }, headers: { 'set-cookie': `${SESSION_COOKIE}=; ${cookieAttrs}; Max-Age=0` } };
      }
      if (path === SESSION_PATH && method === 'GET') {
        return session ? { status: 200, body: sessionBody(session) } : errorResult(401, 'Unauthorized', 'ERR_UI_UNAUTHENTICATED', 'sign in first');
      }
      let pathMatched = false;
      for (const r of routes) {
        const m = r.pattern.exec(path);
        if (!m) continue;
        pathMatched = true;
        if (r.route.method !== method) continue;
        const params: Record<string, string> = {};
        try {
          r.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1] as string)));
        } catch {
          return errorResult(400, 'Bad Request', 'ERR_UI_VALIDATION', 'malformed percent-encoding in the path');
        }
        return r.route.handler({ query: queryObject(url.searchParams), params, body, ...(session ? { principal: session.principal } : {}) });
      }
      if (pathMatched) return errorResult(405, 'Method Not Allowed', 'ERR_UI_METHOD', `${method} is not allowed on ${path}`);
      return errorResult(404, 'Not Found', 'ERR_UI_NOT_FOUND', `no route ${path}`);
    }
    const asset = assets.get(path);
    if (!asset) return errorResult(404, 'Not Found', 'ERR_UI_NOT_FOUND', `no such page ${path}`);
    if (method !== 'GET' && method !== 'HEAD') return errorResult(405, 'Method Not Allowed', 'ERR_UI_METHOD', `${method} is not allowed on ${path}`);
    return asset;
  }

  function send(req: IncomingMessage, res: ServerResponse, answer: HandlerResult | Asset): number {
    // A static asset has no status; a route's download (HandlerResult with a Buffer body) keeps its headers.
    if (!('status' in answer)) {
      const asset = answer as Asset;
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': asset.contentType, 'content-length': asset.body.length, 'cache-control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : asset.body);
      return 200;
    }
    const result = answer as HandlerResult;
    const body = Buffer.isBuffer(result.body) ? result.body : Buffer.from(result.contentType ? String(result.body) : JSON.stringify(result.body));
    const headers: Record<string, string | number> = {
      ...SECURITY_HEADERS,
      ...(result.headers ?? {}),
      'content-type': result.contentType ?? 'application/json; charset=utf-8',
      'content-length': body.length,
      'cache-control': 'no-store',
    };
    if (result.status === 405) headers.allow = 'GET, POST';
    res.writeHead(result.status, headers);
    res.end(body);
    return result.status;
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const t0 = process.hrtime.bigint();
    const method = req.method ?? 'GET';
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://host.invalid');
    } catch {
      url = new URL('http://host.invalid/');
    }
    route(req, method, url)
      .catch((err: unknown): HandlerResult => {
        logger.error('unhandled error in the host', { error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) });
        return errorResult(500, 'Internal Server Error', 'ERR_UI_INTERNAL', 'internal error, see the server log');
      })
      .then((answer) => {
        const status = send(req, res, answer);
        logger.info('request', { method, path: url.pathname, status, ms: Number(process.hrtime.bigint() - t0) / 1e6 });
      })
      .catch((err: unknown) => {
        logger.error('could not send the answer', { error: err instanceof Error ? err.message : String(err) });
        res.destroy();
      });
  };
  const server = options.tls ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, handler) : createServer(handler);
  // Keep idle connections longer than clients and proxies do (Node's default is 5 s): a client reusing a connection
  // the server has just closed gets a reset ("fetch failed"), which shows up under load.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, bindHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${secure ? 'https' : 'http'}://${hostForUrl}:${address.port}/`;
  logger.info('listening', { url, opensearch: options.opensearchUrl, indices: services.indices, users: users.size, startupMs: Date.now() - started });

  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), 2_000).unref();
        });
        await client.close();
        logger.info('closed', { url });
      })();
      return closing;
    },
  };
}
