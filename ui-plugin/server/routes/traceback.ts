// Traceback route: GET /api/cirt/traceback?ip=<address or CIDR>[&from&to]. Thin: parse, call TracebackService
// (which checks the role and scopes both searches), answer.
import { TRACEBACK_PATH } from '../../common/index';
import type { TracebackService } from '../services/traceback_service';
import { consoleLogger, defineRoute, type ErrorLogger, type RouteDefinition } from './route_kit';
import { parseTracebackQuery } from './validation';

export function createTracebackRoutes(service: TracebackService, logger: ErrorLogger = consoleLogger): RouteDefinition[] {
  return [defineRoute('GET', TRACEBACK_PATH, { query: parseTracebackQuery }, ({ query }, p) => service.traceback(query, p), logger)];
}
