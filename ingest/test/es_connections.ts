// Test doubles at the Elasticsearch client's HTTP layer (its `Connection` option), for the elasticsearch store:
// - scriptedConnection: records every request and answers from a handler, as an Elasticsearch 8 node would;
// - openSearchBridge: sends the client's requests to a real OpenSearch, translating only what differs on the wire
//   (ES 8's versioned media types, and the x-elastic-product header the client requires on answers).
import { BaseConnection, type ConnectionRequestParams } from '@elastic/elasticsearch';

export interface SeenRequest {
  method: string;
  path: string;
  querystring: string;
  contentType: string;
  body: string;
}

type Answer = { statusCode?: number; body: unknown };

export function scriptedConnection(handler: (req: SeenRequest) => Answer): { Connection: typeof BaseConnection; seen: SeenRequest[] } {
  const seen: SeenRequest[] = [];
  class Scripted extends BaseConnection {
    override async request(params: ConnectionRequestParams): Promise<never> {
      const req: SeenRequest = {
        method: params.method,
        path: params.path,
        querystring: params.querystring ?? '',
        contentType: String(params.headers?.['content-type'] ?? ''),
        body: params.body == null ? '' : String(params.body),
      };
      seen.push(req);
      const answer = handler(req);
      return { statusCode: answer.statusCode ?? 200, headers: { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' }, body: JSON.stringify(answer.body) } as never;
    }

    override async close(): Promise<void> {}
  }
  return { Connection: Scripted, seen };
}

export function openSearchBridge(opensearchUrl: string): typeof BaseConnection {
  return class Bridge extends BaseConnection {
    override async request(params: ConnectionRequestParams): Promise<never> {
      const ct = String(params.headers?.['content-type'] ?? '');
      const url = `${opensearchUrl}${params.path}${params.querystring ? `?${params.querystring}` : ''}`;
      const res = await fetch(url, {
        method: params.method,
        headers: ct ? { 'content-type': ct.includes('ndjson') ? 'application/x-ndjson' : 'application/json' } : {},
        body: params.body == null ? undefined : String(params.body),
        signal: AbortSignal.timeout(30_000),
      });
      return { statusCode: res.status, headers: { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' }, body: await res.text() } as never;
    }

    override async close(): Promise<void> {}
  };
}
