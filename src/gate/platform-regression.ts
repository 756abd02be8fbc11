import { describeOffer, unsatisfied, type GateContext } from './context.js';
import type { HoldReason } from '../core/verdict.js';

/**
 * `platform-regression`, the default policy when no platforms are configured: the candidate must offer
 * every platform the current image offers (a current single image: its one platform). A current single
 * image whose platform is unknown blocks, since a regression cannot be ruled out. Without a current image
 * there is nothing to regress from. With platforms configured, the policy decides instead.
 */
export function platformRegression(context: GateContext): HoldReason | null {
  if (context.manifest === null || context.required !== null || context.current === null) return null;
  if (context.current === 'unknown') {
    return { code: 'platform-regression', message: 'the platform of the current image is unknown, so a regression cannot be ruled out' };
  }
  const missing = unsatisfied(context.current, context.offered);
  if (missing.length === 0) return null;
  return { code: 'platform-regression', missing, message: `${describeOffer(context)}; the current image provides ${missing.join(', ')}` };
}
