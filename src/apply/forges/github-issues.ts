/** GitHub issues, for the dashboard: the open issue with an exact title (pull requests left out), creating one, rewriting its body. */
import type { Issue, Repository } from './forge.js';
import { call, NO_RETRY, type GithubClient } from './github-client.js';
import { splitRepoPath, toIssue } from './github-mapping.js';

export async function findIssue(gh: GithubClient, repo: Repository, title: string): Promise<Issue | null> {
  const items = await call(`list the open issues of ${repo.path}`, 'issues: write', () => gh.paginate(gh.rest.issues.listForRepo, { ...splitRepoPath(repo.path), state: 'open', per_page: 100 }));
  // The issues list includes pull requests; they carry a `pull_request` key.
  const matches = items.filter((item) => !item.pull_request && item.title === title);
  if (matches.length === 0) return null;
  return toIssue(matches.reduce((oldest, item) => (item.number < oldest.number ? item : oldest)));
}

export async function createIssue(gh: GithubClient, repo: Repository, title: string, body: string): Promise<Issue> {
  const { data } = await call(`create issue "${title}" in ${repo.path}`, 'issues: write', () => gh.rest.issues.create({ ...splitRepoPath(repo.path), title, body, request: NO_RETRY }));
  return toIssue(data);
}

export async function updateIssue(gh: GithubClient, repo: Repository, number: number, body: string): Promise<Issue> {
  const { data } = await call(`update issue #${number} of ${repo.path}`, 'issues: write', () => gh.rest.issues.update({ ...splitRepoPath(repo.path), issue_number: number, body }));
  return toIssue(data);
}
