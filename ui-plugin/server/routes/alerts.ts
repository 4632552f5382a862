// Alert routes: list/filter, groups of similar alerts, detail, related alerts, triage (single and bulk).
// Thin: parse, call AlertsService (which checks the role and scopes every query), answer.
import { ALERTS_PATH, ALERT_BY_ID_PATH, API_BASE_PATH } from '../../common/index';
import type { AlertsService } from '../services/alerts_service';
import { consoleLogger, defineRoute, type ErrorLogger, type RouteDefinition } from './route_kit';
import { parseAlertIdParams, parseAlertListQuery, parseGroupQuery, parseNoQuery, parseTriageBody } from './validation';

export type { HandlerResult, HandlerRequest, RouteDefinition, RouteHandler } from './route_kit';

export const ALERT_GROUPS_PATH = `${API_BASE_PATH}/alerts/groups`;
export const ALERT_TRIAGE_PATH = `${API_BASE_PATH}/alerts/triage`;
export const ALERT_RELATED_PATH = `${API_BASE_PATH}/alerts/{id}/related`;

export function createAlertRoutes(service: AlertsService, logger: ErrorLogger = consoleLogger): RouteDefinition[] {
  return [
    defineRoute('GET', ALERTS_PATH, { query: parseAlertListQuery }, ({ query }, p) => service.list(query, p), logger),
    // Before {id}: the host matches in order and "groups" would otherwise be taken for an id.
    defineRoute('GET', ALERT_GROUPS_PATH, { query: parseGroupQuery }, ({ query }, p) => service.groups(query, p), logger),
    defineRoute('POST', ALERT_TRIAGE_PATH, { query: parseNoQuery, body: parseTriageBody }, ({ body }, p) => service.triage(body, p), logger),
    defineRoute('GET', ALERT_BY_ID_PATH, { query: parseNoQuery, params: parseAlertIdParams }, ({ params }, p) => service.get(params.id, p), logger),
    defineRoute('GET', ALERT_RELATED_PATH, { query: parseNoQuery, params: parseAlertIdParams }, ({ params }, p) => service.related(params.id, p), logger),
  ];
}
