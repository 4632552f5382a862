import { schema, type TypeOf } from '@osd/config-schema';
import { AUTO_REFRESH_MS, DEFAULT_ALERTS_INDEX_PATTERN } from '../common/index';
import type { PluginInitializerContext } from './osd_types';
import { CirtOperationsPlugin, type CirtOperationsConfig } from './plugin';

// opensearch_dashboards.yml: cirt_operations.alertsIndexPattern, cirt_operations.autoRefreshSeconds
const configSchema = schema.object({
  enabled: schema.boolean({ defaultValue: true }),
  alertsIndexPattern: schema.string({ defaultValue: DEFAULT_ALERTS_INDEX_PATTERN, minLength: 1, maxLength: 255 }),
  autoRefreshSeconds: schema.number({ defaultValue: AUTO_REFRESH_MS / 1000, min: 2, max: 3600 }),
});

export type CirtOperationsConfigType = TypeOf<typeof configSchema>;
// The schema and the plugin's config interface must not drift apart.
const _sameShape: CirtOperationsConfig = {} as CirtOperationsConfigType;
void _sameShape;

export const config = {
  schema: configSchema,
  exposeToBrowser: { autoRefreshSeconds: true },
};

export function plugin(initializerContext: PluginInitializerContext<CirtOperationsConfig>) {
  return new CirtOperationsPlugin(initializerContext);
}

export type { CirtOperationsPluginSetup, CirtOperationsPluginStart } from './plugin';
