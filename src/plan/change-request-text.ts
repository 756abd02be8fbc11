import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { PlannedChange, UpstreamNote, UpstreamPipeline, UpstreamProducer } from '../core/planned.js';
import { embedState, extractState } from './hidden-state.js';

export interface ChangeState {
  /** Identifies the edits: same fingerprint, same content on the same base. */
  readonly fingerprint: string;
  /** The default-branch commit the branch was made on. */
  readonly base: string;
  /** Auto-merge is wanted but could not be switched on safely yet (no pipeline). */
  readonly automergePending?: true;
  /**
   * The labels, reviewers and assignees archpin has asked for on it so far (sorted): only what the rules want beyond
   * these is added on a later run, so what people removed is not asked again. Absent in bodies of older versions.
   */
  readonly asked?: AskedPeople;
}

export interface AskedPeople {
  readonly labels: readonly string[];
  readonly reviewers: readonly string[];
  readonly assignees: readonly string[];
}

export function changeFingerprint(change: PlannedChange): string {
  const lines = change.updates.map((update) => `${update.file}\0${update.line}\0${update.from}\0${update.to}`).sort();
  return createHash('sha256')
    .update(`${change.branch}\n${lines.join('\n')}`)
    .digest('hex')
    .slice(0, 32);
}

/** The state in an MR body as written; anything else than `automergePending: true` there means "not pending". */
const names = z.array(z.string());
const askedSchema = z.object({ labels: names, reviewers: names, assignees: names });
const changeStateSchema = z.looseObject({ fingerprint: z.string(), base: z.string(), automergePending: z.unknown().optional(), asked: z.unknown().optional() });

export function readChangeState(body: string): ChangeState | null {
  const parsed = changeStateSchema.safeParse(extractState(body));
  if (!parsed.success) return null;
  const { fingerprint, base, automergePending } = parsed.data;
  const asked = askedSchema.safeParse(parsed.data.asked);
  return { fingerprint, base, ...(automergePending === true ? { automergePending: true as const } : {}), ...(asked.success ? { asked: asked.data } : {}) };
}

const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;
const shortDigest = (text: string): string => text.replace(/sha256:([a-f0-9]{12})[a-f0-9]{52}/g, 'sha256:$1…');

export function changeTitle(change: PlannedChange): string {
  if (change.groupName) return `Update ${change.groupName}${change.isMajor ? ' (major)' : ''}`;
  const name = change.displayName;
  const versioned = change.updates.filter((update) => update.updateType !== 'digest' && update.updateType !== 'pin');
  if (versioned.length === 0) {
    return change.updates.every((update) => update.updateType === 'pin') ? `Pin ${name} Docker digest` : `Update ${name} Docker digest`;
  }
  // A version update always names its tag.
  const tags = [...new Set(versioned.flatMap((update) => (update.tag === null ? [] : [update.tag])))].sort();
  return `Update ${name} Docker ${tags.length === 1 ? 'tag' : 'tags'} to ${tags.join(', ')}`;
}

/** The MR/PR description: what changes where, the digest, platforms old and new, and what is held back. */
export function changeBody(change: PlannedChange, state: ChangeState, kind: 'merge request' | 'pull request', upstream: readonly UpstreamNote[] = []): string {
  const out: string[] = [];
  const bundles = change.updates.filter((update) => update.content === 'tekton-bundle').length;
  const gate =
    bundles === 0
      ? "Every digest below is an index that passed archpin's multi-architecture gate."
      : bundles === change.updates.length
        ? "Every digest below is a Tekton bundle that passed archpin's gate: one manifest whose layers each hold a Tekton resource."
        : "Every digest below passed archpin's gate: an index verified for its platforms, or a Tekton bundle, one manifest whose layers each hold a Tekton resource.";
  out.push(`This ${kind} updates ${change.images.map((image) => code(image)).join(', ')}. ${gate}`, '');
  out.push('| File | From | To | Type |', '| --- | --- | --- | --- |');
  for (const update of change.updates) {
    out.push(`| ${code(`${update.file}:${update.line}`)} | ${code(shortDigest(update.from))} | ${code(shortDigest(update.to))} | ${update.updateType} |`);
  }
  const targets = new Map<string, (typeof change.updates)[number]>();
  for (const update of change.updates) targets.set(`${update.image}:${update.tag ?? ''}@${update.digest}`, update);
  for (const update of targets.values()) {
    out.push('', `**${displayTarget(update.image, update.tag)}** → ${code(update.digest)}`, '');
    if (update.content === 'tekton-bundle') {
      out.push('A Tekton bundle: no platform applies.');
      continue;
    }
    const unverified = update.unverifiedPlatforms ?? [];
    const platforms = [...new Set([...update.fromPlatforms, ...update.platforms, ...unverified])].sort();
    out.push('| Platform | In use | New |', '| --- | :---: | :---: |');
    for (const platform of platforms) {
      const now = update.platforms.includes(platform) ? '✓' : unverified.includes(platform) ? 'listed, not verified' : '—';
      out.push(`| ${platform} | ${update.fromPlatforms.includes(platform) ? '✓' : '—'} | ${now} |`);
    }
    if (unverified.length > 0) {
      out.push('', `✓: the child image was fetched by digest and its config checked. "Listed, not verified": the index lists it, but no required platform asked for it, so archpin did not check it.`);
    }
  }
  if (upstream.length > 0) {
    out.push('', '### Upstream', '');
    for (const note of upstream) out.push(`- ${code(shortDigest(note.image))} is built by ${code(note.project)}: ${producerText(note.producer)}`);
  }
  if (change.held.length > 0) {
    out.push('', '### Held back', '', '| Version | Digest | Reason |', '| --- | --- | --- |');
    for (const held of change.held) {
      const reasons = held.reasons.map((reason) => `${reason.code}: ${reason.message}`).join('; ');
      out.push(`| ${code(displayTarget(held.image, held.tag))} | ${held.digest ? code(shortDigest(held.digest)) : '—'} | ${reasons.replace(/\|/g, '\\|')} |`);
    }
  }
  out.push('', '---', 'Opened by archpin. Close it to skip this version; a newer passing version updates it in place.', embedState(state));
  return `${out.join('\n')}\n`;
}

function displayTarget(image: string, tag: string | null): string {
  const name = image.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '');
  return tag === null ? name : `${name}:${tag}`;
}

const pipelineLink = (pipeline: UpstreamPipeline): string => `pipeline [#${pipeline.id}](${pipeline.url})${pipeline.ref === null ? '' : ` on ${code(pipeline.ref)}`}`;

/** How the Upstream section says which pipeline produced a digest: only a proven one is named as its producer. */
function producerText(producer: UpstreamProducer): string {
  switch (producer.kind) {
    case 'chain-state':
      return `produced by ${pipelineLink(producer.pipeline)} (archpin serve gated this digest when that pipeline succeeded)`;
    case 'revision': {
      const commit = `commit ${code(producer.revision.slice(0, 12))} (image label \`org.opencontainers.image.revision\`)`;
      const [only, ...more] = producer.pipelines;
      if (only && more.length === 0) return `built from ${commit} by ${pipelineLink(only)}, the one successful pipeline of that commit`;
      return `built from ${commit}; the successful pipelines of that commit are ${producer.pipelines.map(pipelineLink).join(', ')}, and the label does not say which one pushed it`;
    }
    case 'unknown':
      return `the pipeline that produced it is not known: ${producer.reason}`;
  }
}
