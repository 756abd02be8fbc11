/**
 * GitHub pull requests: found by head `owner:branch`, opened with labels (through the issues API),
 * reviewers and assignees, updated, closed with a comment, and auto-merged through the GraphQL
 * `enablePullRequestAutoMerge` mutation (there is no REST endpoint).
 */
import type { ChangeRequest, ChangeRequestInput, ChangeRequestUpdate, OpenedChangeRequest, Repository } from './forge.js';
import { call, NO_RETRY, type GithubClient } from './github-client.js';
import { githubError } from './github-errors.js';
import { splitRepoPath, toChangeRequest, type GithubPullPayload } from './github-mapping.js';

export type GithubMergeMethod = 'MERGE' | 'SQUASH' | 'REBASE';

const AUTOMERGE = `mutation($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod, $expectedHeadOid: GitObjectID) {
  enablePullRequestAutoMerge(input: { pullRequestId: $pullRequestId, mergeMethod: $mergeMethod, expectedHeadOid: $expectedHeadOid }) {
    pullRequest { number autoMergeRequest { enabledAt mergeMethod } }
  }
}`;

async function getPull(gh: GithubClient, repo: Repository, number: number): Promise<GithubPullPayload> {
  const { data } = await call(`read pull request #${number} of ${repo.path}`, 'pull requests: write', () => gh.rest.pulls.get({ ...splitRepoPath(repo.path), pull_number: number }));
  return data;
}

async function setLabels(gh: GithubClient, repo: Repository, number: number, labels: readonly string[]): Promise<string[]> {
  const { data } = await call(`set the labels of #${number} in ${repo.path}`, 'pull requests: write', () =>
    gh.rest.issues.setLabels({ ...splitRepoPath(repo.path), issue_number: number, labels: [...labels] }),
  );
  return data.map((label) => label.name);
}

/** Adds labels (`POST …/issues/{n}/labels`), keeping those it has. */
async function addLabels(gh: GithubClient, repo: Repository, number: number, labels: readonly string[]): Promise<string[]> {
  const { data } = await call(`add labels to #${number} in ${repo.path}`, 'pull requests: write', () =>
    gh.rest.issues.addLabels({ ...splitRepoPath(repo.path), issue_number: number, labels: [...labels] }),
  );
  return data.map((label) => label.name);
}

/** Asks for reviews; GitHub refuses the whole request (422) when one name is not a collaborator, so each is asked alone. */
async function requestReviewers(gh: GithubClient, repo: Repository, number: number, reviewers: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const reviewer of reviewers) {
    try {
      await gh.rest.pulls.requestReviewers({ ...splitRepoPath(repo.path), pull_number: number, reviewers: [reviewer] });
    } catch (error) {
      problems.push(`reviewer ${reviewer}: ${githubError(error, `request a review from ${reviewer} on #${number} in ${repo.path}`, 'pull requests: write').message}`);
    }
  }
  return problems;
}

