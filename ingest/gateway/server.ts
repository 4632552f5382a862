// The gRPC gateway: agents stream numbered batches over mutual TLS; each batch is validated, stamped with the
// identity from the client certificate, produced to Kafka (idempotent, acks=all), and only then acknowledged.
import { readFileSync } from 'node:fs';
import { Server, ServerCredentials, status, type ServerDuplexStream } from '@grpc/grpc-js';
import { Counter, Gauge, type Registry } from 'prom-client';
import { AckStatus, IngestService, type Ack, type Batch } from '../../proto/gen/ingest.ts';
import { errorMessage } from '../../proto/errors.ts';
import type { KafkaProducer } from '../../proto/runtime/kafka.ts';
import type { Logger } from '../../proto/runtime/log.ts';
import type { GatewayConfig } from './config.ts';
import { BatchWatermarks } from './dedup.ts';
import { IdentityError, identityFromCertificate, type PeerIdentity } from './identity.ts';
import { planBatch } from './validate.ts';

export interface GatewayDeps {
  config: Readonly<GatewayConfig>;
  producer: KafkaProducer;
  log: Logger;
  registry: Registry;
  now?: () => Date;
}

export interface RunningGateway {
  port: number;
  health(): { status: 'ok' | 'degraded'; kafka: string; streams: number; inflightBytes: number };
  /** Stops taking batches, lets in-flight ones finish (bounded), then closes every stream. */
  shutdown(graceMs?: number): Promise<void>;
  /** Re-reads the deny list file. */
  reloadDenyList(): void;
}

