import { DEFAULTS } from './defaults.js';
import { ArchpinError } from '../core/errors.js';
import { parseConfig } from './parse-config.js';
import type { Config } from './schema.js';

/** Keys a repository's own archpin.json may set; never tokens, registries or the forge. */
const REPOSITORY_KEYS = [
  'platforms',
  'minimumReleaseAge',
  'settleTime',
  'ignorePaths',
  'maxFileSize',
  'packageRules',
  'labels',
  'pinDigests',
  'automerge',
  'dashboard',
  'prConcurrentLimit',
  'prHourlyLimit',
] as const satisfies ReadonlyArray<keyof Config>;

/** The global config narrowed by a repository's archpin.json: its allowed keys win, its package rules come after the global ones. */
export function withRepositoryConfig(global: Config, text: string | null, source: string): Config {
  if (text === null) return global;
  const local = parseConfig(text, source);
  if (local.extends !== undefined) {
    throw new ArchpinError(
      'config-invalid',
      `${source}: a repository config may not use extends (the bot reads no other file for a repository); write the rules into it, or ask for the shared ones in the bot's own config`,
    );
  }
  const refused = Object.keys(local).filter((key) => key !== '$schema' && !(REPOSITORY_KEYS as readonly string[]).includes(key));
  if (refused.length > 0) {
    throw new ArchpinError('config-invalid', `${source}: a repository config may not set ${refused.join(', ')} (only ${REPOSITORY_KEYS.join(', ')})`);
  }
  // Regular expressions run in the bot's process: a repository may not bring its own (a pattern can backtrack for hours).
  const patterns = (local.packageRules ?? []).flatMap((rule, index) =>
    [
      rule.versioning?.startsWith('regex:') ? 'versioning' : null,
      rule.allowedVersions?.trim().match(/^!?\//) ? 'allowedVersions' : null,
      rule.matchCurrentVersion?.trim().match(/^!?\//) ? 'matchCurrentVersion' : null,
    ].flatMap((key) => (key === null ? [] : [`packageRules.${index}.${key}`])),
  );
  if (patterns.length > 0) {
    throw new ArchpinError('config-invalid', `${source}: a repository config may not use regular expressions (${patterns.join(', ')}); ask for the rule in the bot's own config`);
  }
  return {
    ...global,
    ...(local.platforms === undefined ? {} : { platforms: local.platforms }),
    ...(local.minimumReleaseAge === undefined ? {} : { minimumReleaseAge: local.minimumReleaseAge }),
    ...(local.settleTime === undefined ? {} : { settleTime: local.settleTime }),
    ...(local.ignorePaths === undefined ? {} : { ignorePaths: local.ignorePaths }),
    // A repository may only lower the file size limit.
    ...(local.maxFileSize === undefined ? {} : { maxFileSize: Math.min(local.maxFileSize, global.maxFileSize ?? DEFAULTS.maxFileSize) }),
    ...(local.packageRules === undefined ? {} : { packageRules: [...(global.packageRules ?? []), ...local.packageRules] }),
    ...(local.labels === undefined ? {} : { labels: local.labels }),
    ...(local.pinDigests === undefined ? {} : { pinDigests: local.pinDigests }),
    ...(local.automerge === undefined ? {} : { automerge: local.automerge }),
    ...(local.dashboard === undefined ? {} : { dashboard: local.dashboard }),
    ...(local.prConcurrentLimit === undefined ? {} : { prConcurrentLimit: local.prConcurrentLimit }),
    ...(local.prHourlyLimit === undefined ? {} : { prHourlyLimit: local.prHourlyLimit }),
  };
}
