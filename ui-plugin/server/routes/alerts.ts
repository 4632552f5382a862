// The alert routes as plain handlers `(request) => Promise<{status, body}>`, mounted both by the OSD router
// adapter (registerAlertRoutes) and by the standalone host (ALERT_ROUTES). Handlers stay thin: validate, call the
// service, map errors in one place.
import { ALERTS_PATH, ALERT_BY_ID_PATH } from '../../common/index.ts';
import type { IRouter, OsdLogger, OsdResponseFactory, RouteValidationFunction } from '../osd_types.ts';
import type { AlertsService } from '../services/alerts_service.ts';
import { toErrorResult, type ErrorLogger, type HandlerResult } from './error_mapper.ts';
import { parseAlertIdParams, parseAlertListQuery } from './validation.ts';

export type { HandlerResult };

export interface HandlerRequest {
  query?: unknown;
  params?: unknown;
  body?: unknown;
}

export type RouteHandler = (request: HandlerRequest) => Promise<HandlerResult>;

export interface RouteDefinition {
  method: 'GET';
  /** OSD path syntax: `{name}` is a path parameter. */
  path: string;
  validate: { query?: (raw: unknown) => unknown; params?: (raw: unknown) => unknown };
  handler: RouteHandler;
}

const consoleLogger: ErrorLogger = { error: (message, meta) => console.error(JSON.stringify({ level: 'error', message, ...meta })) };

export function createAlertRoutes(service: AlertsService, logger: ErrorLogger = consoleLogger): RouteDefinition[] {
  const listAlerts: RouteHandler = async (request) => {
    try {
      return { status: 200, body: await service.list(parseAlertListQuery(request.query)) };
    } catch (err) {
      return toErrorResult(err, logger, `GET ${ALERTS_PATH}`);
    }
  };
  const getAlert: RouteHandler = async (request) => {
    try {
      const { id } = parseAlertIdParams(request.params);
      return { status: 200, body: await service.get(id) };
    } catch (err) {
      return toErrorResult(err, logger, `GET ${ALERT_BY_ID_PATH}`);
    }
  };
  return [
    { method: 'GET', path: ALERTS_PATH, validate: { query: parseAlertListQuery }, handler: listAlerts },
    { method: 'GET', path: ALERT_BY_ID_PATH, validate: { params: parseAlertIdParams }, handler: getAlert },
  ];
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

function toOsdResponse(res: OsdResponseFactory, result: HandlerResult) {
  if (result.status < 400) return res.custom({ statusCode: result.status, body: result.body as Record<string, unknown> });
  const body = result.body as { message?: string; code?: string };
  return res.customError({ statusCode: result.status, body: { message: body.message ?? 'error', attributes: { code: body.code } } });
}

/**
 * Registers the alert routes on an OSD router. `validate` runs the same strict parsers as the handlers (OSD passes
 * no query/params at all to a route without validation), then the shared handler answers.
 */
export function registerAlertRoutes(router: IRouter, service: AlertsService, logger?: OsdLogger): void {
  for (const route of createAlertRoutes(service, logger)) {
    const validate: { query?: RouteValidationFunction<unknown>; params?: RouteValidationFunction<unknown> } = {};
    if (route.validate.query) validate.query = osdValidation(route.validate.query);
    if (route.validate.params) validate.params = osdValidation(route.validate.params);
    router.get({ path: route.path, validate }, async (_context, request, response) =>
      toOsdResponse(response, await route.handler({ query: request.query, params: request.params, body: request.body })),
    );
  }
}
