import { DOCKER_IMAGE_CONFIG, OCI_IMAGE_CONFIG } from '../core/manifest.js';
import type { GateInput } from '../core/verdict.js';
import type { HoldReason } from '../core/verdict.js';
import { bundleResources } from './tekton-bundle.js';

const IMAGE_CONFIG_TYPES: ReadonlySet<string> = new Set([OCI_IMAGE_CONFIG, DOCKER_IMAGE_CONFIG]);

/**
 * `artifact`: the candidate is not a runnable image but an OCI artifact or a referrer (a cosign signature
 * or attestation, an SBOM, a Helm chart): it declares an `artifactType` or a `subject`, its config is not
 * an image config, or its config blob names no os/architecture (a Tekton bundle is named as such). Such a tag is never
 * a candidate for an image to run.
 */
export function artifact(input: GateInput): HoldReason | null {
  const { manifest, configProblem } = input.candidate;
  if (manifest.kind === 'unreadable') return null;
  if (manifest.subject) return { code: 'artifact', message: `a referrer of ${manifest.subject} (signature, SBOM or attestation), not an image` };
  if (manifest.artifactType) return { code: 'artifact', message: `an OCI artifact of type ${manifest.artifactType}, not an image` };
  const notRunnable = manifest.kind === 'image' && (!IMAGE_CONFIG_TYPES.has(manifest.config.mediaType) || configProblem);
  const bundle = notRunnable ? bundleResources(manifest) : null;
  if (bundle?.ok) return { code: 'artifact', message: `a Tekton bundle (holding the ${bundle.resources.join(', ')}), not an image to run` };
  if (manifest.kind === 'image' && !IMAGE_CONFIG_TYPES.has(manifest.config.mediaType)) {
    return { code: 'artifact', message: `an OCI artifact (config media type ${manifest.config.mediaType}), not an image` };
  }
  if (manifest.kind === 'image' && configProblem) return { code: 'artifact', message: `not a runnable image: ${configProblem}` };
  return null;
}
