import type { ArchpinError } from '../core/errors.js';
import type { UnreadableManifest } from '../core/verdict.js';

/**
 * The gate's view of a manifest the lookup could not trust or read. Only the three codes the gate reports
 * qualify; any other error (network, auth, invalid JSON) is a lookup failure, not a verdict: null.
 */
export function toUnreadable(error: ArchpinError): UnreadableManifest | null {
  switch (error.code) {
    case 'digest-mismatch':
    case 'unsupported-media-type':
    case 'manifest-too-large':
      return { kind: 'unreadable', code: error.code, message: error.message };
    default:
      return null;
  }
}
