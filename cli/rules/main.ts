// `cirt rules <sub>`: lint, test, replay, coverage (Issue 7). Each returns an exit code: 0 ok, 1 findings or
// failures, 2 usage.
import { processOut, UsageError, type Out } from './args.ts';
import { runCoverage } from './coverage_cmd.ts';
import { runLint } from './lint_cmd.ts';
import { runReplay } from './replay_cmd.ts';
import { runTest } from './test_cmd.ts';

export const RULES_HELP = `usage: cirt rules <lint|test|replay|coverage> [options]   (each with --help)
  lint <paths…>       parse, validate and check SigmaHQ conventions
  test <paths…>       run every rule's test cases through the production detector
  replay <files…>     feed JSON-lines / evtx JSON / pcap+pcapng (NetFlow exports or raw traffic) through the rules (or --live)
  coverage [paths…]   ATT&CK techniques and logsources the rules cover`;

type Sub = (argv: readonly string[], out: Out) => number | Promise<number>;

export async function rulesMain(argv: readonly string[], out: Out = processOut): Promise<number> {
  const subs: Record<string, Sub> = {
    test: runTest,
    lint: runLint,
    replay: runReplay,
    coverage: runCoverage,
  };
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === 'help') { out.stdout(RULES_HELP); return sub === undefined ? 2 : 0; }
  const load = subs[sub];
  if (!load) { out.stderr(`unknown rules subcommand '${sub}'\n${RULES_HELP}\n`); return 2; }
  try {
    return await load(rest, out);
  } catch (err) {
    if (err instanceof UsageError) { out.stderr(`${err.message}\n`); return 2; }
    throw err;
  }
}
