// The agency restriction, applied in ONE place: every store query of every service is built as
// `scoped(principal, query)`, which adds the liaison's `organization.id` term filter (nothing for CIRT staff).
// services.test.ts runs every route as a liaison against a recording store and checks each query carries it.
import type { Principal } from '../../common/index';
import { agencyFilter } from '../auth/principal';

export function scoped(principal: Principal, query: Record<string, unknown> | undefined): Record<string, unknown> {
  const restriction = agencyFilter(principal);
  if (restriction.length === 0) return query ?? { match_all: {} };
  return { bool: { filter: [...restriction, ...(query ? [query] : [])] } };
}

/** `{ bool: { filter, must } }` from clause lists, or match_all when both are empty. */
export function boolQuery(filter: Record<string, unknown>[], must: Record<string, unknown>[] = [], mustNot: Record<string, unknown>[] = []): Record<string, unknown> {
  if (filter.length === 0 && must.length === 0 && mustNot.length === 0) return { match_all: {} };
  const bool: Record<string, unknown> = { filter, must };
  if (mustNot.length > 0) bool.must_not = mustNot;
  return { bool };
}
