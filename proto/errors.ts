// The base of every typed error in the project (DESIGN.md "Conventions"): a stable code, a retryable flag,
// a cause, and where the bad input is. Each component keeps its own catalogue of codes (ERR_<AREA>_<WHAT>).

export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: number;
  field?: string;
  offset?: number;
}

export class CirtError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly location: ErrorLocation | undefined;

  constructor(code: string, message: string, opts: { retryable?: boolean; cause?: unknown; location?: ErrorLocation } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.location = opts.location;
  }

  /** "file:line:column field byte N: message [CODE]" */
  override toString(): string {
    return `${formatLocation(this.location)}${this.message} [${this.code}]`;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable, location: this.location };
  }
}

export function formatLocation(loc: ErrorLocation | undefined): string {
  if (!loc) return '';
  const parts: string[] = [];
  if (loc.file !== undefined) parts.push([loc.file, loc.line, loc.column].filter((p) => p !== undefined).join(':'));
  if (loc.field !== undefined) parts.push(`field ${loc.field}`);
  if (loc.offset !== undefined) parts.push(`byte ${loc.offset}`);
  return parts.length ? `${parts.join(' ')}: ` : '';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
