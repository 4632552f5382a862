// The NetFlow/IPFIX decoder's error catalogue (STYLE.md habit 5: ERR_<AREA>_<WHAT>, documented in README.md).
import { CirtError } from '../../proto/errors.ts';

export const NETFLOW_ERROR_CODES = {
  /** A read ran past the end of the packet, a set or a record. */
  ERR_NETFLOW_TRUNCATED: 'ERR_NETFLOW_TRUNCATED',
  /** The version field is not 5, 9 or 10. */
  ERR_NETFLOW_VERSION: 'ERR_NETFLOW_VERSION',
  /** A length field (message, set, record count, variable-length field) is impossible. */
  ERR_NETFLOW_LENGTH: 'ERR_NETFLOW_LENGTH',
  /** A template or options template record is malformed (no fields, bad scope count, zero-length record). */
  ERR_NETFLOW_TEMPLATE: 'ERR_NETFLOW_TEMPLATE',
  /** A data set refers to a template that is not (yet) known: an expected result (`HeldSet.code`), never in `errors`. */
  ERR_NETFLOW_TEMPLATE_NOT_FOUND: 'ERR_NETFLOW_TEMPLATE_NOT_FOUND',
  /** A set id in the reserved range (v9: 2..255, IPFIX: 0, 1, 4..255). */
  ERR_NETFLOW_SET_ID: 'ERR_NETFLOW_SET_ID',
  /** A bug: an unexpected exception inside the decoder, turned into an error instead of a crash. */
  ERR_NETFLOW_INTERNAL: 'ERR_NETFLOW_INTERNAL',
} as const;

export type NetflowErrorCode = keyof typeof NETFLOW_ERROR_CODES;

export interface NetflowErrorContext {
  /** Byte offset into the packet (UDP payload) where the problem is. */
  offset?: number;
  /** The field (or structure) being read, e.g. `set.length`, `template 256 field 3`. */
  field?: string;
  version?: number;
  /** v9 source id / IPFIX observation domain id. */
  domainId?: number;
  templateId?: number;
  setId?: number;
  exporter?: string;
  cause?: unknown;
}

/** Every decoder error: a stable code, the byte offset and the flow context (goflow2 `FlowError`). Never retryable. */
export class NetflowDecodeError extends CirtError {
  declare readonly code: NetflowErrorCode;
  readonly offset: number | undefined;
  readonly version: number | undefined;
  readonly domainId: number | undefined;
  readonly templateId: number | undefined;
  readonly setId: number | undefined;
  readonly exporter: string | undefined;

  constructor(code: NetflowErrorCode, message: string, ctx: NetflowErrorContext = {}) {
    super(code, message, {
      retryable: false,
      cause: ctx.cause,
      location: { ...(ctx.field !== undefined ? { field: ctx.field } : {}), ...(ctx.offset !== undefined ? { offset: ctx.offset } : {}) },
    });
    this.offset = ctx.offset;
    this.version = ctx.version;
    this.domainId = ctx.domainId;
    this.templateId = ctx.templateId;
    this.setId = ctx.setId;
    this.exporter = ctx.exporter;
  }

  /** The same error with more context filled in (set/template/domain) by an outer layer. */
  withContext(ctx: NetflowErrorContext): NetflowDecodeError {
    return new NetflowDecodeError(this.code, this.message, {
      offset: this.offset, field: this.location?.field, version: this.version, domainId: this.domainId,
      templateId: this.templateId, setId: this.setId, exporter: this.exporter, cause: this.cause, ...ctx,
    });
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), version: this.version, domainId: this.domainId, templateId: this.templateId, setId: this.setId, exporter: this.exporter };
  }
}
