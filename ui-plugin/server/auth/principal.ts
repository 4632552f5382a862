// Roles and what each may do. Checked on the server for every route (the UI only hides what would be refused).
//   analyst  CIRT analyst: reads everything, triages alerts, works incidents
//   lead     CIRT lead: all an analyst does, plus closing incidents and publishing advisories
//   liaison  agency liaison: reads its own agency's alerts, incidents and advisories, nothing else
// Classification (RSIT) and TLP are set with alerts:triage / incidents:write; LOWERING a TLP marking (declassifying)
// takes tlp:lower (lead).
import type { Principal, Role } from '../../common/index';
import { CirtUiError } from '../errors';

export const PERMISSIONS = {
  'alerts:read': ['analyst', 'lead', 'liaison'],
  'alerts:triage': ['analyst', 'lead'],
  'incidents:read': ['analyst', 'lead', 'liaison'],
  'incidents:write': ['analyst', 'lead'],
  'incidents:close': ['lead'],
  /** Export an incident's evidence bundle (forensics: alerts, raw events, rules, SHA-256 manifest). */
  'evidence:export': ['analyst', 'lead'],
  'advisories:read': ['analyst', 'lead', 'liaison'],
  'advisories:publish': ['lead'],
  'tlp:lower': ['lead'],
  'wall:read': ['analyst', 'lead'],
  'rules:read': ['analyst', 'lead'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

export function can(principal: Principal, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(principal.role);
}

/** Throws ERR_UI_FORBIDDEN. */
export function requirePermission(principal: Principal, permission: Permission): void {
  if (!can(principal, permission)) {
    throw new CirtUiError('ERR_UI_FORBIDDEN', `role ${principal.role} may not ${permission.replace(':', ' ')}`);
  }
}

/** The permissions of a role, for the UI (which hides what the server would refuse anyway). */
export function permissionsOf(role: Role): Permission[] {
  return (Object.keys(PERMISSIONS) as Permission[]).filter((p) => (PERMISSIONS[p] as readonly Role[]).includes(role));
}

/**
 * The agency restriction of a principal as query clauses: [] for CIRT staff, a term filter on `organization.id` for a
 * liaison. EVERY store query of the services goes through `scoped()` (services/scope.ts), which adds these clauses.
 */
export function agencyFilter(principal: Principal): Record<string, unknown>[] {
  if (principal.role !== 'liaison') return [];
  if (!principal.agency) throw new CirtUiError('ERR_UI_FORBIDDEN', 'a liaison without an agency sees nothing');
  return [{ term: { 'organization.id': principal.agency } }];
}

/** Whether an object carrying `organization.id` (string or array) is visible to the principal. */
export function visibleTo(principal: Principal, organizationId: string | string[] | undefined): boolean {
  if (principal.role !== 'liaison') return true;
  const ids = Array.isArray(organizationId) ? organizationId : organizationId === undefined ? [] : [organizationId];
  return principal.agency !== undefined && ids.includes(principal.agency);
}
