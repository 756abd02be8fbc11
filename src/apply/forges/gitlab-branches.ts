/**
 * Writing bot branches on GitLab: one commit of whole files on the planned base sha (forced over the
 * branch when it already exists), and deleting a branch (gone already is fine).
 */
import type { CommitRequest, Repository } from './forge.js';
import type { GitlabClient } from './gitlab-client.js';
import type { GlCommit } from './gitlab-mappers.js';
import { branchHead } from './gitlab-repository.js';

export async function commitFiles(gl: GitlabClient, repo: Repository, request: CommitRequest): Promise<string> {
  const exists = (await branchHead(gl, repo, request.branch)) !== null;
  const actions = request.files.map((file) => ({
    action: 'update' as const,
    filePath: file.path,
    content: Buffer.from(file.content).toString('base64'),
    encoding: 'base64' as const,
  }));
  const commit = await gl.call<GlCommit>(`commit to branch ${request.branch} of ${repo.path}`, () =>
    gl.api.Commits.create(repo.id, request.branch, request.message, actions, { startSha: request.baseSha, ...(exists ? { force: true } : {}) }),
  );
  return commit.id;
}

export async function deleteBranch(gl: GitlabClient, repo: Repository, branch: string): Promise<void> {
  await gl.callOrNull(`delete branch ${branch} of ${repo.path}`, () => gl.api.Branches.remove(repo.id, branch));
}
