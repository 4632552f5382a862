// Loads data now and every `refreshMs` (0: once), skipping a tick while a request is still running.
import React from 'react';

export type PollState<T> = { kind: 'loading' } | { kind: 'ready'; data: T; at: Date } | { kind: 'error'; message: string; previous?: T };

export function usePoll<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[], refreshMs: number): [PollState<T>, () => void] {
  const [state, setState] = React.useState<PollState<T>>({ kind: 'loading' });
  const [tick, setTick] = React.useState(0);
  const inFlight = React.useRef(false);
  React.useEffect(() => {
    let cancelled = false;
    const controller = new AbortController();
    const run = async () => {
      if (inFlight.current) return;
      inFlight.current = true;
      try {
        const data = await load(controller.signal);
        if (!cancelled) setState({ kind: 'ready', data, at: new Date() });
      } catch (err) {
        if (cancelled) return;
        const message = err instanceof Error ? err.message : String(err);
        setState((prev) => ({ kind: 'error', message, previous: prev.kind === 'ready' ? prev.data : prev.kind === 'error' ? prev.previous : undefined }));
      } finally {
        inFlight.current = false;
      }
    };
    void run();
    const timer = refreshMs > 0 ? setInterval(() => void run(), refreshMs) : undefined;
    return () => {
      cancelled = true;
      controller.abort();
      inFlight.current = false;
      if (timer !== undefined) clearInterval(timer);
    };
  }, [...deps, refreshMs, tick]);
  return [state, () => setTick((t) => t + 1)];
}

export function shown<T>(state: PollState<T>): T | undefined {
  return state.kind === 'ready' ? state.data : state.kind === 'error' ? state.previous : undefined;
}
