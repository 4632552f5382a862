import { AUTO_REFRESH_MS, PLUGIN_ID, PLUGIN_NAME } from '../common/index';
import { createApi, osdHttp } from './api';
import type { AppCategory, AppMountParameters, CoreSetup, PluginInitializerContext } from './osd_types';

const CIRT_CATEGORY: AppCategory = { id: 'cirt', label: 'CIRT', order: 1000, euiIconType: 'securityApp' };

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CirtOperationsPublicSetup {}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CirtOperationsPublicStart {}

export class CirtOperationsPublicPlugin {
  constructor(private readonly initializerContext: PluginInitializerContext) {}

  setup(core: CoreSetup): CirtOperationsPublicSetup {
    const seconds = this.initializerContext.config.get<{ autoRefreshSeconds?: number }>().autoRefreshSeconds;
    const refreshMs = typeof seconds === 'number' && seconds > 0 ? seconds * 1000 : AUTO_REFRESH_MS;
    core.application.register({
      id: PLUGIN_ID,
      title: PLUGIN_NAME,
      category: CIRT_CATEGORY,
      order: 1000,
      mount: async (params: AppMountParameters) => {
        // Lazy: the application code is only fetched when the operator opens the app.
        const [{ renderApp }, { legacyMounter }, [coreStart]] = await Promise.all([
          import('./application'),
          import('./react_mount'),
          core.getStartServices(),
        ]);
        return renderApp(params, { api: createApi(osdHttp(coreStart.http)), refreshMs, standalone: false }, legacyMounter);
      },
    });
    return {};
  }

  start(): CirtOperationsPublicStart {
    return {};
  }

  stop(): void {}
}