/** Assigns; GitHub silently leaves out a user who cannot be assigned, so the answer is compared with the names asked. */
async function addAssignees(gh: GithubClient, repo: Repository, number: number, assignees: readonly string[]): Promise<string[]> {
  if (assignees.length === 0) return [];
  try {
    const { data } = await gh.rest.issues.addAssignees({ ...splitRepoPath(repo.path), issue_number: number, assignees: [...assignees] });
    const assigned = new Set((data.assignees ?? []).map((user) => user.login.toLowerCase()));
    return assignees.filter((name) => !assigned.has(name.toLowerCase())).map((name) => `assignee ${name}: GitHub did not assign this user (unknown, or without access to ${repo.path})`);
  } catch (error) {
    return [`assignees ${assignees.join(', ')}: ${githubError(error, `assign #${number} in ${repo.path}`, 'pull requests: write').message}`];
  }
}

export async function findChangeRequest(gh: GithubClient, repo: Repository, branch: string): Promise<ChangeRequest | null> {
  const target = splitRepoPath(repo.path);
  const { data } = await call(`find the pull request of ${branch} in ${repo.path}`, 'pull requests: write', () =>
    gh.rest.pulls.list({ ...target, state: 'all', head: `${target.owner}:${branch}`, sort: 'created', direction: 'desc', per_page: 100 }),
  );
  const mine = data.filter((pull) => pull.head.ref === branch);
  if (mine.length === 0) return null;
  return toChangeRequest(mine.reduce((newest, pull) => (pull.number > newest.number ? pull : newest)));
}

export async function listOpenChangeRequests(gh: GithubClient, repo: Repository, branchPrefix: string): Promise<ChangeRequest[]> {
  const pulls = await call(`list the open pull requests of ${repo.path}`, 'pull requests: write', () => gh.paginate(gh.rest.pulls.list, { ...splitRepoPath(repo.path), state: 'open', per_page: 100 }));
  return (
    pulls
      // A pull request from a deleted fork has no head repository, though the typings say it always has one.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
      .filter((pull) => pull.head.ref.startsWith(branchPrefix) && pull.head.repo?.full_name.toLowerCase() === repo.path.toLowerCase())
      .map((pull) => toChangeRequest(pull))
      .sort((a, b) => a.number - b.number)
  );
}

export async function openChangeRequest(gh: GithubClient, repo: Repository, input: ChangeRequestInput): Promise<OpenedChangeRequest> {
  const { data } = await call(`create a pull request from ${input.branch} in ${repo.path}`, 'pull requests: write', () =>
    gh.rest.pulls.create({ ...splitRepoPath(repo.path), head: input.branch, base: input.base, title: input.title, body: input.body }),
  );
  const opened = input.labels.length === 0 ? toChangeRequest(data) : toChangeRequest(data, await setLabels(gh, repo, data.number, input.labels));
  const problems = [...(await requestReviewers(gh, repo, data.number, input.reviewers ?? [])), ...(await addAssignees(gh, repo, data.number, input.assignees ?? []))];
  return problems.length > 0 ? { ...opened, problems } : opened;
}

/** Title and body through the pulls API; labels, reviewers and assignees added through their own endpoints (each only adds). */
export async function updateChangeRequest(gh: GithubClient, repo: Repository, number: number, input: ChangeRequestUpdate): Promise<OpenedChangeRequest> {
  let pull: GithubPullPayload | null = null;
  if (input.title !== undefined || input.body !== undefined) {
    const { data } = await call(`update pull request #${number} of ${repo.path}`, 'pull requests: write', () =>
      gh.rest.pulls.update({ ...splitRepoPath(repo.path), pull_number: number, title: input.title, body: input.body }),
    );
    pull = data;
  }
  let labels = input.labels === undefined ? undefined : await setLabels(gh, repo, number, input.labels);
  const add = input.add ?? {};
  if ((add.labels ?? []).length > 0) labels = await addLabels(gh, repo, number, add.labels ?? []);
  const problems = [...(await requestReviewers(gh, repo, number, add.reviewers ?? [])), ...(await addAssignees(gh, repo, number, add.assignees ?? []))];
  const updated = toChangeRequest(pull ?? (await getPull(gh, repo, number)), labels);
  return problems.length > 0 ? { ...updated, problems } : updated;
}

export async function closeChangeRequest(gh: GithubClient, repo: Repository, number: number, comment: string | null): Promise<void> {
  const target = splitRepoPath(repo.path);
  if (comment !== null) {
    await call(`comment on pull request #${number} of ${repo.path}`, 'pull requests: write', () => gh.rest.issues.createComment({ ...target, issue_number: number, body: comment, request: NO_RETRY }));
  }
  await call(`close pull request #${number} of ${repo.path}`, 'pull requests: write', () => gh.rest.pulls.update({ ...target, pull_number: number, state: 'closed' }));
}

export async function enableAutomerge(gh: GithubClient, repo: Repository, number: number, mergeMethod: GithubMergeMethod): Promise<'enabled'> {
  // GitHub's auto-merge waits for the required checks itself: it can be switched on at once.
  const pull = (await getPull(gh, repo, number)) as GithubPullPayload & { node_id: string; head: { sha: string } };
  await call(`enable auto-merge on pull request #${number} of ${repo.path}`, 'pull requests: write', () =>
    gh.graphql(AUTOMERGE, { pullRequestId: pull.node_id, mergeMethod, expectedHeadOid: pull.head.sha }),
  );
  return 'enabled';
}
