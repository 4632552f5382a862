// renderApp: mounts the operations room into the element OSD (or the standalone page) gives us.
// React itself is passed in as a mounter: OSD 2.19 provides React 16 (ReactDOM.render), the standalone host
// bundles React 19 (createRoot); the components use only APIs both have.
import React from 'react';
import type { AlertsApi } from './api.ts';
import { AlertList } from './components/alert_list.tsx';
import type { AppMountParameters, AppUnmount } from './osd_types.ts';
import { PLUGIN_NAME } from '../common/index.ts';
import './application.css';

export interface AppServices {
  api: AlertsApi;
  refreshMs: number;
}

export type ReactMounter = (node: React.ReactNode, element: HTMLElement) => AppUnmount;

export function OperationsRoomApp({ services }: { services: AppServices }) {
  return (
    <main className="cirt-app">
      <header className="cirt-header">
        <h1>{PLUGIN_NAME}</h1>
      </header>
      <AlertList api={services.api} refreshMs={services.refreshMs} />
    </main>
  );
}

export function renderApp(params: Pick<AppMountParameters, 'element'>, services: AppServices, mount: ReactMounter): AppUnmount {
  return mount(<OperationsRoomApp services={services} />, params.element);
}
