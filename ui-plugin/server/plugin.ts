import { DEFAULT_ALERTS_INDEX_PATTERN } from '../common/index.ts';
import type { CoreSetup, CoreStart, OsdLogger, Plugin, PluginInitializerContext, Subscription } from './osd_types.ts';
import { registerAlertRoutes } from './routes/alerts.ts';
import { AlertsService } from './services/alerts_service.ts';
import { createOpenSearchStore } from './services/opensearch_store.ts';

/** Mirrors the schema in server/index.ts (kept free of @osd/config-schema so it type-checks here). */
export interface CirtOperationsConfig {
  enabled: boolean;
  alertsIndexPattern: string;
  autoRefreshSeconds: number;
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
    // The client exists only once core has started; resolve it on first use.
    // TODO(RBAC issue): query as the signed-in user (asScoped(request).asCurrentUser) once roles are mapped.
    const store = createOpenSearchStore(async () => (await core.getStartServices())[0].opensearch.client.asInternalUser);
    const service = new AlertsService(store, () => this.config?.alertsIndexPattern ?? DEFAULT_ALERTS_INDEX_PATTERN);
    registerAlertRoutes(core.http.createRouter(), service, this.logger);
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