export async function startGateway(deps: GatewayDeps): Promise<RunningGateway> {
  const { config, producer, log } = deps;
  const now = deps.now ?? (() => new Date());
  const metrics = gatewayMetrics(deps.registry);
  const watermarks = new BatchWatermarks(100_000);
  const streams = new Set<ServerDuplexStream<Batch, Ack>>();
  let inflightBytes = 0;
  let kafkaState = 'unknown';
  let draining = false;
  let pending = new Set<Promise<void>>();
  let denied = new Set<string>();

  const reloadDenyList = () => {
    if (!config.identity.denyListFile) return;
    try {
      const text = readFileSync(config.identity.denyListFile, 'utf8');
      denied = new Set(text.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean));
      log.info('deny list loaded', { entries: denied.size });
    } catch (err) {
      log.error('cannot read the deny list; keeping the previous one', { file: config.identity.denyListFile, error: err });
    }
  };
  reloadDenyList();

  const handleBatch = async (who: PeerIdentity, batch: Batch, size: number): Promise<Ack> => {
    const base = { bootId: batch.bootId, seq: batch.seq, accepted: 0, rejected: 0, errorCode: '', errorMessage: '' };
    if (batch.agentId !== who.agent) {
      metrics.batches.inc({ agency: who.agency, outcome: 'rejected' });
      return { ...base, status: AckStatus.ACK_STATUS_REJECTED, errorCode: 'ERR_GATEWAY_AGENT_MISMATCH', errorMessage: `batch says agent '${batch.agentId}' but the certificate is for '${who.agent}'` };
    }
    if (watermarks.isDuplicate(who.agency, who.agent, batch.bootId, batch.seq)) {
      metrics.batches.inc({ agency: who.agency, outcome: 'duplicate' });
      return { ...base, status: AckStatus.ACK_STATUS_OK };
    }
    if (draining || inflightBytes + size > config.limits.maxInflightBytes) {
      metrics.batches.inc({ agency: who.agency, outcome: 'backpressure' });
      return { ...base, status: AckStatus.ACK_STATUS_RETRY, errorCode: draining ? 'ERR_GATEWAY_DRAINING' : 'ERR_GATEWAY_BUSY', errorMessage: draining ? 'gateway is shutting down' : 'gateway is at its in-flight limit' };
    }
    inflightBytes += size;
    try {
      const plan = planBatch(batch, who, {
        maxEventBytes: config.limits.maxEventBytes,
        maxPastMs: config.limits.maxPastHours * 3_600_000,
        maxFutureMs: config.limits.maxFutureMinutes * 60_000,
      }, now());
      await producer.send(plan.records);
      kafkaState = 'ok';
      watermarks.record(who.agency, who.agent, batch.bootId, batch.seq);
      metrics.events.inc({ agency: who.agency, outcome: 'accepted' }, plan.accepted);
      metrics.events.inc({ agency: who.agency, outcome: 'rejected' }, plan.rejected);
      metrics.batches.inc({ agency: who.agency, outcome: 'ok' });
      metrics.lastSeen.set({ agency: who.agency, agent: who.agent }, Date.now() / 1000);
      if (who.validTo) metrics.certExpiry.set({ agency: who.agency, agent: who.agent }, Date.parse(who.validTo) / 1000);
      return { ...base, status: AckStatus.ACK_STATUS_OK, accepted: plan.accepted, rejected: plan.rejected };
    } catch (err) {
      kafkaState = errorMessage(err);
      metrics.batches.inc({ agency: who.agency, outcome: 'retry' });
      log.warn('batch not durable, asking the agent to retry', { agency: who.agency, agent: who.agent, seq: batch.seq, error: err });
      return { ...base, status: AckStatus.ACK_STATUS_RETRY, errorCode: (err as { code?: string }).code ?? 'ERR_GATEWAY_KAFKA', errorMessage: errorMessage(err) };
    } finally {
      inflightBytes -= size;
    }
  };

  const ship = (call: ServerDuplexStream<Batch, Ack>) => {
    let who: PeerIdentity;
    try {
      who = identityFromCertificate(call.getAuthContext()?.sslPeerCertificate, config.identity);
      if (denied.has(who.serial) || denied.has(`${who.agency}/${who.agent}`)) {
        throw new IdentityError('ERR_GATEWAY_DENIED', `agent ${who.agency}/${who.agent} (certificate ${who.serial}) is on the deny list`);
      }
    } catch (err) {
      metrics.connections.inc({ outcome: 'refused' });
      log.warn('connection refused', { error: err, peer: call.getPeer() });
      call.emit('error', { code: status.UNAUTHENTICATED, details: errorMessage(err) });
      return;
    }
    metrics.connections.inc({ outcome: 'accepted' });
    streams.add(call);
    log.info('agent connected', { agency: who.agency, agent: who.agent, peer: call.getPeer() });
    // Batches of one stream are handled in order, so acks come back in seq order.
    let chain = Promise.resolve();
    call.on('data', (batch: Batch) => {
      const size = batch.records.reduce((n, r) => n + r.eventJson.length, 0);
      const p = chain.then(async () => {
        const ack = await handleBatch(who, batch, size);
        if (!call.writableEnded && !call.destroyed) call.write(ack);
      });
      chain = p.catch(() => undefined);
      pending.add(p);
      void p.finally(() => pending.delete(p));
    });
    const done = () => streams.delete(call);
    call.on('end', () => {
      void chain.then(() => {
        if (!call.writableEnded) call.end();
        done();
      });
    });
    call.on('error', (err) => {
      log.debug('stream error', { agency: who.agency, agent: who.agent, error: err });
      done();
    });
    call.on('cancelled', done);
  };

  const server = new Server({
    'grpc.max_receive_message_length': config.limits.maxBatchBytes,
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_permit_without_calls': 1,
  });
  server.addService(IngestService, { ship });
  const credentials = ServerCredentials.createSsl(
    readFileSync(config.tls.ca),
    [{ private_key: readFileSync(config.tls.key), cert_chain: readFileSync(config.tls.cert) }],
    true,
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${config.listen.host}:${config.listen.port}`, credentials, (err, p) => (err ? reject(err) : resolve(p))),
  );
  log.info('gateway listening', { address: `${config.listen.host}:${port}` });

  return {
    port,
    reloadDenyList,
    health: () => ({ status: kafkaState === 'ok' || kafkaState === 'unknown' ? 'ok' : 'degraded', kafka: kafkaState, streams: streams.size, inflightBytes }),
    async shutdown(graceMs = 10_000) {
      draining = true;
      const all = Promise.allSettled([...pending]);
      await Promise.race([all, new Promise((r) => setTimeout(r, graceMs))]);
      for (const call of streams) if (!call.writableEnded) call.end();
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2_000);
        server.tryShutdown(() => {
          clearTimeout(t);
          resolve();
        });
      });
      pending = new Set();
    },
  };
}

function gatewayMetrics(registry: Registry) {
  return {
    batches: new Counter({ name: 'cirt_gateway_batches_total', help: 'Agent batches by outcome (ok, duplicate, retry, rejected, backpressure)', labelNames: ['agency', 'outcome'], registers: [registry] }),
    events: new Counter({ name: 'cirt_gateway_events_total', help: 'Events by outcome (accepted into telemetry.*, rejected into telemetry.rejected)', labelNames: ['agency', 'outcome'], registers: [registry] }),
    connections: new Counter({ name: 'cirt_gateway_connections_total', help: 'Agent streams by outcome', labelNames: ['outcome'], registers: [registry] }),
    lastSeen: new Gauge({ name: 'cirt_gateway_agent_last_seen_seconds', help: 'Unix time of the last durable batch per agent', labelNames: ['agency', 'agent'], registers: [registry] }),
    certExpiry: new Gauge({ name: 'cirt_gateway_agent_certificate_expiry_seconds', help: 'Unix time at which the agent certificate expires', labelNames: ['agency', 'agent'], registers: [registry] }),
  };
}
