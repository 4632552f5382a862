// Ships records to the CIRT gateway over one long-lived gRPC bidirectional stream with mutual TLS.
// Records leave the agent only when the gateway acknowledged their batch; a dropped connection is re-opened
// with exponential backoff and jitter, and every unacknowledged batch is re-sent in order (the gateway
// de-duplicates by (agent, boot, seq)).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { credentials, makeGenericClientConstructor, type Client, type ClientDuplexStream } from '@grpc/grpc-js';
import { AckStatus, IngestService, RecordKind, type Ack, type IngestClient } from '../../proto/gen/ingest.ts';
import type { EcsEvent } from '../../proto/ecs.ts';
import type { Logger } from '../../proto/runtime/log.ts';
import type { DiskSpool, SpoolError } from '../spool/disk_spool.ts';
import type { NewRecord } from '../spool/record_codec.ts';
import { Batcher, type BatcherLimits } from './batcher.ts';

export interface ShipperOptions extends BatcherLimits {
  address: string;
  tls: { ca: string; cert: string; key: string };
  agentId: string;
  flushMs: number;
  log: Logger;
  /** Every record is appended here first and leaves only when acknowledged. */
  spool: DiskSpool;
  bootId?: string;
  /** gRPC message compression of the batches (default none); the gateway decompresses gzip and deflate. */
  compression?: 'gzip' | 'deflate' | 'none';
}

const COMPRESSION_ALGORITHM = { none: 0, deflate: 1, gzip: 2 } as const;

/**
 * The generated Ingest client, sending batches the Batcher serialized (agents/shipper/batch_codec.ts) as they are:
 * one copy of each event, made while the spool's read buffer still holds it.
 */
const ShipClient = makeGenericClientConstructor({ ship: { ...IngestService.ship, requestSerialize: (bytes: Buffer) => bytes } }, 'cirt.v1.Ingest') as unknown as new (
  ...args: ConstructorParameters<typeof IngestClient>
) => Client & { ship(): ClientDuplexStream<Buffer, Ack> };

export interface ShipperStats {
  connected: boolean;
  queued: number;
  inflight: number;
  acked: number;
  rejectedEvents: number;
  rejectedBatches: number;
  retries: number;
  reconnects: number;
  spoolErrors: number;
  lastError?: string;
}

export class GrpcShipper {
  readonly bootId: string;
  private readonly batcher: Batcher;
  private readonly client: InstanceType<typeof ShipClient>;
  private stream: ClientDuplexStream<Buffer, Ack> | undefined;
  private connected = false;
  private closed = false;
  private attempt = 0;
  private readonly timer: NodeJS.Timeout;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private waiters: (() => void)[] = [];
  private readonly stats: Omit<ShipperStats, 'connected' | 'queued' | 'inflight'> = { acked: 0, rejectedEvents: 0, rejectedBatches: 0, retries: 0, reconnects: 0, spoolErrors: 0 };

  constructor(private readonly opts: ShipperOptions) {
    this.bootId = opts.bootId ?? randomUUID();
    this.batcher = new Batcher(opts.agentId, this.bootId, opts, opts.spool);
    const creds = credentials.createSsl(readFileSync(opts.tls.ca), readFileSync(opts.tls.key), readFileSync(opts.tls.cert));
    this.client = new ShipClient(opts.address, creds, {
      'grpc.keepalive_time_ms': 30_000,
      'grpc.max_send_message_length': opts.maxBatchBytes * 2,
      'grpc.default_compression_algorithm': COMPRESSION_ALGORITHM[opts.compression ?? 'none'],
    });
    this.timer = setInterval(() => this.pump(true), opts.flushMs);
    this.connect();
  }

  /**
   * Appends one event to the spool (with a stable event id, so a re-ship after a restart is recognised
   * downstream). Returns nothing when the spool took it at once. While the spool is full (policy `block`) or the disk
   * is full, returns a promise that waits, and resolves once the record is in: slows the input, loses nothing. A
   * record the spool can never take (too large) is thrown to the caller (or rejects the promise).
   */
  send(kind: 'flow' | 'log', event: EcsEvent): Promise<void> | undefined {
    // Object.assign, not object spread: V8 (jitless above all) gives every spread copy objects that outlive young
    // collections, ~150 bytes per event promoted to the old generation (bench/README.md, "Agent RSS").
    const stamped = event.event?.id ? event : Object.assign({}, event, { event: Object.assign({}, event.event, { id: randomUUID() }) });
    const record = { kind: kind === 'flow' ? RecordKind.RECORD_KIND_FLOW : RecordKind.RECORD_KIND_LOG, payload: JSON.stringify(stamped) };
    if (!this.tryAppend(record)) return this.appendWhenPossible(record);
    if (this.batcher.batchReady()) this.pump(false);
    return undefined;
  }

