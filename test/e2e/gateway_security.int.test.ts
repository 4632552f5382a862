// The gateway's refusals, against the real gateway (in-process, real mTLS certificates from scripts/dev-certs.sh)
// producing to the real Kafka: every refusal is refused, logged, and counted in the Prometheus registry, and
// what is accepted lands in Kafka stamped with the certificate's identity, once.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { credentials, makeGenericClientConstructor, status, type ServiceError } from '@grpc/grpc-js';
import { Consumer } from '@platformatic/kafka';
import type { Registry } from 'prom-client';
import { TOPICS } from '../../proto/ecs.ts';
import { stampedEvents, type TelemetryBatch } from '../../proto/telemetry.ts';
import { AckStatus, IngestClient, RecordKind, type Ack, type Batch } from '../../proto/gen/ingest.ts';
import { createProducer, type KafkaProducer } from '../../proto/runtime/kafka.ts';
import { createLogger } from '../../proto/runtime/log.ts';
import { newRegistry } from '../../proto/runtime/service_http.ts';
import { requireKafka } from '../../proto/testing/preflight.ts';
import { devGatewayConfig } from '../harness.ts';
import { startGateway, type RunningGateway } from '../../ingest/gateway/server.ts';

const brokers = process.env.CIRT_KAFKA_BROKERS ?? '127.0.0.1:19092';
const tag = randomBytes(3).toString('hex');
const A = `gsa${tag}`;
const B = `gsb${tag}`;
const work = mkdtempSync(join(tmpdir(), 'cirt-gwsec-'));
const certs = join(work, 'certs');
const denyFile = join(work, 'deny.txt');
const MAX_BATCH = 64 * 1024;

const logLines: Record<string, unknown>[] = [];
let gateway: RunningGateway;
let producer: KafkaProducer;
let registry: Registry;
const clients: { close(): void }[] = [];

function sh(cmd: string, args: string[], cwd = work): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  await requireKafka(brokers);
  sh('bash', [join(process.cwd(), 'scripts/dev-certs.sh'), certs, `${A}:agent-01`, `${A}:agent-02`, `${A}:revoked`, `${B}:agent-01`]);
  // A second, unrelated CA issuing a certificate that claims agency A's identity.
  sh('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'rogue-ca.key', '-out', 'rogue-ca.crt', '-days', '2', '-subj', '/CN=rogue CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
  sh('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'rogue.key', '-out', 'rogue.csr', '-subj', `/CN=agent-01.${A}`]);
  writeFileSync(join(work, 'rogue.ext'), `subjectAltName=URI:spiffe://cirt.local/agency/${A}/agent/agent-01\nextendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n`);
  sh('openssl', ['x509', '-req', '-in', 'rogue.csr', '-CA', 'rogue-ca.crt', '-CAkey', 'rogue-ca.key', '-CAcreateserial', '-out', 'rogue.crt', '-days', '2', '-extfile', 'rogue.ext']);
  writeFileSync(denyFile, '# nobody yet\n');

  const config = devGatewayConfig(certs, {
    'identity.denyListFile': denyFile,
    'kafka.brokers': brokers.split(','),
    'limits.maxBatchBytes': MAX_BATCH,
  });
  registry = newRegistry('gateway');
  producer = createProducer({ brokers: brokers.split(','), clientId: `gwsec-${tag}` });
  const log = createLogger('gateway', { level: 'debug', write: (line) => logLines.push(JSON.parse(line) as Record<string, unknown>) });
  gateway = await startGateway({ config, producer, log, registry });
});

after(async () => {
  for (const c of clients) c.close();
  await gateway?.shutdown(2_000);
  await producer?.close();
  rmSync(work, { recursive: true, force: true });
});

// ---- helpers --------------------------------------------------------------------------------------------------

function client(name: string | null, ca = 'ca.crt'): IngestClient {
  const caPem = readFileSync(join(certs, ca));
  const creds = name === null
    ? credentials.createSsl(caPem)
    : credentials.createSsl(caPem, readFileSync(name.startsWith('rogue') ? join(work, `${name}.key`) : join(certs, `${name}.key`)), readFileSync(name.startsWith('rogue') ? join(work, `${name}.crt`) : join(certs, `${name}.crt`)));
  const c = new IngestClient(`127.0.0.1:${gateway.port}`, creds, { 'grpc.max_send_message_length': MAX_BATCH * 4 });
  clients.push(c);
  return c;
}

