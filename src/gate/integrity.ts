import type { GateContext } from './context.js';
import type { HoldReason } from '../core/verdict.js';

/**
 * `digest-mismatch`, `unsupported-media-type`, `manifest-too-large`: the registry's answer cannot be
 * trusted or read. The platform rules are then skipped (their input is not trustworthy).
 */
export function integrity(context: GateContext): HoldReason | null {
  const { candidate } = context.input;
  if (candidate.manifest.kind === 'unreadable') {
    return { code: candidate.manifest.code, message: candidate.manifest.message };
  }
  if (candidate.contentDigest !== candidate.digest) {
    return {
      code: 'digest-mismatch',
      message: `manifest bytes hash to ${candidate.contentDigest}, not the expected ${candidate.digest}`,
    };
  }
  return null;
}
