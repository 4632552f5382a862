// Incident and advisory routes. Thin: parse, call the service (role checks + agency scoping live there), answer.
import { API_BASE_PATH } from '../../common/index';
import { CirtUiError } from '../errors';
import type { AdvisoriesService } from '../services/advisories_service';
import type { IncidentsService } from '../services/incidents_service';
import { consoleLogger, defineRoute, result, type ErrorLogger, type RouteDefinition } from './route_kit';
import { parseAdvisoryCreate, parseIdParams, parseIncidentChange, parseIncidentCreate, parseIncidentListQuery, parseNoQuery } from './validation';

export const INCIDENTS_PATH = `${API_BASE_PATH}/incidents`;
export const INCIDENT_BY_ID_PATH = `${API_BASE_PATH}/incidents/{id}`;
export const INCIDENT_ADVISORIES_PATH = `${API_BASE_PATH}/incidents/{id}/advisories`;
export const ADVISORIES_PATH = `${API_BASE_PATH}/advisories`;
export const ADVISORY_CAP_PATH = `${API_BASE_PATH}/advisories/{id}/cap.xml`;
export const ADVISORY_STIX_PATH = `${API_BASE_PATH}/advisories/{id}/stix.json`;

const INCIDENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

function parseAdvisoryListQuery(raw: unknown): { incident?: string } {
  const input = (raw ?? {}) as Record<string, unknown>;
  if (typeof input !== 'object' || Array.isArray(input)) throw new CirtUiError('ERR_UI_VALIDATION', '[query]: expected an object');
  for (const key of Object.keys(input)) if (key !== 'incident') throw new CirtUiError('ERR_UI_VALIDATION', `[${key.slice(0, 64)}]: unknown query parameter (allowed: incident)`);
  if (input.incident === undefined) return {};
  if (typeof input.incident !== 'string' || !INCIDENT_ID.test(input.incident)) throw new CirtUiError('ERR_UI_VALIDATION', '[incident]: expected an incident id');
  return { incident: input.incident };
}

function attachment(name: string): Record<string, string> {
  return { 'content-disposition': `attachment; filename="${name}"` };
}

export function createIncidentRoutes(incidents: IncidentsService, advisories: AdvisoriesService, logger: ErrorLogger = consoleLogger): RouteDefinition[] {
  return [
    defineRoute('GET', INCIDENTS_PATH, { query: parseIncidentListQuery }, ({ query }, p) => incidents.list(query, p), logger),
    defineRoute('POST', INCIDENTS_PATH, { query: parseNoQuery, body: parseIncidentCreate }, async ({ body }, p) => result(201, await incidents.create(body, p)), logger),
    defineRoute('GET', INCIDENT_BY_ID_PATH, { query: parseNoQuery, params: parseIdParams }, ({ params }, p) => incidents.get(params.id, p), logger),
    defineRoute('POST', INCIDENT_BY_ID_PATH, { query: parseNoQuery, params: parseIdParams, body: parseIncidentChange }, ({ params, body }, p) => incidents.change(params.id, body, p), logger),
    defineRoute(
      'POST',
      INCIDENT_ADVISORIES_PATH,
      { query: parseNoQuery, params: parseIdParams, body: parseAdvisoryCreate },
      async ({ params, body }, p) => result(201, await advisories.publish(params.id, body, p)),
      logger,
    ),
    defineRoute('GET', ADVISORIES_PATH, { query: parseAdvisoryListQuery }, ({ query }, p) => advisories.list(p, query.incident), logger),
    defineRoute(
      'GET',
      ADVISORY_CAP_PATH,
      { query: parseNoQuery, params: parseIdParams },
      async ({ params }, p) => result(200, (await advisories.get(params.id, p)).cap_xml, { contentType: 'application/xml; charset=utf-8', headers: attachment(`advisory-${params.id}.cap.xml`) }),
      logger,
    ),
    defineRoute(
      'GET',
      ADVISORY_STIX_PATH,
      { query: parseNoQuery, params: parseIdParams },
      async ({ params }, p) =>
        result(200, JSON.stringify((await advisories.get(params.id, p)).stix_bundle, null, 2), { contentType: 'application/json; charset=utf-8', headers: attachment(`advisory-${params.id}.stix.json`) }),
      logger,
    ),
  ];
}
