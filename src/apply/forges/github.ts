/**
 * The GitHub forge on @octokit/rest (+ retry and throttling plugins). Repositories are
 * `owner/name`; PRs are found by head `owner:branch`; labels are set through the issues API;
 * auto-merge is the GraphQL `enablePullRequestAutoMerge` mutation (there is no REST endpoint).
 */
import type { ChangeRequest, ChangeRequestInput, Forge, ForgeTargets, Issue, OpenedChangeRequest, Repository } from './forge.js';
import { call, createGithubClient, isStatus, type GithubClient, type GithubClientOptions } from './github-client.js';
import { githubError } from './github-errors.js';
import { branchHead, commitFiles, deleteBranch, listTree, readFile } from './github-git.js';
import { splitRepoPath, toChangeRequest, toIssue, toRepository, type GithubPullPayload, type GithubRepoPayload } from './github-mapping.js';

export type GithubMergeMethod = 'MERGE' | 'SQUASH' | 'REBASE';

export interface GithubForgeOptions extends GithubClientOptions {
  /** Merge method auto-merge uses (default SQUASH: bot branches hold one commit). */
  readonly mergeMethod?: GithubMergeMethod;
}

const AUTOMERGE = `mutation($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod, $expectedHeadOid: GitObjectID) {
  enablePullRequestAutoMerge(input: { pullRequestId: $pullRequestId, mergeMethod: $mergeMethod, expectedHeadOid: $expectedHeadOid }) {
    pullRequest { number autoMergeRequest { enabledAt mergeMethod } }
  }
}`;

async function listOwnerRepositories(gh: GithubClient, owner: string): Promise<GithubRepoPayload[]> {
  try {
    return await gh.paginate(gh.rest.repos.listForOrg, { org: owner, type: 'all', per_page: 100 });
  } catch (error) {
    if (!isStatus(error, 404)) throw githubError(error, `list the repositories of ${owner}`, 'metadata: read');
  }
  // Not an organisation: a user account.
  return call(`list the repositories of ${owner}`, 'metadata: read', () => gh.paginate(gh.rest.repos.listForUser, { username: owner, type: 'owner', per_page: 100 }));
}

async function getRepository(gh: GithubClient, id: string): Promise<Repository> {
  const { data } = await call(`read repository ${id}`, 'metadata: read', () => gh.rest.repos.get(splitRepoPath(id)));
  return toRepository(data);
}

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

/**
 * Creating an issue or a comment is not idempotent: a 5xx may come after GitHub made it, and a
 * retry would make a second one. These fail at once; the next run finds what exists and heals.
 */
const NO_RETRY = { retries: 0 } as const;

