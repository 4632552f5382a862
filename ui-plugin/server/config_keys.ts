// The plugin's settings in opensearch_dashboards.yml (under `cirt_operations.`): type, default, range and meaning in
// one place. server/index.ts builds the @osd/config-schema from them; scripts/config-docs.ts documents them.
import { AUTO_REFRESH_MS, DEFAULT_ALERTS_INDEX_PATTERN } from '../common/index';

export const OSD_CONFIG_PREFIX = 'cirt_operations';

export const OSD_CONFIG_KEYS = {
  enabled: { type: 'boolean', default: true, description: 'Load the plugin.' },
  alertsIndexPattern: {
    type: 'string',
    default: DEFAULT_ALERTS_INDEX_PATTERN,
    minLength: 1,
    maxLength: 255,
    description: 'Index pattern where the indexer writes the alerts.',
  },
  autoRefreshSeconds: {
    type: 'number',
    default: AUTO_REFRESH_MS / 1000,
    minimum: 2,
    maximum: 3600,
    description: 'How often the queue and the wall refresh (exposed to the browser).',
  },
  webhooks: {
    type: 'array',
    items: { type: 'string' },
    default: [],
    description: 'Advisory webhooks, each `<url>` or `<url> <TLP clearance>` (CLEAR, GREEN, AMBER, AMBER+STRICT, RED; default CLEAR): each gets the published advisories its clearance allows.',
  },
  ruleDirs: {
    type: 'array',
    items: { type: 'string' },
    default: [],
    description: 'Rule directories (the detector\'s): evidence bundles include the exact text of each rule that fired, by the SHA-256 its alerts recorded. Empty: bundles say the rule text was not available.',
  },
} as const;
