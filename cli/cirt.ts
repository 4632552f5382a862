#!/usr/bin/env -S node --import tsx
// The `cirt` command: the composition root that starts and stops the whole local pipeline.
//   cirt start    Kafka + OpenSearch (stack/), dev certificates, gateway, detector, indexer, operations room, demo agent
//   cirt stop     stops everything `start` started
//   cirt status   one line per component
//   cirt rules    lint|test|replay|coverage of Sigma rules (cli/rules/)
//   cirt evidence verify <bundle.tar>   checks an incident's evidence bundle against its manifest (cli/evidence/)
import { join } from 'node:path';
import { evidenceMain } from './evidence/verify_cmd.ts';
import { rulesMain } from './rules/main.ts';
import { DEFAULT_ENDPOINTS, STATE_DIR, ensureCerts, logFile, pipelineServices, runningPid, stack, startService, stopService, waitHealthy } from './services.ts';

const CERTS = join(STATE_DIR, 'certs');
const services = pipelineServices(DEFAULT_ENDPOINTS, { demoAgent: true, certsDir: CERTS });

async function start(): Promise<number> {
  const t0 = Date.now();
  console.log('• starting Kafka and OpenSearch (first run downloads them from Maven Central)…');
  if (stack('start') !== 0) {
    console.error('✗ the stack did not start; see the messages above and .stack/logs/');
    return 1;
  }
  ensureCerts(CERTS);
  for (const spec of services) {
    const { pid, started } = startService(spec);
    console.log(`• ${spec.name.padEnd(9)} ${started ? 'started' : 'already running'} (pid ${pid}, log ${logFile(spec.name)})`);
    try {
      await waitHealthy(spec, 60_000);
    } catch (err) {
      console.error(`✗ ${(err as Error).message}`);
      return 1;
    }
  }
  console.log(`\nThe pipeline is up (${((Date.now() - t0) / 1000).toFixed(1)} s).`);
  console.log(`  operations room   http://127.0.0.1:${DEFAULT_ENDPOINTS.uiPort}/`);
  console.log('  sign in as        analyst/analyst, lead/lead, or liaison-mofa/liaison (agency mofa only); dev users in .stack/ui-users.yaml');
  console.log(`  alerts (JSON)     http://127.0.0.1:${DEFAULT_ENDPOINTS.uiPort}/api/cirt/alerts (after POST /api/cirt/login)`);
  console.log(`  gateway (mTLS)    127.0.0.1:${DEFAULT_ENDPOINTS.gatewayPort}   certificates in ${CERTS}`);
  console.log(`  OpenSearch        ${DEFAULT_ENDPOINTS.opensearchUrl}   Kafka ${DEFAULT_ENDPOINTS.kafkaBrokers}`);
  console.log('The demo agent replays agents/demo/demo-events.jsonl; its alerts appear within seconds. `npm stop` stops everything.');
  return 0;
}

async function stop(): Promise<number> {
  for (const spec of [...services].reverse()) {
    if (await stopService(spec.name)) console.log(`• ${spec.name} stopped`);
  }
  return stack('stop');
}

async function status(): Promise<number> {
  let ok = stack('status') === 0;
  for (const spec of services) {
    const pid = runningPid(spec.name);
    ok &&= pid !== undefined || spec.name === 'agent';
    console.log(`${spec.name.padEnd(11)} ${pid ? `up    pid ${pid}` : 'down'}`);
  }
  return ok ? 0 : 1;
}

const commands: Record<string, () => Promise<number>> = {
  start, stop, status,
  rules: () => rulesMain(process.argv.slice(3)),
  evidence: () => evidenceMain(process.argv.slice(3)),
};
const cmd = process.argv[2] ?? 'help';
const run = commands[cmd];
if (!run) {
  console.log('usage: cirt start|stop|status|rules|evidence');
  process.exit(cmd === 'help' || cmd === '--help' ? 0 : 2);
}
process.exit(await run());
