// Wires the services over one store: what the OSD plugin and the standalone host both call.
import type { Services } from '../routes/index';
import { AdvisoriesService, DEFAULT_PUBLISH_OPTIONS, type PublishOptions } from './advisories_service';
import { AlertsService } from './alerts_service';
import { AuditService } from './audit_service';
import { EvidenceService, type RuleSource } from './evidence_service';
import { IncidentsService } from './incidents_service';
import { DEFAULT_INDEX_NAMES, type DocStore, type IndexNames } from './store';
import { TracebackService } from './traceback_service';
import { WallService } from './wall_service';

export interface ServiceOptions {
  indices?: Partial<IndexNames>;
  publish?: Partial<PublishOptions>;
  now?: () => Date;
  /** Named in every evidence manifest (the plugin's id and version). */
  tool?: { name: string; version: string };
  /** Where the evidence export finds the exact text of a rule that fired (none: the alerts' record of it). */
  ruleSource?: RuleSource;
}

export const DEFAULT_TOOL = { name: 'cirt-operations', version: '1.0.0' };

export function createServices(store: DocStore, options: ServiceOptions = {}): Services & { audit: AuditService; indices: IndexNames } {
  const indices: IndexNames = { ...DEFAULT_INDEX_NAMES, ...options.indices };
  const now = options.now ?? (() => new Date());
  const audit = new AuditService(store, indices.auditPrefix, now);
  const alerts = new AlertsService(store, () => indices.alerts, audit, now);
  // The incident links its alerts, then the evidence hold copies their raw events (the two reference each other).
  const incidents: IncidentsService = new IncidentsService(store, indices.incidents, alerts, audit, now, (id, linked, p) => evidence.hold(id, linked, p));
  const evidence: EvidenceService = new EvidenceService(store, incidents, alerts, audit, { events: indices.events, heldEvents: indices.heldEvents, tool: options.tool ?? DEFAULT_TOOL, ...(options.ruleSource ? { ruleSource: options.ruleSource } : {}) }, now);
  const advisories = new AdvisoriesService(store, indices.advisories, incidents, alerts, audit, { ...DEFAULT_PUBLISH_OPTIONS, ...options.publish }, now);
  const wall = new WallService(store, { alerts: indices.alerts, events: indices.events }, now);
  const traceback = new TracebackService(store, { alerts: indices.alerts, events: indices.events });
  return { alerts, incidents, advisories, wall, evidence, traceback, audit, indices };
}
