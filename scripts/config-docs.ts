// Generates docs/configuration.md from the services' config schemas (a composition root: it imports every
// component's schema). `npm run docs:config` writes the file; `npm run docs:config -- --check` only compares, and
// scripts/config-docs.test.ts fails when the file is out of date.
//   tsx scripts/config-docs.ts [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AGENT_ENV, agentSchema } from '../agents/config.ts';
import { DETECTOR_ENV, detectorSchema } from '../detection/service/config.ts';
import { GATEWAY_ENV, gatewaySchema } from '../ingest/gateway/config.ts';
import { INDEXER_ENV, indexerSchema } from '../ingest/indexer/config.ts';

export const ROOT = join(import.meta.dirname, '..');
export const OUTPUT = join(ROOT, 'docs', 'configuration.md');
export const FIX_COMMAND = 'npm run docs:config';

/** The part of JSON Schema our config schemas use. */
export interface SchemaNode {
  type?: string | readonly string[];
  enum?: readonly unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  required?: readonly string[];
  properties?: Readonly<Record<string, SchemaNode>>;
  items?: SchemaNode;
  allOf?: readonly { if?: SchemaNode; then?: SchemaNode }[];
}

export interface KeyRow {
  key: string;
  type: string;
  default: string;
  allowed: string;
  env: string[];
  description: string;
}

/** One row per leaf key (objects are walked, their keys dotted); `env` maps variable -> dotted path. */
export function keyRows(schema: SchemaNode, env: Readonly<Record<string, string>> = {}, prefix = ''): KeyRow[] {
  const rows: KeyRow[] = [];
  const required = new Set(schema.required ?? []);
  for (const [name, node] of Object.entries(schema.properties ?? {})) {
    const key = prefix + name;
    if (node.const !== undefined) continue; // a discriminator (inputs[].type), shown in the section title
    if (node.properties && typeOf(node) === 'object') {
      rows.push(...keyRows(node, env, `${key}.`));
      continue;
    }
    rows.push({
      key,
      type: typeOf(node),
      default: node.default !== undefined ? formatDefault(node.default, key) : required.has(name) ? '**required**' : '—',
      allowed: allowed(node),
      env: Object.entries(env).filter(([, path]) => path === key).map(([variable]) => variable),
      description: node.description ?? '',
    });
  }
  return rows;
}

/** The per-type schemas of an array whose items pick a fragment by `type` (agent `inputs:`). */
export function variants(node: SchemaNode): { name: string; schema: SchemaNode }[] {
  return (node.items?.allOf ?? []).flatMap((branch) => {
    const name = branch.if?.properties?.type?.const;
    return typeof name === 'string' && branch.then ? [{ name, schema: branch.then }] : [];
  });
}

function typeOf(node: SchemaNode): string {
  if (node.enum) return [...new Set(node.enum.map((v) => (v === null ? 'null' : typeof v)))].join(' or ');
  const t = node.type;
  if (t === 'array') return node.items?.allOf ? 'list of entries' : `list of ${node.items ? typeOf(node.items) : 'any'}`;
  if (Array.isArray(t)) return t.join(' or ');
  return typeof t === 'string' ? t : 'any';
}

function allowed(node: SchemaNode): string {
  const parts: string[] = [];
  if (node.enum) parts.push(node.enum.map((v) => code(String(v))).join(', '));
  if (node.minimum !== undefined && node.maximum !== undefined) parts.push(`${node.minimum} … ${node.maximum}`);
  else if (node.minimum !== undefined) parts.push(`≥ ${node.minimum}`);
  else if (node.maximum !== undefined) parts.push(`≤ ${node.maximum}`);
  if (node.minItems !== undefined) parts.push(`at least ${node.minItems} item${node.minItems === 1 ? '' : 's'}`);
  if (node.minLength === 1) parts.push('not empty');
  else if (node.minLength !== undefined) parts.push(`at least ${node.minLength} characters`);
  if (node.maxLength !== undefined) parts.push(`at most ${node.maxLength} characters`);
  if (node.pattern !== undefined) parts.push(`matches ${code(node.pattern)}`);
  if (node.items) {
    const inner = allowed(node.items);
    if (inner && !node.items.allOf) parts.push(`each ${inner}`);
  }
  return parts.join('; ');
}

