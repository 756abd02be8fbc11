import path from 'node:path';
import { readRegularPath } from '../apply/read-regular-file.js';
import { ArchpinError } from '../core/errors.js';
import { CONFIG_FILE_NAMES } from '../config/defaults.js';
import type { Config } from '../config/schema.js';

/** A config file larger than this is refused (a real one is a few kilobytes). */
export const MAX_CONFIG_SIZE = 1024 * 1024;

/** The validator (and zod with it) loads only when there is a file to validate: a bare `scan` starts faster. */
async function parse(text: string, source: string): Promise<Config> {
  return (await import('../config/parse-config.js')).parseConfig(text, source);
}

/** Reads the config file the user named (`--config FILE`, `config validate FILE`), following a symlink (a mounted ConfigMap is one). */
export function readNamedConfig(file: string, cwd: string): string {
  const full = path.resolve(cwd, file);
  const read = readRegularPath(full, MAX_CONFIG_SIZE, { followSymlinks: true });
  if (read.ok) return Buffer.from(read.bytes).toString('utf8');
  const reason = read.code === 'file-missing' ? `no such file (${full})` : /^EACCES/.test(read.message) ? `permission denied (${full})` : read.message;
  throw new ArchpinError('config-invalid', `cannot read config ${file}: ${reason}`);
}

/**
 * Loads `--config FILE`, else `archpin.json` / `.archpin.json` in the directory, else the empty config.
 * A config in the directory is read only if it is a regular file (not a symlink, FIFO or device) of
 * at most MAX_CONFIG_SIZE bytes; one that exists but cannot be read that way is an error (exit 2),
 * never silently replaced by the defaults.
 */
export async function loadConfig(explicit: string | undefined, directory: string): Promise<{ config: Config; source: string | null }> {
  if (explicit) {
    return { config: await parse(readNamedConfig(explicit, directory), explicit), source: explicit };
  }
  for (const name of CONFIG_FILE_NAMES) {
    const candidate = path.join(directory, name);
    const read = readRegularPath(candidate, MAX_CONFIG_SIZE);
    if (!read.ok && read.code === 'file-missing') continue;
    if (!read.ok) throw new ArchpinError('config-invalid', `cannot read config ${candidate}: ${read.message}`);
    return { config: await parse(Buffer.from(read.bytes).toString('utf8'), name), source: candidate };
  }
  return { config: {}, source: null };
}
