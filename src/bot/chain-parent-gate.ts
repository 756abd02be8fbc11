/**
 * Gating a parent after its default-branch pipeline succeeded: each image it pushed (images-to-gate) must
 * pass the chain gate, measured against the last digest of that tag that passed, before its children are
 * rebuilt. A parent that does not pass stops its subtree, with the reason.
 */
import type { Logger } from 'pino';
import type { ChainState, ParentBuild, PipelineRef, StopReason } from '../chain/chain-state.js';
import { errorFields } from '../core/errors.js';
import { parseImageRef } from '../core/image-ref.js';
import { parseManifest, type Manifest } from '../core/manifest.js';
import type { PlatformsSource } from '../core/verdict.js';
import type { RegistryClient } from '../lookup/registry-client.js';
import { gateParentImage, type ParentVerdict } from './chain-gate.js';
import type { ChainCounters } from './chain-metrics.js';

export interface ParentGateDeps {
  readonly registry: Pick<RegistryClient, 'getManifest' | 'getBlob'>;
  readonly platforms: readonly string[];
  readonly platformsSource: PlatformsSource;
  readonly logger: Logger;
  readonly counters: ChainCounters;
  /** The clock of gate decisions. */
  readonly now: () => number;
}

/** Gates a parent's images (`refs`, `image:tag`); changes `state` (run it under the store's lock). Null: its subtree is stopped. */
export type ParentGate = (state: ChainState, path: string, pipeline: PipelineRef | null, refs: readonly string[]) => Promise<ParentBuild | null>;

export function createParentGate(deps: ParentGateDeps): ParentGate {
  const { logger, counters } = deps;
  /** Manifests of digests that passed (content-addressed), the baseline of the next gate of that tag. */
  const manifests = new Map<string, Manifest>();

  /** The manifest of the last digest of `ref` that passed, fetched by digest when this process has not seen it. */
  const previousManifest = async (state: ChainState, ref: string, location: { registry: string; repository: string }): Promise<Manifest | null> => {
    const digest = state.passed.get(ref);
    if (!digest) return null;
    const known = manifests.get(digest);
    if (known) return known;
    try {
      const fetched = await deps.registry.getManifest(location, digest);
      const parsed = parseManifest(fetched.bytes, fetched.mediaType);
      if (!parsed.ok) return null;
      manifests.set(digest, parsed.value);
      return parsed.value;
    } catch {
      // gone from the registry: no baseline, the required platforms still apply
      return null;
    }
  };

  return async (state, path, pipeline, refs) => {
    const now = Date.now();
    const stop = (code: StopReason['code'], message: string) => state.stop(path, { code, message, ...(pipeline ? { pipeline } : {}), at: now });
    if (refs.length === 0) {
      stop('no-image', 'no pushed image found in its CI or chain.publishes: nothing to gate, children not rebuilt');
      return null;
    }
    const images: string[] = [];
    const digests: string[] = [];
    for (const ref of refs) {
      const parsed = parseImageRef(ref.startsWith('*/') ? ref.slice(2) : ref);
      if (!parsed || ref.startsWith('*/') || parsed.tag === null) {
        stop('registry-error', `${ref}: the registry is unknown; set chain.registry`);
        return null;
      }
      const location = { registry: parsed.registry, repository: parsed.repository };
      let verdict: ParentVerdict;
      try {
        verdict = await gateParentImage(deps.registry, location, parsed.tag, {
          platforms: deps.platforms,
          platformsSource: deps.platformsSource,
          previous: await previousManifest(state, ref, location),
          now: deps.now(),
        });
      } catch (error) {
        const { code, message } = errorFields(error);
        stop('registry-error', `${ref}: ${code}: ${message}`);
        counters.gateBlocked++;
        return null;
      }
      if (!verdict.pass) {
        const text = verdict.reasons.map((reason) => `${reason.code}: ${reason.message}`).join('; ');
        stop('gate-blocked', `${ref}@${verdict.digest}: ${text}`);
        logger.warn({ project: path, image: ref, digest: verdict.digest, reasons: verdict.reasons.map((reason) => reason.code) }, 'chain stopped: the pushed image did not pass the gate');
        counters.gateBlocked++;
        return null;
      }
      if (verdict.manifest && verdict.digest) {
        manifests.set(verdict.digest, verdict.manifest);
        state.passed.set(ref, verdict.digest);
      }
      images.push(`${ref}@${verdict.digest}`);
      digests.push(verdict.digest);
    }
    counters.gatePassed++;
    return { project: path, images, digestKey: digests.join(','), pipeline };
  };
}
