// The fast YAML path (engine/fastyaml.ts) against the full eemeli/yaml path (yamlnode.ts parseYamlFull): whenever
// the fast path answers, the full parser must report no error and build the deep-equal located tree (values,
// types, -0, positions, plain `source` texts). Checked on every corpus rule file, on hand-written cases, and on
// seeded mutations of corpus files (indentation, deleted/duplicated lines, inserted YAML indicators).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { parseYamlFast } from '../engine/fastyaml.ts';
import { parseYamlDocuments, parseYamlFull } from '../engine/yamlnode.ts';
import { rng, pick, type Rng } from '../../proto/testing/rng.ts';
import { corpusPresent, ruleDirs } from './corpus.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const yamlFiles = (d: string): string[] => readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))
  .flatMap((e) => (e.isDirectory() ? yamlFiles(join(d, e.name)) : /\.ya?ml$/i.test(e.name) ? [join(d, e.name)] : []));

/** 'fast' when the fast path answered (and agreed), 'declined' when it left the text to the full parser. */
function agree(text: string, what: string): 'fast' | 'declined' {
  const fast = parseYamlFast(text);
  if (fast === undefined) return 'declined';
  const full = parseYamlFull(text, 'f.yml');
  assert.deepEqual(full.errors.map(String), [], `${what}: the fast path accepted YAML the full parser rejects`);
  assert.ok(isDeepStrictEqual(fast, full.docs), `${what}: trees differ\nfast: ${JSON.stringify(fast)}\nfull: ${JSON.stringify(full.docs)}`);
  return 'fast';
}

