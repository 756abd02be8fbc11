/**
 * GitLab merge requests: found by source branch, opened with labels, reviewers and assignees (user
 * names looked up as ids), updated, closed with a comment, and set to merge when the pipeline succeeds.
 */
import type { ChangeRequest, ChangeRequestInput, ChangeRequestUpdate, OpenedChangeRequest, Repository } from './forge.js';
import { PER_PAGE, type GitlabClient } from './gitlab-client.js';
import { labelsParam, toChangeRequest, type GlMergeRequest } from './gitlab-mappers.js';

async function projectMergeRequests(gl: GitlabClient, repo: Repository, query: Record<string, unknown>, action: string): Promise<GlMergeRequest[]> {
  return gl.call<GlMergeRequest[]>(action, () => gl.api.MergeRequests.all({ projectId: repo.id, perPage: PER_PAGE, ...query } as never));
}

/** GitLab takes user ids: each name is looked up (`GET /users?username=`); one not found is named in `problems`. */
async function userIds(gl: GitlabClient, names: readonly string[], role: string, problems: string[]): Promise<number[]> {
  const ids: number[] = [];
  for (const name of names) {
    try {
      const found = await gl.call<Array<{ id: number; username: string }>>(`look up the GitLab user ${name}`, () => gl.api.Users.all({ username: name, maxPages: 1 }));
      const user = found.find((each) => each.username.toLowerCase() === name.toLowerCase());
      if (user === undefined) problems.push(`${role} ${name}: no GitLab user with that name`);
      else ids.push(user.id);
    } catch (error) {
      problems.push(`${role} ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return ids;
}

export async function findChangeRequest(gl: GitlabClient, repo: Repository, branch: string): Promise<ChangeRequest | null> {
  const found = await projectMergeRequests(gl, repo, { sourceBranch: branch, state: 'all', orderBy: 'created_at', sort: 'desc', maxPages: 1 }, `find the merge request of ${branch} in ${repo.path}`);
  const newest = [...found].sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : b.iid - a.iid))[0];
  return newest ? toChangeRequest(newest) : null;
}

export async function listOpenChangeRequests(gl: GitlabClient, repo: Repository, branchPrefix: string): Promise<ChangeRequest[]> {
  const open = await projectMergeRequests(gl, repo, { state: 'opened', orderBy: 'created_at', sort: 'asc' }, `list open merge requests of ${repo.path}`);
  return open.filter((mr) => mr.source_branch.startsWith(branchPrefix)).map(toChangeRequest);
}

export async function openChangeRequest(gl: GitlabClient, repo: Repository, input: ChangeRequestInput): Promise<OpenedChangeRequest> {
  const problems: string[] = [];
  const reviewerIds = await userIds(gl, input.reviewers ?? [], 'reviewer', problems);
  const assigneeIds = await userIds(gl, input.assignees ?? [], 'assignee', problems);
  const mr = await gl.call<GlMergeRequest>(`create a merge request from ${input.branch} in ${repo.path}`, () =>
    gl.api.MergeRequests.create(repo.id, input.branch, input.base, input.title, {
      description: input.body,
      labels: labelsParam(input.labels),
      removeSourceBranch: true,
      ...(reviewerIds.length > 0 ? { reviewerIds } : {}),
      ...(assigneeIds.length > 0 ? { assigneeIds } : {}),
    }),
  );
  return { ...toChangeRequest(mr), ...(problems.length > 0 ? { problems } : {}) };
}

/**
 * `reviewer_ids` and `assignee_ids` replace the whole list: to add people, the merge request's own are read first and
 * sent along with the new ones (people added by hand stay). `add_labels` adds labels.
 */
async function addedPeople(gl: GitlabClient, repo: Repository, number: number, add: NonNullable<ChangeRequestUpdate['add']>, problems: string[]): Promise<Record<string, number[]>> {
  if ((add.reviewers ?? []).length === 0 && (add.assignees ?? []).length === 0) return {};
  const current = await gl.call<GlMergeRequest>(`read merge request !${number} of ${repo.path}`, () => gl.api.MergeRequests.show(repo.id, number));
  const added: Record<string, number[]> = {};
  for (const [field, role, names, users] of [
    ['reviewerIds', 'reviewer', add.reviewers ?? [], current.reviewers ?? []],
    ['assigneeIds', 'assignee', add.assignees ?? [], current.assignees ?? []],
  ] as const) {
    const have = users.map((user) => user.id);
    const ids = await userIds(gl, names, role, problems);
    if (ids.some((id) => !have.includes(id))) added[field] = [...new Set([...have, ...ids])];
  }
  return added;
}

export async function updateChangeRequest(gl: GitlabClient, repo: Repository, number: number, input: ChangeRequestUpdate): Promise<OpenedChangeRequest> {
  const problems: string[] = [];
  const addLabels = input.add?.labels ?? [];
  const people = input.add ? await addedPeople(gl, repo, number, input.add, problems) : {};
  const mr = await gl.call<GlMergeRequest>(`update merge request !${number} of ${repo.path}`, () =>
    gl.api.MergeRequests.edit(repo.id, number, {
      ...(input.title !== undefined ? { title: input.title } : {}),
      ...(input.body !== undefined ? { description: input.body } : {}),
      ...(input.labels !== undefined ? { labels: labelsParam(input.labels) } : {}),
      ...(addLabels.length > 0 ? { addLabels: labelsParam(addLabels) } : {}),
      ...people,
    }),
  );
  return { ...toChangeRequest(mr), ...(problems.length > 0 ? { problems } : {}) };
}

export async function closeChangeRequest(gl: GitlabClient, repo: Repository, number: number, comment: string | null): Promise<void> {
  if (comment !== null) {
    await gl.call(`comment on merge request !${number} of ${repo.path}`, () => gl.api.MergeRequestNotes.create(repo.id, number, comment));
  }
  await gl.call(`close merge request !${number} of ${repo.path}`, () => gl.api.MergeRequests.edit(repo.id, number, { stateEvent: 'close' }));
}

export async function enableAutomerge(gl: GitlabClient, repo: Repository, number: number): Promise<'enabled' | 'waiting'> {
  // Without a head pipeline GitLab merges at once instead of waiting: only switch it on once the
  // MR's pipeline exists, pinned to the head sha it runs for (409 if the branch moved since).
  const mr = await gl.call<GlMergeRequest & { head_pipeline?: { sha?: string } | null }>(`read merge request !${number} of ${repo.path}`, () => gl.api.MergeRequests.show(repo.id, number));
  const sha = mr.sha;
  if (!mr.head_pipeline || !sha || mr.head_pipeline.sha !== sha) return 'waiting';
  // auto_merge is the name since GitLab 17.11; merge_when_pipeline_succeeds for older instances.
  await gl.call(`set merge request !${number} of ${repo.path} to merge when the pipeline succeeds`, () =>
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- older instances read only this one
    gl.api.MergeRequests.merge(repo.id, number, { autoMerge: true, mergeWhenPipelineSucceeds: true, sha }),
  );
  return 'enabled';
}
