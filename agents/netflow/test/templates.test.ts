// The template cache and the reader, on their own.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryTemplateCache, NetflowDecodeError, Reader, type Template, type TemplateKey, formatIPv6, uptimeAgeMs } from '../index.ts';

const tpl = (id: number, fields: [number, number][], kind: Template['kind'] = 'data'): Template => ({
  templateId: id, kind, scopeFieldCount: kind === 'options' ? 1 : 0, fields: fields.map(([i, l]) => ({ id: i, length: l })), minRecordLength: fields.reduce((a, [, l]) => a + l, 0),
});
const key = (templateId: number, domainId = 1, exporter = '192.0.2.1', version: 9 | 10 = 10): TemplateKey => ({ exporter, version, domainId, templateId });

describe('MemoryTemplateCache', () => {
  it('reports added / unchanged / updated', () => {
    const c = new MemoryTemplateCache();
    assert.equal(c.add(key(256), tpl(256, [[8, 4]]), 0), 'added');
    assert.equal(c.add(key(256), tpl(256, [[8, 4]]), 1), 'unchanged');
    assert.equal(c.add(key(256), tpl(256, [[8, 4], [12, 4]]), 2), 'updated');
    assert.equal(c.get(key(256), 3)?.fields.length, 2);
  });

  it('keys by exporter, version, domain and template id', () => {
    const c = new MemoryTemplateCache();
    c.add(key(256), tpl(256, [[8, 4]]), 0);
    assert.equal(c.get(key(256, 2), 0), undefined);
    assert.equal(c.get(key(256, 1, '192.0.2.9'), 0), undefined);
    assert.equal(c.get(key(256, 1, '192.0.2.1', 9), 0), undefined);
    assert.ok(c.get(key(256), 0));
  });

  it('expires by TTL against the caller clock; sweep removes expired entries', () => {
    const c = new MemoryTemplateCache({ ttlMs: 1000 });
    c.add(key(256), tpl(256, [[8, 4]]), 0);
    c.add(key(257), tpl(257, [[8, 4]]), 900);
    assert.ok(c.get(key(256), 1000));
    assert.equal(c.sweep(1500), 1);
    assert.equal(c.get(key(256), 1500), undefined);
    assert.ok(c.get(key(257), 1500));
    assert.equal(c.add(key(256), tpl(256, [[8, 4]]), 5000), 'added');
  });

  it('is bounded: the least recently refreshed template is evicted', () => {
    const c = new MemoryTemplateCache({ maxTemplates: 2 });
    c.add(key(256), tpl(256, [[8, 4]]), 0);
    c.add(key(257), tpl(257, [[8, 4]]), 1);
    c.add(key(256), tpl(256, [[8, 4]]), 2); // refresh
    c.add(key(258), tpl(258, [[8, 4]]), 3);
    assert.deepEqual(c.entries().map((e) => e.key.templateId), [256, 258]);
  });

  it('withdraws one, or all of a kind in one scope', () => {
    const c = new MemoryTemplateCache();
    c.add(key(256), tpl(256, [[8, 4]]), 0);
    c.add(key(257), tpl(257, [[149, 4], [305, 4]], 'options'), 0);
    c.add(key(256, 2), tpl(256, [[8, 4]]), 0);
    assert.equal(c.withdraw(key(256, 2)), true);
    assert.equal(c.withdraw(key(256, 2)), false);
    c.add(key(256, 2), tpl(256, [[8, 4]]), 0);
    assert.equal(c.withdrawAll({ exporter: '192.0.2.1', version: 10, domainId: 1 }, 'options'), 1);
    assert.equal(c.withdrawAll({ exporter: '192.0.2.1', version: 10, domainId: 1 }), 1);
    assert.equal(c.size(), 1);
  });
});

describe('Reader', () => {
  it('checks every read against the remaining bytes and reports the offset', () => {
    const r = new Reader(Buffer.from([1, 2, 3, 4, 5]), 1, 4);
    assert.equal(r.u16('a'), 0x0203);
    assert.throws(() => r.u16('b'), (e: unknown) => e instanceof NetflowDecodeError && e.code === 'ERR_NETFLOW_TRUNCATED' && e.offset === 3 && e.location?.field === 'b');
    assert.equal(r.u8('c'), 4);
    assert.equal(r.remaining, 0);
  });

  it('checks lengths before allocating: a huge length fails without reading', () => {
    const r = new Reader(Buffer.alloc(8));
    assert.throws(() => r.bytes(1 << 30, 'x'), /need 1073741824 bytes, 8 left/);
    assert.throws(() => r.bytes(-1, 'x'), (e: unknown) => e instanceof NetflowDecodeError && e.code === 'ERR_NETFLOW_LENGTH');
    assert.equal(r.offset, 0);
  });

  it('reads reduced-size unsigned integers of 1..8 bytes, bigint beyond 2^53', () => {
    const r = new Reader(Buffer.from([0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    assert.equal(r.uint(3, 'x'), 1);
    assert.equal(r.uint(8, 'y'), 0xffffffffffffffffn);
  });
});

describe('helpers', () => {
  it('formats IPv6 per RFC 5952', () => {
    const ip = (hex: string) => formatIPv6(Buffer.from(hex, 'hex'));
    assert.equal(ip('00000000000000000000000000000001'), '::1');
    assert.equal(ip('20010db8000000000001000000000001'), '2001:db8::1:0:0:1');
    assert.equal(ip('20010db8000000010001000100010001'), '2001:db8:0:1:1:1:1:1');
    assert.equal(ip('00000000000000000000000000000000'), '::');
    assert.equal(ip('fe800000000000000000000000000000'), 'fe80::');
  });

  it('uptime differences wrap at 2^32 ms', () => {
    assert.equal(uptimeAgeMs(2007, 4294247968), 721335);
    assert.equal(uptimeAgeMs(100_000, 40_000), 60_000);
    assert.equal(uptimeAgeMs(100_000, 100_500), -500);
  });
});
