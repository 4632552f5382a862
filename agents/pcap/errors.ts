// Typed errors of the pcap/pcapng reader and the packet decoder. Never thrown out of the reader: each is reported
// with the byte offset (in the file for records/blocks, in the frame for packet layers) and reading goes on.
import { CirtError, type ErrorLocation } from '../../proto/errors.ts';

export const PCAP_ERROR_CODES = {
  ERR_PCAP_FORMAT: 'not a pcap or pcapng file (unknown magic), or a header too short',
  ERR_PCAP_TRUNCATED: 'a record or block runs past the end of the file',
  ERR_PCAP_RECORD: 'an impossible record or block: length fields inconsistent, unknown interface',
  ERR_PCAP_LINKTYPE: 'a link type the reader does not decode',
  ERR_PCAP_PACKET: 'a frame whose link, IP or transport header is cut short or inconsistent',
} as const;

export type PcapErrorCode = keyof typeof PCAP_ERROR_CODES;

export class PcapError extends CirtError {
  constructor(code: PcapErrorCode, message: string, location: ErrorLocation & { frame?: number }, cause?: unknown) {
    super(code, message, { location, cause });
  }
}
