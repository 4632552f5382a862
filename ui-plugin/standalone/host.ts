// The standalone host of the operations room: node:http + the OpenSearch client, no framework. It mounts the
// same route handlers as the OSD plugin (server/routes) and serves the same front end (public/), bundled with
// esbuild at startup into memory. Loopback only by default; strict CSP; structured JSON logs.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from '@opensearch-project/opensearch';
import { build } from 'esbuild';
import { API_BASE_PATH, DEFAULT_ALERTS_INDEX_PATTERN, HEALTH_PATH, PLUGIN_NAME } from '../common/index.ts';
import { createAlertRoutes, type HandlerResult, type RouteDefinition } from '../server/routes/alerts.ts';
import { AlertsService } from '../server/services/alerts_service.ts';
import { createOpenSearchStore } from '../server/services/opensearch_store.ts';

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
  indexPattern?: string;
  logger?: HostLogger;
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

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const logger = options.logger ?? jsonLogger();
  const bindHost = options.host ?? '127.0.0.1';
  const started = Date.now();
  const bundle = await bundleFrontEnd();
  const assets = new Map<string, Asset>([
    ['/', { contentType: 'text/html; charset=utf-8', body: Buffer.from(indexHtml()) }],
    ['/index.html', { contentType: 'text/html; charset=utf-8', body: Buffer.from(indexHtml()) }],
    [BUNDLE_JS_PATH, { contentType: 'text/javascript; charset=utf-8', body: bundle.js }],
    [BUNDLE_CSS_PATH, { contentType: 'text/css; charset=utf-8', body: bundle.css }],
  ]);

  const client = new Client({ node: options.opensearchUrl, requestTimeout: 15_000, maxRetries: 1 });
  const indexPattern = options.indexPattern ?? DEFAULT_ALERTS_INDEX_PATTERN;
  const service = new AlertsService(createOpenSearchStore(client), () => indexPattern);
  const routes = createAlertRoutes(service, logger).map(compileRoute);

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

  async function route(method: string, url: URL): Promise<HandlerResult | Asset> {
    const path = url.pathname;
    if (path === HEALTH_PATH || path.startsWith(`${API_BASE_PATH}/`) || path === API_BASE_PATH) {
      if (method !== 'GET') return errorResult(405, 'Method Not Allowed', 'ERR_UI_METHOD', `${method} is not allowed on ${path}`);
      if (path === HEALTH_PATH) return health();
      for (const r of routes) {
        const m = r.pattern.exec(path);
        if (!m) continue;
        const params: Record<string, string> = {};
        try {
          r.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1] as string)));
        } catch {
          return errorResult(400, 'Bad Request', 'ERR_UI_VALIDATION', 'malformed percent-encoding in the path');
        }
        return r.route.handler({ query: queryObject(url.searchParams), params, body: undefined });
      }
      return errorResult(404, 'Not Found', 'ERR_UI_NOT_FOUND', `no route ${path}`);
    }
    const asset = assets.get(path);
    if (!asset) return errorResult(404, 'Not Found', 'ERR_UI_NOT_FOUND', `no such page ${path}`);
    if (method !== 'GET' && method !== 'HEAD') return errorResult(405, 'Method Not Allowed', 'ERR_UI_METHOD', `${method} is not allowed on ${path}`);
    return asset;
  }

  function send(req: IncomingMessage, res: ServerResponse, answer: HandlerResult | Asset): number {
    if ('contentType' in answer) {
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': answer.contentType, 'content-length': answer.body.length, 'cache-control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : answer.body);
      return 200;
    }
    const body = Buffer.from(JSON.stringify(answer.body));
    const headers: Record<string, string | number> = { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'content-length': body.length, 'cache-control': 'no-store' };
    if (answer.status === 405) headers.allow = 'GET';
    res.writeHead(answer.status, headers);
    res.end(body);
    return answer.status;
  }

  const server = createServer((req, res) => {
    const t0 = process.hrtime.bigint();
    const method = req.method ?? 'GET';
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://host.invalid');
    } catch {
      url = new URL('http://host.invalid/');
    }
    route(method, url)
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
  });
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
  const url = `http://${hostForUrl}:${address.port}/`;
  logger.info('listening', { url, opensearch: options.opensearchUrl, indexPattern, startupMs: Date.now() - started });

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
