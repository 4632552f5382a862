import { DEFAULT_ALERTS_INDEX_PATTERN } from '../common/index';
import type { CoreSetup, CoreStart, OsdLogger, Plugin, PluginInitializerContext, Subscription } from './osd_types';
import { principalFromOsdAuth, type OsdAuthState } from './auth/osd_auth';
import { createRoutes, registerRoutes } from './routes/index';
import { ruleFileSource } from './evidence/rule_files';
import { parseWebhooks } from './services/advisories_service';
import { createServices, type ServiceOptions } from './services/index';
import { createOpenSearchStore } from './services/opensearch_store';

/** Mirrors the schema in server/index.ts (kept free of @osd/config-schema so it type-checks here). */
export interface CirtOperationsConfig {
  enabled: boolean;
  alertsIndexPattern: string;
  autoRefreshSeconds: number;
  webhooks: string[];
  ruleDirs: string[];
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CirtOperationsPluginSetup {}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CirtOperationsPluginStart {}

export class CirtOperationsPlugin implements Plugin<CirtOperationsPluginSetup, CirtOperationsPluginStart> {
  private readonly logger: OsdLogger;
  private config: CirtOperationsConfig | undefined;
  private configSubscription: Subscription | undefined;

  constructor(private readonly initializerContext: PluginInitializerContext<CirtOperationsConfig>) {
    this.logger = initializerContext.logger.get();
  }

  setup(core: CoreSetup): CirtOperationsPluginSetup {
    this.configSubscription = this.initializerContext.config.create<CirtOperationsConfig>().subscribe((c) => {
      this.config = c;
    });
    // The client exists only once core has started; resolve it on first use. The plugin reads and writes with the
    // internal user: access control (roles, the liaison's agency filter) is enforced by the services for every
    // query, from the user OSD's security plugin authenticated (auth/osd_auth.ts maps its roles to ours).
    const store = createOpenSearchStore(async () => (await core.getStartServices())[0].opensearch.client.asInternalUser);
    const services = createServices(store, pluginServiceOptions(this.config));
    const log = { error: (message: string, meta?: Record<string, unknown>) => this.logger.error(message, meta) };
    const resolvePrincipal = (request: unknown) => {
      const auth = core.http.auth.get(request);
      if (auth.status !== 'authenticated') return undefined;
      const state = auth.state as { authInfo?: OsdAuthState } & OsdAuthState | undefined;
      return principalFromOsdAuth(state?.authInfo ?? state);
    };
    registerRoutes(core.http.createRouter(), createRoutes(services, log), resolvePrincipal, this.logger);
    this.logger.debug('cirtOperations: routes registered');
    return {};
  }

  start(_core: CoreStart): CirtOperationsPluginStart {
    return {};
  }

  stop(): void {
    this.configSubscription?.unsubscribe();
    this.configSubscription = undefined;
  }
}

/** The services' options from the plugin's settings (validated by the schema in server/index.ts). */
export function pluginServiceOptions(config: CirtOperationsConfig | undefined): ServiceOptions {
  const ruleDirs = config?.ruleDirs ?? [];
  return {
    indices: { alerts: config?.alertsIndexPattern ?? DEFAULT_ALERTS_INDEX_PATTERN },
    publish: { webhooks: parseWebhooks((config?.webhooks ?? []).join(',')) },
    ...(ruleDirs.length > 0 ? { ruleSource: ruleFileSource(ruleDirs) } : {}),
  };
}
