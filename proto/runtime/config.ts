// One typed, validated configuration per service (DESIGN.md "Conventions"): a JSON Schema with defaults in one
// place and unknown keys rejected, filled from an optional YAML file, then environment variables, then overrides.
// The result is deep-frozen.
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { CirtError } from '../errors.ts';

export class ConfigError extends CirtError {}

export interface ConfigSource {
  /** YAML file path (optional). */
  file?: string;
  /** Environment variable name -> dotted config path, e.g. { CIRT_KAFKA_BROKERS: 'kafka.brokers' }. */
  envMap?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
  overrides?: Record<string, unknown>;
}

export function loadConfig<T>(service: string, schema: object, source: ConfigSource = {}): Readonly<T> {
  let data: Record<string, unknown> = {};
  if (source.file) {
    let text: string;
    try {
      text = readFileSync(source.file, 'utf8');
    } catch (err) {
      throw new ConfigError('ERR_CONFIG_FILE', `${service}: cannot read config file: ${(err as Error).message}`, { cause: err, location: { file: source.file } });
    }
    try {
      data = (parseYaml(text) as Record<string, unknown> | null) ?? {};
    } catch (err) {
      const pos = (err as { linePos?: { line: number; col: number }[] }).linePos?.[0];
      throw new ConfigError('ERR_CONFIG_YAML', `${service}: invalid YAML: ${(err as Error).message.split('\n')[0]}`, {
        cause: err,
        location: { file: source.file, line: pos?.line, column: pos?.col },
      });
    }
  }
  const env = source.env ?? process.env;
  for (const [name, path] of Object.entries(source.envMap ?? {})) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(data, path, value.includes(',') ? value.split(',') : value);
  }
  for (const [path, value] of Object.entries(source.overrides ?? {})) setPath(data, path, value);
  // An Ajv per load, not one per module: a service loads its config once, and the compiled validator (generated code,
  // hundreds of KB for the agent's schema of every input) is then garbage instead of living as long as the process.
  const validate = new Ajv({ useDefaults: true, coerceTypes: 'array', allErrors: true, strict: false }).compile(schema);
  const copy = structuredClone(data);
  if (!validate(copy)) {
    throw new ConfigError('ERR_CONFIG_INVALID', `${service}: invalid configuration: ${formatErrors(validate.errors ?? [])}`, {
      location: source.file ? { file: source.file } : undefined,
    });
  }
  return deepFreeze(copy) as T;
}

function formatErrors(errors: ErrorObject[]): string {
  return errors
    .map((e) => {
      const where = e.instancePath || '(root)';
      if (e.keyword === 'additionalProperties') return `${where}: unknown key '${(e.params as { additionalProperty: string }).additionalProperty}'`;
      return `${where}: ${e.message}`;
    })
    .join('; ');
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof cur[key] !== 'object' || cur[key] === null) cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]!] = value;
}

function deepFreeze<T>(obj: T): T {
  if (obj && typeof obj === 'object') {
    for (const v of Object.values(obj)) deepFreeze(v);
    Object.freeze(obj);
  }
  return obj;
}
