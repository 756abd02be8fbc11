/**
 * The GitHub forge on @octokit/rest (+ retry and throttling plugins), put together from its parts:
 * the client (github-client), repository reads, branches, trees and commits through the git data API
 * (github-git), pull requests and issues. Repositories are `owner/name`.
 */
import type { Forge } from './forge.js';
import { createGithubClient, type GithubClientOptions } from './github-client.js';
import { branchHead, commitFiles, deleteBranch, listTree, readFile } from './github-git.js';
import { createIssue, findIssue, updateIssue } from './github-issues.js';
import { closeChangeRequest, enableAutomerge, findChangeRequest, listOpenChangeRequests, openChangeRequest, updateChangeRequest, type GithubMergeMethod } from './github-pulls.js';
import { getRepository, listRepositories } from './github-repositories.js';

export interface GithubForgeOptions extends GithubClientOptions {
  /** Merge method auto-merge uses (default SQUASH: bot branches hold one commit). */
  readonly mergeMethod?: GithubMergeMethod;
}

export function createGithubForge(options: GithubForgeOptions): Forge {
  const gh = createGithubClient(options);
  const mergeMethod = options.mergeMethod ?? 'SQUASH';
  return {
    type: 'github',
    listRepositories: (targets) => listRepositories(gh, targets),
    getRepository: (id) => getRepository(gh, id),
    branchHead: (repo, branch) => branchHead(gh, repo, branch),
    listTree: (repo, ref) => listTree(gh, repo, ref),
    readFile: (repo, path, ref) => readFile(gh, repo, path, ref),
    commitFiles: (repo, request) => commitFiles(gh, repo, request),
    deleteBranch: (repo, branch) => deleteBranch(gh, repo, branch),
    findChangeRequest: (repo, branch) => findChangeRequest(gh, repo, branch),
    listOpenChangeRequests: (repo, branchPrefix) => listOpenChangeRequests(gh, repo, branchPrefix),
    openChangeRequest: (repo, input) => openChangeRequest(gh, repo, input),
    updateChangeRequest: (repo, number, input) => updateChangeRequest(gh, repo, number, input),
    closeChangeRequest: (repo, number, comment) => closeChangeRequest(gh, repo, number, comment),
    enableAutomerge: (repo, number) => enableAutomerge(gh, repo, number, mergeMethod),
    findIssue: (repo, title) => findIssue(gh, repo, title),
    createIssue: (repo, title, body) => createIssue(gh, repo, title, body),
    updateIssue: (repo, number, body) => updateIssue(gh, repo, number, body),
  };
}
