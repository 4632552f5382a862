// Test helper: hand-built NetFlow v9 / IPFIX packets as byte arrays.
export const u8 = (n: number): number[] => [n & 0xff];
export const u16 = (n: number): number[] => [(n >>> 8) & 0xff, n & 0xff];
export const u32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
export const u64 = (n: number): number[] => [...u32(Math.floor(n / 2 ** 32)), ...u32(n % 2 ** 32)];
export const ip4 = (s: string): number[] => s.split('.').map(Number);
export function ip6(s: string): number[] {
  const [head = '', tail = ''] = s.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const groups = s.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.flatMap((g) => u16(Number.parseInt(g, 16)));
}

/** A set: id, length (computed unless given), body. */
export function set(id: number, body: number[], length?: number): number[] {
  return [...u16(id), ...u16(length ?? body.length + 4), ...body];
}

/** An IPFIX template record: [id, length] or [id, length, pen] per field. */
export function ipfixTemplate(templateId: number, fields: ([number, number] | [number, number, number])[]): number[] {
  return [...u16(templateId), ...u16(fields.length), ...fields.flatMap(([id, len, pen]) => (pen === undefined ? [...u16(id), ...u16(len)] : [...u16(id | 0x8000), ...u16(len), ...u32(pen)]))];
}

export function ipfixOptionsTemplate(templateId: number, scope: [number, number][], fields: [number, number][]): number[] {
  return [...u16(templateId), ...u16(scope.length + fields.length), ...u16(scope.length), ...[...scope, ...fields].flatMap(([id, len]) => [...u16(id), ...u16(len)])];
}

export function ipfix(domainId: number, sets: number[][], exportSecs = 1_750_000_000, sequence = 0): Buffer {
  const body = sets.flat();
  return Buffer.from([...u16(10), ...u16(16 + body.length), ...u32(exportSecs), ...u32(sequence), ...u32(domainId), ...body]);
}

export function v9Template(templateId: number, fields: [number, number][]): number[] {
  return [...u16(templateId), ...u16(fields.length), ...fields.flatMap(([id, len]) => [...u16(id), ...u16(len)])];
}

export function v9OptionsTemplate(templateId: number, scope: [number, number][], fields: [number, number][]): number[] {
  return [...u16(templateId), ...u16(scope.length * 4), ...u16(fields.length * 4), ...[...scope, ...fields].flatMap(([id, len]) => [...u16(id), ...u16(len)])];
}

export function v9(sourceId: number, sets: number[][], opts: { uptimeMs?: number; unixSecs?: number; sequence?: number; count?: number } = {}): Buffer {
  return Buffer.from([...u16(9), ...u16(opts.count ?? sets.length), ...u32(opts.uptimeMs ?? 100_000), ...u32(opts.unixSecs ?? 1_750_000_000), ...u32(opts.sequence ?? 0), ...u32(sourceId), ...sets.flat()]);
}
