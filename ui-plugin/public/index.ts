import { CirtOperationsPublicPlugin } from './plugin.ts';
import type { PluginInitializerContext } from './osd_types.ts';

export function plugin(initializerContext: PluginInitializerContext) {
  return new CirtOperationsPublicPlugin(initializerContext);
}

export type { CirtOperationsPublicSetup, CirtOperationsPublicStart } from './plugin.ts';
