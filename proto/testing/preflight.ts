// Test support shared by integration tests in every component and in test/: fail fast, with a message that says what
// to do, when the real Kafka or OpenSearch is not there.
import { Admin } from '@platformatic/kafka';

export async function requireKafka(brokers: string): Promise<void> {
  const admin = new Admin({ clientId: 'cirt-preflight', bootstrapBrokers: brokers.split(','), timeout: 5_000, retries: 0, connectTimeout: 5_000 });
  try {
    await withTimeout(admin.metadata({ topics: [] }), 10_000, 'metadata request timed out');
  } catch (err) {
    throw new Error(`Kafka at ${brokers} is not reachable (${(err as Error).message}); start the stack with \`bash stack/stack.sh start\``, { cause: err });
  } finally {
    await admin.close().catch(() => undefined);
  }
}

export async function requireOpenSearch(url: string): Promise<void> {
  try {
    const res = await fetch(`${url}/_cluster/health`, { signal: AbortSignal.timeout(5_000) });
    const body = (await res.json()) as { status?: string };
    if (body.status !== 'green' && body.status !== 'yellow') throw new Error(`cluster status ${body.status}`);
  } catch (err) {
    throw new Error(`OpenSearch at ${url} is not reachable (${(err as Error).message}); start the stack with \`bash stack/stack.sh start\``, { cause: err });
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(message)), ms).unref())]);
}
