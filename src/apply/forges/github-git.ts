/**
 * Branches, trees, files and commits on GitHub through the REST git data API: blobs (base64,
 * binary-safe) → tree on the base commit's tree → commit with the base as only parent → create
 * `refs/heads/<branch>`, or force-move it when it already exists.
 */
import { ArchpinError } from '../../core/errors.js';
import type { BranchHead, CommitRequest, Repository, TreeEntry } from './forge.js';
import { call, isStatus, type GithubClient } from './github-client.js';
import { githubError } from './github-errors.js';
import { splitRepoPath } from './github-mapping.js';

const SHA = /^[0-9a-f]{40}$/i;

interface GitTreeItem {
  readonly path?: string;
  readonly mode?: string;
  readonly type?: string;
  readonly sha?: string;
  readonly size?: number;
}

export async function branchHead(gh: GithubClient, repo: Repository, branch: string): Promise<BranchHead | null> {
  try {
    const { data } = await gh.rest.repos.getBranch({ ...splitRepoPath(repo.path), branch });
    return { sha: data.commit.sha, parents: data.commit.parents.map((parent) => parent.sha) };
  } catch (error) {
    if (isStatus(error, 404)) return null;
    throw githubError(error, `read branch ${branch} of ${repo.path}`, 'contents: read');
  }
}

/** A commit sha for `ref`: shas pass through, branch names are resolved (so slashes never reach a path). */
async function commitish(gh: GithubClient, repo: Repository, ref: string): Promise<string> {
  if (SHA.test(ref) || !ref.includes('/')) return ref;
  const head = await branchHead(gh, repo, ref);
  if (!head) throw new ArchpinError('forge-not-found', `GitHub could not list the tree of ${ref} in ${repo.path}: no such branch`);
  return head.sha;
}

export async function listTree(gh: GithubClient, repo: Repository, ref: string): Promise<TreeEntry[]> {
  const target = splitRepoPath(repo.path);
  const action = `list the tree of ${ref} in ${repo.path}`;
  const treeSha = await commitish(gh, repo, ref);
  const { data } = await call(action, 'contents: read', () => gh.rest.git.getTree({ ...target, tree_sha: treeSha, recursive: '1' }));
  let items: Array<GitTreeItem & { path: string }> = [];
  for (const item of data.tree) if (typeof item.path === 'string') items.push({ ...item, path: item.path });
  if (data.truncated) {
    // Over GitHub's recursive limit: walk the subtrees one level at a time instead.
    items = [];
    const pending: Array<{ sha: string; prefix: string }> = [{ sha: data.sha, prefix: '' }];
    for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
      const { sha, prefix } = next;
      const level = await call(action, 'contents: read', () => gh.rest.git.getTree({ ...target, tree_sha: sha }));
      for (const item of level.data.tree) {
        if (typeof item.path !== 'string') continue;
        const path = prefix + item.path;
        if (item.type === 'tree' && item.sha) pending.push({ sha: item.sha, prefix: `${path}/` });
        else items.push({ ...item, path });
      }
    }
  }
  return items
    .filter((item) => item.type === 'blob' && item.mode !== '120000')
    .map((item) => ({ path: item.path, size: typeof item.size === 'number' ? item.size : null }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Raw bytes through the contents API (`application/vnd.github.raw`), read unparsed so binaries survive. */
export async function readFile(gh: GithubClient, repo: Repository, path: string, ref: string): Promise<Uint8Array | null> {
  try {
    const response = await gh.rest.repos.getContent({
      ...splitRepoPath(repo.path),
      path,
      ref,
      mediaType: { format: 'raw' },
      request: { parseSuccessResponseBody: false },
    });
    const body = new Uint8Array(await new Response(response.data as unknown as ReadableStream<Uint8Array> | null).arrayBuffer());
    // A directory (or submodule) answers with a JSON listing even when raw was asked for.
    if ((response.headers['content-type'] ?? '').startsWith('application/json')) return null;
    return body;
  } catch (error) {
    if (isStatus(error, 404)) return null;
    throw githubError(error, `read ${path} at ${ref} in ${repo.path}`, 'contents: read');
  }
}

export async function commitFiles(gh: GithubClient, repo: Repository, request: CommitRequest): Promise<string> {
  const target = splitRepoPath(repo.path);
  const action = (what: string): string => `${what} for branch ${request.branch} of ${repo.path}`;
  const base = await call(action('read the base commit'), 'contents: read', () => gh.rest.git.getCommit({ ...target, commit_sha: request.baseSha }));
  const baseTree = base.data.tree.sha;
  // Keep the mode (e.g. executable) of files that already exist.
  const existing = await call(action('read the base tree'), 'contents: read', () => gh.rest.git.getTree({ ...target, tree_sha: baseTree, recursive: '1' }));
  const modes = new Map(existing.data.tree.map((item) => [item.path, item.mode]));
  const entries: Array<{ path: string; mode: '100644' | '100755'; type: 'blob'; sha: string }> = [];
  for (const file of request.files) {
    const blob = await call(action(`upload ${file.path}`), 'contents: write', () => gh.rest.git.createBlob({ ...target, content: Buffer.from(file.content).toString('base64'), encoding: 'base64' }));
    entries.push({ path: file.path, mode: modes.get(file.path) === '100755' ? '100755' : '100644', type: 'blob', sha: blob.data.sha });
  }
  const tree = await call(action('create the tree'), 'contents: write', () => gh.rest.git.createTree({ ...target, base_tree: baseTree, tree: entries }));
  const commit = await call(action('create the commit'), 'contents: write', () => gh.rest.git.createCommit({ ...target, message: request.message, tree: tree.data.sha, parents: [request.baseSha] }));
  const sha = commit.data.sha;
  try {
    await gh.rest.git.createRef({ ...target, ref: `refs/heads/${request.branch}`, sha });
  } catch (error) {
    const mapped = githubError(error, action('create the branch'), 'contents: write');
    if (mapped.code !== 'forge-conflict') throw mapped;
    await call(action('force-update the branch'), 'contents: write', () => gh.rest.git.updateRef({ ...target, ref: `heads/${request.branch}`, sha, force: true }));
  }
  return sha;
}

export async function deleteBranch(gh: GithubClient, repo: Repository, branch: string): Promise<void> {
  try {
    await gh.rest.git.deleteRef({ ...splitRepoPath(repo.path), ref: `heads/${branch}` });
  } catch (error) {
    // Already gone: deleting is idempotent.
    if (isStatus(error, 422) && /Reference does not exist/i.test(String((error as { message?: unknown }).message))) return;
    throw githubError(error, `delete branch ${branch} of ${repo.path}`, 'contents: write');
  }
}
