// GET /api/cirt/incidents/{id}/evidence.tar: the incident's evidence bundle as a download. The service checks the
// role (evidence:export), holds the raw events not held yet and audits the export with the manifest's SHA-256,
// which the answer also carries in a header (compare it with `cirt evidence verify --expect`).
import { API_BASE_PATH } from '../../common/index';
import type { EvidenceService } from '../services/evidence_service';
import { consoleLogger, defineRoute, result, type ErrorLogger, type RouteDefinition } from './route_kit';
import { parseIdParams, parseNoQuery } from './validation';

export const INCIDENT_EVIDENCE_PATH = `${API_BASE_PATH}/incidents/{id}/evidence.tar`;
export const MANIFEST_DIGEST_HEADER = 'x-cirt-manifest-sha256';

export function createEvidenceRoutes(evidence: EvidenceService, logger: ErrorLogger = consoleLogger): RouteDefinition[] {
  return [
    defineRoute(
      'GET',
      INCIDENT_EVIDENCE_PATH,
      { query: parseNoQuery, params: parseIdParams },
      async ({ params }, p) => {
        const bundle = await evidence.export(params.id, p);
        return result(200, bundle.tar, {
          contentType: 'application/x-tar',
          headers: { 'content-disposition': `attachment; filename="${bundle.fileName}"`, [MANIFEST_DIGEST_HEADER]: bundle.manifestDigest },
        });
      },
      logger,
    ),
  ];
}
