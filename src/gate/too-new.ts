import type { GateContext } from './context.js';
import { formatDuration } from '../core/duration.js';
import type { HoldReason, ReleaseTimeSource } from '../core/verdict.js';

/** How a message names each release time. */
const RELEASED: Readonly<Record<ReleaseTimeSource, string>> = {
  'image-created': 'created',
  'tag-last-pushed': 'pushed (Docker Hub tag_last_pushed)',
  'last-modified': 'last modified (registry Last-Modified)',
  'first-seen': 'first seen (no release time from the registry)',
};

/**
 * `too-new`: created less than `minimumReleaseAge` ago, or digest first seen less than `settleTime` ago.
 * Fails closed: with `minimumReleaseAge` set and no creation time, the release age is unknown and blocks;
 * with `settleTime` set and a digest never seen before, it was first seen just now and blocks.
 * Both parts are joined into one reason.
 */
export function tooNew(context: GateContext): HoldReason | null {
  const { candidate, policy, now } = context.input;
  const parts: string[] = [];
  const minimumAge = policy.minimumReleaseAge ?? 0;
  if (minimumAge > 0) {
    const limit = `minimumReleaseAge is ${formatDuration(minimumAge)}`;
    const from = RELEASED[candidate.createdFrom ?? 'image-created'];
    if (candidate.created === null) {
      parts.push(`release age unknown (no creation time in the image config); ${limit}`);
    } else if (candidate.created > now) {
      parts.push(`${from} ${formatDuration(candidate.created - now)} in the future; ${limit}`);
    } else if (now - candidate.created < minimumAge) {
      parts.push(`${from} ${formatDuration(now - candidate.created)} ago; ${limit}`);
    }
  }
  const settle = policy.settleTime ?? 0;
  if (settle > 0) {
    const limit = `settleTime is ${formatDuration(settle)}`;
    if (candidate.firstSeen === null || candidate.firstSeen > now) {
      parts.push(`digest first seen just now; ${limit}`);
    } else if (now - candidate.firstSeen < settle) {
      parts.push(`digest first seen ${formatDuration(now - candidate.firstSeen)} ago; ${limit}`);
    }
  }
  return parts.length > 0 ? { code: 'too-new', message: parts.join('; ') } : null;
}
