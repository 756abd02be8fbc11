/**
 * Chain pins in `archpin run`: for an updated image that a project of the same forge publishes, the
 * merge request names the pipeline that produced the digest, and only a proven one:
 *   1. the pipeline serve's chain state recorded for that digest (it succeeded, and the digest its tag
 *      served then passed the chain gate);
 *   2. else the commit in the image's `org.opencontainers.image.revision` label (read from the config
 *      blobs the gate already verified, so from the cache) and the successful pipelines of that commit;
 *   3. else it says the pipeline is not known, and why.
 * The chain's required platforms become a package rule for every image the group's projects publish.
 */
import type { Repository } from '../apply/forges/forge.js';
import type { Pipeline, PipelineApi } from '../apply/forges/gitlab-pipelines.js';
import { publishes } from '../chain/build-graph.js';
import { imageLabels, REVISION_LABEL, SOURCE_LABEL, sourceProjectPath } from '../chain/image-labels.js';
import type { ChainGraph } from '../chain/types.js';
import type { DerivedPackageRule } from '../config/image-policy.js';
import { DEFAULTS } from '../config/defaults.js';
import type { Config } from '../config/schema.js';
import { errorFields } from '../core/errors.js';
import { parseImageRef } from '../core/image-ref.js';
import { CONFIG_MAX_BYTES, parseManifest } from '../core/manifest.js';
import { platformSatisfies } from '../core/platform.js';
import { isRunnable } from '../core/platforms-of.js';
import type { PlannedChange, UpstreamNote, UpstreamPipeline, UpstreamProducer } from '../core/planned.js';
import type { ImageLocation } from '../core/dependency.js';
import type { PlatformsSource } from '../core/verdict.js';
import type { ManifestSource } from '../lookup/manifest-source.js';
import type { ChainRecord } from './chain-record.js';

export interface UpstreamEvidence {
  /** What serve recorded (digest → the pipeline it was gated after). */
  readonly record: ChainRecord;
  /** The run's manifest source: manifests by digest and config blobs come from its cache once the gate has read them. */
  readonly source: Pick<ManifestSource, 'manifestByDigest' | 'blob'>;
  /** The chain's required platforms: the children the gate verified, whose labels are read. */
  readonly platforms: readonly string[];
}

const pipelineOf = (pipeline: Pipeline): UpstreamPipeline => ({ id: pipeline.id, url: pipeline.webUrl, ref: pipeline.ref });

/** The revision and source labels of each required platform's image (an image manifest: its own). */
async function labelsOf(
  source: UpstreamEvidence['source'],
  location: ImageLocation,
  digest: string,
  platforms: readonly string[],
): Promise<Array<{ platform: string; labels: Readonly<Record<string, string>> }>> {
  const top = await source.manifestByDigest(location, digest);
  const parsed = parseManifest(top.bytes, top.mediaType);
  if (!parsed.ok) throw parsed.error;
  const images: Array<{ platform: string; digest: string }> = [];
  if (parsed.value.kind === 'index') {
    for (const platform of platforms) {
      const entry = parsed.value.entries.find((candidate) => isRunnable(candidate) && platformSatisfies(platform, candidate.platform));
      if (entry && !images.some((image) => image.digest === entry.digest)) images.push({ platform, digest: entry.digest });
    }
  } else images.push({ platform: 'image', digest });
  const found: Array<{ platform: string; labels: Readonly<Record<string, string>> }> = [];
  for (const image of images) {
    const fetched = image.digest === digest ? top : await source.manifestByDigest(location, image.digest);
    const manifest = parseManifest(fetched.bytes, fetched.mediaType);
    if (!manifest.ok || manifest.value.kind !== 'image') continue;
    const labels = imageLabels(await source.blob(location, manifest.value.config.digest, CONFIG_MAX_BYTES));
    if (labels) found.push({ platform: image.platform, labels });
  }
  return found;
}

