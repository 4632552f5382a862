// The standalone host's settings: environment variables only (no YAML file). Each one's type, default and meaning
// is declared here; main.ts reads them with readHostEnv() and scripts/config-docs.ts documents them.

export const HOST_ENV = {
  CIRT_UI_PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 5601, description: 'Port of the operations room (HTTP, bound to 127.0.0.1).' },
  CIRT_OPENSEARCH_URL: { type: 'string', default: 'http://127.0.0.1:19200', description: 'URL of the OpenSearch cluster holding alerts-*, events-*, incidents, advisories and audit-*.' },
  CIRT_UI_USERS_FILE: {
    type: 'string',
    description: 'Users YAML (username, role, agency, scrypt password_hash). Unset: the dev users file <CIRT_STACK_DIR or .stack>/ui-users.yaml, created with the dev users.',
  },
  CIRT_STACK_DIR: { type: 'string', description: 'Where the dev users file is kept when CIRT_UI_USERS_FILE is unset (default: .stack of the repository).' },
  CIRT_UI_WEBHOOKS: { type: 'array', items: { type: 'string' }, default: [], description: 'Advisory webhooks: comma-separated `<url>` or `<url> <TLP clearance>` (CLEAR, GREEN, AMBER, AMBER+STRICT, RED; default CLEAR): each gets the published advisories (CAP + STIX) its clearance allows.' },
  CIRT_UI_ADVISORY_SENDER: { type: 'string', default: 'cirt@cirt.gov.example', description: 'The <sender> of published CAP advisories.' },
  CIRT_UI_RULE_DIRS: { type: 'array', items: { type: 'string' }, description: 'Comma-separated rule directories (the detector\'s): evidence bundles include the exact text of each rule that fired, found by the SHA-256 its alerts recorded. Unset: the repository\'s rules/.' },
} as const;

export interface HostEnv {
  port: number;
  opensearchUrl: string;
  /** undefined: use the dev users file. */
  usersFile: string | undefined;
  stackDir: string | undefined;
  webhooks: string[];
  sender: string;
  /** undefined: the repository's rules/. */
  ruleDirs: string[] | undefined;
}

/** Reads HOST_ENV from `env`; an invalid value is returned as an error naming the variable, never thrown. */
export function readHostEnv(env: NodeJS.ProcessEnv): { config: HostEnv } | { error: { variable: string; value: string; expected: string } } {
  const raw = (name: keyof typeof HOST_ENV) => (env[name] === '' ? undefined : env[name]);
  const portText = raw('CIRT_UI_PORT');
  let port: number = HOST_ENV.CIRT_UI_PORT.default;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > HOST_ENV.CIRT_UI_PORT.maximum) {
      return { error: { variable: 'CIRT_UI_PORT', value: portText, expected: 'an integer from 0 to 65535' } };
    }
    port = Number(portText);
  }
  return {
    config: {
      port,
      opensearchUrl: raw('CIRT_OPENSEARCH_URL') ?? HOST_ENV.CIRT_OPENSEARCH_URL.default,
      usersFile: raw('CIRT_UI_USERS_FILE'),
      stackDir: raw('CIRT_STACK_DIR'),
      webhooks: (raw('CIRT_UI_WEBHOOKS') ?? '').split(',').map((u) => u.trim()).filter(Boolean),
      sender: raw('CIRT_UI_ADVISORY_SENDER') ?? HOST_ENV.CIRT_UI_ADVISORY_SENDER.default,
      ruleDirs: raw('CIRT_UI_RULE_DIRS')?.split(',').map((d) => d.trim()).filter(Boolean),
    },
  };
}
