/**
 * The GitLab forge on the real @gitbeaker/rest client, put together from its parts: the client
 * (gitlab-client: requester, error mapping), project reads, branch writes, merge requests and issues.
 */
import type { Forge } from './forge.js';
import { branchHead, getRepository, listRepositories, listTree, readFile } from './gitlab-repository.js';
import { commitFiles, deleteBranch } from './gitlab-branches.js';
import { gitlabIncludeReader } from './gitlab-ci-includes.js';
import { createGitlabClient, type GitlabClientOptions } from './gitlab-client.js';
import { createIssue, findIssue, updateIssue } from './gitlab-issues.js';
import { closeChangeRequest, enableAutomerge, findChangeRequest, listOpenChangeRequests, openChangeRequest, updateChangeRequest } from './gitlab-merge-requests.js';

/** `rateLimits` defaults to `gitlabRateLimits(url)`. */
export type GitlabForgeOptions = GitlabClientOptions;

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
  const gl = createGitlabClient({ ...options, rateLimits: options.rateLimits ?? gitlabRateLimits(options.url) });
  return {
    type: 'gitlab',
    ciIncludes: gitlabIncludeReader(gl),
    listRepositories: (targets) => listRepositories(gl, targets),
    getRepository: (id) => getRepository(gl, id),
    branchHead: (repo, branch) => branchHead(gl, repo, branch),
    listTree: (repo, ref) => listTree(gl, repo, ref),
    readFile: (repo, path, ref) => readFile(gl, repo, path, ref),
    commitFiles: (repo, request) => commitFiles(gl, repo, request),
    deleteBranch: (repo, branch) => deleteBranch(gl, repo, branch),
    findChangeRequest: (repo, branch) => findChangeRequest(gl, repo, branch),
    listOpenChangeRequests: (repo, branchPrefix) => listOpenChangeRequests(gl, repo, branchPrefix),
    openChangeRequest: (repo, input) => openChangeRequest(gl, repo, input),
    updateChangeRequest: (repo, number, input) => updateChangeRequest(gl, repo, number, input),
    closeChangeRequest: (repo, number, comment) => closeChangeRequest(gl, repo, number, comment),
    enableAutomerge: (repo, number) => enableAutomerge(gl, repo, number),
    findIssue: (repo, title) => findIssue(gl, repo, title),
    createIssue: (repo, title, body) => createIssue(gl, repo, title, body),
    updateIssue: (repo, number, body) => updateIssue(gl, repo, number, body),
  };
}
