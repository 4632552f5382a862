// renderApp: mounts the operations room into the element OSD (or the standalone page) gives us.
// React itself is passed in as a mounter: OSD 2.19 provides React 16 (ReactDOM.render), the standalone host
// bundles React 19 (createRoot); the components use only APIs both have.
// Views (hash routes): #/queue, #/alerts/<id>, #/incidents, #/incidents/<id>, #/wall, #/kiosk (wall full screen), #/rules,
// #/traceback[/<ip or CIDR>].
import React from 'react';
import type { Api, SessionInfo } from './api';
import { ApiRequestError } from './api';
import { AlertQueue } from './components/alert_queue';
import { IncidentDetail, IncidentList } from './components/incidents';
import { Login } from './components/login';
import { Traceback } from './components/traceback';
import { RuleHealthView, Wall } from './components/wall';
import type { AppMountParameters, AppUnmount } from './osd_types';
import { PLUGIN_NAME } from '../common/index';
import './application.css';

export interface AppServices {
  api: Api;
  refreshMs: number;
  /** Standalone host: show the sign-in form when there is no session (OSD signs users in itself). */
  standalone: boolean;
}

export type ReactMounter = (node: React.ReactNode, element: HTMLElement) => AppUnmount;

export interface Route {
  view: 'queue' | 'incidents' | 'incident' | 'wall' | 'kiosk' | 'rules' | 'traceback';
  id?: string;
}

export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const [head, id] = parts;
  const decoded = id ? safeDecode(id) : undefined;
  switch (head) {
    case 'alerts':
      return decoded ? { view: 'queue', id: decoded } : { view: 'queue' };
    case 'incidents':
      return decoded ? { view: 'incident', id: decoded } : { view: 'incidents' };
    case 'wall':
    case 'kiosk':
    case 'rules':
      return { view: head };
    case 'traceback': {
      // a CIDR block may arrive with its slash unencoded (#/traceback/10.1.0.0/16)
      const target = parts.length > 1 ? safeDecode(parts.slice(1).join('/')) : undefined;
      return target ? { view: 'traceback', id: target } : { view: 'traceback' };
    }
    default:
      return { view: 'queue' };
  }
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

function useHashRoute(): [Route, (hash: string) => void] {
  const [hash, setHash] = React.useState(() => window.location.hash);
  React.useEffect(() => {
    const on = () => setHash(window.location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  const navigate = React.useCallback((h: string) => {
    window.location.hash = h;
    setHash(h);
  }, []);
  return [parseHash(hash), navigate];
}

const NAV: [Route['view'], string, string, string | undefined][] = [
  ['queue', '#/queue', 'Alert queue', 'alerts:read'],
  ['incidents', '#/incidents', 'Incidents', 'incidents:read'],
  ['wall', '#/wall', 'Wall', 'wall:read'],
  ['rules', '#/rules', 'Rule health', 'rules:read'],
  ['traceback', '#/traceback', 'Traceback', 'alerts:read'],
];

export function OperationsRoomApp({ services }: { services: AppServices }) {
  const { api, refreshMs } = services;
  const [session, setSession] = React.useState<SessionInfo | null | undefined>(undefined);
  const [error, setError] = React.useState<string | undefined>();
  const [route, navigate] = useHashRoute();

  React.useEffect(() => {
    let cancelled = false;
    api.session().then(
      (s) => {
        api.http.setCsrfToken?.(s.csrfToken);
        if (!cancelled) setSession(s);
      },
      (err: unknown) => {
        if (cancelled) return;
        if (err instanceof ApiRequestError && err.status === 401) setSession(null);
        else setError(err instanceof Error ? err.message : String(err));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api]);

  const kiosk = route.view === 'kiosk';
  let body: React.ReactNode;
  if (error) body = <p className="cirt-error">could not reach the operations room: {error}</p>;
  else if (session === undefined) body = <p>loading…</p>;
  else if (session === null) body = services.standalone ? <Login api={api} onLogin={setSession} /> : <p className="cirt-error">Your account has no CIRT role (cirt_analyst, cirt_lead or cirt_liaison_&lt;agency&gt;).</p>;
  else {
    const may = (p: string | undefined) => p === undefined || session.permissions.includes(p);
    switch (route.view) {
      case 'incidents':
        body = <IncidentList api={api} refreshMs={refreshMs} navigate={navigate} />;
        break;
      case 'incident':
        body = <IncidentDetail api={api} session={session} id={route.id as string} navigate={navigate} />;
        break;
      case 'wall':
      case 'kiosk':
        body = may('wall:read') ? <Wall api={api} refreshMs={refreshMs} /> : <p className="cirt-error">the wall is for CIRT staff</p>;
        break;
      case 'rules':
        body = may('rules:read') ? <RuleHealthView api={api} refreshMs={refreshMs * 6} /> : <p className="cirt-error">rule health is for CIRT staff</p>;
        break;
      case 'traceback':
        body = <Traceback api={api} navigate={navigate} {...(route.id ? { ip: route.id } : {})} />;
        break;
      default:
        body = <AlertQueue api={api} session={session} refreshMs={refreshMs} navigate={navigate} {...(route.id ? { openAlertId: route.id } : {})} />;
    }
  }

  return (
    <main className={kiosk ? 'cirt-app cirt-app--kiosk' : 'cirt-app'}>
      {!kiosk && (
        <header className="cirt-header">
          <h1>{PLUGIN_NAME}</h1>
          {session && (
            <nav className="cirt-nav" aria-label="Views">
              {NAV.filter(([, , , p]) => p === undefined || session.permissions.includes(p)).map(([view, href, label]) => (
                <a key={view} href={href} className={route.view === view || (view === 'incidents' && route.view === 'incident') ? 'cirt-nav-item cirt-nav-item--active' : 'cirt-nav-item'}>
                  {label}
                </a>
              ))}
              {session.permissions.includes('wall:read') && (
                <a href="#/kiosk" className="cirt-nav-item">
                  Kiosk
                </a>
              )}
            </nav>
          )}
          {session && (
            <span className="cirt-user">
              {session.username} · {session.role}
              {session.agency ? ` (${session.agency})` : ''}
              {services.standalone && (
                <button
                  type="button"
                  className="cirt-link"
                  onClick={() =>
                    void api.logout().finally(() => {
                      setSession(null);
                      navigate('#/queue');
                    })
                  }
                >
                  sign out
                </button>
              )}
            </span>
          )}
        </header>
      )}
      {body}
    </main>
  );
}

export function renderApp(params: Pick<AppMountParameters, 'element'>, services: AppServices, mount: ReactMounter): AppUnmount {
  return mount(<OperationsRoomApp services={services} />, params.element);
}
