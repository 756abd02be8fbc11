/** GitLab issues, for the dashboard: the open issue with an exact title, creating one, rewriting its description. */
import type { Issue, Repository } from './forge.js';
import { PER_PAGE, type GitlabClient } from './gitlab-client.js';
import { toIssue, type GlIssue } from './gitlab-mappers.js';

export async function findIssue(gl: GitlabClient, repo: Repository, title: string): Promise<Issue | null> {
  const found = await gl.call<GlIssue[]>(`search issues of ${repo.path}`, () =>
    gl.api.Issues.all({ projectId: repo.id, state: 'opened', search: title, in: 'title', orderBy: 'created_at', sort: 'asc', perPage: PER_PAGE } as never),
  );
  const exact = found.filter((issue) => issue.title === title).sort((a, b) => a.iid - b.iid)[0];
  return exact ? toIssue(exact) : null;
}

export async function createIssue(gl: GitlabClient, repo: Repository, title: string, body: string): Promise<Issue> {
  return toIssue(await gl.call<GlIssue>(`create issue "${title}" in ${repo.path}`, () => gl.api.Issues.create(repo.id, title, { description: body })));
}

export async function updateIssue(gl: GitlabClient, repo: Repository, number: number, body: string): Promise<Issue> {
  return toIssue(await gl.call<GlIssue>(`update issue #${number} of ${repo.path}`, () => gl.api.Issues.edit(repo.id, number, { description: body })));
}
