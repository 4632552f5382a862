// Logsources a rule may name: those our detector routes (detection/service/logsource.ts: netflow flows, windows
// channels, linux by process, `<dataset module>` products such as nginx) and our pipelines condition on
// (detection/pipelines/*.yml rule_conditions), plus SigmaHQ's tests/logsource.json table.
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Logsource, LogsourceKnown } from './lint_core.ts';

export const SIGMAHQ_LOGSOURCES = '../shared/corpora/sigmahq/tests/logsource.json';

const OURS: Logsource[] = [
  { product: 'netflow', category: 'flow' },
  { product: 'linux' },
  { product: 'windows' },
  { product: 'nginx' },
  { product: 'apache' },
];

type Table = Record<string, { category?: Record<string, unknown>; service?: Record<string, unknown> }>;

export function logsourceChecker(pipelineFiles: readonly string[], logsourceJson = SIGMAHQ_LOGSOURCES): LogsourceKnown {
  const ours: Logsource[] = [...OURS];
  for (const f of pipelineFiles) {
    try {
      const p = parse(readFileSync(f, 'utf8')) as { transformations?: Array<{ rule_conditions?: Logsource[] }> };
      for (const t of p.transformations ?? []) for (const c of t.rule_conditions ?? []) ours.push({ ...(c.product ? { product: c.product } : {}), ...(c.category ? { category: c.category } : {}), ...(c.service ? { service: c.service } : {}) });
    } catch { /* the pipeline's own errors are reported when it is loaded */ }
  }
  let table: Table = {};
  if (existsSync(logsourceJson)) table = (JSON.parse(readFileSync(logsourceJson, 'utf8')) as { legit: Table }).legit;
  return (ls) => {
    // ours: a rule logsource is known if one of our entries names the same product and does not contradict it
    if (ours.some((o) => o.product === ls.product && (ls.category === undefined || o.category === undefined || o.category === ls.category) && (ls.service === undefined || o.service === undefined || o.service === ls.service) && (o.category === undefined || ls.category === o.category || ls.category === undefined))) return true;
    const p = table[ls.product ?? 'empty'];
    if (!p) return false;
    if (ls.category !== undefined && !(p.category && ls.category in p.category)) return false;
    if (ls.service !== undefined && !(p.service && ls.service in p.service)) return false;
    return true;
  };
}