  /** true: appended; false: no room yet (or the disk refused, retryable); throws what can never be appended. */
  private tryAppend(record: NewRecord): boolean {
    try {
      return this.opts.spool.append(record);
    } catch (err) {
      if (!(err as SpoolError).retryable) throw err;
      this.stats.spoolErrors++;
      this.stats.lastError = (err as Error).message;
      this.opts.log.error('spool write failed; input paused until it succeeds', { error: err });
      return false;
    }
  }

  private async appendWhenPossible(record: NewRecord): Promise<void> {
    do await Promise.race([this.opts.spool.waitForSpace(), sleep(1_000)]);
    while (!this.tryAppend(record));
    if (this.batcher.batchReady()) this.pump(false);
  }

  /** Resolves when every queued record has been acknowledged, or rejects after timeoutMs. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.pump(true);
    while (!this.batcher.idle) {
      if (Date.now() > deadline) throw new Error(`shipper: ${this.batcher.queued + this.batcher.inflightRecords} record(s) still unacknowledged after ${timeoutMs} ms (${this.stats.lastError ?? 'no error reported'})`);
      await Promise.race([this.waitForProgress(), sleep(200)]);
      this.pump(true);
    }
  }

  getStats(): ShipperStats {
    return { ...this.stats, connected: this.connected, queued: this.batcher.queued, inflight: this.batcher.inflightRecords };
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    clearTimeout(this.reconnectTimer);
    this.stream?.end();
    this.client.close();
    this.opts.spool.close();
  }

  private connect(): void {
    if (this.closed) return;
    const stream = this.client.ship();
    this.stream = stream;
    stream.on('data', (ack: Ack) => this.onAck(ack));
    stream.on('error', (err: Error) => this.onDisconnect(err.message));
    stream.on('end', () => this.onDisconnect('stream ended by the gateway'));
    stream.on('metadata', () => this.onConnected());
    // grpc-js only reports the stream as up once the server answered; treat the first write as the attempt.
    this.connected = true;
    for (const batch of this.batcher.unacked()) stream.write(batch.bytes);
    this.pump(true);
  }

  private onConnected(): void {
    if (this.attempt > 0) this.opts.log.info('connected to the gateway', { address: this.opts.address, attempt: this.attempt });
    this.attempt = 0;
  }

  private onDisconnect(reason: string): void {
    if (!this.connected || this.closed) return;
    this.connected = false;
    this.stats.lastError = reason;
    this.stream?.removeAllListeners();
    this.stream?.on('error', () => undefined);
    this.stream = undefined;
    const delay = Math.min(30_000, 500 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt++;
    this.stats.reconnects++;
    this.opts.log.warn('gateway connection lost; reconnecting', { reason, inMs: Math.round(delay), unacked: this.batcher.inflightRecords });
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private onAck(ack: Ack): void {
    const records = this.batcher.size(ack.seq);
    if (records === 0 || ack.bootId !== this.bootId) return;
    if (ack.status === AckStatus.ACK_STATUS_OK) {
      this.stats.acked += this.batcher.settle(ack.seq);
      this.stats.rejectedEvents += ack.rejected;
    } else if (ack.status === AckStatus.ACK_STATUS_RETRY) {
      this.stats.retries++;
      this.stats.lastError = `${ack.errorCode}: ${ack.errorMessage}`;
      const delay = Math.min(10_000, 250 * 2 ** Math.min(this.stats.retries, 6)) * (0.5 + Math.random() / 2);
      setTimeout(() => {
        const batch = this.connected ? this.batcher.get(ack.seq) : undefined;
        if (batch) this.stream?.write(batch.bytes);
      }, delay);
    } else {
      this.stats.rejectedBatches++;
      this.stats.rejectedEvents += this.batcher.settle(ack.seq);
      this.stats.lastError = `${ack.errorCode}: ${ack.errorMessage}`;
      this.opts.log.error('gateway rejected a batch for good', { seq: ack.seq, code: ack.errorCode, reason: ack.errorMessage, records });
    }
    this.notify();
    this.pump(false);
  }

  private pump(flushPartial: boolean): void {
    if (!this.connected || !this.stream) return;
    while (flushPartial || this.batcher.batchReady()) {
      const batch = this.batcher.next();
      if (!batch) break;
      this.stream.write(batch.bytes);
    }
    this.notify();
  }

  private waitForProgress(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
