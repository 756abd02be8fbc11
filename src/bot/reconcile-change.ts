import type { ChangeRequest, FileWrite, Forge, Repository } from '../apply/forges/forge.js';
import { resolveConfig } from '../config/resolve-config.js';
import type { Config } from '../config/schema.js';
import type { ChangeAction, ChangeOutcome } from '../core/outcome.js';
import type { PlannedChange, UpstreamNote } from '../core/planned.js';
import { changeBody, readChangeState, type AskedPeople } from '../plan/change-request-text.js';

/** What one change request should hold, as planned for this run. */
export interface DesiredChange {
  readonly title: string;
  readonly files: readonly FileWrite[];
  readonly base: string;
  readonly fingerprint: string;
  readonly config: Config;
  readonly dryRun: boolean;
  readonly canOpen: () => boolean;
  /** Image chains: the pipelines that pushed the updated images, named in the body. */
  readonly upstream?: readonly UpstreamNote[];
}

/**
 * Brings one change request in line with the plan: unchanged, updated in place (recreating the
 * branch on the base when its content is stale), skipped (closed by a user), waiting for a limit,
 * or opened. Writes nothing in a dry run.
 */
export async function reconcileChange(forge: Forge, repo: Repository, change: PlannedChange, desired: DesiredChange): Promise<ChangeOutcome> {
  const kind = forge.type === 'gitlab' ? 'merge request' : 'pull request';
  const bodyWith = (automergePending: boolean, asked: AskedPeople | undefined) =>
    changeBody(
      change,
      { fingerprint: desired.fingerprint, base: desired.base, ...(automergePending ? { automergePending: true as const } : {}), ...(asked ? { asked } : {}) },
      kind,
      desired.upstream ?? [],
    );
  const settings = resolveConfig(desired.config);
  const wantsAutomerge = settings.automerge;
  // The top-level labels, then those the package rules give this change's updates.
  const labels = [...new Set([...settings.labels, ...(change.labels ?? [])])];
  const wanted: AskedPeople = { labels: sorted(labels), reviewers: sorted(change.reviewers ?? []), assignees: sorted(change.assignees ?? []) };
  const existing = await forge.findChangeRequest(repo, change.branch);
  const existingState = existing ? readChangeState(existing.body) : null;
  const result = (action: ChangeAction, request: ChangeRequest | null, automergePending = false): ChangeOutcome => ({
    branch: change.branch,
    title: desired.title,
    action,
    number: request?.number ?? null,
    url: request?.url ?? null,
    ...(automergePending ? { automerge: 'waiting' as const } : {}),
  });

  if (existing && existing.state === 'open') {
    const contentCurrent = existingState?.fingerprint === desired.fingerprint && existingState.base === desired.base;
    // Auto-merge still waiting (or a new commit about to restart the wait) is tried again on this run or the next.
    let pending = wantsAutomerge && (!contentCurrent || existingState.automergePending === true);
    if (contentCurrent && pending && !desired.dryRun) pending = (await forge.enableAutomerge(repo, existing.number)) === 'waiting';
    // Labels, reviewers and assignees only ever get added: those the rules want now and archpin has not asked for on
    // it before (a new rule, or an update that another rule matches). A body of an older version records nothing
    // asked: older versions kept the labels exactly as configured and asked for reviewers and assignees when opening,
    // so its labels and what the rules want now count as asked; that is recorded when the body is rewritten anyway.
    const legacy = existingState?.asked === undefined;
    const before = existingState?.asked ?? { labels: existing.labels, reviewers: wanted.reviewers, assignees: wanted.assignees };
    const add = {
      labels: without(wanted.labels, [...before.labels, ...existing.labels]),
      reviewers: without(wanted.reviewers, before.reviewers),
      assignees: without(wanted.assignees, before.assignees),
    };
    const adding = add.labels.length + add.reviewers.length + add.assignees.length > 0;
    const asked = {
      labels: sorted([...before.labels, ...wanted.labels]),
      reviewers: sorted([...before.reviewers, ...wanted.reviewers]),
      assignees: sorted([...before.assignees, ...wanted.assignees]),
    };
    const body = bodyWith(pending, asked);
    const textCurrent = existing.title === desired.title && (existing.body === body || (legacy && !adding && existing.body === bodyWith(pending, undefined)));
    if (contentCurrent && textCurrent) return result('unchanged', existing, pending);
    if (desired.dryRun) return result('would-update', existing);
    if (!contentCurrent) await commit(forge, repo, change, desired);
    const updated = await forge.updateChangeRequest(repo, existing.number, { title: desired.title, body, ...(adding ? { add } : {}) });
    return { ...result('updated', updated, pending), ...(updated.problems && updated.problems.length > 0 ? { problems: updated.problems } : {}) };
  }
  if (existing && existing.state === 'closed' && existingState?.fingerprint === desired.fingerprint) {
    return result('skipped-closed', existing);
  }
  if (!desired.canOpen()) return result('awaiting-limit', null);
  if (desired.dryRun) return result('would-open', null);
  await commit(forge, repo, change, desired);
  // GitLab has no pipeline for a branch pushed a moment ago: expect to wait, and say so in the body.
  const expectWaiting = wantsAutomerge && forge.type === 'gitlab';
  // What is asked for here is recorded in the body: a later run adds only what the rules want beyond it.
  const opened = await forge.openChangeRequest(repo, {
    branch: change.branch,
    base: repo.defaultBranch,
    title: desired.title,
    body: bodyWith(expectWaiting, wanted),
    labels,
    ...(change.reviewers && change.reviewers.length > 0 ? { reviewers: change.reviewers } : {}),
    ...(change.assignees && change.assignees.length > 0 ? { assignees: change.assignees } : {}),
  });
  const problems = opened.problems && opened.problems.length > 0 ? { problems: opened.problems } : {};
  if (!wantsAutomerge) return { ...result('opened', opened), ...problems };
  const waiting = (await forge.enableAutomerge(repo, opened.number)) === 'waiting';
  if (waiting !== expectWaiting) await forge.updateChangeRequest(repo, opened.number, { body: bodyWith(waiting, wanted) });
  return { ...result('opened', opened, waiting), ...problems };
}

async function commit(forge: Forge, repo: Repository, change: PlannedChange, desired: DesiredChange): Promise<void> {
  await forge.commitFiles(repo, {
    branch: change.branch,
    baseSha: desired.base,
    baseBranch: repo.defaultBranch,
    message: `${desired.title}\n\nUpdated by archpin: every pinned digest is an index that passed the multi-architecture gate.`,
    files: desired.files,
  });
}

const sorted = (names: readonly string[]): string[] => [...new Set(names)].sort();

/** The names of `wanted` that are not in `had` (user names compared as forges do, case aside). */
const without = (wanted: readonly string[], had: readonly string[]): string[] => wanted.filter((name) => !had.some((each) => each.toLowerCase() === name.toLowerCase()));

/** Closes, with a comment, the open archpin change requests the plan no longer wants, and deletes their branches. */
export async function closeObsolete(forge: Forge, repo: Repository, open: readonly ChangeRequest[], wanted: ReadonlySet<string>, dryRun: boolean): Promise<string[]> {
  const closed: string[] = [];
  for (const request of open) {
    if (wanted.has(request.branch) || readChangeState(request.body) === null) continue;
    closed.push(request.branch);
    if (dryRun) continue;
    await forge.closeChangeRequest(repo, request.number, 'archpin closed this: the update is no longer needed (merged elsewhere, superseded, or the reference is gone).');
    await forge.deleteBranch(repo, request.branch).catch(() => undefined);
  }
  return closed;
}
