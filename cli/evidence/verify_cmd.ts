// `cirt evidence verify <bundle.tar> [--expect <sha256>] [--json]`: checks an evidence bundle exported by the
// operations room against its manifest (the format code is the plugin's own, ui-plugin/server/evidence/).
// Exit 0: every file matches; 1: a tampered, missing or extra file, an edited manifest, or an unreadable archive;
// 2: usage. `--expect` compares the manifest's SHA-256 with the one audited at export (audit index, or the
// X-CIRT-Manifest-SHA256 header of the download).
import { readFileSync } from 'node:fs';
import { verifyBundle, type VerifyResult } from '../../ui-plugin/server/evidence/bundle_format.ts';
import { parseArgs, processOut, UsageError, type Out } from '../rules/args.ts';

export const EVIDENCE_HELP = `usage: cirt evidence verify <bundle.tar> [--expect <manifest sha256>] [--json]
  checks every file of an evidence bundle against its manifest (SHA-256 and size), the manifest against
  manifest.sha256 and, with --expect, against the digest recorded in the audit log at export.
  exit 0: intact; 1: tampered, missing or extra files, or an unreadable bundle; 2: usage`;

function summary(file: string, r: VerifyResult): string {
  const m = r.manifest;
  const head = m
    ? `incident ${m.incident_id}, exported ${m.exported_at} by ${m.exported_by.username} (${m.exported_by.role}) with ${m.tool?.name ?? '?'} ${m.tool?.version ?? '?'}`
    : 'no readable manifest';
  const lines = [`${file}: ${head}`];
  if (r.manifestDigest) lines.push(`manifest.json SHA-256 ${r.manifestDigest}`);
  if (r.ok) {
    lines.push(`OK: ${r.checked} file(s) match the manifest`);
    if (m && m.missing_events.length > 0) lines.push(`note: the manifest lists ${m.missing_events.length} triggering event(s) the export could not find (see missing_events)`);
  } else {
    for (const p of r.problems) lines.push(`${p.kind.toUpperCase()} ${p.path || '(archive)'}: ${p.message}`);
    lines.push(`FAILED: ${r.problems.length} problem(s), ${r.checked} file(s) checked`);
  }
  return lines.join('\n');
}

export function runEvidenceVerify(argv: readonly string[], out: Out = processOut): number {
  const args = parseArgs(argv, { flags: ['json', 'help'], options: ['expect'] });
  if (args.flags.has('help')) { out.stdout(EVIDENCE_HELP); return 0; }
  if (args.positionals.length !== 1) throw new UsageError(`expected one bundle file\n${EVIDENCE_HELP}`);
  const expect = args.options.get('expect')?.at(-1);
  if (expect !== undefined && !/^[0-9a-fA-F]{64}$/.test(expect)) throw new UsageError('--expect takes a SHA-256 in hex (64 characters)');
  const file = args.positionals[0]!;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    out.stderr(`${file}: cannot read the bundle (${(err as Error).message})\n`);
    return 1;
  }
  const result = verifyBundle(bytes, expect);
  if (args.flags.has('json')) {
    out.stdout(JSON.stringify({ file, ok: result.ok, manifest_sha256: result.manifestDigest ?? null, checked: result.checked, problems: result.problems, incident_id: result.manifest?.incident_id ?? null, exported_at: result.manifest?.exported_at ?? null, exported_by: result.manifest?.exported_by ?? null, missing_events: result.manifest?.missing_events ?? [] }));
  } else {
    out.stdout(summary(file, result));
  }
  return result.ok ? 0 : 1;
}

export async function evidenceMain(argv: readonly string[], out: Out = processOut): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === 'help') { out.stdout(EVIDENCE_HELP); return sub === undefined ? 2 : 0; }
  if (sub !== 'verify') { out.stderr(`unknown evidence subcommand '${sub}'\n${EVIDENCE_HELP}\n`); return 2; }
  try {
    return runEvidenceVerify(rest, out);
  } catch (err) {
    if (err instanceof UsageError) { out.stderr(`${err.message}\n`); return 2; }
    throw err;
  }
}
