// Entry point of the agency agent: `tsx agents/main.ts [config.yml]`.
// Replays the configured JSON-lines files (the demo agent) and ships them to the CIRT gateway.
import { createLogger } from '../proto/runtime/log.ts';
import { untilSignal } from '../proto/runtime/service_http.ts';
import { loadAgentConfig } from './config.ts';
import { readJsonLines, shiftToNow } from './inputs/jsonl_replay.ts';
import { GrpcShipper } from './shipper/grpc_shipper.ts';
import { DiskSpool } from './spool/disk_spool.ts';

const log = createLogger('agent');
try {
  const config = loadAgentConfig(process.argv[2]);
  const spool = new DiskSpool(config.spool);
  const shipper = new GrpcShipper({ ...config.shipping, address: config.gateway.address, tls: config.gateway, agentId: config.agentId, log, spool });
  log.info('agent started', { agentId: config.agentId, bootId: shipper.bootId, gateway: config.gateway.address, spool: config.spool.dir, unacked: spool.unreadRecords, ...spool.counters });

  const replayOnce = async () => {
    for (const file of config.replay.files) {
      const { items, errors } = readJsonLines(file);
      for (const err of errors) log.warn('replay line skipped', { error: err.toString(), code: err.code });
      const events = config.replay.shiftToNow ? shiftToNow(items, new Date()) : items;
      for (const { kind, event } of events) await shipper.send(kind, event);
      log.info('replayed', { file, events: events.length, skipped: errors.length });
    }
  };
  await replayOnce();
  const loop = config.replay.loopSeconds > 0 ? setInterval(() => void replayOnce(), config.replay.loopSeconds * 1000) : undefined;
  const stats = setInterval(() => log.info('shipper', { ...shipper.getStats() }), 30_000);
  const sig = await untilSignal();
  log.info('shutting down; waiting for unacknowledged batches', { signal: sig, ...shipper.getStats() });
  clearInterval(loop);
  clearInterval(stats);
  await shipper.drain(10_000).catch((err: Error) => log.error('shutdown with unacknowledged records', { error: err }));
  shipper.close();
  process.exit(0);
} catch (err) {
  log.error('agent failed', { error: err, detail: String(err) });
  process.exit(1);
}
