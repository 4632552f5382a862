import { CirtOperationsPublicPlugin } from './plugin';
import type { PluginInitializerContext } from './osd_types';

export function plugin(initializerContext: PluginInitializerContext) {
  return new CirtOperationsPublicPlugin(initializerContext);
}

export type { CirtOperationsPublicSetup, CirtOperationsPublicStart } from './plugin';
