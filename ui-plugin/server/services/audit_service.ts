// Every state change is audited: who (user, role, agency), what (action), which object, before/after, when.
// Records go to `<prefix>-YYYY.MM` (default `audit-*`). before/after are stored whole but not indexed field by field.
import type { Principal } from '../../common/index';
import type { DocStore } from './store';
import { randomUUID } from 'node:crypto';

export interface AuditRecord {
  '@timestamp': string;
  user: { name: string; roles: string[] };
  organization?: { id: string };
  event: { action: string; kind: 'event'; category: ['configuration']; outcome: 'success' };
  object: { type: string; id: string; index?: string };
  before?: unknown;
  after?: unknown;
}

export const AUDIT_MAPPINGS = {
  dynamic: false,
  properties: {
    '@timestamp': { type: 'date' },
    user: { properties: { name: { type: 'keyword' }, roles: { type: 'keyword' } } },
    organization: { properties: { id: { type: 'keyword' } } },
    event: { properties: { action: { type: 'keyword' }, kind: { type: 'keyword' }, category: { type: 'keyword' }, outcome: { type: 'keyword' } } },
    object: { properties: { type: { type: 'keyword' }, id: { type: 'keyword' }, index: { type: 'keyword' } } },
    before: { type: 'object', enabled: false },
    after: { type: 'object', enabled: false },
  },
};

export class AuditService {
  constructor(
    private readonly store: DocStore,
    private readonly prefix: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async record(principal: Principal, action: string, object: AuditRecord['object'], before: unknown, after: unknown): Promise<void> {
    const at = this.now();
    const index = `${this.prefix}-${at.getUTCFullYear()}.${String(at.getUTCMonth() + 1).padStart(2, '0')}`;
    await this.store.ensureIndex(index, AUDIT_MAPPINGS);
    const rec: AuditRecord = {
      '@timestamp': at.toISOString(),
      user: { name: principal.username, roles: [principal.role] },
      ...(principal.agency ? { organization: { id: principal.agency } } : {}),
      event: { action, kind: 'event', category: ['configuration'], outcome: 'success' },
      object,
      before: before ?? null,
      after: after ?? null,
    };
    await this.store.index(index, randomUUID(), rec as unknown as Record<string, unknown>);
  }
}
