// The XML that python-evtx's evtx_dump.py prints for one record, converted to the JSON shape of the Rust
// evtx_dump (the shape of the SigmaHQ regression corpus): attributes under "#attributes", text-only elements as
// values, <Data Name="X">v</Data> as EventData.X = v, integers as numbers, empty elements as null. Pure.
// A minimal XML reader is enough here: evtx_dump.py writes elements, attributes, text and the five entities.
//
// Value normalisation so that both sources give the same event (checked against the corpus in the tests):
//   - decimal integers without leading zeros → numbers (the Rust dump keeps BinXML integer types as numbers);
//   - python-evtx renders GUIDs "{5aa13a44-…}", the Rust dump "5AA13A44-…": lower-case braced GUIDs are rewritten;
//   - zero-padded hex integers "0x000000000001eba8" (HexInt32/64 in python-evtx) → "0x1eba8" (so LogonId: '0x3e7' matches);
//   - text is trimmed, as the Rust dump does ("cmd.exe\" " → "cmd.exe\"");
//   - the SystemTime attribute "2025-10-24 23:41:00.601559" → "2025-10-24T23:41:00.601559Z";
//   - empty attributes (python-evtx prints Qualifiers="") are dropped.

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export class XmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return ENTITIES[e] ?? m;
  });
}

/** Parses one XML document/fragment and returns its first root element. Throws XmlSyntaxError. */
export function parseXml(xml: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  const n = xml.length;
  while (i < n) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt === -1 ? n : lt;
    if (textEnd > i && stack.length) stack[stack.length - 1]!.text += decode(xml.slice(i, textEnd));
    if (lt === -1) break;
    i = lt;
    if (xml.startsWith('<?', i)) {
      const e = xml.indexOf('?>', i);
      if (e === -1) throw new XmlSyntaxError('unterminated processing instruction', i);
      i = e + 2;
    } else if (xml.startsWith('<!--', i)) {
      const e = xml.indexOf('-->', i);
      if (e === -1) throw new XmlSyntaxError('unterminated comment', i);
      i = e + 3;
    } else if (xml.startsWith('<![CDATA[', i)) {
      const e = xml.indexOf(']]>', i);
      if (e === -1) throw new XmlSyntaxError('unterminated CDATA', i);
      if (stack.length) stack[stack.length - 1]!.text += xml.slice(i + 9, e);
      i = e + 3;
    } else if (xml.startsWith('</', i)) {
      const e = xml.indexOf('>', i);
      if (e === -1) throw new XmlSyntaxError('unterminated end tag', i);
      const name = xml.slice(i + 2, e).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw new XmlSyntaxError(`end tag </${name}> does not match <${open?.name ?? ''}>`, i);
      if (!stack.length) {
        root = open;
        break;
      }
      i = e + 1;
    } else {
      const m = /^<([A-Za-z_][\w.:-]*)/.exec(xml.slice(i, i + 256));
      if (!m) throw new XmlSyntaxError('bad start tag', i);
      const el: XmlElement = { name: m[1]!, attrs: {}, children: [], text: '' };
      let j = i + m[0].length;
      const attrRe = /\s*([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')|\s*(\/?>)/y;
      let selfClosing: boolean;
      for (;;) {
        attrRe.lastIndex = j;
        const a = attrRe.exec(xml);
        if (!a) throw new XmlSyntaxError(`bad attribute in <${el.name}>`, j);
        j = attrRe.lastIndex;
        if (a[5]) {
          selfClosing = a[5] === '/>';
          break;
        }
        el.attrs[a[1]!] = decode(a[3] ?? a[4] ?? '');
      }
      if (stack.length) stack[stack.length - 1]!.children.push(el);
      if (selfClosing) {
        if (!stack.length) {
          root = el;
          break;
        }
      } else stack.push(el);
      i = j;
    }
  }
  if (!root) throw new XmlSyntaxError(stack.length ? `unclosed <${stack[stack.length - 1]!.name}>` : 'no element', n);
  return root;
}

type Json = null | string | number | Json[] | { [k: string]: Json };

export function normaliseValue(s: string, key = ''): string | number {
  const hex = /^0x0+([0-9a-fA-F]+)$/.exec(s);
  if (hex && (s.length === 10 || s.length === 18)) return `0x${hex[1]}`;
  if (/^(0|-?[1-9]\d{0,15})$/.test(s) && Number.isSafeInteger(Number(s))) return Number(s);
  const guid = /^\{([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}$/.exec(s);
  // An all-digit GUID cannot be told from a braced string by its text (the corpus has both): the field name decides.
  return guid && (/[a-f]/.test(guid[1]!) || /guid$/i.test(key)) ? guid[1]!.toUpperCase() : s;
}

/** python-evtx prints SystemTime as "2025-10-24 23:41:00.601559" (UTC); the Rust dump as RFC 3339 with Z. */
function systemTimeValue(s: string): string {
  const t = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/.exec(s);
  return t ? `${t[1]}T${t[2]}Z` : s;
}

function attributes(el: XmlElement): Record<string, Json> | undefined {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(el.attrs)) if (v !== '') out[k] = k === 'SystemTime' ? systemTimeValue(v) : normaliseValue(v, k);
  return Object.keys(out).length ? out : undefined;
}

export function elementToJson(el: XmlElement): Json {
  const attrs = attributes(el);
  const text = el.text.trim() === '' && el.children.length ? '' : el.text;
  if (!el.children.length) {
    const t = text.trim();
    if (!attrs) return t === '' ? null : normaliseValue(t, el.name);
    return t === '' ? { '#attributes': attrs } : { '#attributes': attrs, '#text': normaliseValue(t, el.name) };
  }
  const obj: Record<string, Json> = {};
  if (attrs) obj['#attributes'] = attrs;
  const dataSection = el.name === 'EventData' || el.name === 'UserData';
  const repeated = new Set<string>();
  const add = (key: string, value: Json) => {
    if (!(key in obj)) obj[key] = value;
    else if (repeated.has(key)) (obj[key] as Json[]).push(value);
    else {
      obj[key] = [obj[key]!, value];
      repeated.add(key);
    }
  };
  for (const child of el.children) {
    const name = child.attrs.Name;
    if (dataSection && child.name === 'Data' && name !== undefined && name !== '') {
      const text = child.text.trim();
      obj[name] = text === '' ? null : normaliseValue(text, name);
    } else add(child.name, elementToJson(child));
  }
  return obj;
}

/** One `<Event>…</Event>` record → `{ Event: {...} }`, the evtx_dump JSON shape. Throws XmlSyntaxError. */
export function eventXmlToJson(xml: string): { Event: Json } {
  const root = parseXml(xml);
  return { [root.name]: elementToJson(root) } as { Event: Json };
}
