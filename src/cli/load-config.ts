import { realpathSync } from 'node:fs';
import path from 'node:path';
import { readRegularPath } from '../apply/read-regular-file.js';
import { errnoReason } from '../core/errno-reason.js';
import { ArchpinError } from '../core/errors.js';
import { CONFIG_FILE_NAMES, MAX_CONFIG_FILE_BYTES } from '../config/defaults.js';
import type { CheckedConfig, ConfigLayer } from '../config/parse-config.js';
import type { Config } from '../config/schema.js';

/** How deep `extends` may nest (a chain longer than this is a mistake, not a design). */
export const MAX_EXTENDS_DEPTH = 10;

/** The validator (and zod with it) loads only when there is a file to validate: a bare `scan` starts faster. */
const validator = () => import('../config/parse-config.js');

/**
 * Reads the config file the user named (`--config FILE`, `config validate FILE`), following a symlink (a mounted
 * ConfigMap is one). A message names the file as typed, and where that led when it was relative.
 */
export function readNamedConfig(file: string, cwd: string): string {
  const full = path.resolve(cwd, file);
  const read = readRegularPath(full, MAX_CONFIG_FILE_BYTES, { followSymlinks: true });
  if (read.ok) return Buffer.from(read.bytes).toString('utf8');
  const reason = read.errno !== undefined || read.code === 'file-missing' ? errnoReason({ code: read.errno ?? 'ENOENT', message: read.message }) : read.message;
  throw new ArchpinError('config-invalid', `cannot read config ${file}: ${reason}${full === file ? '' : ` (${full})`}`);
}

/**
 * Loads `--config FILE` (relative to `cwd`, named as typed in messages), else `archpin.json` / `.archpin.json` in the directory, else the empty config.
 * A config in the directory is read only if it is a regular file (not a symlink, FIFO or device) of
 * at most MAX_CONFIG_FILE_BYTES bytes; one that exists but cannot be read that way is an error (exit 2),
 * never silently replaced by the defaults. Its `extends` are read too and the whole chain is validated
 * as one merged config (see readConfigChain).
 */
export async function loadConfig(explicit: string | undefined, directory: string, cwd: string = directory): Promise<{ config: Config; source: string | null }> {
  if (explicit) {
    const { config } = await readConfigChain(readNamedConfig(explicit, cwd), path.resolve(cwd, explicit), explicit, directory);
    return { config, source: explicit };
  }
  for (const name of CONFIG_FILE_NAMES) {
    const candidate = path.join(directory, name);
    const read = readRegularPath(candidate, MAX_CONFIG_FILE_BYTES);
    if (!read.ok && read.code === 'file-missing') continue;
    if (!read.ok) throw new ArchpinError('config-invalid', `cannot read config ${candidate}: ${read.message}`);
    const { config } = await readConfigChain(Buffer.from(read.bytes).toString('utf8'), candidate, name, directory);
    return { config, source: candidate };
  }
  // A YAML config is read only when named: one left in the directory would otherwise be ignored without a word.
  for (const name of UNREAD_CONFIG_NAMES) {
    const read = readRegularPath(path.join(directory, name), MAX_CONFIG_FILE_BYTES);
    if (read.ok) {
      throw new ArchpinError(
        'config-invalid',
        `${name} is not read on its own: in a directory archpin reads ${CONFIG_FILE_NAMES.join(' or ')}; name it with --config ${name}, or write it as archpin.json`,
      );
    }
  }
  return { config: {}, source: null };
}

/** Config-looking YAML names that directory discovery does not read (only --config reads YAML). */
const UNREAD_CONFIG_NAMES = ['archpin.yaml', 'archpin.yml', '.archpin.yaml', '.archpin.yml'];

function realDirectory(directory: string): string | null {
  try {
    return realpathSync(directory);
  } catch {
    return null;
  }
}

const inside = (root: string, target: string): boolean => target === root || target.startsWith(root.endsWith(path.sep) ? root : `${root}${path.sep}`);

/** Renovate-style preset names (`config:recommended`, `github>org/repo`, `local>…`): not files. */
const PRESET = /^(?:[a-z]+>|[\w-]+:[\w-])/i;

/**
 * Reads the config `text` of `file` (named `source` in messages) and the files it `extends`, in order, each relative
 * to the file that names it (regular files of at most MAX_CONFIG_FILE_BYTES bytes, symlinks followed), then validates the
 * merged result once (config/parse-config.ts checkLayers): a problem names the file that wrote the key. A file must
 * lie, after its symlinks are resolved, under the directory of `file` or under `directory`; URLs, presets, cycles and
 * chains deeper than MAX_EXTENDS_DEPTH are errors that name the file and the entry.
 */
export async function readConfigChain(text: string, file: string, source: string, directory: string): Promise<CheckedConfig> {
  const { readConfigLayer, extendsOf, checkLayers } = await validator();
  const root = readConfigLayer(text, source);
  if (extendsOf(root).length === 0) return checkLayers([root]);
  const roots = [...new Set([realDirectory(path.dirname(path.resolve(file))), realDirectory(directory)].filter((found): found is string => found !== null))];
  const real = realpathSync(path.resolve(file));
  const layers: ConfigLayer[] = [];
  // Depth first, each extended file before the one that names it: the merge order.
  const visit = (layer: ConfigLayer, at: string, chain: readonly string[]): void => {
    for (const entry of extendsOf(layer)) {
      const where = `${layer.source}: extends "${entry}"`;
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry)) {
        throw new ArchpinError('config-invalid', `${where}: URLs are not fetched; save the shared file next to this config and name its path`);
      }
      if (PRESET.test(entry)) throw new ArchpinError('config-invalid', `${where}: presets are not supported; name a local JSON file (a path relative to this config)`);
      const target = path.resolve(path.dirname(at), entry);
      let found: string;
      try {
        found = realpathSync(target);
      } catch (error) {
        throw new ArchpinError('config-invalid', `${where}: cannot read ${target}: ${errnoReason(error)}`);
      }
      if (!roots.some((allowed) => inside(allowed, found))) {
        throw new ArchpinError('config-invalid', `${where}: ${found} is outside the directories a config may extend from (${roots.join(', ')}); put the shared file under one of them`);
      }
      const name = (file: string) => path.relative(roots[0] ?? path.dirname(file), file) || path.basename(file);
      if (chain.includes(found)) throw new ArchpinError('config-invalid', `${layer.source}: extends cycle: ${[...chain, found].map(name).join(' → ')}`);
      if (chain.length > MAX_EXTENDS_DEPTH) throw new ArchpinError('config-invalid', `${where}: extends nests more than ${MAX_EXTENDS_DEPTH} files deep`);
      const read = readRegularPath(found, MAX_CONFIG_FILE_BYTES, { followSymlinks: true });
      if (!read.ok) throw new ArchpinError('config-invalid', `${where}: cannot read ${found}: ${read.message}`);
      const extended = readConfigLayer(Buffer.from(read.bytes).toString('utf8'), name(found));
      visit(extended, found, [...chain, found]);
      layers.push(extended);
    }
  };
  visit(root, real, [real]);
  return checkLayers([...layers, root]);
}
