import { schema, type TypeOf } from '@osd/config-schema';
import { OSD_CONFIG_KEYS as K } from './config_keys';
import type { PluginInitializerContext } from './osd_types';
import { CirtOperationsPlugin, type CirtOperationsConfig } from './plugin';
import { webhookEntryError } from './services/advisories_service';

// opensearch_dashboards.yml: cirt_operations.alertsIndexPattern, .autoRefreshSeconds, .webhooks, .ruleDirs (see config_keys.ts)
const configSchema = schema.object({
  enabled: schema.boolean({ defaultValue: K.enabled.default }),
  alertsIndexPattern: schema.string({ defaultValue: K.alertsIndexPattern.default, minLength: K.alertsIndexPattern.minLength, maxLength: K.alertsIndexPattern.maxLength }),
  autoRefreshSeconds: schema.number({ defaultValue: K.autoRefreshSeconds.default, min: K.autoRefreshSeconds.minimum, max: K.autoRefreshSeconds.maximum }),
  webhooks: schema.arrayOf(schema.string({ validate: webhookEntryError }), { defaultValue: [] }),
  ruleDirs: schema.arrayOf(schema.string({ minLength: 1 }), { defaultValue: [] }),
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
