import { platformKey } from '../core/platform.js';
import type { GateContext } from './context.js';
import { isRunnable, type RunnableEntry } from '../core/platforms-of.js';
import { inVerifyScope, platformsToVerify } from '../core/verify-scope.js';
import type { HoldCode, HoldReason, ChildCheck } from '../core/verdict.js';

/**
 * `child-missing`, `child-not-image`, `platform-mismatch`, `size-mismatch`, `digest-mismatch`,
 * `manifest-too-large`, `unverified`: what fetching each runnable entry's child by digest showed. A config
 * platform agrees with the descriptor when os and architecture match after normalisation, and the variant
 * too when the config names one. Skipped when the children were not fetched (descriptor-only verdict).
 * Only the entries of the platforms to verify (see platformsToVerify) must have been verified: a failure there
 * holds the candidate; the other entries are not claimed (the verdict lists them as not verified).
 * One reason per code, naming the platforms concerned.
 */
export function children(context: GateContext): HoldReason[] {
  const checks = context.input.candidate.children;
  if (checks === undefined || context.manifest?.kind !== 'index') return [];
  const byCode = new Map<HoldCode, { platforms: string[]; messages: string[] }>();
  const add = (code: HoldCode, platform: string, message: string): void => {
    const entry = byCode.get(code) ?? { platforms: [], messages: [] };
    if (!entry.platforms.includes(platform)) entry.platforms.push(platform);
    entry.messages.push(message);
    byCode.set(code, entry);
  };
  const scope = platformsToVerify(context.input.policy, context.input.current);
  for (const entry of context.manifest.entries.filter((entry) => inVerifyScope(entry, scope))) {
    const claimed = platformKey(entry.platform);
    const check = checks.get(entry.digest);
    if (check === undefined) {
      add('unverified', claimed, `${claimed}: child ${entry.digest.slice(0, 19)} was not checked`);
    } else if (!check.ok) {
      add(check.code, claimed, `${claimed}: ${check.message}`);
    } else if (!childAgrees(entry, check)) {
      const says = check.confirmedBy ? `the ${check.confirmedBy} records the child as` : "the child's config says";
      add('platform-mismatch', claimed, `${claimed}: ${says} ${platformKey(check.platform)}`);
    }
  }
  return [...byCode].map(([code, { platforms, messages }]) => ({ code, missing: platforms.sort(), message: messages.join('; ') }));
}

/** Whether a verified child's config names the platform its descriptor claims (the variant only when the config gives one). */
export function childAgrees(entry: RunnableEntry, check: ChildCheck & { ok: true }): boolean {
  const actual = check.platform;
  const wanted = entry.platform;
  return actual.os === wanted.os && actual.architecture === wanted.architecture && (!check.variantGiven || actual.variant === wanted.variant);
}

/**
 * The platforms a verdict may claim for an index whose children were fetched: those with a child verified down
 * to its config (and agreeing with it); the others it lists are `unverified`. Without children, every platform
 * the index lists (a descriptor-only verdict, never pinned from).
 */
export function verifiedPlatforms(context: GateContext): { platforms: string[]; unverified: string[] } {
  const checks = context.input.candidate.children;
  if (checks === undefined || context.manifest?.kind !== 'index') return { platforms: [...context.offered], unverified: [] };
  const verified = new Set<string>();
  for (const entry of context.manifest.entries.filter(isRunnable)) {
    const check = checks.get(entry.digest);
    if (check?.ok && childAgrees(entry, check)) verified.add(platformKey(entry.platform));
  }
  return { platforms: context.offered.filter((key) => verified.has(key)), unverified: context.offered.filter((key) => !verified.has(key)) };
}
