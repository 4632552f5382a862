// Wall, rule health and the session route (who am I, what may I do).
import { API_BASE_PATH, HONEYPOTS_PATH, SESSION_PATH } from '../../common/index';
import { permissionsOf } from '../auth/principal';
import type { WallService } from '../services/wall_service';
import { consoleLogger, defineRoute, type ErrorLogger, type RouteDefinition } from './route_kit';
import { parseHoneypotsQuery, parseNoQuery, parseRuleHealthQuery, parseWallQuery } from './validation';

export const WALL_PATH = `${API_BASE_PATH}/wall`;
export const RULE_HEALTH_PATH = `${API_BASE_PATH}/rules/health`;

export function createWallRoutes(wall: WallService, logger: ErrorLogger = consoleLogger): RouteDefinition[] {
  return [
    defineRoute('GET', SESSION_PATH, { query: parseNoQuery }, async (_input, p) => ({ username: p.username, role: p.role, ...(p.agency ? { agency: p.agency } : {}), permissions: permissionsOf(p.role) }), logger),
    defineRoute('GET', WALL_PATH, { query: parseWallQuery }, ({ query }, p) => wall.wall(query.minutes, p), logger),
    defineRoute('GET', HONEYPOTS_PATH, { query: parseHoneypotsQuery }, ({ query }, p) => wall.honeypots(query.hours, query.size, p), logger),
    defineRoute('GET', RULE_HEALTH_PATH, { query: parseRuleHealthQuery }, ({ query }, p) => wall.ruleHealth(query.days, query.silentDays, p), logger),
  ];
}
