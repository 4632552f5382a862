// Runnable entry: `tsx ui-plugin/standalone/main.ts`; settings from environment variables (config.ts HOST_ENV:
// CIRT_UI_PORT, CIRT_OPENSEARCH_URL, CIRT_UI_USERS_FILE, CIRT_STACK_DIR, CIRT_UI_WEBHOOKS, CIRT_UI_ADVISORY_SENDER).
// (A CommonJS module like the rest of ui-plugin/, see host.ts: no top-level await.)
import { dirname, join } from 'node:path';
import { parseWebhooks, type WebhookTarget } from '../server/services/advisories_service';
import { readHostEnv } from './config';
import { DEV_USERS, ensureDevUsersFile } from './dev_users';
import { jsonLogger, startHost } from './host';

const REPO_DIR = join(dirname(__filename), '..', '..');

const logger = jsonLogger();

async function main(): Promise<number | undefined> {
  const read = readHostEnv(process.env);
  if ('error' in read) {
    logger.error(`invalid ${read.error.variable}`, { value: read.error.value, expected: read.error.expected });
    return 2;
  }
  const { port, opensearchUrl, stackDir, sender } = read.config;
  let usersFile = read.config.usersFile;
  let dev = false;
  if (!usersFile) {
    usersFile = join(stackDir ?? join(REPO_DIR, '.stack'), 'ui-users.yaml');
    dev = true;
    if (await ensureDevUsersFile(usersFile)) logger.info('created the dev users file', { file: usersFile });
  }
  let webhooks: WebhookTarget[];
  try {
    webhooks = parseWebhooks(read.config.webhooks.join(','));
  } catch (err) {
    logger.error('invalid CIRT_UI_WEBHOOKS', { error: (err as Error).message });
    return 2;
  }
  const host = await startHost({ port, host: '127.0.0.1', opensearchUrl, logger, usersFile, publish: { webhooks, sender }, ruleDirs: read.config.ruleDirs ?? [join(REPO_DIR, 'rules')] });
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
