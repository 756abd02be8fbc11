/**
 * What one file of an untrusted repository may cost. Each limit has a named skip reason, so a file
 * over budget is reported and left out instead of exhausting memory, time or the stack.
 * Figures behind the defaults: bench/hostile.mjs (README, "Limits").
 */

/** Default `maxFileSize`: larger files are not read. */
export const DEFAULT_MAX_FILE_SIZE = 32 * 1024 * 1024;