export function createGithubForge(options: GithubForgeOptions): Forge {
  const gh = createGithubClient(options);
  const mergeMethod = options.mergeMethod ?? 'SQUASH';

  return {
    type: 'github',

    async listRepositories(targets: ForgeTargets): Promise<Repository[]> {
      const found = new Map<string, Repository>();
      for (const owner of [...(targets.owners ?? []), ...(targets.groups ?? [])]) {
        for (const payload of await listOwnerRepositories(gh, owner)) {
          const repo = toRepository(payload);
          if (!repo.archived) found.set(repo.path.toLowerCase(), repo);
        }
      }
      for (const name of [...(targets.repositories ?? []), ...(targets.projects ?? [])]) {
        const repo = await getRepository(gh, name);
        if (!repo.archived) found.set(repo.path.toLowerCase(), repo);
      }
      return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },

    getRepository: (id) => getRepository(gh, id),
    branchHead: (repo, branch) => branchHead(gh, repo, branch),
    listTree: (repo, ref) => listTree(gh, repo, ref),
    readFile: (repo, path, ref) => readFile(gh, repo, path, ref),
    commitFiles: (repo, request) => commitFiles(gh, repo, request),
    deleteBranch: (repo, branch) => deleteBranch(gh, repo, branch),

    async findChangeRequest(repo: Repository, branch: string): Promise<ChangeRequest | null> {
      const target = splitRepoPath(repo.path);
      const { data } = await call(`find the pull request of ${branch} in ${repo.path}`, 'pull requests: write', () =>
        gh.rest.pulls.list({ ...target, state: 'all', head: `${target.owner}:${branch}`, sort: 'created', direction: 'desc', per_page: 100 }),
      );
      const mine = data.filter((pull) => pull.head.ref === branch);
      if (mine.length === 0) return null;
      return toChangeRequest(mine.reduce((newest, pull) => (pull.number > newest.number ? pull : newest)));
    },

    async listOpenChangeRequests(repo: Repository, branchPrefix: string): Promise<ChangeRequest[]> {
      const pulls = await call(`list the open pull requests of ${repo.path}`, 'pull requests: write', () =>
        gh.paginate(gh.rest.pulls.list, { ...splitRepoPath(repo.path), state: 'open', per_page: 100 }),
      );
      return (
        pulls
          // A pull request from a deleted fork has no head repository, though the typings say it always has one.
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
          .filter((pull) => pull.head.ref.startsWith(branchPrefix) && pull.head.repo?.full_name.toLowerCase() === repo.path.toLowerCase())
          .map((pull) => toChangeRequest(pull))
          .sort((a, b) => a.number - b.number)
      );
    },

    async openChangeRequest(repo: Repository, input: ChangeRequestInput): Promise<OpenedChangeRequest> {
      const { data } = await call(`create a pull request from ${input.branch} in ${repo.path}`, 'pull requests: write', () =>
        gh.rest.pulls.create({ ...splitRepoPath(repo.path), head: input.branch, base: input.base, title: input.title, body: input.body }),
      );
      const opened = input.labels.length === 0 ? toChangeRequest(data) : toChangeRequest(data, await setLabels(gh, repo, data.number, input.labels));
      const problems = [...(await requestReviewers(gh, repo, data.number, input.reviewers ?? [])), ...(await addAssignees(gh, repo, data.number, input.assignees ?? []))];
      return problems.length > 0 ? { ...opened, problems } : opened;
    },

    async updateChangeRequest(repo, number, input): Promise<ChangeRequest> {
      let pull: GithubPullPayload | null = null;
      if (input.title !== undefined || input.body !== undefined) {
        const { data } = await call(`update pull request #${number} of ${repo.path}`, 'pull requests: write', () =>
          gh.rest.pulls.update({ ...splitRepoPath(repo.path), pull_number: number, title: input.title, body: input.body }),
        );
        pull = data;
      }
      const labels = input.labels === undefined ? undefined : await setLabels(gh, repo, number, input.labels);
      return toChangeRequest(pull ?? (await getPull(gh, repo, number)), labels);
    },

    async closeChangeRequest(repo: Repository, number: number, comment: string | null): Promise<void> {
      const target = splitRepoPath(repo.path);
      if (comment !== null) {
        await call(`comment on pull request #${number} of ${repo.path}`, 'pull requests: write', () =>
          gh.rest.issues.createComment({ ...target, issue_number: number, body: comment, request: NO_RETRY }),
        );
      }
      await call(`close pull request #${number} of ${repo.path}`, 'pull requests: write', () => gh.rest.pulls.update({ ...target, pull_number: number, state: 'closed' }));
    },

    async enableAutomerge(repo: Repository, number: number): Promise<'enabled'> {
      // GitHub's auto-merge waits for the required checks itself: it can be switched on at once.
      const pull = (await getPull(gh, repo, number)) as GithubPullPayload & { node_id: string; head: { sha: string } };
      await call(`enable auto-merge on pull request #${number} of ${repo.path}`, 'pull requests: write', () =>
        gh.graphql(AUTOMERGE, { pullRequestId: pull.node_id, mergeMethod, expectedHeadOid: pull.head.sha }),
      );
      return 'enabled';
    },

    async findIssue(repo: Repository, title: string): Promise<Issue | null> {
      const items = await call(`list the open issues of ${repo.path}`, 'issues: write', () => gh.paginate(gh.rest.issues.listForRepo, { ...splitRepoPath(repo.path), state: 'open', per_page: 100 }));
      // The issues list includes pull requests; they carry a `pull_request` key.
      const matches = items.filter((item) => !item.pull_request && item.title === title);
      if (matches.length === 0) return null;
      return toIssue(matches.reduce((oldest, item) => (item.number < oldest.number ? item : oldest)));
    },

    async createIssue(repo: Repository, title: string, body: string): Promise<Issue> {
      const { data } = await call(`create issue "${title}" in ${repo.path}`, 'issues: write', () => gh.rest.issues.create({ ...splitRepoPath(repo.path), title, body, request: NO_RETRY }));
      return toIssue(data);
    },

    async updateIssue(repo: Repository, number: number, body: string): Promise<Issue> {
      const { data } = await call(`update issue #${number} of ${repo.path}`, 'issues: write', () => gh.rest.issues.update({ ...splitRepoPath(repo.path), issue_number: number, body }));
      return toIssue(data);
    },
  };
}
