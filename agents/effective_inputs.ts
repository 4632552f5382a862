// Pure: the inputs an agent runs, from its validated configuration (agents/config.ts).
import type { AgentConfig } from './config.ts';
import type { InputConfig } from './inputs/inputs.ts';

/** The inputs to run: `inputs:` plus, if `replay.files` is set, one `jsonl` input for them. */
export function effectiveInputs(config: Readonly<AgentConfig>): InputConfig[] {
  const inputs = [...config.inputs];
  if (config.replay.files.length > 0) {
    inputs.push({ type: 'jsonl', files: [...config.replay.files], shiftToNow: config.replay.shiftToNow, loopSeconds: config.replay.loopSeconds, resume: config.replay.resume, checkpointEvery: 500 });
  }
  return inputs;
}
