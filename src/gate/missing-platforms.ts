import { describeOffer, requiredBy, unsatisfied, type GateContext } from './context.js';
import type { HoldReason } from '../core/verdict.js';

/** `missing-platforms`: a platform the policy requires is not offered. */
export function missingPlatforms(context: GateContext): HoldReason | null {
  if (context.manifest === null || context.required === null) return null;
  const missing = unsatisfied(context.required, context.offered);
  if (missing.length === 0) return null;
  return { code: 'missing-platforms', missing, message: `${describeOffer(context)}; ${requiredBy(context)} ${missing.join(', ')}` };
}
