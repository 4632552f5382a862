// Entry of the standalone host's bundle: the same application, outside OSD, on React 19's createRoot.
import { createRoot } from 'react-dom/client';
import { AUTO_REFRESH_MS } from '../common/index';
import { createApi, fetchHttp } from './api';
import { renderApp } from './application';
import './standalone.css';

const element = document.getElementById('cirt-root');
if (!element) throw new Error('cirt operations room: #cirt-root is missing from the page');

renderApp({ element }, { api: createApi(fetchHttp()), refreshMs: AUTO_REFRESH_MS, standalone: true }, (node, el) => {
  const root = createRoot(el);
  root.render(node);
  return () => root.unmount();
});
