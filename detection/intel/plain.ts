// Plain-text IOC lists: one indicator per line (IP, CIDR, domain, MD5/SHA-1/SHA-256), `#` starts a comment
// (whole line or trailing). Pure: text in, indicators and located errors out.
import { IntelError } from './errors.ts';
import { classify, type Indicator } from './indicator.ts';

export interface ParseResult {
  indicators: Indicator[];
  errors: IntelError[];
  /** entries deliberately left out (revoked/expired STIX, to_ids=false or deleted MISP, unsupported types) */
  skipped: number;
}

export function parsePlainList(text: string, file: string): ParseResult {
  const indicators: Indicator[] = [];
  const errors: IntelError[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const hash = line.search(/(^|\s)#/);
    const body = (hash >= 0 ? line.slice(0, hash) : line).trim();
    if (body === '') return;
    const ind = classify(body);
    if (ind) indicators.push(ind);
    else errors.push(new IntelError('ERR_INTEL_VALUE', `'${body}' is not an IP, CIDR, domain or MD5/SHA-1/SHA-256 hash`, { location: { file, line: i + 1, column: line.indexOf(body) + 1 } }));
  });
  return { indicators, errors, skipped: 0 };
}
