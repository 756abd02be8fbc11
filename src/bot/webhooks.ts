/**
 * Webhook checks and payload reading for GitLab (`X-Gitlab-Token`) and GitHub (`X-Hub-Signature-256`).
 * Secrets are compared in constant time; payloads become a decision: run this repository, or ignore.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ForgeTargets } from '../apply/forges/forge.js';

/** A GitLab Pipeline Hook, reduced to what chain rebuilds need. */
export interface PipelineHookEvent {
  readonly projectId: string;
  readonly path: string;
  readonly defaultBranch: string | null;
  readonly ref: string;
  readonly tag: boolean;
  readonly status: string;
  readonly pipeline: { readonly id: number; readonly url: string };
}

export type WebhookDecision =
  | { readonly kind: 'enqueue'; readonly id: string; readonly path: string; readonly event: string }
  | { readonly kind: 'pipeline'; readonly id: string; readonly path: string; readonly event: 'pipeline'; readonly pipeline: PipelineHookEvent }
  | { readonly kind: 'ignore'; readonly reason: string }
  | { readonly kind: 'ping' };

/** Both sides are hashed first, so the comparison is over equal-length buffers and leaks no length. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

export function gitlabTokenMatches(header: string | undefined, secret: string): boolean {
  return header !== undefined && secret !== '' && sameSecret(header, secret);
}

/** `sha256=<hex HMAC-SHA256(secret, raw body)>`, compared in constant time. */
export function githubSignatureMatches(body: Uint8Array, header: string | undefined, secret: string): boolean {
  if (header === undefined || secret === '' || !/^sha256=[0-9a-f]{64}$/i.test(header)) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(Buffer.from(header.slice(7).toLowerCase(), 'hex'), expected);
}

export function githubSignature(body: Uint8Array | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

type Json = Record<string, unknown>;
const object = (value: unknown): Json | null => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : null);
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** Whether a repository path is one of the targets: under a group/owner, or listed by path (or GitLab project id). */
export function inTargets(path: string, id: string, targets: ForgeTargets): boolean {
  const lower = path.toLowerCase();
  const under = [...(targets.groups ?? []), ...(targets.owners ?? [])].some((prefix) => lower.startsWith(`${prefix.toLowerCase().replace(/\/$/, '')}/`));
  const listed = [...(targets.projects ?? []), ...(targets.repositories ?? [])].some((entry) => entry.toLowerCase() === lower || entry === id);
  return under || listed;
}

/** GitLab: a push to the default branch, or a merge request event on a branch with the archpin prefix. */
/** `pipelines`: read Pipeline Hooks (chain rebuilds are on); otherwise they are ignored like any unused event. */
export function gitlabDecision(payload: unknown, branchPrefix: string, pipelines = false): WebhookDecision {
  const body = object(payload);
  const kind = text(body?.object_kind);
  const project = object(body?.project);
  const id = project?.id;
  const path = text(project?.path_with_namespace);
  if (!body || (typeof id !== 'number' && typeof id !== 'string') || !path) return { kind: 'ignore', reason: `no project in ${kind ?? 'the'} event` };
  if (kind === 'push') {
    const defaultBranch = text(project?.default_branch);
    if (!defaultBranch || body.ref !== `refs/heads/${defaultBranch}`) return { kind: 'ignore', reason: 'push to a branch other than the default branch' };
    return { kind: 'enqueue', id: String(id), path, event: 'push' };
  }
  if (kind === 'merge_request') {
    const source = text(object(body.object_attributes)?.source_branch);
    if (!source?.startsWith(branchPrefix)) return { kind: 'ignore', reason: 'merge request not from an archpin branch' };
    return { kind: 'enqueue', id: String(id), path, event: 'merge_request' };
  }
  if (kind === 'pipeline' && pipelines) {
    const attributes = object(body.object_attributes);
    const pipelineId = attributes?.id;
    const ref = text(attributes?.ref);
    const status = text(attributes?.status);
    if (typeof pipelineId !== 'number' || !ref || !status) return { kind: 'ignore', reason: 'pipeline event without id, ref or status' };
    return {
      kind: 'pipeline',
      id: String(id),
      path,
      event: 'pipeline',
      pipeline: {
        projectId: String(id),
        path,
        defaultBranch: text(project?.default_branch),
        ref,
        tag: attributes?.tag === true,
        status,
        pipeline: { id: pipelineId, url: text(attributes?.url) ?? '' },
      },
    };
  }
  return { kind: 'ignore', reason: `${kind ?? 'unknown'} events are not used` };
}

/**
 * The files a GitLab Push Hook says the push added, modified or removed, or null when it does not list
 * them all (GitLab puts at most 20 commits in the payload; `total_commits_count` says how many there were).
 */
export function gitlabPushedFiles(payload: unknown): string[] | null {
  const body = object(payload);
  const commits = body?.commits;
  if (!Array.isArray(commits)) return null;
  const total = body?.total_commits_count;
  if (typeof total === 'number' && total > commits.length) return null;
  const files = new Set<string>();
  for (const commit of commits) {
    const entry = object(commit);
    for (const key of ['added', 'modified', 'removed']) {
      const list = entry?.[key];
      if (!Array.isArray(list)) return null;
      for (const file of list) if (typeof file === 'string') files.add(file);
    }
  }
  return [...files].sort();
}

/** GitHub: `ping`, a push to the default branch, or a pull request event on a branch with the archpin prefix. */
export function githubDecision(event: string | undefined, payload: unknown, branchPrefix: string): WebhookDecision {
  if (event === 'ping') return { kind: 'ping' };
  const body = object(payload);
  const repository = object(body?.repository);
  const fullName = text(repository?.full_name);
  if (!body || !fullName) return { kind: 'ignore', reason: `no repository in ${event ?? 'the'} event` };
  if (event === 'push') {
    const defaultBranch = text(repository?.default_branch);
    if (!defaultBranch || body.ref !== `refs/heads/${defaultBranch}`) return { kind: 'ignore', reason: 'push to a branch other than the default branch' };
    return { kind: 'enqueue', id: fullName, path: fullName, event: 'push' };
  }
  if (event === 'pull_request') {
    const head = text(object(object(body.pull_request)?.head)?.ref);
    if (!head?.startsWith(branchPrefix)) return { kind: 'ignore', reason: 'pull request not from an archpin branch' };
    return { kind: 'enqueue', id: fullName, path: fullName, event: 'pull_request' };
  }
  return { kind: 'ignore', reason: `${event ?? 'unknown'} events are not used` };
}
