/** The gate's public surface. */
export { evaluateCandidate } from './evaluate.js';
export { platformsOf, isRunnable } from './platforms-of.js';
export { selectPlatformEntry } from './select-platform-entry.js';
export { formatDuration } from '../core/duration.js';
export { toUnreadable } from './unreadable.js';
export { BLOCK_CODES } from './types.js';
export type { BlockCode, BlockReason, CurrentImage, GateCandidate, GateInput, GatePolicy, UnreadableManifest, Verdict } from './types.js';
