// Minimal local declarations of the OpenSearch Dashboards 2.19 core public interfaces this plugin uses
// (OSD's packages are not installable in this repository; inside OSD the real, wider objects are passed in).

export interface AppMountParameters {
  /** The container the application renders into. */
  element: HTMLElement;
  appBasePath?: string;
}

export type AppUnmount = () => void;

export interface AppCategory {
  id: string;
  label: string;
  order?: number;
  euiIconType?: string;
}

export interface App {
  id: string;
  title: string;
  category?: AppCategory;
  order?: number;
  mount(params: AppMountParameters): AppUnmount | Promise<AppUnmount>;
}

export interface HttpFetchOptions {
  query?: Record<string, string | number | undefined>;
  signal?: AbortSignal;
}

export interface HttpStart {
  get<T = unknown>(path: string, options?: HttpFetchOptions): Promise<T>;
  post<T = unknown>(path: string, options?: HttpFetchOptions & { body?: string }): Promise<T>;
  basePath: { prepend(path: string): string };
}

export interface CoreStart {
  http: HttpStart;
}

export interface CoreSetup {
  application: { register(app: App): void };
  getStartServices(): Promise<[CoreStart, unknown, unknown]>;
}

export interface PluginInitializerContext {
  config: { get<T = unknown>(): T };
}
