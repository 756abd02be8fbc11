import { parseDuration } from '../core/duration.js';
import { compileGlob, type Glob } from '../core/glob.js';
import { imageKey, splitName } from '../core/image-ref.js';
import type { Config, PackageRule } from './schema.js';
import { satisfies, versioningFor } from '../core/versioning.js';

/** Everything the pipeline needs to know about one image, resolved once from the config. */
export interface ImagePolicy {
  readonly enabled: boolean;
  /** Required platforms; null: the default "no platform regression". */
  readonly platforms: readonly string[] | null;
  readonly allowMajor: boolean;
  readonly minimumReleaseAge: number | null;
  /** With minimumReleaseAge and no release time from the registry: hold (true) or measure from first seen (false). */
  readonly holdWithoutReleaseTime: boolean;
  readonly settleTime: number | null;
  readonly groupName: string | null;
  /** `docker`, `semver`, `loose` or `regex:<pattern>`. */
  readonly versioning: string;
  /** Only tags that satisfy this are proposed; null: any. */
  readonly allowedVersions: string | null;
  /** Update types left alone (rules with matchUpdateTypes and enabled false). */
  readonly disabledUpdateTypes: readonly string[];
}

/**
 * `docker`, `docker.io/library/docker` and `index.docker.io/docker` all name the same image; `*`
 * matches any run of characters, `/` included. Matched in linear time (core/glob.ts): a pattern
 * from a repository's own archpin.json is never compiled into a RegExp.
 */
function matches(pattern: string, key: string): boolean {
  if (!pattern.includes('*')) return imageKey(splitName(pattern)) === key;
  return wildcard(pattern).matches(key);
}

/** `*` is the only wildcard in image patterns; every other character is literal. */
function wildcard(pattern: string): Glob {
  return compileGlob(pattern.replace(/[?[\\]/g, '\\$&'), { starCrossesSlash: true });
}

const ms = (text: string | undefined): number | null => (text === undefined ? null : parseDuration(text));

/**
 * The policy for an image: global settings, then every matching package rule in order (later rules win), then CLI
 * `--platforms`. A rule with `matchCurrentVersion` applies only when `currentTag` satisfies it (never without a tag).
 */
export function imagePolicy(config: Config, key: string, cliPlatforms?: readonly string[], currentTag?: string | null): ImagePolicy {
  let policy: ImagePolicy = {
    enabled: true,
    platforms: config.platforms ?? null,
    allowMajor: true,
    minimumReleaseAge: ms(config.minimumReleaseAge),
    holdWithoutReleaseTime: config.releaseAgeWithoutTimestamp === 'hold',
    settleTime: ms(config.settleTime),
    groupName: null,
    versioning: 'docker',
    allowedVersions: null,
    disabledUpdateTypes: [],
  };
  for (const rule of config.packageRules ?? []) {
    if (!rule.matchImages.some((pattern) => matches(pattern, key))) continue;
    if (rule.matchCurrentVersion !== undefined) {
      if (!currentTag || !satisfies(currentTag, rule.matchCurrentVersion, versioningFor(rule.versioning ?? policy.versioning))) continue;
    }
    if (rule.matchUpdateTypes !== undefined) {
      policy = { ...policy, disabledUpdateTypes: [...new Set([...policy.disabledUpdateTypes, ...rule.matchUpdateTypes])] };
      continue;
    }
    policy = applyRule(policy, rule);
  }
  if (cliPlatforms && cliPlatforms.length > 0) policy = { ...policy, platforms: cliPlatforms };
  return policy;
}

function applyRule(policy: ImagePolicy, rule: PackageRule): ImagePolicy {
  return {
    enabled: rule.enabled ?? policy.enabled,
    platforms: rule.platforms ?? policy.platforms,
    allowMajor: rule.allowMajor ?? policy.allowMajor,
    minimumReleaseAge: rule.minimumReleaseAge === undefined ? policy.minimumReleaseAge : ms(rule.minimumReleaseAge),
    holdWithoutReleaseTime: rule.releaseAgeWithoutTimestamp === undefined ? policy.holdWithoutReleaseTime : rule.releaseAgeWithoutTimestamp === 'hold',
    settleTime: rule.settleTime === undefined ? policy.settleTime : ms(rule.settleTime),
    groupName: rule.groupName ?? policy.groupName,
    versioning: rule.versioning ?? policy.versioning,
    allowedVersions: rule.allowedVersions ?? policy.allowedVersions,
    disabledUpdateTypes: policy.disabledUpdateTypes,
  };
}
