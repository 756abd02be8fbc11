/**
 * What one file of an untrusted repository may cost. Each limit has a named skip reason, so a file
 * over budget is reported and left out instead of exhausting memory, time or the stack.
 * Figures behind the defaults: bench/hostile.mjs (README, "Limits").
 */

export const MIB = 1024 * 1024;

/** Default `maxFileSize`: larger files are not read. */
export const DEFAULT_MAX_FILE_SIZE = 8 * MIB;

/**
 * The largest `maxFileSize` a config may set. A 31 MB Dockerfile of 640,000 FROM lines peaks at
 * about 1 GB while its references are extracted; at 16 MiB the worst file stays near 600 MB.
 */
export const MAX_FILE_SIZE_LIMIT = 16 * MIB;

/**
 * YAML nodes one file may build (estimated before parsing, scan/yaml-cost.ts). Parsing costs about
 * 0.7 KB of heap per node; at this budget a file stays under ~200 MB and a few seconds.
 */
export const MAX_YAML_NODES = 250_000;

/** Nesting levels one YAML file may have (deeper flow nesting overflows the parser's stack). */
export const MAX_YAML_DEPTH = 100;

/** References one file may yield; more is reported as `too-many-references` and the file's references are dropped. */
export const MAX_REFERENCES_PER_FILE = 20_000;

/**
 * What reading a repository's GitLab CI includes from other projects and templates may cost: how deep
 * includes of included files are followed, how many files are read, their bytes together, and the time
 * for all of them. GitLab itself allows 150 includes nested 100 deep; past these limits an include is
 * reported as not read and the scan goes on with what was read.
 */
export const CI_INCLUDE_BUDGET = { depth: 5, count: 50, bytes: 4 * MIB, timeMs: 60_000 } as const;
