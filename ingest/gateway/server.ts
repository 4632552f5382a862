// The gRPC gateway: agents stream numbered batches over mutual TLS; each batch is validated, stamped with the
// identity from the client certificate, produced to Kafka (idempotent, acks=all), and only then acknowledged.
import { readFileSync } from 'node:fs';
import type { EventEmitter } from 'node:events';
import { Server, ServerCredentials, ServerInterceptingCall, status, type ServerDuplexStream, type ServerInterceptor } from '@grpc/grpc-js';
import { Counter, Gauge, type Registry } from 'prom-client';
import { AckStatus, Batch as BatchCodec, IngestService, type Ack, type Batch } from '../../proto/gen/ingest.ts';
import { CirtError, errorMessage } from '../../proto/errors.ts';
import type { KafkaProducer } from '../../proto/runtime/kafka.ts';
import type { Logger } from '../../proto/runtime/log.ts';
import type { GatewayConfig } from './config.ts';
import { BatchWatermarks } from './dedup.ts';
import { IdentityError, identityFromCertificate, type PeerIdentity } from './identity.ts';
import { planBatch } from './validate.ts';

/** A frame the gateway cannot take: too large (RESOURCE_EXHAUSTED) or not a `Batch` (INVALID_ARGUMENT). The stream ends. */
export class GatewayFrameError extends CirtError {}

