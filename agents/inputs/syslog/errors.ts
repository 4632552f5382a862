// Typed errors of the syslog input (catalogue: ERR_SYSLOG_*).
//   ERR_SYSLOG_PARSE     a message that is not RFC 5424 / RFC 3164: kept as an event with event.original and a tag
//   ERR_SYSLOG_NO_PRI    a message without <PRI>: kept with priority 13 (RFC 3164 §4.3.3), tagged
//   ERR_SYSLOG_OVERSIZE  a message (frame or datagram) longer than maxMessageBytes: dropped, the stream resyncs
//   ERR_SYSLOG_FRAMING   an octet-counting frame with a bad length prefix: skipped up to the next newline
//   ERR_SYSLOG_QUEUE_FULL a UDP datagram arrived while the in-memory queue was full: dropped
//   ERR_SYSLOG_LISTEN    the server cannot bind or read its TLS material (retryable: the port may free up)
import { CirtError } from '../../../proto/errors.ts';

export class SyslogError extends CirtError {}
