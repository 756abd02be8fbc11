import { artifact } from './artifact.js';
import { children, verifiedPlatforms } from './children.js';
import { buildContext, type Rule } from './context.js';
import { emptyIndex } from './empty-index.js';
import { duplicatePlatform, nestedIndex, noPlatform } from './index-entries.js';
import { integrity } from './integrity.js';
import { missingPlatforms } from './missing-platforms.js';
import { platformRegression } from './platform-regression.js';
import { singleArch } from './single-arch.js';
import { notBundle } from './tekton-bundle.js';
import { tooNew } from './too-new.js';
import { BLOCK_CODES, type HoldReason, type GateInput, type Verdict } from '../core/verdict.js';

const RULES: readonly Rule[] = [emptyIndex, missingPlatforms, platformRegression, singleArch, tooNew, integrity, nestedIndex, noPlatform, duplicatePlatform];
/** A Tekton bundle is not run: no platform rule applies to it, only its shape, its integrity and its age. */
const BUNDLE_RULES: readonly Rule[] = [tooNew, integrity, notBundle];

/**
 * The multi-arch gate. Pure: every rule that applies contributes one reason, ordered as BLOCK_CODES;
 * the candidate passes only when none does, and the verdict then lists the platforms it offers.
 * An artifact (signature, SBOM, referrer) is refused for that alone: the platform rules do not apply to it.
 * With `candidate.children` given, every entry of a platform to verify (the required ones, see
 * platformsToVerify) must have been fetched and verified down to its config; the verdict then claims only the
 * verified platforms and lists the others the index offers as `unverified`.
 */
export function evaluateCandidate(input: GateInput): Verdict {
  if (input.content === 'tekton-bundle') return evaluateBundle(input);
  const notImage = artifact(input);
  if (notImage !== null) return { pass: false, reasons: [notImage] };
  const context = buildContext(input);
  const reasons = [...RULES.map((rule) => rule(context)).filter((reason): reason is HoldReason => reason !== null), ...children(context)];
  if (reasons.length > 0) {
    reasons.sort((a, b) => BLOCK_CODES.indexOf(a.code) - BLOCK_CODES.indexOf(b.code));
    return { pass: false, reasons };
  }
  if (context.manifest === null || context.offered.length === 0) {
    // Unreachable by construction (the rules above cover it); kept so the gate can never pass on nothing.
    return { pass: false, reasons: [{ code: 'empty-index', message: 'candidate offers no runnable platform' }] };
  }
  const { platforms, unverified } = verifiedPlatforms(context);
  if (platforms.length === 0) return { pass: false, reasons: [{ code: 'unverified', message: 'no platform of the index was verified' }] };
  return unverified.length > 0 ? { pass: true, platforms, unverified } : { pass: true, platforms };
}

/**
 * A Tekton bundle reference's candidate: it passes when its manifest can be trusted, is a bundle (see notBundle) and
 * is old enough; it claims no platform.
 */
function evaluateBundle(input: GateInput): Verdict {
  const context = buildContext(input);
  const reasons = BUNDLE_RULES.map((rule) => rule(context)).filter((reason): reason is HoldReason => reason !== null);
  if (reasons.length > 0) return { pass: false, reasons: reasons.sort((a, b) => BLOCK_CODES.indexOf(a.code) - BLOCK_CODES.indexOf(b.code)) };
  return { pass: true, platforms: [] };
}