interface StreamResult {
  acks: Ack[];
  error?: ServiceError;
}

/** Opens one Ship stream, writes the batches, and waits for one ack per batch or for the stream to fail. */
function ship(c: IngestClient, batches: Batch[], timeoutMs = 15_000): Promise<StreamResult> {
  return new Promise((resolve, reject) => {
    const acks: Ack[] = [];
    const call = c.ship();
    const timer = setTimeout(() => {
      call.cancel();
      reject(new Error(`no answer from the gateway within ${timeoutMs} ms (${acks.length}/${batches.length} acks)`));
    }, timeoutMs);
    const finish = (error?: ServiceError) => {
      clearTimeout(timer);
      resolve({ acks, error });
    };
    call.on('data', (ack: Ack) => {
      acks.push(ack);
      if (acks.length === batches.length) {
        call.end();
        finish();
      }
    });
    call.on('error', (err: ServiceError) => finish(err));
    call.on('end', () => finish());
    for (const b of batches) call.write(b);
  });
}

const event = (extra: Record<string, unknown> = {}) => ({ '@timestamp': new Date().toISOString(), event: { kind: 'event', category: ['authentication'], dataset: 'linux.auth' }, message: 'hello', ...extra });

function batch(agentId: string, seq: number, events: object[], bootId = randomUUID()): Batch {
  return { agentId, bootId, seq, records: events.map((e) => ({ kind: RecordKind.RECORD_KIND_LOG, eventJson: Buffer.from(JSON.stringify(e)) })) };
}

async function counter(name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as { value: number; labels: Record<string, string | number> }[];
  return values.filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want)).reduce((n, v) => n + v.value, 0);
}

const logged = (pred: (l: Record<string, unknown>) => boolean) => logLines.some(pred);
const errCode = (l: Record<string, unknown>) => ((l.error as { code?: string } | undefined)?.code);

async function endOffsets(topic: string): Promise<bigint[]> {
  const c = new Consumer({ clientId: `gwsec-off-${tag}`, groupId: `gwsec-off-${tag}`, bootstrapBrokers: brokers.split(','), timeout: 10_000, retries: 1 });
  try {
    return (await c.listOffsets({ topics: [topic] })).get(topic) ?? [];
  } finally {
    await c.close().catch(() => undefined);
  }
}

