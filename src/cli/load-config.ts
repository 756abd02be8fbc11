import { realpathSync } from 'node:fs';
import path from 'node:path';
import { readRegularPath } from '../apply/read-regular-file.js';
import { ArchpinError } from '../core/errors.js';
import { CONFIG_FILE_NAMES } from '../config/defaults.js';
import { mergeConfigs } from '../config/merge-config.js';
import type { Config } from '../config/schema.js';

/** A config file larger than this is refused (a real one is a few kilobytes). */
export const MAX_CONFIG_SIZE = 1024 * 1024;

/** How deep `extends` may nest (a chain longer than this is a mistake, not a design). */
export const MAX_EXTENDS_DEPTH = 10;

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
 * never silently replaced by the defaults. Its `extends` are read too (see readExtends).
 */
export async function loadConfig(explicit: string | undefined, directory: string): Promise<{ config: Config; source: string | null }> {
  if (explicit) {
    const config = await parse(readNamedConfig(explicit, directory), explicit);
    return { config: await withExtends(config, path.resolve(directory, explicit), explicit, directory), source: explicit };
  }
  for (const name of CONFIG_FILE_NAMES) {
    const candidate = path.join(directory, name);
    const read = readRegularPath(candidate, MAX_CONFIG_SIZE);
    if (!read.ok && read.code === 'file-missing') continue;
    if (!read.ok) throw new ArchpinError('config-invalid', `cannot read config ${candidate}: ${read.message}`);
    const config = await parse(Buffer.from(read.bytes).toString('utf8'), name);
    return { config: await withExtends(config, candidate, name, directory), source: candidate };
  }
  return { config: {}, source: null };
}

function realDirectory(directory: string): string | null {
  try {
    return realpathSync(directory);
  } catch {
    return null;
  }
}

async function withExtends(config: Config, file: string, source: string, directory: string): Promise<Config> {
  if (config.extends === undefined) return config;
  const roots = [...new Set([realDirectory(path.dirname(path.resolve(file))), realDirectory(directory)].filter((root): root is string => root !== null))];
  const real = realpathSync(path.resolve(file));
  return readExtends(config, { file: real, source }, roots, [real]);
}

const inside = (root: string, target: string): boolean => target === root || target.startsWith(root.endsWith(path.sep) ? root : `${root}${path.sep}`);

/** Renovate-style preset names (`config:recommended`, `github>org/repo`, `local>…`): not files. */
const PRESET = /^(?:[a-z]+>|[\w-]+:[\w-])/i;

/**
 * Resolves a config's `extends`, in order, each relative to the file that names it: the files are read (regular files
 * of at most MAX_CONFIG_SIZE bytes, symlinks followed), validated on their own, merged in order and then the config
 * itself on top (config/merge-config.ts). A file must lie, after its symlinks are resolved, under one of `roots`;
 * URLs, presets, cycles and chains deeper than MAX_EXTENDS_DEPTH are errors that name the file and the entry.
 */
async function readExtends(config: Config, at: { file: string; source: string }, roots: readonly string[], chain: readonly string[]): Promise<Config> {
  let base: Config = {};
  for (const entry of config.extends ?? []) {
    const where = `${at.source}: extends "${entry}"`;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry)) {
      throw new ArchpinError('config-invalid', `${where}: URLs are not fetched; save the shared file next to this config and name its path`);
    }
    if (PRESET.test(entry)) throw new ArchpinError('config-invalid', `${where}: presets are not supported; name a local JSON file (a path relative to this config)`);
    const target = path.resolve(path.dirname(at.file), entry);
    let real: string;
    try {
      real = realpathSync(target);
    } catch (error) {
      throw new ArchpinError('config-invalid', `${where}: cannot read ${target}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
    if (!roots.some((root) => inside(root, real))) {
      throw new ArchpinError('config-invalid', `${where}: ${real} is outside the directories a config may extend from (${roots.join(', ')}); put the shared file under one of them`);
    }
    const source = path.relative(roots[0] ?? path.dirname(real), real) || path.basename(real);
    if (chain.includes(real)) {
      const names = [...chain, real].map((file) => path.relative(roots[0] ?? path.dirname(file), file) || path.basename(file));
      throw new ArchpinError('config-invalid', `${at.source}: extends cycle: ${names.join(' → ')}`);
    }
    if (chain.length > MAX_EXTENDS_DEPTH) throw new ArchpinError('config-invalid', `${where}: extends nests more than ${MAX_EXTENDS_DEPTH} files deep`);
    const read = readRegularPath(real, MAX_CONFIG_SIZE, { followSymlinks: true });
    if (!read.ok) throw new ArchpinError('config-invalid', `${where}: cannot read ${real}: ${read.message}`);
    const extended = await parse(Buffer.from(read.bytes).toString('utf8'), source);
    base = mergeConfigs(base, await readExtends(extended, { file: real, source }, roots, [...chain, real]));
  }
  return mergeConfigs(base, config);
}
