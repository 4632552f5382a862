// Mounting under OSD 2.19, whose shared React is 16.x: ReactDOM.render / unmountComponentAtNode.
// (This repository's type packages are React 19, where those two are gone, hence the narrow local type.)
import * as ReactDOM from 'react-dom';
import type { ReactMounter } from './application';

interface LegacyReactDom {
  render(node: unknown, element: HTMLElement): void;
  unmountComponentAtNode(element: HTMLElement): boolean;
}

export const legacyMounter: ReactMounter = (node, element) => {
  const dom = ReactDOM as unknown as LegacyReactDom;
  dom.render(node, element);
  return () => {
    dom.unmountComponentAtNode(element);
  };
};
