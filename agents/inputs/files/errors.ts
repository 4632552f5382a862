// Typed errors of the file input (catalogue: ERR_FILE_*).
//   ERR_FILE_LINE_TOO_LONG  a line longer than maxLineBytes: skipped up to its newline, reported with file:line
//   ERR_FILE_JSON           a JSON-lines line that is not a JSON object: kept as an event (event.original, tag)
//   ERR_FILE_POSITIONS      the position file is unreadable or corrupt: tailing starts afresh (startAt applies)
//   ERR_FILE_READ           a file cannot be opened or read (retryable: the next scan tries again)
//   ERR_FILE_CONFIG         invalid glob or options
import { CirtError } from '../../../proto/errors.ts';

export class FileInputError extends CirtError {}
