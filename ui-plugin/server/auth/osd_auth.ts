// Inside OpenSearch Dashboards the signed-in user comes from OSD's auth context (the security plugin fills it;
// `core.http.auth.get(request)` → `{ status, state }`, state = the security plugin's `authInfo`:
// `{ user_name, backend_roles[], roles[] }`). The mapping of OpenSearch security roles / backend roles to ours:
//
//   role or backend role       → our role
//   cirt_lead                  → lead
//   cirt_analyst               → analyst
//   cirt_liaison_<agency>      → liaison of agency <agency> (organization.id)
//
// The strongest wins (lead > analyst > liaison); a user with none of them gets no access (401/403).
import type { Principal } from '../../common/index';

export interface OsdAuthState {
  user_name?: unknown;
  backend_roles?: unknown;
  roles?: unknown;
}

const LIAISON = /^cirt_liaison_([A-Za-z0-9_.:@-]{1,128})$/;

export function principalFromOsdAuth(state: OsdAuthState | undefined | null): Principal | undefined {
  if (!state || typeof state.user_name !== 'string' || state.user_name === '') return undefined;
  const names = [state.roles, state.backend_roles].flatMap((v) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []));
  if (names.includes('cirt_lead')) return { username: state.user_name, role: 'lead' };
  if (names.includes('cirt_analyst')) return { username: state.user_name, role: 'analyst' };
  const agencies = [...new Set(names.map((n) => LIAISON.exec(n)?.[1]).filter((a): a is string => a !== undefined))];
  // A liaison of several agencies would need a multi-agency filter; refuse rather than guess.
  if (agencies.length === 1) return { username: state.user_name, role: 'liaison', agency: agencies[0] as string };
  return undefined;
}