function formatDefault(value: unknown, key: string): string {
  if (typeof value === 'string') return value === '' ? '`""` (empty)' : code(value);
  if (typeof value === 'number' && /Bytes$/.test(key) && value >= 1024 && value % 1024 === 0) return `${code(String(value))} (${bytes(value)})`;
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) return '—';
  return code(JSON.stringify(value));
}

function bytes(n: number): string {
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && v % 1024 === 0 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v} ${units[i]}`;
}

function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** Markdown table cell: no pipes or newlines; <placeholders> shown literally. */
function cell(text: string): string {
  const outsideCode = (part: string, i: number) => (i % 2 === 1 ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\*/g, '\\*'));
  return text.replace(/\n/g, ' ').split('`').map(outsideCode).join('`').replace(/\|/g, '\\|');
}

/** A Markdown table of the rows; the env column only when some row has a variable. */
export function table(rows: KeyRow[], keyTitle = 'key'): string {
  const withEnv = rows.some((r) => r.env.length > 0);
  const titles = [keyTitle, 'type', 'default', 'allowed', ...(withEnv ? ['env'] : []), 'description'];
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`.replace(/ {2,}\|/g, ' |');
  const body = rows.map((r) => line([code(r.key), r.type, r.default, r.allowed, ...(withEnv ? [r.env.map(code).join(', ')] : []), cell(r.description)]));
  return [line(titles), `|${titles.map(() => '---').join('|')}|`, ...body].join('\n');
}

interface ServiceDoc {
  title: string;
  source: string;
  run: string;
  schema: SchemaNode;
  env: Readonly<Record<string, string>>;
}

const SERVICES: ServiceDoc[] = [
  { title: 'Agent', source: 'agents/config.ts', run: 'npx tsx agents/main.ts --config agent.yml', schema: agentSchema as SchemaNode, env: AGENT_ENV },
  { title: 'Gateway', source: 'ingest/gateway/config.ts', run: 'npx tsx ingest/gateway/main.ts gateway.yml', schema: gatewaySchema as SchemaNode, env: GATEWAY_ENV },
  { title: 'Detector', source: 'detection/service/config.ts', run: 'npx tsx detection/service/main.ts detector.yml', schema: detectorSchema as SchemaNode, env: DETECTOR_ENV },
  { title: 'Indexer', source: 'ingest/indexer/config.ts', run: 'npx tsx ingest/indexer/main.ts indexer.yml', schema: indexerSchema as SchemaNode, env: INDEXER_ENV },
];

interface UiConfig {
  hostEnv: Record<string, SchemaNode>;
  osdPrefix: string;
  osdKeys: Record<string, SchemaNode>;
}

/**
 * ui-plugin/ is its own TypeScript project (extensionless imports, D17), so its two declaration modules are loaded
 * at run time rather than type-checked as part of this one.
 */
export async function loadUiConfig(): Promise<UiConfig> {
  const host = (await import(join(ROOT, 'ui-plugin/standalone/config.ts'))) as { HOST_ENV?: Record<string, SchemaNode> };
  const osd = (await import(join(ROOT, 'ui-plugin/server/config_keys.ts'))) as { OSD_CONFIG_PREFIX?: string; OSD_CONFIG_KEYS?: Record<string, SchemaNode> };
  if (!host.HOST_ENV || !osd.OSD_CONFIG_KEYS || !osd.OSD_CONFIG_PREFIX) throw new Error('ui-plugin config declarations not found (HOST_ENV, OSD_CONFIG_KEYS)');
  return { hostEnv: host.HOST_ENV, osdPrefix: osd.OSD_CONFIG_PREFIX, osdKeys: osd.OSD_CONFIG_KEYS };
}

/** Every documented key that has no description, as "<section>: <key>". */
export function missingDescriptions(ui: UiConfig): string[] {
  const out: string[] = [];
  const check = (section: string, rows: KeyRow[]) => out.push(...rows.filter((r) => !r.description.trim()).map((r) => `${section}: ${r.key}`));
  for (const s of SERVICES) {
    check(s.source, keyRows(s.schema, s.env));
    for (const field of Object.keys(s.schema.properties ?? {})) {
      for (const v of variants(s.schema.properties![field]!)) check(`${s.source} ${field}[type=${v.name}]`, keyRows(v.schema));
    }
  }
  check('ui-plugin/standalone/config.ts', keyRows({ properties: ui.hostEnv }));
  check('ui-plugin/server/config_keys.ts', keyRows({ properties: ui.osdKeys }));
  return out;
}

