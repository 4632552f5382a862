// Typed errors of the honeypot decoders (catalogue: ERR_HONEYPOT_*).
//   ERR_HONEYPOT_RECORD   a JSON object that is not a valid record of the configured honeypot format (missing or bad
//                         eventid/src_ip/timestamp...): kept as event.original with tag _honeypotdecodefailure
//   ERR_HONEYPOT_CONFIG   an invalid generic field mapping (file input `honeypot:` section)
import { CirtError } from '../../../proto/errors.ts';

export class HoneypotError extends CirtError {}
