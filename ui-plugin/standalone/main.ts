// Runnable entry: `tsx ui-plugin/standalone/main.ts`
//   CIRT_UI_PORT (default 5601), CIRT_OPENSEARCH_URL (default http://127.0.0.1:19200)
//   CIRT_UI_USERS_FILE   users YAML (default: the dev users file <CIRT_STACK_DIR or .stack>/ui-users.yaml, created)
//   CIRT_UI_WEBHOOKS     advisory webhooks, comma-separated `<url>` or `<url> <TLP clearance>` (default clearance CLEAR)
//   CIRT_UI_ADVISORY_SENDER  CAP <sender> (default cirt@cirt.gov.example)
// (A CommonJS module like the rest of ui-plugin/, see host.ts: no top-level await.)
import { dirname, join } from 'node:path';
import { parseWebhooks, type WebhookTarget } from '../server/services/advisories_service';
import { DEV_USERS, ensureDevUsersFile } from './dev_users';
import { jsonLogger, startHost } from './host';

const REPO_DIR = join(dirname(__filename), '..', '..');

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
  let usersFile = process.env.CIRT_UI_USERS_FILE;
  let dev = false;
  if (!usersFile) {
    usersFile = join(process.env.CIRT_STACK_DIR || join(REPO_DIR, '.stack'), 'ui-users.yaml');
    dev = true;
    if (await ensureDevUsersFile(usersFile)) logger.info('created the dev users file', { file: usersFile });
  }
  let webhooks: WebhookTarget[];
  try {
    webhooks = parseWebhooks(process.env.CIRT_UI_WEBHOOKS ?? '');
  } catch (err) {
    logger.error('invalid CIRT_UI_WEBHOOKS', { error: (err as Error).message });
    return 2;
  }
  const sender = process.env.CIRT_UI_ADVISORY_SENDER;
  const host = await startHost({ port, host: '127.0.0.1', opensearchUrl, logger, usersFile, publish: { webhooks, ...(sender ? { sender } : {}) } });
  process.stdout.write(`operations room: ${host.url}\n`);
  if (dev) {
    process.stdout.write(`dev users (${usersFile}): ${DEV_USERS.map((u) => `${u.username}/${u.password} (${u.role}${'agency' in u ? ` of ${u.agency}` : ''})`).join(', ')}\n`);
  }

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
