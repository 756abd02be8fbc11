/** Reading GitHub repositories: every repository of an organisation or a user, and one by `owner/name`. */
import type { ForgeTargets, Repository } from './forge.js';
import { call, isStatus, type GithubClient } from './github-client.js';
import { githubError } from './github-errors.js';
import { splitRepoPath, toRepository, type GithubRepoPayload } from './github-mapping.js';

async function listOwnerRepositories(gh: GithubClient, owner: string): Promise<GithubRepoPayload[]> {
  try {
    return await gh.paginate(gh.rest.repos.listForOrg, { org: owner, type: 'all', per_page: 100 });
  } catch (error) {
    if (!isStatus(error, 404)) throw githubError(error, `list the repositories of ${owner}`, 'metadata: read');
  }
  // Not an organisation: a user account.
  return call(`list the repositories of ${owner}`, 'metadata: read', () => gh.paginate(gh.rest.repos.listForUser, { username: owner, type: 'owner', per_page: 100 }));
}

export async function getRepository(gh: GithubClient, id: string): Promise<Repository> {
  const { data } = await call(`read repository ${id}`, 'metadata: read', () => gh.rest.repos.get(splitRepoPath(id)));
  return toRepository(data);
}

export async function listRepositories(gh: GithubClient, targets: ForgeTargets): Promise<Repository[]> {
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
}
