// Splits the text of an evtx_dump-style JSON file into its top-level values: one object, an array of objects,
// JSON lines, or pretty-printed objects one after another (as `evtx_dump -o json` writes them). Pure, one pass.
// A value that does not parse is reported with its line; the scan goes on with the next value.

export type JsonValueItem = { value: unknown; line: number } | { error: string; line: number };

export function* jsonValues(text: string): Generator<JsonValueItem> {
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const ch = text[i]!;
    if (ch === '\n') {
      line++;
      i++;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === ',' || ch === '\uFEFF') {
      i++;
      continue;
    }
    const startLine = line;
    const start = i;
    if (ch !== '{' && ch !== '[') {
      // Not an object/array: skip to the end of the line and report it.
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? n : nl;
      yield { error: `expected '{' or '[' but found ${JSON.stringify(text.slice(start, Math.min(i, start + 20)).trimEnd())}`, line: startLine };
      continue;
    }
    let depth = 0;
    let inString = false;
    for (; i < n; i++) {
      const c = text[i]!;
      if (c === '\n') line++;
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) {
          i++;
          break;
        }
      }
    }
    const raw = text.slice(start, i);
    if (depth !== 0) {
      yield { error: 'unterminated JSON value at the end of the file', line: startLine };
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      yield { error: `not JSON: ${(err as Error).message}`, line: startLine };
      continue;
    }
    if (Array.isArray(value)) for (const v of value) yield { value: v, line: startLine };
    else yield { value, line: startLine };
  }
}
