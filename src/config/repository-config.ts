import { DEFAULT_MAX_FILE_SIZE } from '../core/budgets.js';
import { ArchpinError } from '../core/errors.js';
import { parseConfig } from './parse-config.js';
import type { Config } from './schema.js';

/** Keys a repository's own archpin.json may set; never tokens, registries or the forge. */
const REPOSITORY_KEYS = [
  'platforms', 'minimumReleaseAge', 'settleTime', 'ignorePaths', 'maxFileSize', 'packageRules',
  'labels', 'automerge', 'dashboard', 'prConcurrentLimit', 'prHourlyLimit',
] as const satisfies ReadonlyArray<keyof Config>;

/** The global config narrowed by a repository's archpin.json: its allowed keys win, its package rules come after the global ones. */
export function withRepositoryConfig(global: Config, text: string | null, source: string): Config {
  if (text === null) return global;
  const local = parseConfig(text, source);
  const refused = Object.keys(local).filter((key) => key !== '$schema' && !(REPOSITORY_KEYS as readonly string[]).includes(key));
  if (refused.length > 0) {
    throw new ArchpinError('config-invalid', `${source}: a repository config may not set ${refused.join(', ')} (only ${REPOSITORY_KEYS.join(', ')})`);
  }
  const merged: Record<string, unknown> = { ...global };
  for (const key of REPOSITORY_KEYS) if (local[key] !== undefined) merged[key] = local[key];
  if (local.maxFileSize !== undefined) merged.maxFileSize = Math.min(local.maxFileSize, global.maxFileSize ?? DEFAULT_MAX_FILE_SIZE);
  if (local.packageRules) merged.packageRules = [...(global.packageRules ?? []), ...local.packageRules];
  return merged as Config;
}
