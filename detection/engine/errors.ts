// Typed errors of the Sigma engine (STYLE.md habit 4/5): one catalogue of stable codes, every error located
// at the YAML node that caused it (file, line, column; field when it concerns a detection item).
import { CirtError, type ErrorLocation } from '../../proto/errors.ts';

export const SIGMA_ERROR_CODES = {
  /** The text is not valid YAML. */
  ERR_SIGMA_YAML: 'ERR_SIGMA_YAML',
  /** The YAML is valid but not a valid Sigma rule/filter (missing or mistyped key). */
  ERR_SIGMA_SCHEMA: 'ERR_SIGMA_SCHEMA',
  /** The condition does not parse or names unknown detections. */
  ERR_SIGMA_CONDITION: 'ERR_SIGMA_CONDITION',
  /** Unknown modifier or invalid modifier chain. */
  ERR_SIGMA_MODIFIER: 'ERR_SIGMA_MODIFIER',
  /** A value that cannot be used with its modifiers (bad CIDR, wildcard under base64, non-number for gt ...). */
  ERR_SIGMA_VALUE: 'ERR_SIGMA_VALUE',
  /** A regular expression that RE2 cannot compile (look-arounds, backreferences, syntax). */
  ERR_SIGMA_REGEX: 'ERR_SIGMA_REGEX',
  /** An `expand` placeholder that no pipeline defines. */
  ERR_SIGMA_PLACEHOLDER: 'ERR_SIGMA_PLACEHOLDER',
  /** An invalid processing pipeline. */
  ERR_SIGMA_PIPELINE: 'ERR_SIGMA_PIPELINE',
  /** A filter rule that is invalid or references nothing. */
  ERR_SIGMA_FILTER: 'ERR_SIGMA_FILTER',
  /** A rule file that cannot be read (loader only). */
  ERR_SIGMA_IO: 'ERR_SIGMA_IO',
} as const;

export type SigmaErrorCode = keyof typeof SIGMA_ERROR_CODES;

export class SigmaError extends CirtError {
  declare readonly code: SigmaErrorCode;
  /** The id of the rule the error belongs to, when known. */
  readonly ruleId: string | undefined;

  constructor(code: SigmaErrorCode, message: string, opts: { location?: ErrorLocation; cause?: unknown; ruleId?: string } = {}) {
    super(code, message, { retryable: code === 'ERR_SIGMA_IO', cause: opts.cause, location: opts.location });
    this.ruleId = opts.ruleId;
  }
}

export type { ErrorLocation };
