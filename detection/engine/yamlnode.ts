// A small located view of a YAML document: every map key, sequence item and scalar keeps its line/column,
// so errors can point at the node that caused them. Built from eemeli/yaml's AST (aliases resolved), or for the
// common shape of a Sigma rule by the fast path in fastyaml.ts (same tree; it declines anything else).
import { LineCounter, parseAllDocuments, isAlias, isMap, isScalar, isSeq, isPair, type Document, type Node as YamlAstNode } from 'yaml';
import { SigmaError, type ErrorLocation } from './errors.ts';
import { parseYamlFast } from './fastyaml.ts';

export interface Pos { line: number; column: number }
export type Scalar = string | number | boolean | null;
export interface YScalar { kind: 'scalar'; value: Scalar; /** source text of a plain scalar (keeps `0x10`, `00012`) */ source?: string; plain: boolean; pos: Pos }
export interface YSeq { kind: 'seq'; items: YNode[]; pos: Pos }
export interface YEntry { key: string; keyPos: Pos; value: YNode }
export interface YMap { kind: 'map'; entries: YEntry[]; pos: Pos }
export type YNode = YScalar | YSeq | YMap;

export interface YDoc { root: YNode | null; index: number; pos: Pos }

/** Most nodes a document's aliases may expand to (a Sigma rule uses aliases rarely, and small). */
export const MAX_ALIAS_NODES = 10_000;

/** Parse every document of a YAML text. A syntax error in a document is returned in `errors` (one per bad document). */
export function parseYamlDocuments(text: string, file?: string): { docs: YDoc[]; errors: SigmaError[] } {
  const fast = parseYamlFast(text);
  return fast !== undefined ? { docs: fast, errors: [] } : parseYamlFull(text, file);
}

/** parseYamlDocuments without the fast path: eemeli/yaml for everything (the reference the fast path is tested against). */
export function parseYamlFull(text: string, file?: string): { docs: YDoc[]; errors: SigmaError[] } {
  const lc = new LineCounter();
  const out: YDoc[] = [];
  const errors: SigmaError[] = [];
  let all: Document.Parsed[];
  try {
    all = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true }) as Document.Parsed[];
  } catch (err) {
    errors.push(new SigmaError('ERR_SIGMA_YAML', `YAML parse failed: ${String(err)}`, { location: { file, line: 1, column: 1 }, cause: err }));
    return { docs: out, errors };
  }
  if (!Array.isArray(all)) all = [all];
  all.forEach((doc, index) => {
    const docPos = toPos(lc, doc.range?.[0] ?? 0);
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const lp = e.pos ? toPos(lc, e.pos[0]) : docPos;
      errors.push(new SigmaError('ERR_SIGMA_YAML', e.message.split('\n')[0] ?? e.message, {
        location: { file, line: lp.line, column: lp.column }, cause: e,
      }));
      return;
    }
    // Aliases are expanded into copies: bound the copies, or a few hundred bytes of nested aliases ("billion laughs")
    // would build millions of nodes and stall the loader (and the detector's hot reload).
    let aliasNodes = 0;
    const convert = (node: unknown, depth: number, viaAlias = false): YNode => {
      if (depth > 64) throw new SigmaError('ERR_SIGMA_YAML', 'YAML nesting too deep', { location: { file, ...docPos } });
      if (viaAlias && ++aliasNodes > MAX_ALIAS_NODES) {
        throw new SigmaError('ERR_SIGMA_YAML', `YAML aliases expand to more than ${MAX_ALIAS_NODES.toLocaleString('en')} nodes (an alias bomb?)`, { location: { file, ...docPos } });
      }
      if (isAlias(node)) return convert(node.resolve(doc), depth + 1, true);
      const n = node as YamlAstNode | null | undefined;
      const pos = toPos(lc, n?.range?.[0] ?? 0);
      if (isMap(n)) {
        const entries: YEntry[] = [];
        for (const item of n.items) {
          if (!isPair(item)) continue;
          const k = isAlias(item.key) ? item.key.resolve(doc) : item.key;
          const keyVal = isScalar(k) ? k.value : null;
          const keyPos = toPos(lc, (k as YamlAstNode | null)?.range?.[0] ?? 0);
          if (keyVal === null || typeof keyVal === 'object') {
            throw new SigmaError('ERR_SIGMA_SCHEMA', 'map keys must be scalars', { location: { file, ...keyPos } });
          }
          const valNode = item.value === null ? { kind: 'scalar' as const, value: null, plain: true, pos: keyPos } : convert(item.value, depth + 1, viaAlias);
          entries.push({ key: String(keyVal), keyPos, value: valNode });
        }
        return { kind: 'map', entries, pos };
      }
      if (isSeq(n)) return { kind: 'seq', items: n.items.map((i) => convert(i, depth + 1, viaAlias)), pos };
      if (isScalar(n)) {
        const v = n.value;
        const value: Scalar = v === null || v === undefined ? null : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : typeof v === 'bigint' ? Number(v) : String(v);
        const plain = n.type === 'PLAIN' || n.type === undefined;
        const src = (n as { source?: unknown }).source;
        return { kind: 'scalar', value, plain, pos, ...(plain && typeof src === 'string' ? { source: src } : {}) };
      }
      return { kind: 'scalar', value: null, plain: true, pos };
    };
    try {
      out.push({ root: doc.contents === null ? null : convert(doc.contents, 0), index, pos: docPos });
    } catch (err) {
      if (err instanceof SigmaError) errors.push(err);
      else throw err;
    }
  });
  return { docs: out, errors };
}

function toPos(lc: LineCounter, offset: number): Pos {
  const lp = lc.linePos(offset);
  return { line: lp.line, column: lp.col };
}

export function get(map: YMap, key: string): YEntry | undefined {
  return map.entries.find((e) => e.key === key);
}

/** Plain JS value of a node (for raw objects handed to other stages, e.g. correlations). */
export function toJS(node: YNode | null): unknown {
  if (node === null) return null;
  switch (node.kind) {
    case 'scalar': return node.value;
    case 'seq': return node.items.map(toJS);
    case 'map': return Object.fromEntries(node.entries.map((e) => [e.key, toJS(e.value)]));
  }
}

export function at(file: string | undefined, pos: Pos, field?: string): ErrorLocation {
  return field === undefined ? { file, line: pos.line, column: pos.column } : { file, line: pos.line, column: pos.column, field };
}

export function scalarText(node: YScalar): string {
  if (typeof node.value === 'string') return node.value;
  if (node.source !== undefined && typeof node.value === 'number') return node.source;
  return String(node.value);
}
