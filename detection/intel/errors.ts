// Typed errors of the threat-intel library: every bad indicator is located (file, line or JSON path).
import { CirtError, type ErrorLocation } from '../../proto/errors.ts';

export const INTEL_ERROR_CODES = {
  /** An intel file cannot be read. */
  ERR_INTEL_IO: 'ERR_INTEL_IO',
  /** A JSON intel file (STIX bundle, MISP export) is not valid JSON. */
  ERR_INTEL_JSON: 'ERR_INTEL_JSON',
  /** Valid JSON, but not the structure of a STIX 2.1 bundle or a MISP export. */
  ERR_INTEL_FORMAT: 'ERR_INTEL_FORMAT',
  /** An indicator value that is not a valid IP, CIDR, domain or hash. */
  ERR_INTEL_VALUE: 'ERR_INTEL_VALUE',
  /** A STIX pattern we do not support (only `[type:prop = 'v']` comparisons joined by OR). */
  ERR_INTEL_PATTERN: 'ERR_INTEL_PATTERN',
  /** A MISP attribute type we do not map (counted, not an error of the file). */
  ERR_INTEL_UNSUPPORTED: 'ERR_INTEL_UNSUPPORTED',
} as const;

export type IntelErrorCode = keyof typeof INTEL_ERROR_CODES;

export class IntelError extends CirtError {
  declare readonly code: IntelErrorCode;
  constructor(code: IntelErrorCode, message: string, opts: { location?: ErrorLocation; cause?: unknown } = {}) {
    super(code, message, { retryable: code === 'ERR_INTEL_IO', cause: opts.cause, location: opts.location });
  }
}