export function render(ui: UiConfig): string {
  const out: string[] = [
    '# Configuration reference',
    '',
    `<!-- Generated by \`${FIX_COMMAND}\` (scripts/config-docs.ts) from the config schemas. Do not edit by hand: change the`,
    '     schema (its `description`s) and regenerate; scripts/config-docs.test.ts fails when this file is out of date. -->',
    '',
    'Every service has one validated configuration (`proto/runtime/config.ts`):',
    '',
    '- **Sources, later wins**: the schema defaults, then an optional **YAML file** (the path is the first argument, or',
    '  `--config <file>` for the agent), then the **environment variables** listed below, then overrides from code (tests).',
    '- **Strict**: an unknown key, a wrong type or a value out of range stops the service at start with `ERR_CONFIG_INVALID`',
    '  and the path of every bad key (e.g. `/spool: unknown key \'maxbytes\'`). An unreadable file is `ERR_CONFIG_FILE`,',
    '  invalid YAML `ERR_CONFIG_YAML` with its line and column.',
    '- **Environment values** are strings converted to the key\'s type (`9104` → integer, `false` → boolean); a value with',
    '  a comma becomes a list (`CIRT_KAFKA_BROKERS=k1:9092,k2:9092`). An empty variable counts as unset.',
    '- Relative paths are relative to the working directory of the process (`npm start` runs everything from the',
    '  repository root).',
    '- `CIRT_LOG_LEVEL` (`debug`, `info`, `warn`, `error`; default `info`) sets the level of the JSON logs of the gateway,',
    '  detector, indexer and agent (`proto/runtime/log.ts`).',
    '',
  ];
  for (const s of SERVICES) {
    out.push(`## ${s.title}`, '', `Schema: \`${s.source}\`. Run: \`${s.run}\`.`, '', table(keyRows(s.schema, s.env)), '');
    for (const field of Object.keys(s.schema.properties ?? {})) {
      for (const v of variants(s.schema.properties![field]!)) {
        out.push(`### ${s.title} \`${field}:\` entry \`type: ${v.name}\``, '', table(keyRows(v.schema)), '');
      }
    }
  }
  out.push(
    '## Operations room: standalone host',
    '',
    'Declared in `ui-plugin/standalone/config.ts`; environment variables only (no YAML file). Run:',
    '`npx tsx ui-plugin/standalone/main.ts`. An invalid value stops the host with exit code 2 and names the variable.',
    '',
    table(keyRows({ properties: ui.hostEnv }), 'variable'),
    '',
    '## Operations room: OpenSearch Dashboards plugin',
    '',
    `Declared in \`ui-plugin/server/config_keys.ts\` (built into the \`@osd/config-schema\` of \`server/index.ts\`); set in`,
    `\`opensearch_dashboards.yml\` under \`${ui.osdPrefix}.\`, e.g. \`${ui.osdPrefix}.autoRefreshSeconds: 30\`. OSD refuses unknown keys at start.`,
    '',
    table(keyRows({ properties: ui.osdKeys }).map((r) => ({ ...r, key: `${ui.osdPrefix}.${r.key}` }))),
    '',
  );
  return out.join('\n');
}

async function main(): Promise<number> {
  const ui = await loadUiConfig();
  const missing = missingDescriptions(ui);
  if (missing.length > 0) {
    console.error(`config keys without a description (add \`description\` in the schema):\n  ${missing.join('\n  ')}`);
    return 1;
  }
  const text = render(ui);
  if (process.argv.includes('--check')) {
    const current = readFileSync(OUTPUT, 'utf8');
    if (current === text) return 0;
    console.error(`docs/configuration.md is out of date; run \`${FIX_COMMAND}\``);
    return 1;
  }
  writeFileSync(OUTPUT, text);
  console.log(`wrote ${OUTPUT}`);
  return 0;
}

if (process.argv[1] && import.meta.filename === resolve(process.argv[1])) process.exit(await main());
