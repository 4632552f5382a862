// The whole route table (what the standalone host mounts) and its OSD router adapter.
import type { Principal } from '../../common/index';
import type { IRouter, OsdLogger, OsdResponseFactory, RouteValidationFunction } from '../osd_types';
import type { AdvisoriesService } from '../services/advisories_service';
import type { AlertsService } from '../services/alerts_service';
import type { EvidenceService } from '../services/evidence_service';
import type { IncidentsService } from '../services/incidents_service';
import type { TracebackService } from '../services/traceback_service';
import type { WallService } from '../services/wall_service';
import { createAlertRoutes } from './alerts';
import { createEvidenceRoutes } from './evidence';
import { createIncidentRoutes } from './incidents';
import { consoleLogger, type ErrorLogger, type HandlerResult, type RouteDefinition } from './route_kit';
import { createTracebackRoutes } from './traceback';
import { createWallRoutes } from './wall';

export interface Services {
  alerts: AlertsService;
  incidents: IncidentsService;
  advisories: AdvisoriesService;
  wall: WallService;
  evidence: EvidenceService;
  traceback: TracebackService;
}

export function createRoutes(services: Services, logger: ErrorLogger = consoleLogger): RouteDefinition[] {
  return [...createAlertRoutes(services.alerts, logger), ...createIncidentRoutes(services.incidents, services.advisories, logger), ...createEvidenceRoutes(services.evidence, logger), ...createWallRoutes(services.wall, logger), ...createTracebackRoutes(services.traceback, logger)];
}

/** Wraps a throwing parser as an OSD route validation function (OSD answers 400 with the message). */
function osdValidation<T>(parse: (raw: unknown) => T): RouteValidationFunction<T> {
  return (data, result) => {
    try {
      return result.ok(parse(data));
    } catch (err) {
      return result.badRequest(err instanceof Error ? err.message : String(err));
    }
  };
}

export function toOsdResponse(res: OsdResponseFactory, result: HandlerResult) {
  if (result.status < 400) {
    const headers = { ...(result.headers ?? {}), ...(result.contentType ? { 'content-type': result.contentType } : {}) };
    return res.custom({ statusCode: result.status, body: result.body as Record<string, unknown>, ...(Object.keys(headers).length ? { headers } : {}) });
  }
  const body = result.body as { message?: string; code?: string };
  return res.customError({ statusCode: result.status, body: { message: body.message ?? 'error', attributes: { code: body.code } } });
}

/**
 * Registers the routes on an OSD router. `validate` runs the same strict parsers as the handlers (OSD passes no
 * query/params/body at all to a route without validation). The principal comes from OSD's auth context
 * (`resolvePrincipal`, see auth/osd_auth.ts); OSD itself enforces its `osd-xsrf` header on every non-GET request.
 */
export function registerRoutes(router: IRouter, routes: RouteDefinition[], resolvePrincipal: (request: unknown) => Principal | undefined, _logger?: OsdLogger): void {
  for (const route of routes) {
    const validate: { query?: RouteValidationFunction<unknown>; params?: RouteValidationFunction<unknown>; body?: RouteValidationFunction<unknown> } = {};
    if (route.validate.query) validate.query = osdValidation(route.validate.query);
    if (route.validate.params) validate.params = osdValidation(route.validate.params);
    if (route.validate.body) validate.body = osdValidation(route.validate.body);
    const register = route.method === 'GET' ? router.get.bind(router) : router.post.bind(router);
    register({ path: route.path, validate }, async (_context, request, response) => {
      const principal = resolvePrincipal(request);
      return toOsdResponse(response, await route.handler({ query: request.query, params: request.params, body: request.body, ...(principal ? { principal } : {}) }));
    });
  }
}

/** Only the alert routes on an OSD router (kept for callers and tests of the first slice). */
export function registerAlertRoutes(router: IRouter, service: AlertsService, resolvePrincipal: (request: unknown) => Principal | undefined, logger?: OsdLogger): void {
  registerRoutes(router, createAlertRoutes(service, logger), resolvePrincipal, logger);
}