describe('fast YAML path = full parser', () => {
  test('every SigmaHQ rule file, pipeline and project rule', { skip: !corpusPresent && 'corpus not present' }, () => {
    const corpus = ruleDirs().flatMap(yamlFiles);
    const own = [...yamlFiles(join(ROOT, 'detection/pipelines')), ...yamlFiles(join(ROOT, 'rules'))];
    let fast = 0;
    for (const f of [...corpus, ...own]) if (agree(readFileSync(f, 'utf8'), f) === 'fast' && corpus.includes(f)) fast++;
    console.log(JSON.stringify({ corpusFiles: corpus.length, fastPath: fast }));
    // Measured 3,754 of 3,757: the other 3 hold a scalar the fast path does not take (e.g. `- :\ProgramData'`).
    assert.ok(fast >= 3740, `only ${fast} of ${corpus.length} corpus files took the fast path`);
  });

  const taken: Record<string, string> = {
    'scalar types': 'a: 1\nb: -0\nc: 0x1F\nd: 0o17\ne: 1.50\nf: 1e3\ng: .inf\nh: -.Inf\ni: .nan\nj: True\nk: FALSE\nl: ~\nm: Null\nn: 012\no: +7\np: 1_000\nq: 2023-01-01\nr: 1.2.3\n',
    'empty values and comments': '# head\n\na:   # c\nb:\nc: x # y\nlist:\n  -\n  - # z\n  - ""\n  - \'\'\n',
    'nested maps and sequences': 'detection:\n    sel:\n        Image|endswith:\n            - \'\\cmd.exe\'\n            - "\\\\x.exe"\n        CommandLine|contains|all:\n            - -enc\n            - http://x.y/z?q=1#f\n    condition: sel and not 1 of filter_*\n',
    'sequence at the key indent, compact maps': 'a:\n- b\n- c: 1\n  d: 2\n-   e: 3\n    f:\n      - g\nh: end\n',
    'multi-line plain scalars': 'description: first\n  second line\n\n  after a blank\n    more indented\nnext: 1\nseq:\n  - one\n    two\n',
    'literal blocks': 'a: |\n  line1\n\n   indented\n  last\n\nb: |-\n    kept\n    strip\nc: | # comment\n  x\n',
    'quoted keys and escapes': '"k y": 1\n\'it\'\'s\': "tab\\tq\\"\\\\ \\x41\\u00e9\\U0001F600 \\/"\nz  : 2\n',
    'unicode and odd plain text': 'a: caf\u00e9 \u00a0x\u00a0\nb: C#\nc: a:b\nd: -x\ne: \u4e2d\u6587\nf: 100%\ng: x]\n',
    'root sequence': '- a\n- b: 1\n',
    'indented root': '# c\n\n  a: 1\n  b: 2\n',
  };
  for (const [name, text] of Object.entries(taken)) {
    test(`takes and agrees: ${name}`, () => { assert.equal(agree(text, name), 'fast'); });
  }

  const declined: Record<string, string> = {
    anchors: 'a: &x 1\nb: *x\n',
    tags: 'a: !!str 1\n',
    flow: 'a: [1, 2]\n',
    'flow map': 'a: {b: 1}\n',
    folded: 'a: >\n  x\n  y\n',
    'keep chomping': 'a: |+\n  x\n\n',
    'indentation indicator': 'a: |2\n   x\n',
    'multi-line quoted': 'a: "x\n  y"\n',
    'two documents': 'a: 1\n---\nb: 2\n',
    directive: '%YAML 1.2\n---\na: 1\n',
    tab: 'a:\n\t- b\n',
    crlf: 'a: 1\r\nb: 2\r\n',
    'duplicate key': 'a: 1\na: 2\n',
    'nested mapping in a plain scalar': 'a: b: c\n',
    'bad indentation': 'a:\n  b: 1\n c: 2\n',
    'more indented after a value': 'a: 1\n  b: 2\n',
    'unterminated quote': "a: 'x\n",
    'explicit key': '? a\n: b\n',
    'nested compact sequence': '- - a\n',
    'null key': '~: 1\n',
    'merge key': '<<: 1\n',
    empty: '# only a comment\n',
    'root scalar': 'just text\n',
    'literal without final newline': 'a: |\n  x',
    'deep nesting': Array.from({ length: 60 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' 1\n',
  };
  for (const [name, text] of Object.entries(declined)) {
    test(`declines: ${name}`, () => {
      assert.equal(parseYamlFast(text), undefined);
      // and the public parser still gives the full parser's answer
      assert.deepEqual(JSON.stringify(parseYamlDocuments(text, 'f.yml')), JSON.stringify(parseYamlFull(text, 'f.yml')));
    });
  }

  test('located YAML errors still come from the full parser', () => {
    const r = parseYamlDocuments('title: x\ndetection:\n  sel: a\n    b: c\n', 'bad.yml');
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0]!.code, 'ERR_SIGMA_YAML');
    assert.equal(r.errors[0]!.location?.file, 'bad.yml');
    assert.deepEqual([r.errors[0]!.location?.line, r.errors[0]!.location?.column], [3, 8]);
  });

  // Mutations that hit the fast path's decisions: indentation, line structure, YAML indicators.
  const PIECES = [':', ': ', ' #', '#', '- ', '-', "'", '"', '|', '|-', '>', '[', '{', '&a ', '*a', '!', '?', ' ', '  ', '\n', '\n  ', '\\', '~', '0x1', '.5', 'null', '%', '---', '\t', '\u00a0'];
  function mutate(text: string, r: Rng): string {
    const lines = text.split('\n');
    const n = 1 + pick(r, 3);
    for (let k = 0; k < n; k++) {
      const i = pick(r, lines.length);
      const l = lines[i]!;
      switch (pick(r, 6)) {
        case 0: lines[i] = pick(r, 2) === 0 ? ' '.repeat(1 + pick(r, 4)) + l : l.replace(/^ {1,4}/, ''); break;
        case 1: lines.splice(i, 1); break;
        case 2: lines.splice(i, 0, l); break;
        case 3: { const at = pick(r, l.length + 1); lines[i] = l.slice(0, at) + PIECES[pick(r, PIECES.length)]! + l.slice(at); break; }
        case 4: { const at = pick(r, l.length + 1); lines[i] = l.slice(0, at) + l.slice(at + 1 + pick(r, 3)); break; }
        default: lines.splice(i, 0, ' '.repeat(pick(r, 10)) + (pick(r, 2) === 0 ? '' : 'x')); break;
      }
    }
    return lines.join('\n');
  }

  test('seeded mutations of corpus files: the fast path agrees or declines', { skip: !corpusPresent && 'corpus not present' }, () => {
    const files = ruleDirs().flatMap(yamlFiles);
    const r = rng(0x5eed7a);
    let fast = 0; let total = 0;
    for (let k = 0; k < 4000; k++) {
      const text = readFileSync(files[pick(r, files.length)]!, 'utf8');
      if (agree(mutate(text, r), `mutation ${k}`) === 'fast') fast++;
      total++;
    }
    console.log(JSON.stringify({ mutations: total, fastPath: fast }));
    assert.ok(fast > total / 4, 'most mutations should still be valid YAML the fast path takes');
  });
});
