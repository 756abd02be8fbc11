/**
 * Reading GitLab projects: the projects of groups and of named paths, a branch head, the file tree
 * and raw file bytes at a ref.
 */
import type { BranchHead, ForgeTargets, Repository, TreeEntry } from './forge.js';
import { PER_PAGE, type GitlabClient } from './gitlab-client.js';
import { toRepository, type GlBranch, type GlCommit, type GlProject, type GlTreeItem } from './gitlab-mappers.js';

/** An archived or empty project, or one without a default branch, has nothing to scan. */
const workable = (project: GlProject): boolean => !project.archived && project.default_branch !== null && !project.empty_repo;

export async function listRepositories(gl: GitlabClient, targets: ForgeTargets): Promise<Repository[]> {
  const byId = new Map<string, Repository>();
  for (const group of targets.groups ?? []) {
    const projects = await gl.call<GlProject[]>(`list projects of group ${group}`, () =>
      gl.api.Groups.allProjects(group, { includeSubgroups: true, archived: false, withShared: false, orderBy: 'id', sort: 'asc', perPage: PER_PAGE }),
    );
    for (const project of projects) {
      if (workable(project)) byId.set(String(project.id), toRepository(project));
    }
  }
  for (const path of targets.projects ?? []) {
    const project = await gl.call<GlProject>(`read project ${path}`, () => gl.api.Projects.show(path));
    if (workable(project)) byId.set(String(project.id), toRepository(project));
  }
  return [...byId.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export async function getRepository(gl: GitlabClient, id: string): Promise<Repository> {
  return toRepository(await gl.call<GlProject>(`read project ${id}`, () => gl.api.Projects.show(id)));
}

export async function branchHead(gl: GitlabClient, repo: Repository, branch: string): Promise<BranchHead | null> {
  const found = await gl.callOrNull<GlBranch>(`read branch ${branch} of ${repo.path}`, () => gl.api.Branches.show(repo.id, branch));
  if (!found) return null;
  let parents = found.commit.parent_ids;
  if (!Array.isArray(parents)) {
    const commit = await gl.call<GlCommit>(`read commit ${found.commit.id} of ${repo.path}`, () => gl.api.Commits.show(repo.id, found.commit.id));
    parents = commit.parent_ids ?? [];
  }
  return { sha: found.commit.id, parents: [...parents] };
}

export async function listTree(gl: GitlabClient, repo: Repository, ref: string): Promise<TreeEntry[]> {
  const items = await gl.call<GlTreeItem[]>(`list the files of ${repo.path} at ${ref}`, () =>
    gl.api.Repositories.allRepositoryTrees(repo.id, { ref, recursive: true, perPage: PER_PAGE, pagination: 'keyset' }),
  );
  return items.filter((item) => item.type === 'blob').map((item) => ({ path: item.path, size: null }));
}

export async function readFile(gl: GitlabClient, repo: Repository, path: string, ref: string): Promise<Uint8Array | null> {
  const body = await gl.callOrNull<unknown>(`read ${path} of ${repo.path} at ${ref}`, () => gl.api.RepositoryFiles.showRaw(repo.id, path, ref));
  if (body === null) return null;
  if (body instanceof Blob) return new Uint8Array(await body.arrayBuffer());
  if (typeof body === 'string') return new TextEncoder().encode(body);
  throw gl.error(new Error(`unexpected body for a raw file: ${typeof body}`), `read ${path} of ${repo.path}`);
}