/** Every record appended to `topic` after the offsets `from` whose key is `key`. */
async function readSince(topic: string, from: bigint[], key: string): Promise<TelemetryBatch[]> {
  const to = await endOffsets(topic);
  const want = to.reduce((n, end, p) => n + Number(end - (from[p] ?? 0n)), 0);
  if (want === 0) return [];
  const c = new Consumer({ clientId: `gwsec-read-${tag}`, groupId: `gwsec-read-${tag}-${randomUUID()}`, bootstrapBrokers: brokers.split(','), timeout: 10_000, maxWaitTime: 200 });
  const out: TelemetryBatch[] = [];
  try {
    const stream = await c.consume({ topics: [topic], mode: 'manual', autocommit: false, offsets: from.map((offset, partition) => ({ topic, partition, offset })) });
    let seen = 0;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${seen}/${want} records of ${topic} within 15 s`)), 15_000);
      stream.on('data', (m: { key?: Buffer; value?: Buffer; partition: number; offset: bigint }) => {
        if (m.offset >= (to[m.partition] ?? 0n)) return;
        seen++;
        if (m.key?.toString() === key && m.value) out.push(JSON.parse(m.value.toString()) as TelemetryBatch);
        if (seen >= want) {
          clearTimeout(timer);
          resolve();
        }
      });
      stream.on('error', reject);
    });
    await (stream.close() as Promise<void>).catch(() => undefined);
  } finally {
    await c.close().catch(() => undefined);
  }
  return out;
}

// ---- the refusals ---------------------------------------------------------------------------------------------

describe('gateway security', () => {
  test('(a) no client certificate: the handshake fails, nothing is produced, the refusal is logged and counted', async () => {
    const before = await endOffsets(TOPICS.logs);
    const refusedBefore = await counter('cirt_gateway_tls_refused_total', {});
    const r = await ship(client(null), [batch('agent-01', 1, [event()])]);
    assert.ok(r.error, 'the stream must fail');
    assert.equal(r.error.code, status.UNAVAILABLE, `handshake failure, got ${r.error.code} ${r.error.details}`);
    assert.equal(r.acks.length, 0);
    assert.equal(await counter('cirt_gateway_tls_refused_total', {}), refusedBefore + 1, 'the TLS refusal is counted');
    assert.ok(logged((l) => l.msg === 'TLS handshake refused'), 'the TLS refusal is logged');
    assert.deepEqual(await readSince(TOPICS.logs, before, `${A}/agent-01`), []);
  });

  test('(b) a client certificate from another CA is refused', async () => {
    const refusedBefore = await counter('cirt_gateway_tls_refused_total', {});
    const r = await ship(client('rogue'), [batch('agent-01', 1, [event()])]);
    assert.ok(r.error, 'the stream must fail');
    assert.equal(r.error.code, status.UNAVAILABLE, `handshake failure, got ${r.error.code} ${r.error.details}`);
    assert.equal(r.acks.length, 0);
    assert.equal(await counter('cirt_gateway_tls_refused_total', {}), refusedBefore + 1);
  });

  test('(c) a revoked agent is refused with UNAUTHENTICATED after a deny-list reload, without a restart', async () => {
    const c = client(`${A}.revoked`);
    const ok = await ship(c, [batch('revoked', 1, [event()])]);
    assert.equal(ok.error, undefined, 'accepted before it is revoked');
    assert.equal(ok.acks[0]?.status, AckStatus.ACK_STATUS_OK);
    writeFileSync(denyFile, `# revoked ${new Date().toISOString()}\n${A}/revoked\n`);
    gateway.reloadDenyList();
    const refusedBefore = await counter('cirt_gateway_connections_total', { outcome: 'refused' });
    const r = await ship(c, [batch('revoked', 1, [event()])]);
    assert.equal(r.error?.code, status.UNAUTHENTICATED, `got ${r.error?.code} ${r.error?.details}`);
    assert.match(r.error.details, /deny list/);
    assert.equal(await counter('cirt_gateway_connections_total', { outcome: 'refused' }), refusedBefore + 1);
    assert.ok(logged((l) => l.msg === 'connection refused' && errCode(l) === 'ERR_GATEWAY_DENIED'));
    // by serial number too
    const serial = sh('openssl', ['x509', '-in', join(certs, `${A}.agent-02.crt`), '-noout', '-serial']).trim().replace(/^serial=/, '');
    writeFileSync(denyFile, `${serial}\n`);
    gateway.reloadDenyList();
    const r2 = await ship(client(`${A}.agent-02`), [batch('agent-02', 1, [event()])]);
    assert.equal(r2.error?.code, status.UNAUTHENTICATED, `by serial ${serial}: got ${r2.error?.code} ${r2.error?.details}`);
    writeFileSync(denyFile, '');
    gateway.reloadDenyList();
  });

  test('(d) agency A claiming organization.id B in the payload is produced stamped as A', async () => {
    const before = await endOffsets(TOPICS.logs);
    const r = await ship(client(`${A}.agent-01`), [batch('agent-01', 1, [event({ organization: { id: B }, agent: { id: 'agent-01' }, observer: { name: 'x' } })])]);
    assert.equal(r.acks[0]?.status, AckStatus.ACK_STATUS_OK, JSON.stringify(r));
    assert.deepEqual(await readSince(TOPICS.logs, before, `${B}/agent-01`), [], 'nothing under B\'s key');
    const got = await readSince(TOPICS.logs, before, `${A}/agent-01`);
    assert.equal(got.length, 1);
    assert.equal(got[0]!.agency, A);
    assert.equal(stampedEvents(got[0]!)[0]!.organization?.id, A, 'the certificate wins over the payload');
  });

  test('(e) an oversized batch is refused with RESOURCE_EXHAUSTED, counted, and the connection still works', async () => {
    const c = client(`${A}.agent-01`);
    const big = batch('agent-01', 1, Array.from({ length: 25 }, () => event({ message: 'x'.repeat(4000) })));
    const tooBigBefore = await counter('cirt_gateway_streams_failed_total', { code: 'RESOURCE_EXHAUSTED' });
    const r = await ship(c, [big]);
    assert.equal(r.error?.code, status.RESOURCE_EXHAUSTED, `got ${r.error?.code} ${r.error?.details}`);
    assert.equal(await counter('cirt_gateway_streams_failed_total', { code: 'RESOURCE_EXHAUSTED' }), tooBigBefore + 1);
    const next = await ship(c, [batch('agent-01', 1, [event()])]);
    assert.equal(next.error, undefined);
    assert.equal(next.acks[0]?.status, AckStatus.ACK_STATUS_OK);
  });

  test('(f) a malformed protobuf frame fails that stream; the gateway keeps serving others', async () => {
    type Raw = { ship(): import('@grpc/grpc-js').ClientDuplexStream<Buffer, Buffer>; close(): void };
    const Ctor = makeGenericClientConstructor({
      ship: { path: '/cirt.v1.Ingest/Ship', requestStream: true, responseStream: true, requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b },
    }, 'Ingest');
    const caPem = readFileSync(join(certs, 'ca.crt'));
    const raw = new Ctor(`127.0.0.1:${gateway.port}`, credentials.createSsl(caPem, readFileSync(join(certs, `${A}.agent-01.key`)), readFileSync(join(certs, `${A}.agent-01.crt`)))) as unknown as Raw;
    clients.push(raw);
    const failedBefore = await counter('cirt_gateway_streams_failed_total', {});
    const err = await new Promise<ServiceError | undefined>((resolve) => {
      const call = raw.ship();
      const t = setTimeout(() => {
        call.cancel();
        resolve(undefined);
      }, 10_000);
      call.on('data', () => undefined);
      call.on('error', (e: ServiceError) => {
        clearTimeout(t);
        resolve(e);
      });
      // field 4 (records), wire type 2, length 200 with only 3 bytes following: truncated
      call.write(Buffer.from([0x22, 0xc8, 0x01, 0x01, 0x02, 0x03]));
    });
    assert.ok(err, 'the malformed stream must fail');
    assert.ok([status.INTERNAL, status.INVALID_ARGUMENT].includes(err.code), `got ${err.code} ${err.details}`);
    assert.equal(await counter('cirt_gateway_streams_failed_total', {}), failedBefore + 1, 'the malformed frame is counted');
    const other = await ship(client(`${B}.agent-01`), [batch('agent-01', 1, [event()])]);
    assert.equal(other.acks[0]?.status, AckStatus.ACK_STATUS_OK, 'another agent is still served');
  });

  test('(g) batch.agentId other than the certificate\'s agent: REJECTED with ERR_GATEWAY_AGENT_MISMATCH', async () => {
    const before = await counter('cirt_gateway_batches_total', { agency: A, outcome: 'rejected' });
    const r = await ship(client(`${A}.agent-01`), [batch('agent-02', 1, [event()])]);
    assert.equal(r.acks[0]?.status, AckStatus.ACK_STATUS_REJECTED);
    assert.equal(r.acks[0]?.errorCode, 'ERR_GATEWAY_AGENT_MISMATCH');
    assert.equal(await counter('cirt_gateway_batches_total', { agency: A, outcome: 'rejected' }), before + 1);
    assert.ok(logged((l) => l.msg === 'batch rejected' && l.code === 'ERR_GATEWAY_AGENT_MISMATCH'));
  });

  test('(h) a duplicate batch re-sent on a new stream is acked OK and produced once', async () => {
    const before = await endOffsets(TOPICS.logs);
    const bootId = randomUUID();
    const b1 = batch('agent-01', 7, [event({ message: 'once' })], bootId);
    const dupBefore = await counter('cirt_gateway_batches_total', { agency: B, outcome: 'duplicate' });
    const first = await ship(client(`${B}.agent-01`), [b1]);
    assert.equal(first.acks[0]?.status, AckStatus.ACK_STATUS_OK);
    const again = await ship(client(`${B}.agent-01`), [b1]);
    assert.equal(again.acks[0]?.status, AckStatus.ACK_STATUS_OK);
    assert.equal(await counter('cirt_gateway_batches_total', { agency: B, outcome: 'duplicate' }), dupBefore + 1);
    // the same batch on two streams at once (the agent reconnected while the first copy was still in Kafka)
    const b2 = batch('agent-01', 8, [event({ message: 'concurrent' })], bootId);
    const [x, y] = await Promise.all([ship(client(`${B}.agent-01`), [b2]), ship(client(`${B}.agent-01`), [b2])]);
    assert.equal(x.acks[0]?.status, AckStatus.ACK_STATUS_OK);
    assert.equal(y.acks[0]?.status, AckStatus.ACK_STATUS_OK);
    const got = (await readSince(TOPICS.logs, before, `${B}/agent-01`)).filter((t) => t.bootId === bootId);
    assert.deepEqual(got.map((t) => t.seq).sort(), [7, 8], 'each batch produced exactly once');
  });
});
