// Loads the agent's configuration with the YAML parser and the schema validator (ajv), which the agent needs only at
// start. In the built agent (scripts/build-agent.mjs) they are in a file of their own, agent-config.cjs, which is
// required, used once and dropped from the module cache: their code, their module state and the compiled schema
// then become garbage (bench/README.md, "Agent RSS"). Run from source (tsx), this imports agents/config.ts.
import { createRequire } from 'node:module';
import type { AgentConfig } from './config.ts';

/** The file name of the config bundle next to the agent bundle: an esbuild `define` of scripts/build-agent.mjs. */
declare const CIRT_AGENT_CONFIG_CJS: string | undefined;

export async function loadAgentConfigOnce(file: string | undefined): Promise<Readonly<AgentConfig>> {
  return typeof CIRT_AGENT_CONFIG_CJS === 'string' ? loadAndDrop(CIRT_AGENT_CONFIG_CJS, file) : (await import('./config.ts')).loadAgentConfig(file);
}

function loadAndDrop(bundleFile: string, file: string | undefined): Readonly<AgentConfig> {
  const require = createRequire(import.meta.url);
  const path = require.resolve(`./${bundleFile}`);
  try {
    return (require(path) as typeof import('./config.ts')).loadAgentConfig(file);
  } finally {
    delete require.cache[path];
  }
}
