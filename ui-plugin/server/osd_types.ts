// Minimal local declarations of the OpenSearch Dashboards 2.19 core server interfaces this plugin uses.
// OSD's packages cannot be installed in this repository; inside an OSD source tree the real objects are passed
// in, and they are structurally wider than these (every member here exists with this shape in OSD 2.19
// src/core/server). Keep this file to what the plugin really calls.

export interface OsdLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string | Error, meta?: Record<string, unknown>): void;
  error(message: string | Error, meta?: Record<string, unknown>): void;
}

export interface Subscription {
  unsubscribe(): void;
}

export interface PluginInitializerContext<Config = unknown> {
  logger: { get(...contextParts: string[]): OsdLogger };
  config: { create<T = Config>(): { subscribe(next: (value: T) => void): Subscription } };
}

/** The part of `@opensearch-project/opensearch`'s Client the plugin calls (OSD's `asInternalUser`/`asCurrentUser`). */
export interface OpenSearchClientLike {
  search(params: { index: string; body: Record<string, unknown>; ignore_unavailable?: boolean; allow_no_indices?: boolean }): Promise<{ body: unknown }>;
  index(params: { index: string; id: string; body: Record<string, unknown>; refresh?: 'wait_for' | boolean; op_type?: 'create' | 'index'; if_seq_no?: number; if_primary_term?: number }): Promise<{ body: unknown }>;
  update(params: { index: string; id: string; body: { doc: Record<string, unknown> }; refresh?: 'wait_for' | boolean; if_seq_no?: number; if_primary_term?: number }): Promise<{ body: unknown }>;
  indices: {
    create(params: { index: string; body: Record<string, unknown> }): Promise<{ body: unknown }>;
    putMapping(params: { index: string; body: Record<string, unknown> }): Promise<{ body: unknown }>;
  };
}

export interface CoreStart {
  opensearch: { client: { asInternalUser: OpenSearchClientLike; asScoped(request: unknown): { asCurrentUser: OpenSearchClientLike } } };
}

export interface RouteValidationError extends Error {
  path?: string[];
}

export interface RouteValidationResultFactory {
  ok<T>(value: T): { value: T };
  badRequest(error: Error | string, path?: string[]): { error: RouteValidationError };
}

/** OSD accepts a plain function where it would otherwise take an `@osd/config-schema` type. */
export type RouteValidationFunction<T> = (
  data: unknown,
  validationResult: RouteValidationResultFactory,
) => { value: T; error?: never } | { value?: never; error: RouteValidationError };

export interface RouteConfig<P, Q, B> {
  path: string;
  validate: { params?: RouteValidationFunction<P>; query?: RouteValidationFunction<Q>; body?: RouteValidationFunction<B> } | false;
}

export interface OsdRequest<P = unknown, Q = unknown, B = unknown> {
  params: P;
  query: Q;
  body: B;
}

/** What a handler returns to OSD; opaque to the plugin. */
export type OsdResponse = unknown;

export interface OsdResponseFactory {
  ok(options?: { body?: unknown; headers?: Record<string, string> }): OsdResponse;
  custom(options: { statusCode: number; body?: unknown; headers?: Record<string, string> }): OsdResponse;
  customError(options: { statusCode: number; body?: { message: string; attributes?: Record<string, unknown> } }): OsdResponse;
}

export type OsdRequestHandler<P, Q, B> = (context: unknown, request: OsdRequest<P, Q, B>, response: OsdResponseFactory) => Promise<OsdResponse>;

export interface IRouter {
  get<P, Q, B>(config: RouteConfig<P, Q, B>, handler: OsdRequestHandler<P, Q, B>): void;
  post<P, Q, B>(config: RouteConfig<P, Q, B>, handler: OsdRequestHandler<P, Q, B>): void;
}

/** `core.http.auth.get(request)`: filled by the security plugin (`state` carries its authInfo). */
export interface HttpAuth {
  get(request: unknown): { status: 'authenticated' | 'unauthenticated' | 'unknown'; state?: unknown };
}

export interface CoreSetup {
  http: { createRouter(): IRouter; auth: HttpAuth };
  getStartServices(): Promise<[CoreStart, unknown, unknown]>;
}

export interface Plugin<Setup, Start> {
  setup(core: CoreSetup): Setup;
  start(core: CoreStart): Start;
  stop?(): void;
}
