// `cirt rules coverage [paths…]`: which ATT&CK techniques (from attack.tNNNN tags) and which logsources the
// loaded rules cover.
import { existsSync } from 'node:fs';
import { buildRuleSet, DEFAULT_INTEL, DEFAULT_PIPELINES } from '../../detection/intel/index.ts';
import { parseArgs, table, type Out } from './args.ts';

export const COVERAGE_HELP = `usage: cirt rules coverage [paths…] [--json]   (default path: rules/)
Lists the ATT&CK techniques (attack.tNNNN tags) and the logsources of the rules and correlations. Exit 0, 2 usage.`;

export function runCoverage(argv: readonly string[], out: Out): number {
  const a = parseArgs(argv, { flags: ['json', 'help'], options: ['pipeline', 'intel'] });
  if (a.flags.has('help')) { out.stdout(COVERAGE_HELP); return 0; }
  const paths = a.positionals.length ? a.positionals : ['rules'];
  for (const p of paths) if (!existsSync(p)) { out.stderr(`no such file or directory: ${p}\n`); return 2; }
  const set = buildRuleSet({ rulePaths: paths, pipelineFiles: a.options.get('pipeline') ?? DEFAULT_PIPELINES, intelPaths: a.options.get('intel') ?? DEFAULT_INTEL.filter((p) => existsSync(p)) });
  const techniques = new Map<string, string[]>();
  const logsources = new Map<string, string[]>();
  const add = (m: Map<string, string[]>, k: string, title: string) => m.set(k, [...(m.get(k) ?? []), title]);
  for (const r of set.rules) {
    for (const t of r.meta.tags) if (/^attack\.t\d{4}/.test(t)) add(techniques, t.slice(7).toUpperCase(), r.meta.title);
    const ls = r.meta.logsource;
    add(logsources, [ls.product, ls.category, ls.service].map((x) => x ?? '*').join('/'), r.meta.title);
  }
  for (const c of set.correlations) for (const t of c.meta.tags) if (/^attack\.t\d{4}/.test(t)) add(techniques, t.slice(7).toUpperCase(), c.meta.title);
  const sorted = (m: Map<string, string[]>) => [...m.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1));
  if (a.flags.has('json')) {
    out.stdout(JSON.stringify({ rules: set.rules.length, correlations: set.correlations.length, techniques: Object.fromEntries(sorted(techniques)), logsources: Object.fromEntries(sorted(logsources)), errors: set.errors.map(String) }, null, 2));
  } else {
    out.stdout(table(['technique', 'rules', 'titles'], sorted(techniques).map(([k, v]) => [k, String(v.length), v.join('; ')])));
    out.stdout('');
    out.stdout(table(['logsource (product/category/service)', 'rules'], sorted(logsources).map(([k, v]) => [k, String(v.length)])));
    out.stdout(`\n${set.rules.length} rules, ${set.correlations.length} correlations, ${techniques.size} techniques, ${logsources.size} logsources`);
  }
  return 0;
}