/** What the stream's deserializer hands the handler: a batch with its frame size, or why the frame is refused. */
type Frame = { batch: Batch; bytes: number; error?: undefined } | { error: GatewayFrameError; batch?: undefined };

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
  const { config, log } = deps;
  // createProducer serialises and coalesces concurrent sends itself (proto/runtime/kafka.ts serialProducer)
  const producer = deps.producer;
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

  // A batch being produced right now, by (agency, agent, boot, seq): the same batch re-sent on another stream
  // (the agent reconnected before its ack came back) waits for that outcome instead of being produced twice.
  const producing = new Map<string, Promise<Ack>>();

  const handleBatch = async (who: PeerIdentity, batch: Batch, size: number): Promise<Ack> => {
    const base = { bootId: batch.bootId, seq: batch.seq, accepted: 0, rejected: 0, errorCode: '', errorMessage: '' };
    if (batch.agentId !== who.agent) {
      metrics.batches.inc({ agency: who.agency, outcome: 'rejected' });
      const ack = { ...base, status: AckStatus.ACK_STATUS_REJECTED, errorCode: 'ERR_GATEWAY_AGENT_MISMATCH', errorMessage: `batch says agent '${batch.agentId}' but the certificate is for '${who.agent}'` };
      log.warn('batch rejected', { agency: who.agency, agent: who.agent, seq: batch.seq, code: ack.errorCode, reason: ack.errorMessage });
      return ack;
    }
    const k = `${who.agency}\0${who.agent}\0${batch.bootId}\0${batch.seq}`;
    const same = producing.get(k);
    if (same) {
      const ack = await same;
      if (ack.status === AckStatus.ACK_STATUS_OK) metrics.batches.inc({ agency: who.agency, outcome: 'duplicate' });
      return ack.status === AckStatus.ACK_STATUS_OK ? ack : handleBatch(who, batch, size);
    }
    if (watermarks.isDuplicate(who.agency, who.agent, batch.bootId, batch.seq)) {
      metrics.batches.inc({ agency: who.agency, outcome: 'duplicate' });
      return { ...base, status: AckStatus.ACK_STATUS_OK };
    }
    const p = produceBatch(who, batch, size, base);
    producing.set(k, p);
    try {
      return await p;
    } finally {
      producing.delete(k);
    }
  };

  const produceBatch = async (who: PeerIdentity, batch: Batch, size: number, base: Omit<Ack, 'status'>): Promise<Ack> => {
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

  const ship = (call: ServerDuplexStream<Frame, Ack>) => {
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
    let failed = false;
    call.on('data', (frame: Frame) => {
      if (failed) return;
      if (frame.error) {
        failed = true;
        const code = frame.error.code === 'ERR_GATEWAY_BATCH_TOO_LARGE' ? status.RESOURCE_EXHAUSTED : status.INVALID_ARGUMENT;
        log.warn('frame refused; ending the stream', { agency: who.agency, agent: who.agent, error: frame.error });
        // after the acks of the batches before it
        void chain.then(() => call.emit('error', { code, details: `${frame.error.message} [${frame.error.code}]` }));
        return;
      }
      const batch = frame.batch;
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

  // Every stream the gateway ends with an error status (oversized or malformed frame, refused identity, …) is
  // counted and logged here, including those grpc-js ends itself before our handler sees a message.
  const statusWatch: ServerInterceptor = (_method, call) =>
    new ServerInterceptingCall(call, {
      sendStatus: (st, next) => {
        if (st.code !== status.OK) {
          metrics.streamsFailed.inc({ code: status[st.code] ?? String(st.code) });
          log.warn('stream ended with an error', { code: status[st.code] ?? st.code, details: st.details, peer: call.getPeer() });
        }
        next(st);
      },
    });
  const server = new Server({
    // A hard cap at the transport (refused by grpc-js itself); frames between maxBatchBytes and this are refused,
    // counted and logged by readFrame below.
    'grpc.max_receive_message_length': config.limits.maxBatchBytes * 2,
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_permit_without_calls': 1,
    interceptors: [statusWatch],
  });
  const readFrame = (buf: Buffer): Frame => {
    if (buf.length > config.limits.maxBatchBytes) {
      return { error: new GatewayFrameError('ERR_GATEWAY_BATCH_TOO_LARGE', `batch of ${buf.length} bytes exceeds limits.maxBatchBytes (${config.limits.maxBatchBytes})`) };
    }
    try {
      return { batch: BatchCodec.decode(buf), bytes: buf.length };
    } catch (err) {
      return { error: new GatewayFrameError('ERR_GATEWAY_FRAME_MALFORMED', `not a cirt.v1.Batch: ${errorMessage(err)}`, { cause: err }) };
    }
  };
  server.addService({ ship: { ...IngestService.ship, requestDeserialize: readFrame } }, { ship });
  const credentials = ServerCredentials.createSsl(
    readFileSync(config.tls.ca),
    [{ private_key: readFileSync(config.tls.key), cert_chain: readFileSync(config.tls.cert) }],
    true,
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${config.listen.host}:${config.listen.port}`, credentials, (err, p) => (err ? reject(err) : resolve(p))),
  );
  watchTlsRefusals(server, (err, remote) => {
    metrics.tlsRefused.inc();
    log.warn('TLS handshake refused', { error: err, code: (err as { code?: string }).code, peer: remote });
  }, log);
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

/**
 * Handshakes refused by TLS (no client certificate, a certificate from another CA, expired …) never reach a gRPC
 * handler; grpc-js keeps its http2 servers private, so listen on them for `tlsClientError`. Checked against
 * grpc-js 1.14; if a later version renames the field, the refusals still happen but are only logged as uncounted.
 */
function watchTlsRefusals(server: Server, onRefused: (err: Error, remote: string | undefined) => void, log: Logger): void {
  const servers = (server as unknown as { http2Servers?: Map<EventEmitter, unknown> }).http2Servers;
  if (!(servers instanceof Map) || servers.size === 0) {
    log.warn('cannot observe TLS handshakes on this grpc-js version; refused handshakes are not counted');
    return;
  }
  for (const s of servers.keys()) {
    s.on('tlsClientError', (err: Error, socket: { remoteAddress?: string; remotePort?: number }) => onRefused(err, socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : undefined));
  }
}

function gatewayMetrics(registry: Registry) {
  return {
    tlsRefused: new Counter({ name: 'cirt_gateway_tls_refused_total', help: 'TLS handshakes refused (no client certificate, unknown CA, expired …)', registers: [registry] }),
    streamsFailed: new Counter({ name: 'cirt_gateway_streams_failed_total', help: 'Agent streams ended with a gRPC error status, by code', labelNames: ['code'], registers: [registry] }),
    batches: new Counter({ name: 'cirt_gateway_batches_total', help: 'Agent batches by outcome (ok, duplicate, retry, rejected, backpressure)', labelNames: ['agency', 'outcome'], registers: [registry] }),
    events: new Counter({ name: 'cirt_gateway_events_total', help: 'Events by outcome (accepted into telemetry.*, rejected into telemetry.rejected)', labelNames: ['agency', 'outcome'], registers: [registry] }),
    connections: new Counter({ name: 'cirt_gateway_connections_total', help: 'Agent streams by outcome', labelNames: ['outcome'], registers: [registry] }),
    lastSeen: new Gauge({ name: 'cirt_gateway_agent_last_seen_seconds', help: 'Unix time of the last durable batch per agent', labelNames: ['agency', 'agent'], registers: [registry] }),
    certExpiry: new Gauge({ name: 'cirt_gateway_agent_certificate_expiry_seconds', help: 'Unix time at which the agent certificate expires', labelNames: ['agency', 'agent'], registers: [registry] }),
  };
}
