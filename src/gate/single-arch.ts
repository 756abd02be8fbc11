import { describeOffer, requiredBy, unsatisfied, type GateContext } from './context.js';
import type { HoldReason } from '../core/verdict.js';

/**
 * `single-arch`: the candidate is a single image manifest while more than one platform is wanted:
 * by the policy, or with no policy by the current image (an index offering several platforms). It is
 * reported next to `missing-platforms` / `platform-regression`, which list the same missing platforms.
 * When exactly one platform is wanted and the image has another, only those two reasons apply.
 * A single image whose platform is unknown always blocks here (fail closed).
 */
export function singleArch(context: GateContext): HoldReason | null {
  if (context.manifest?.kind !== 'image') return null;
  const wanted = context.required ?? (Array.isArray(context.current) ? context.current : null);
  const source = context.required ? requiredBy(context) : 'the current image provides';
  if (context.offered.length === 0) {
    const missing = wanted ?? [];
    return {
      code: 'single-arch',
      ...(missing.length > 0 ? { missing } : {}),
      message: 'candidate is a single image manifest whose platform is unknown (its config was not read)',
    };
  }
  if (wanted === null || wanted.length < 2) return null;
  const missing = unsatisfied(wanted, context.offered);
  if (missing.length === 0) return null;
  return {
    code: 'single-arch',
    missing,
    message: `${describeOffer(context)}, not a multi-platform index; ${source} ${wanted.join(', ')}`,
  };
}
