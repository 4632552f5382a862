// The plugin's error catalogue (ERR_UI_<WHAT>). The class has the shape of proto/errors.ts CirtError (code,
// retryable, cause, location); it is declared here rather than extended because ui-plugin may import the rest of
// the repository as types only (see common/index.ts), and `implements` keeps the two shapes in step.
import type { CirtError, ErrorLocation } from '../../proto/errors';

export const UI_ERRORS = {
  /** A query parameter or path parameter is invalid (HTTP 400). */
  ERR_UI_VALIDATION: 'ERR_UI_VALIDATION',
  /** The requested alert does not exist (HTTP 404). */
  ERR_UI_NOT_FOUND: 'ERR_UI_NOT_FOUND',
  /** No valid session / signed-in user (HTTP 401). */
  ERR_UI_UNAUTHENTICATED: 'ERR_UI_UNAUTHENTICATED',
  /** The signed-in role may not do this, or the CSRF token is missing or wrong (HTTP 403). */
  ERR_UI_FORBIDDEN: 'ERR_UI_FORBIDDEN',
  /** A state change that conflicts: invalid lifecycle transition, or the document changed meanwhile (HTTP 409). */
  ERR_UI_CONFLICT: 'ERR_UI_CONFLICT',
  /** Too many failed logins from this address or for this user (HTTP 429). */
  ERR_UI_RATE_LIMITED: 'ERR_UI_RATE_LIMITED',
  /** The request body is too large or not JSON (HTTP 413 / 415 / 400 via ERR_UI_VALIDATION). */
  ERR_UI_PAYLOAD: 'ERR_UI_PAYLOAD',
  /** An advisory or export marked above the recipient's TLP clearance: not sent (per delivery; HTTP 403 if answered). */
  ERR_UI_TLP_REFUSED: 'ERR_UI_TLP_REFUSED',
  /** The users file is missing or invalid (start-up error of the standalone host). */
  ERR_UI_CONFIG: 'ERR_UI_CONFIG',
  /** The alert store answered with something that is not a search response (HTTP 500). */
  ERR_UI_STORE_RESPONSE: 'ERR_UI_STORE_RESPONSE',
  /** Anything unexpected (HTTP 500); the detail goes to the log only. */
  ERR_UI_INTERNAL: 'ERR_UI_INTERNAL',
} as const;
export type UiErrorCode = keyof typeof UI_ERRORS;

export class CirtUiError extends Error implements Pick<CirtError, 'code' | 'retryable' | 'location'> {
  readonly code: UiErrorCode;
  readonly retryable: boolean;
  readonly location: ErrorLocation | undefined;

  constructor(code: UiErrorCode, message: string, opts: { retryable?: boolean; cause?: unknown; location?: ErrorLocation } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.location = opts.location;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable, location: this.location };
  }
}
