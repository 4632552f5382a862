// Shared by server/ and public/: ids, paths and the few types both sides need.
// Imports from the rest of the repository are TYPE-ONLY (DESIGN.md: ui-plugin may import proto "types only"):
// type imports are erased by babel/esbuild, so the plugin still builds when dropped alone into OSD's plugins/.
import type { Alert, Severity } from '../../proto/ecs.ts';

export type { Alert, Severity };

export const PLUGIN_ID = 'cirtOperations';
export const PLUGIN_NAME = 'CIRT operations room';

/** Base of every HTTP route of the plugin (server and standalone host). */
export const API_BASE_PATH = '/api/cirt';
export const ALERTS_PATH = `${API_BASE_PATH}/alerts`;
export const ALERT_BY_ID_PATH = `${API_BASE_PATH}/alerts/{id}`;
export const HEALTH_PATH = `${API_BASE_PATH}/health`;

/** Index pattern the alerts are read from (the indexer writes alerts-YYYY.MM.DD). */
export const DEFAULT_ALERTS_INDEX_PATTERN = 'alerts-*';

export const PAGE_SIZE = { min: 1, max: 500, default: 50 } as const;
/** OpenSearch's default index.max_result_window: from + size may not exceed it. */
export const MAX_RESULT_WINDOW = 10_000;
export const AUTO_REFRESH_MS = 10_000;

/**
 * The severities, lowest first. A local copy of proto/ecs.ts SEVERITIES (a value import would tie the plugin's
 * build to files outside its folder); `common/index.test.ts` checks the two stay equal, and the type below
 * fails compilation if a Severity is missing here.
 */
export const SEVERITY_LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const satisfies readonly Severity[];
type MissingSeverity = Exclude<Severity, (typeof SEVERITY_LEVELS)[number]>;
const _allSeveritiesListed: MissingSeverity extends never ? true : never = true;
void _allSeveritiesListed;

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITY_LEVELS as readonly string[]).includes(value);
}

/** GET /api/cirt/alerts answer. */
export interface AlertListResponse {
  total: number;
  alerts: Alert[];
}

/** Body of every 4xx/5xx answer of the plugin's routes. */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
}
