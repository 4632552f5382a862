// Style sheets are imported for their side effect; OSD's webpack and the standalone host's esbuild bundle them.
declare module '*.css';
