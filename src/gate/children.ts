import { platformKey } from '../core/platform.js';
import type { GateContext } from './context.js';
import { isRunnable } from '../core/platforms-of.js';
import type { BlockCode, BlockReason } from '../core/verdict.js';

/**
 * `child-missing`, `child-not-image`, `platform-mismatch`, `size-mismatch`, `digest-mismatch`,
 * `manifest-too-large`, `unverified`: what fetching each runnable entry's child by digest showed. A config
 * platform agrees with the descriptor when os and architecture match after normalisation, and the variant
 * too when the config names one. Skipped when the children were not fetched (descriptor-only verdict).
 * One reason per code, naming the platforms concerned.
 */
export function children(context: GateContext): BlockReason[] {
  const checks = context.input.candidate.children;
  if (checks === undefined || context.manifest?.kind !== 'index') return [];
  const byCode = new Map<BlockCode, { platforms: string[]; messages: string[] }>();
  const add = (code: BlockCode, platform: string, message: string): void => {
    const entry = byCode.get(code) ?? { platforms: [], messages: [] };
    if (!entry.platforms.includes(platform)) entry.platforms.push(platform);
    entry.messages.push(message);
    byCode.set(code, entry);
  };
  for (const entry of context.manifest.entries.filter(isRunnable)) {
    const claimed = platformKey(entry.platform!);
    const check = checks.get(entry.digest);
    if (check === undefined) {
      add('unverified', claimed, `${claimed}: child ${entry.digest.slice(0, 19)} was not checked`);
    } else if (!check.ok) {
      add(check.code, claimed, `${claimed}: ${check.message}`);
    } else {
      const actual = check.platform;
      const wanted = entry.platform!;
      const agrees = actual.os === wanted.os && actual.architecture === wanted.architecture && (!check.variantGiven || actual.variant === wanted.variant);
      if (!agrees) add('platform-mismatch', claimed, `${claimed}: the child's config says ${platformKey(actual)}`);
    }
  }
  return [...byCode].map(([code, { platforms, messages }]) => ({ code, missing: platforms.sort(), message: messages.join('; ') }));
}
