// Runnable entry: `tsx ui-plugin/standalone/main.ts`
//   CIRT_UI_PORT (default 5601), CIRT_OPENSEARCH_URL (default http://127.0.0.1:19200)
// (A CommonJS module like the rest of ui-plugin/, see host.ts: no top-level await.)
import { jsonLogger, startHost } from './host.ts';

const logger = jsonLogger();

function portFromEnv(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return 5601;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) return undefined;
  return Number(raw);
}

async function main(): Promise<number | undefined> {
  const port = portFromEnv(process.env.CIRT_UI_PORT);
  if (port === undefined) {
    logger.error('invalid CIRT_UI_PORT', { value: process.env.CIRT_UI_PORT, expected: 'an integer from 0 to 65535' });
    return 2;
  }
  const opensearchUrl = process.env.CIRT_OPENSEARCH_URL || 'http://127.0.0.1:19200';
  const host = await startHost({ port, host: '127.0.0.1', opensearchUrl, logger });
  process.stdout.write(`operations room: ${host.url}\n`);

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn('second signal, exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('shutting down', { signal });
    host.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('error while shutting down', { error: err instanceof Error ? err.message : String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  return undefined; // keep running until a signal
}

main().then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (err: unknown) => {
    logger.error('operations room did not start', { error: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  },
);
