/**
 * The gate on a parent image that a pipeline just pushed: the tag's manifest as the registry serves it
 * now, every required platform's child fetched by digest and checked down to its config, then the
 * multi-arch gate (required platforms, no regression from the last digest that passed).
 */
import { isArchpinError } from '../core/errors.js';
import { CONFIG_MAX_BYTES, parseImageConfig, parseManifest, type Manifest } from '../core/manifest.js';
import { platformKey, platformSatisfies } from '../core/platform.js';
import { isRunnable } from '../core/platforms-of.js';
import type { ImageLocation } from '../core/dependency.js';
import type { PlatformsSource } from '../core/verdict.js';
import type { RegistryClient } from '../lookup/registry-client.js';
import { evaluateCandidate } from '../gate/evaluate.js';

export interface ParentVerdict {
  readonly pass: boolean;
  readonly digest: string;
  readonly manifest: Manifest | null;
  readonly platforms: readonly string[];
  /** `code: message` of each reason it did not pass. */
  readonly reasons: ReadonlyArray<{ readonly code: string; readonly message: string }>;
}

type ChainRegistry = Pick<RegistryClient, 'getManifest' | 'getBlob'>;

/** Every required platform's child must exist, be an image manifest, and say in its config that it is that platform. */
async function childProblems(registry: ChainRegistry, location: ImageLocation, manifest: Manifest, required: readonly string[]): Promise<Array<{ code: string; message: string }>> {
  if (manifest.kind !== 'index') return [];
  const problems: Array<{ code: string; message: string }> = [];
  for (const platform of required) {
    const entry = manifest.entries.find((candidate) => isRunnable(candidate) && platformSatisfies(platform, candidate.platform));
    if (!entry) continue; // the gate itself reports the missing platform
    let fetched;
    try {
      fetched = await registry.getManifest(location, entry.digest);
    } catch (error) {
      problems.push({ code: 'child-missing', message: `${platform}: child ${entry.digest} cannot be fetched (${isArchpinError(error) ? error.code : 'error'})` });
      continue;
    }
    const child = parseManifest(fetched.bytes, fetched.mediaType);
    if (!child.ok || child.value.kind !== 'image') {
      problems.push({ code: 'child-not-image', message: `${platform}: child ${entry.digest} is not an image manifest` });
      continue;
    }
    const config = parseImageConfig(await registry.getBlob(location, child.value.config.digest, { maxBytes: CONFIG_MAX_BYTES }));
    if (!config.ok || !platformSatisfies(platform, config.value.platform)) {
      const said = config.ok ? platformKey(config.value.platform) : 'no platform';
      problems.push({ code: 'platform-mismatch', message: `${platform}: child ${entry.digest} has a config for ${said}` });
    }
  }
  return problems;
}

/** Gates `image:tag` as pushed now. `previous` is the manifest of the last digest of this tag that passed (for regressions). */
export async function gateParentImage(
  registry: ChainRegistry,
  location: ImageLocation,
  tag: string,
  options: {
    readonly platforms: readonly string[];
    /** 'chain-default': neither chain.platforms nor platforms is configured, and linux/amd64 is the default (the held message says so). */
    readonly platformsSource?: PlatformsSource;
    readonly previous: Manifest | null;
    readonly now: number;
  },
): Promise<ParentVerdict> {
  const fetched = await registry.getManifest(location, tag);
  const parsed = parseManifest(fetched.bytes, fetched.mediaType);
  let imagePlatform = null;
  if (parsed.ok && parsed.value.kind === 'image') {
    const config = parseImageConfig(await registry.getBlob(location, parsed.value.config.digest, { maxBytes: CONFIG_MAX_BYTES }));
    imagePlatform = config.ok ? config.value.platform : null;
  }
  const verdict = evaluateCandidate({
    candidate: {
      image: `${location.registry}/${location.repository}`,
      tag,
      digest: fetched.digest,
      contentDigest: fetched.digest,
      manifest: parsed.ok ? parsed.value : { kind: 'unreadable', code: 'unsupported-media-type', message: parsed.error.message },
      imagePlatform,
      created: null,
      firstSeen: null,
    },
    current: options.previous ? { manifest: options.previous, imagePlatform: null } : null,
    policy: { platforms: [...options.platforms], platformsSource: options.platformsSource ?? 'configured', minimumReleaseAge: null, settleTime: null },
    now: options.now,
  });
  const manifest = parsed.ok ? parsed.value : null;
  const reasons: Array<{ code: string; message: string }> = verdict.pass ? [] : verdict.reasons.map((reason) => ({ code: reason.code, message: reason.message }));
  if (verdict.pass && manifest) reasons.push(...(await childProblems(registry, location, manifest, options.platforms)));
  return { pass: reasons.length === 0, digest: fetched.digest, manifest, platforms: verdict.pass ? verdict.platforms : [], reasons };
}
