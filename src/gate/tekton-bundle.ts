import type { ImageManifest } from '../core/manifest.js';
import type { GateContext } from './context.js';
import type { HoldReason } from '../core/verdict.js';

/** The annotations Tekton's bundles resolver reads on each layer: which resource the layer holds. */
export const TEKTON_API_VERSION = 'dev.tekton.image.apiVersion';
export const TEKTON_KIND = 'dev.tekton.image.kind';
export const TEKTON_NAME = 'dev.tekton.image.name';

/** Tekton's bundles resolver refuses a bundle of more resources (layers) than this. */
export const MAX_BUNDLE_RESOURCES = 20;

/** What a layer's annotations say about a bundle's resource: why it is not one (null: it is one). */
function layerProblem(annotations: Readonly<Record<string, string>>): string | null {
  const missing = [TEKTON_API_VERSION, TEKTON_KIND, TEKTON_NAME].filter((key) => !annotations[key]);
  if (missing.length > 0) return `carries no ${missing.join(', ')}`;
  const kind = annotations[TEKTON_KIND] ?? '';
  if (kind !== kind.toLowerCase() || kind.endsWith('s')) return `names its kind "${kind}", not lowercase and singular as Tekton requires`;
  return null;
}

/** The resources a bundle manifest holds (`task lint`), or why it is not a bundle. */
export function bundleResources(manifest: ImageManifest): { ok: true; resources: string[] } | { ok: false; why: string } {
  if (manifest.layers === 0) return { ok: false, why: 'an image manifest with no layers (a Tekton bundle holds one resource per layer)' };
  if (manifest.layers > MAX_BUNDLE_RESOURCES) return { ok: false, why: `${manifest.layers} layers: Tekton's bundles resolver takes at most ${MAX_BUNDLE_RESOURCES} resources` };
  const annotations = Array.from({ length: manifest.layers }, (_, i) => manifest.layerAnnotations?.[i] ?? {});
  const problems = annotations.map(layerProblem);
  if (annotations.every((each) => !each[TEKTON_API_VERSION] && !each[TEKTON_KIND] && !each[TEKTON_NAME])) {
    return { ok: false, why: `no layer carries the Tekton bundle annotations (${TEKTON_API_VERSION}, ${TEKTON_KIND}, ${TEKTON_NAME})` };
  }
  const bad = problems.flatMap((problem, i) => (problem === null ? [] : [`layer ${i + 1} of ${manifest.layers} ${problem}`]));
  if (bad.length > 0) return { ok: false, why: bad.join('; ') };
  return { ok: true, resources: annotations.map((each) => `${each[TEKTON_KIND] ?? ''} ${each[TEKTON_NAME] ?? ''}`) };
}

/**
 * `not-bundle`: a Tekton bundle reference's candidate must be what Tekton's bundles resolver reads, one image manifest
 * whose layers (at least one, at most 20) each carry the annotations naming the resource it holds. No platform is
 * asked of it: a bundle is not run. An index is not taken (the resolver would pick one platform's entry of it, which
 * may hold anything); neither is an image to run, an empty index or a manifest without layers. Skipped when the
 * manifest cannot be trusted (integrity says why).
 */
export function notBundle(context: GateContext): HoldReason | null {
  const manifest = context.manifest;
  if (manifest === null) return null;
  if (context.knownEmpty) return { code: 'not-bundle', message: `${context.input.candidate.digest} is the well-known empty index: nothing has been published yet, not a Tekton bundle` };
  if (manifest.subject) return { code: 'not-bundle', message: `a referrer of ${manifest.subject} (signature, SBOM or attestation), not a Tekton bundle` };
  if (manifest.kind === 'index') {
    return { code: 'not-bundle', message: `an image index (${manifest.entries.length} ${manifest.entries.length === 1 ? 'entry' : 'entries'}), not a Tekton bundle: a bundle is one image manifest` };
  }
  const found = bundleResources(manifest);
  if (found.ok) return null;
  const runnable = context.offered.length > 0 ? `an image to run (${context.offered.join(', ')}), ` : '';
  return { code: 'not-bundle', message: `${runnable}not a Tekton bundle: ${found.why}` };
}
