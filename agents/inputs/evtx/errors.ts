// Typed errors of the Windows event input (catalogue: ERR_EVTX_*).
//   ERR_EVTX_TOOL_MISSING  `evtx_dump.py` (Debian python3-evtx) is not installed: .evtx files cannot be read
//   ERR_EVTX_TOOL_FAILED   evtx_dump.py exited non-zero (a corrupt .evtx); the events read before are kept
//   ERR_EVTX_FORMAT        a .evtx file without the "ElfFile\0" signature (evtx_dump.py would print nothing)
//   ERR_EVTX_FILE          a file cannot be read
//   ERR_EVTX_JSON          a JSON value in an evtx_dump-style file does not parse (file:line); the others are kept
//   ERR_EVTX_EVENT         a value without Event.System (not a Windows event): skipped
//   ERR_EVTX_XML           an <Event> from evtx_dump.py that is not well-formed XML: skipped
import { CirtError } from '../../../proto/errors.ts';

export class EvtxError extends CirtError {}
