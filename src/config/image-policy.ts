import { parseDuration } from '../core/duration.js';
import { compileGlob, type Glob } from '../core/glob.js';
import { imageKey, splitName } from '../core/image-ref.js';
import type { UpdateType } from '../core/dependency.js';
import type { Config, PackageRule } from './schema.js';
import { satisfies, versioningFor } from '../core/versioning.js';
import type { PlatformsSource } from '../core/verdict.js';
import { DEFAULTS } from './defaults.js';

export const UPDATE_TYPES = ['major', 'minor', 'patch', 'digest', 'pin'] as const satisfies readonly UpdateType[];

/** Everything the pipeline needs to know about one image (for one update type), resolved once from the config. */
export interface RulePolicy {
  readonly enabled: boolean;
  /** Required platforms; null: the default "no platform regression". */
  readonly platforms: readonly string[] | null;
  /** Where `platforms` come from, for hold messages (absent: configured). */
  readonly platformsSource?: PlatformsSource;
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
  /** false: a reference without a digest gets its tag updated only, and is never pinned. */
  readonly pinDigests: boolean;
  /** Added to the change request (on top of the top-level labels), unions over every matching rule. */
  readonly labels: readonly string[];
  readonly reviewers: readonly string[];
  readonly assignees: readonly string[];
}

export interface ImagePolicy extends RulePolicy {
  /** Update types left alone (a rule with matchUpdateTypes set enabled false for them). */
  readonly disabledUpdateTypes: readonly UpdateType[];
  /**
   * The policy of one update type, where a rule with matchUpdateTypes changes it; absent types (and an absent
   * map) have the policy above.
   */
  readonly byUpdateType?: Readonly<Partial<Record<UpdateType, RulePolicy>>>;
}

/** A package rule archpin adds itself (run's image-chain rule): its platforms may be a default, which hold messages say. */
export type DerivedPackageRule = PackageRule & { readonly platformsSource?: PlatformsSource };

/** The policy that applies to an update of this type. */
export function policyForUpdateType<P extends RulePolicy>(policy: P & { readonly byUpdateType?: Readonly<Partial<Record<UpdateType, RulePolicy>>> }, type: UpdateType): P | RulePolicy {
  return policy.byUpdateType?.[type] ?? policy;
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

const union = (a: readonly string[], b: readonly string[] | undefined): readonly string[] => (b === undefined ? a : [...new Set([...a, ...b])]);

/**
 * The policy for an image: global settings, then every matching package rule in order (later rules win;
 * labels, reviewers and assignees add up), then CLI `--platforms`. A rule with `matchCurrentVersion` applies
 * only when `currentTag` satisfies it (never without a tag). A rule with `matchUpdateTypes` applies only to
 * updates of those types: its settings land in `byUpdateType`.
 */
export function imagePolicy(config: Config, key: string, cliPlatforms?: readonly string[], currentTag?: string | null): ImagePolicy {
  const base: RulePolicy = {
    enabled: DEFAULTS.enabled,
    platforms: config.platforms ?? null,
    allowMajor: DEFAULTS.allowMajor,
    minimumReleaseAge: ms(config.minimumReleaseAge),
    holdWithoutReleaseTime: (config.releaseAgeWithoutTimestamp ?? DEFAULTS.releaseAgeWithoutTimestamp) === 'hold',
    settleTime: ms(config.settleTime),
    groupName: null,
    versioning: DEFAULTS.versioning,
    allowedVersions: null,
    pinDigests: config.pinDigests ?? DEFAULTS.pinDigests,
    labels: [],
    reviewers: [],
    assignees: [],
  };
  const matching = (config.packageRules ?? []).filter((rule) => rule.matchImages.some((pattern) => matches(pattern, key)));
  let policy = base;
  let typed = false;
  for (const rule of matching) {
    if (rule.matchUpdateTypes !== undefined) {
      typed = true;
      continue;
    }
    if (!currentVersionMatches(rule, currentTag, policy.versioning)) continue;
    policy = applyRule(policy, rule);
  }
  const withPlatforms = ({ platformsSource, ...rules }: RulePolicy): RulePolicy =>
    cliPlatforms && cliPlatforms.length > 0 ? { ...rules, platforms: cliPlatforms } : { ...rules, ...(platformsSource === undefined ? {} : { platformsSource }) };
  if (!typed) return { ...withPlatforms(policy), disabledUpdateTypes: [] };
  const byUpdateType: Partial<Record<UpdateType, RulePolicy>> = {};
  for (const type of UPDATE_TYPES) {
    let forType = base;
    for (const rule of matching) {
      if (rule.matchUpdateTypes !== undefined && !rule.matchUpdateTypes.includes(type)) continue;
      if (!currentVersionMatches(rule, currentTag, forType.versioning)) continue;
      forType = applyRule(forType, rule);
    }
    byUpdateType[type] = withPlatforms(forType);
  }
  const disabledUpdateTypes = UPDATE_TYPES.filter((type) => byUpdateType[type]?.enabled === false);
  return { ...withPlatforms(policy), disabledUpdateTypes, byUpdateType };
}

function currentVersionMatches(rule: PackageRule, currentTag: string | null | undefined, versioning: string): boolean {
  if (rule.matchCurrentVersion === undefined) return true;
  return Boolean(currentTag) && satisfies(currentTag ?? '', rule.matchCurrentVersion, versioningFor(rule.versioning ?? versioning));
}

function applyRule(policy: RulePolicy, rule: DerivedPackageRule): RulePolicy {
  const { platformsSource } = rule.platforms === undefined ? policy : rule;
  return {
    enabled: rule.enabled ?? policy.enabled,
    platforms: rule.platforms ?? policy.platforms,
    ...(platformsSource === undefined ? {} : { platformsSource }),
    allowMajor: rule.allowMajor ?? policy.allowMajor,
    minimumReleaseAge: rule.minimumReleaseAge === undefined ? policy.minimumReleaseAge : ms(rule.minimumReleaseAge),
    holdWithoutReleaseTime: rule.releaseAgeWithoutTimestamp === undefined ? policy.holdWithoutReleaseTime : rule.releaseAgeWithoutTimestamp === 'hold',
    settleTime: rule.settleTime === undefined ? policy.settleTime : ms(rule.settleTime),
    groupName: rule.groupName ?? policy.groupName,
    versioning: rule.versioning ?? policy.versioning,
    allowedVersions: rule.allowedVersions ?? policy.allowedVersions,
    pinDigests: rule.pinDigests ?? policy.pinDigests,
    labels: union(policy.labels, rule.labels),
    reviewers: union(policy.reviewers, rule.reviewers),
    assignees: union(policy.assignees, rule.assignees),
  };
}