export function chainUpstream(
  graph: ChainGraph,
  repositories: ReadonlyMap<string, Repository>,
  pipelines: PipelineApi,
  evidence: UpstreamEvidence,
): (change: PlannedChange) => Promise<UpstreamNote[]> {
  const bySha = new Map<string, Promise<Pipeline[]>>();
  const successfulOf = (repository: Repository, sha: string) => {
    const key = `${repository.id}@${sha}`;
    let found = bySha.get(key);
    if (!found) {
      found = pipelines.successfulPipelinesOf(repository.id, sha);
      bySha.set(key, found);
    }
    return found;
  };

  const producerOf = async (project: string, repository: Repository, image: string, digest: string): Promise<UpstreamProducer> => {
    const recorded = evidence.record.builtBy(digest);
    if (recorded && recorded.project === project) return { kind: 'chain-state', pipeline: { ...recorded.pipeline, ref: recorded.ref } };
    const parsed = parseImageRef(image);
    if (!parsed) return { kind: 'unknown', reason: `${image} is not an image reference` };
    let labels;
    try {
      labels = await labelsOf(evidence.source, { registry: parsed.registry, repository: parsed.repository }, digest, evidence.platforms);
    } catch (error) {
      const { code, message } = errorFields(error);
      return { kind: 'unknown', reason: `its image config could not be read (${code}: ${message})` };
    }
    const unrecorded = 'archpin serve has no record of this digest';
    const revisions = [...new Set(labels.map((entry) => entry.labels[REVISION_LABEL]).filter((value): value is string => Boolean(value)))];
    const [revision] = revisions;
    if (labels.length === 0 || revision === undefined) return { kind: 'unknown', reason: `its image config has no \`${REVISION_LABEL}\` label, and ${unrecorded}` };
    if (revisions.length > 1 || labels.some((entry) => !entry.labels[REVISION_LABEL])) {
      const each = labels.map((entry) => `${entry.platform === 'image' ? 'the image' : entry.platform}: ${entry.labels[REVISION_LABEL]?.slice(0, 12) ?? 'no label'}`).join(', ');
      return { kind: 'unknown', reason: `its platforms were not all built from one commit (${each}), and ${unrecorded}` };
    }
    const sources = [...new Set(labels.map((entry) => entry.labels[SOURCE_LABEL]).filter((value): value is string => Boolean(value)))];
    const foreign = sources.find((value) => sourceProjectPath(value)?.toLowerCase() !== project.toLowerCase());
    if (foreign !== undefined) return { kind: 'unknown', reason: `its \`${SOURCE_LABEL}\` label names ${foreign}, not ${project}, and ${unrecorded}` };
    let found: Pipeline[];
    try {
      found = await successfulOf(repository, revision);
    } catch (error) {
      const { code, message } = errorFields(error);
      return { kind: 'unknown', reason: `the pipelines of commit ${revision.slice(0, 12)} could not be listed (${code}: ${message})` };
    }
    if (found.length === 0) return { kind: 'unknown', reason: `${project} has no successful pipeline for commit ${revision.slice(0, 12)} (its \`${REVISION_LABEL}\` label), and ${unrecorded}` };
    return { kind: 'revision', revision, pipelines: found.map(pipelineOf) };
  };

  return async (change) => {
    const notes: UpstreamNote[] = [];
    const seen = new Set<string>();
    for (const update of change.updates) {
      const image = `${update.image}${update.tag === null ? '' : `:${update.tag}`}@${update.digest}`;
      if (seen.has(image)) continue;
      seen.add(image);
      for (const node of graph.nodes) {
        const repository = repositories.get(node.path);
        if (!repository || !node.publishes.some((publication) => publishes(publication, { image: update.image }))) continue;
        notes.push({ image, project: node.path, producer: await producerOf(node.path, repository, update.image, update.digest) });
      }
    }
    return notes;
  };
}

/**
 * The chain's required platforms as a package rule over every image the graph's projects publish (a child moves only
 * to a complete parent). Without chain.platforms or platforms, the rule says its linux/amd64 is the chain's default.
 */
export function withChainRule(config: Config, graph: ChainGraph): Config {
  const images = [...new Set(graph.nodes.flatMap((node) => node.publishes.map((publication) => publication.image)).filter((image) => !image.startsWith('*/')))].sort();
  if (images.length === 0) return config;
  const rule: DerivedPackageRule = { matchImages: images, platforms: [...chainPlatforms(config)], platformsSource: chainPlatformsSource(config) };
  return { ...config, packageRules: [...(config.packageRules ?? []), rule] };
}

/** The platforms a parent must offer in a chain: `chain.platforms`, else `platforms`, else linux/amd64. */
export function chainPlatforms(config: Config): readonly string[] {
  return config.chain?.platforms ?? config.platforms ?? DEFAULTS.chain.platforms;
}

/** Whether chainPlatforms comes from the config or is the chain's default. */
export function chainPlatformsSource(config: Config): PlatformsSource {
  return config.chain?.platforms === undefined && config.platforms === undefined ? 'chain-default' : 'configured';
}
