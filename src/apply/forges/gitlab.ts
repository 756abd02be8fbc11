/**
 * The GitLab forge on the real @gitbeaker/rest client. Every call goes through our own requesterFn
 * (Retry-After, read-only retries, byte-exact raw files) and every failure becomes an ArchpinError.
 */
import { Gitlab } from '@gitbeaker/rest';
import type { BranchHead, ChangeRequest, CommitRequest, Forge, ForgeTargets, Issue, Repository, TreeEntry } from './forge.js';
import { gitlabError, statusOf, type GitlabErrorContext } from './gitlab-errors.js';
import { labelsParam, toChangeRequest, toIssue, toRepository, type GlBranch, type GlCommit, type GlIssue, type GlMergeRequest, type GlProject, type GlTreeItem } from './gitlab-mappers.js';
import { createGitlabRequester, type FetchLike, type Sleep } from './gitlab-requester.js';
import type { RateBudget } from './rate-budget.js';

export interface GitlabForgeOptions {
  /** Instance URL, e.g. https://gitlab.example.com (a relative root like /gitlab is kept). */
  readonly url: string;
  readonly token: string;
  /** Name of the environment variable the token came from, for error messages. */
  readonly tokenEnv?: string;
  readonly fetch?: FetchLike;
  readonly sleep?: Sleep;
  /** Longest Retry-After waited out on a 429; longer ones fail as forge-rate-limited. */
  readonly maxRetryAfterMs?: number;
  /** gitbeaker's per-process limiters: endpoint glob → requests per minute (default: `gitlabRateLimits(url)`). */
  readonly rateLimits?: Readonly<Record<string, number>>;
  /** The token's budget shared across clients and workers (RateLimit-* headers, Retry-After, a configured rate). */
  readonly budget?: RateBudget;
}

const PER_PAGE = 100;

/**
 * gitbeaker's limiters, from GitLab's documented limits. GitLab.com enforces 2,000 authenticated API
 * requests a minute per user, 600/min on a group's project listing, 400/min on reading one project and
 * 2,000 per 10 minutes on listing all projects. Self-managed instances set their own limits (the
 * Groups/Projects API ones are off by default since 18.0): there gitbeaker's built-in 3,000/min per
 * endpoint would stall a large sweep below the server's limit, so nothing is limited client-side and
 * the budget follows the server's RateLimit-* headers and 429s instead.
 */
export function gitlabRateLimits(url: string): Record<string, number> {
  const host = new URL(url).hostname.toLowerCase();
  if (host === 'gitlab.com' || host.endsWith('.gitlab.com')) {
    return { '**': 2000, 'groups/*/projects': 600, 'projects/*': 400, projects: 200 };
  }
  return { '**': UNLIMITED };
}

/** rate-limiter-flexible needs a number: a rate no client reaches. */
const UNLIMITED = 1_000_000_000;

