// File input: tail JSON-lines, plain or syslog log files with rotation and a persisted read position.

export { createFileInput, fileInputSchema, type FileInput, type FileInputConfig } from './input.ts';
export { FileInputError } from './errors.ts';
export { LineSplitter, type LineItem } from './lines.ts';
export { globToRegExp, expandGlob } from './glob.ts';

