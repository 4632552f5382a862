// Index templates with explicit ECS mappings (no dynamic guessing for the fields rules and the UI rely on).
// Written so they need none of the modules the OpenSearch integ-test distribution lacks (no ingest pipelines,
// no painless, no custom analyzers).
import type { IndexTemplate } from './store.ts';

const endpoint = { properties: { ip: { type: 'ip' }, port: { type: 'integer' }, bytes: { type: 'long' }, packets: { type: 'long' }, domain: { type: 'keyword' } } };
const observer = { properties: { id: { type: 'keyword' }, name: { type: 'keyword' }, type: { type: 'keyword' }, hostname: { type: 'keyword' }, ip: { type: 'ip' } } };
const host = { properties: { name: { type: 'keyword' }, hostname: { type: 'keyword' }, ip: { type: 'ip' } } };

export const ALERTS_TEMPLATE = {
  index_patterns: ['alerts-*'],
  priority: 100,
  template: {
    // Alerts are few and an analyst waits for them: searchable within 250 ms of the write (default 1 s) costs little.
    settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '250ms' },
    mappings: {
      dynamic: true,
      properties: {
        '@timestamp': { type: 'date' },
        event: { properties: { kind: { type: 'keyword' }, created: { type: 'date' }, dataset: { type: 'keyword' } } },
        alert: {
          properties: {
            id: { type: 'keyword' },
            status: { type: 'keyword' },
            severity: { type: 'keyword' },
            reason: { type: 'text' },
            window: { properties: { start: { type: 'date' }, end: { type: 'date' } } },
            matched_fields: { type: 'keyword' },
          },
        },
        rule: {
          properties: {
            id: { type: 'keyword' },
            name: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 512 } } },
            description: { type: 'text' },
            author: { type: 'keyword' },
            license: { type: 'keyword' },
            level: { type: 'keyword' },
            tags: { type: 'keyword' },
            references: { type: 'keyword', index: false },
            type: { type: 'keyword' },
            hash: { type: 'keyword' },
            version: { type: 'keyword' },
          },
        },
        organization: { properties: { id: { type: 'keyword' } } },
        observer,
        source: endpoint,
        destination: endpoint,
        host,
        threat: { properties: { technique: { properties: { id: { type: 'keyword' } } }, tactic: { properties: { name: { type: 'keyword' } } } } },
        // RSIT classification and TLP 2.0 marking (proto/taxonomy.ts, proto/tlp.ts): what the queue filters and the wall counts by.
        rsit: { properties: { classification: { type: 'keyword' }, type: { type: 'keyword' } } },
        tlp: { type: 'keyword' },
        // Triggering events are kept whole for the analyst but not indexed field by field.
        events: { type: 'object', enabled: false },
      },
    },
  },
};

export const EVENTS_TEMPLATE = {
  index_patterns: ['events-*'],
  priority: 100,
  template: {
    settings: { number_of_shards: 1, number_of_replicas: 0 },
    mappings: {
      dynamic: true,
      properties: {
        '@timestamp': { type: 'date' },
        event: { properties: { id: { type: 'keyword' }, kind: { type: 'keyword' }, category: { type: 'keyword' }, type: { type: 'keyword' }, dataset: { type: 'keyword' }, module: { type: 'keyword' }, start: { type: 'date' }, end: { type: 'date' }, ingested: { type: 'date' } } },
        organization: { properties: { id: { type: 'keyword' } } },
        agent: { properties: { id: { type: 'keyword' }, ephemeral_id: { type: 'keyword' } } },
        source: endpoint,
        destination: endpoint,
        network: { properties: { transport: { type: 'keyword' }, iana_number: { type: 'keyword' }, bytes: { type: 'long' }, packets: { type: 'long' }, type: { type: 'keyword' } } },
        observer,
        host,
        message: { type: 'text' },
        // The agent's heartbeat (event.dataset cirt.agent_health, agents/heartbeat.ts): what the wall aggregates.
        cirt: {
          properties: {
            // Stamped by the gateway from the agent's client certificate (ingest/gateway/validate.ts): the wall shows
            // the earliest expiry per agency.
            agent_cert: { properties: { not_after: { type: 'date' }, serial: { type: 'keyword' } } },
            agent: {
              properties: {
                boot_id: { type: 'keyword' },
                spool: { properties: { backlog_bytes: { type: 'long' }, backlog_records: { type: 'long' } } },
                shipper: { properties: { connected: { type: 'boolean' } } },
              },
            },
          },
        },
      },
    },
  },
};

export const DEADLETTER_TEMPLATE = {
  index_patterns: ['deadletter-*'],
  priority: 100,
  template: {
    settings: { number_of_shards: 1, number_of_replicas: 0 },
    mappings: { dynamic: false, properties: { '@timestamp': { type: 'date' }, target: { properties: { index: { type: 'keyword' }, id: { type: 'keyword' } } }, error: { properties: { status: { type: 'integer' }, reason: { type: 'text' } } }, original: { type: 'text', index: false } } },
  },
};

export const TEMPLATES: Record<string, IndexTemplate> = { 'cirt-alerts': ALERTS_TEMPLATE, 'cirt-events': EVENTS_TEMPLATE, 'cirt-deadletter': DEADLETTER_TEMPLATE };