export function createGitlabForge(options: GitlabForgeOptions): Forge {
  const host = options.url.replace(/\/+$/, '');
  const context: GitlabErrorContext = { url: host, tokenEnv: options.tokenEnv ?? 'GITLAB_TOKEN', token: options.token };
  const api = new Gitlab({
    host,
    token: options.token,
    rateLimits: { ...(options.rateLimits ?? gitlabRateLimits(host)) },
    rateLimitDuration: 60,
    requesterFn: createGitlabRequester({ fetch: options.fetch, sleep: options.sleep, maxRetryAfterMs: options.maxRetryAfterMs, ...(options.budget ? { budget: options.budget } : {}) }),
  });

  /** GitLab takes user ids: each name is looked up (`GET /users?username=`); one not found is named in `problems`. */
  const userIds = async (names: readonly string[], role: string, problems: string[]): Promise<number[]> => {
    const ids: number[] = [];
    for (const name of names) {
      try {
        const found = await call<Array<{ id: number; username: string }>>(`look up the GitLab user ${name}`, () => api.Users.all({ username: name, maxPages: 1 }));
        const user = found.find((each) => each.username.toLowerCase() === name.toLowerCase());
        if (user === undefined) problems.push(`${role} ${name}: no GitLab user with that name`);
        else ids.push(user.id);
      } catch (error) {
        problems.push(`${role} ${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return ids;
  };

  // Wire shapes are read through our own interfaces: gitbeaker's generics add nothing here.
  async function call<T>(action: string, run: () => Promise<unknown>): Promise<T> {
    try {
      return (await run()) as T;
    } catch (error) {
      throw gitlabError(error, action, context);
    }
  }

  /** Like `call`, but a 404 answers null. */
  async function callOrNull<T>(action: string, run: () => Promise<unknown>): Promise<T | null> {
    try {
      return (await run()) as T;
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw gitlabError(error, action, context);
    }
  }

  async function findProjectMergeRequests(repo: Repository, query: Record<string, unknown>, action: string): Promise<GlMergeRequest[]> {
    return call<GlMergeRequest[]>(action, () => api.MergeRequests.all({ projectId: repo.id, perPage: PER_PAGE, ...query } as never));
  }

  const forge: Forge = {
    type: 'gitlab',

    async listRepositories(targets: ForgeTargets) {
      const byId = new Map<string, Repository>();
      for (const group of targets.groups ?? []) {
        const projects = await call<GlProject[]>(`list projects of group ${group}`, () =>
          api.Groups.allProjects(group, { includeSubgroups: true, archived: false, withShared: false, orderBy: 'id', sort: 'asc', perPage: PER_PAGE }),
        );
        for (const project of projects) {
          if (project.archived || project.default_branch === null || project.empty_repo) continue;
          byId.set(String(project.id), toRepository(project));
        }
      }
      for (const path of targets.projects ?? []) {
        const project = await call<GlProject>(`read project ${path}`, () => api.Projects.show(path));
        if (project.archived || project.default_branch === null || project.empty_repo) continue;
        byId.set(String(project.id), toRepository(project));
      }
      return [...byId.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },

    async getRepository(id) {
      return toRepository(await call<GlProject>(`read project ${id}`, () => api.Projects.show(id)));
    },

    async branchHead(repo, branch): Promise<BranchHead | null> {
      const found = await callOrNull<GlBranch>(`read branch ${branch} of ${repo.path}`, () => api.Branches.show(repo.id, branch));
      if (!found) return null;
      let parents = found.commit.parent_ids;
      if (!Array.isArray(parents)) {
        const commit = await call<GlCommit>(`read commit ${found.commit.id} of ${repo.path}`, () => api.Commits.show(repo.id, found.commit.id));
        parents = commit.parent_ids ?? [];
      }
      return { sha: found.commit.id, parents: [...parents] };
    },

    async listTree(repo, ref): Promise<TreeEntry[]> {
      const items = await call<GlTreeItem[]>(`list the files of ${repo.path} at ${ref}`, () =>
        api.Repositories.allRepositoryTrees(repo.id, { ref, recursive: true, perPage: PER_PAGE, pagination: 'keyset' }),
      );
      return items.filter((item) => item.type === 'blob').map((item) => ({ path: item.path, size: null }));
    },

    async readFile(repo, path, ref) {
      const body = await callOrNull<unknown>(`read ${path} of ${repo.path} at ${ref}`, () => api.RepositoryFiles.showRaw(repo.id, path, ref));
      if (body === null) return null;
      if (body instanceof Blob) return new Uint8Array(await body.arrayBuffer());
      if (typeof body === 'string') return new TextEncoder().encode(body);
      throw gitlabError(new Error(`unexpected body for a raw file: ${typeof body}`), `read ${path} of ${repo.path}`, context);
    },

    async commitFiles(repo, request: CommitRequest) {
      const exists = (await forge.branchHead(repo, request.branch)) !== null;
      const actions = request.files.map((file) => ({
        action: 'update' as const,
        filePath: file.path,
        content: Buffer.from(file.content).toString('base64'),
        encoding: 'base64' as const,
      }));
      const commit = await call<GlCommit>(`commit to branch ${request.branch} of ${repo.path}`, () =>
        api.Commits.create(repo.id, request.branch, request.message, actions, { startSha: request.baseSha, ...(exists ? { force: true } : {}) }),
      );
      return commit.id;
    },

    async deleteBranch(repo, branch) {
      await callOrNull(`delete branch ${branch} of ${repo.path}`, () => api.Branches.remove(repo.id, branch));
    },

    async findChangeRequest(repo, branch): Promise<ChangeRequest | null> {
      const found = await findProjectMergeRequests(
        repo,
        { sourceBranch: branch, state: 'all', orderBy: 'created_at', sort: 'desc', maxPages: 1 },
        `find the merge request of ${branch} in ${repo.path}`,
      );
      const newest = [...found].sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : b.iid - a.iid))[0];
      return newest ? toChangeRequest(newest) : null;
    },

    async listOpenChangeRequests(repo, branchPrefix) {
      const open = await findProjectMergeRequests(repo, { state: 'opened', orderBy: 'created_at', sort: 'asc' }, `list open merge requests of ${repo.path}`);
      return open.filter((mr) => mr.source_branch.startsWith(branchPrefix)).map(toChangeRequest);
    },

    async openChangeRequest(repo, input) {
      const problems: string[] = [];
      const reviewerIds = await userIds(input.reviewers ?? [], 'reviewer', problems);
      const assigneeIds = await userIds(input.assignees ?? [], 'assignee', problems);
      const mr = await call<GlMergeRequest>(`create a merge request from ${input.branch} in ${repo.path}`, () =>
        api.MergeRequests.create(repo.id, input.branch, input.base, input.title, {
          description: input.body,
          labels: labelsParam(input.labels),
          removeSourceBranch: true,
          ...(reviewerIds.length > 0 ? { reviewerIds } : {}),
          ...(assigneeIds.length > 0 ? { assigneeIds } : {}),
        }),
      );
      return { ...toChangeRequest(mr), ...(problems.length > 0 ? { problems } : {}) };
    },

    async updateChangeRequest(repo, number, input) {
      const mr = await call<GlMergeRequest>(`update merge request !${number} of ${repo.path}`, () =>
        api.MergeRequests.edit(repo.id, number, {
          ...(input.title !== undefined ? { title: input.title } : {}),
          ...(input.body !== undefined ? { description: input.body } : {}),
          ...(input.labels !== undefined ? { labels: labelsParam(input.labels) } : {}),
        }),
      );
      return toChangeRequest(mr);
    },

    async closeChangeRequest(repo, number, comment) {
      if (comment !== null) {
        await call(`comment on merge request !${number} of ${repo.path}`, () => api.MergeRequestNotes.create(repo.id, number, comment));
      }
      await call(`close merge request !${number} of ${repo.path}`, () => api.MergeRequests.edit(repo.id, number, { stateEvent: 'close' }));
    },

    async enableAutomerge(repo, number) {
      // Without a head pipeline GitLab merges at once instead of waiting: only switch it on once the
      // MR's pipeline exists, pinned to the head sha it runs for (409 if the branch moved since).
      const mr = await call<GlMergeRequest & { head_pipeline?: { sha?: string } | null }>(`read merge request !${number} of ${repo.path}`, () => api.MergeRequests.show(repo.id, number));
      const sha = mr.sha;
      if (!mr.head_pipeline || !sha || mr.head_pipeline.sha !== sha) return 'waiting';
      // auto_merge is the name since GitLab 17.11; merge_when_pipeline_succeeds for older instances.
      await call(`set merge request !${number} of ${repo.path} to merge when the pipeline succeeds`, () =>
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- older instances read only this one
        api.MergeRequests.merge(repo.id, number, { autoMerge: true, mergeWhenPipelineSucceeds: true, sha }),
      );
      return 'enabled';
    },

    async findIssue(repo, title): Promise<Issue | null> {
      const found = await call<GlIssue[]>(`search issues of ${repo.path}`, () =>
        api.Issues.all({ projectId: repo.id, state: 'opened', search: title, in: 'title', orderBy: 'created_at', sort: 'asc', perPage: PER_PAGE } as never),
      );
      const exact = found.filter((issue) => issue.title === title).sort((a, b) => a.iid - b.iid)[0];
      return exact ? toIssue(exact) : null;
    },

    async createIssue(repo, title, body) {
      return toIssue(await call<GlIssue>(`create issue "${title}" in ${repo.path}`, () => api.Issues.create(repo.id, title, { description: body })));
    },

    async updateIssue(repo, number, body) {
      return toIssue(await call<GlIssue>(`update issue #${number} of ${repo.path}`, () => api.Issues.edit(repo.id, number, { description: body })));
    },
  };
  return forge;
}
