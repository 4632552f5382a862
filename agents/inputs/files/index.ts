// File input: tail JSON-lines, plain or syslog log files with rotation and a persisted read position.
import { loadConfig } from '../../../proto/runtime/config.ts';
import { fileInputSchema, type FileInputConfig } from './input.ts';

export { createFileInput, fileInputSchema, type FileInput, type FileInputConfig } from './input.ts';
export { FileInputError } from './errors.ts';
export { LineSplitter, type LineItem } from './lines.ts';
export { globToRegExp, expandGlob } from './glob.ts';

/** Validates a file input entry against `fileInputSchema` and fills the defaults (throws ConfigError). */
export function resolveFileInputConfig(entry: Partial<FileInputConfig>): Readonly<FileInputConfig> {
  return loadConfig<FileInputConfig>('file input', fileInputSchema, { env: {}, overrides: { ...entry } });
}
