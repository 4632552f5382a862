// Public API of the capture reader (pure core: bytes in, frames and decoded packets out).
export { readCapture, captureFormat, MAX_FRAME_BYTES } from './reader.ts';
export type { CaptureFrame, CaptureItem } from './reader.ts';
export { decodeFrame, ipv6Text, LINKTYPE } from './packet.ts';
export type { PacketInfo } from './packet.ts';
export { PcapError, PCAP_ERROR_CODES } from './errors.ts';
export type { PcapErrorCode } from './errors.ts';
