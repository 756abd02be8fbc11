/** The GitHub double's account, repository, git data (blobs, trees, commits, refs), branch and contents routes. */
import type { FlatEntry, TreeMode } from './github-double-git.js';
import { HttpFailure, notFound, ok, paginate, repoOf, unprocessable, validationFailed, type DoubleRequest, type Route } from './github-double-http.js';
import type { RepoRecord } from './github-double-state.js';
import { accountJson, base64Lines, gitCommitJson, refJson, repoJson } from './github-double-views.js';

const REPO = '/repos/([^/]+)/([^/]+)';
const MODES: readonly string[] = ['100644', '100755', '040000', '160000', '120000'];

function listRepos(request: DoubleRequest, login: string, orgOnly: boolean) {
  const account = request.state.accounts.get(login.toLowerCase());
  if (!account || (orgOnly && account.type !== 'Organization')) throw notFound();
  const repos = [...request.state.repos.values()]
    .filter((repo) => repo.owner === account)
    .sort((a, b) => a.id - b.id)
    .map((repo) => repoJson(request.urls, repo));
  return paginate(request, repos);
}

function commitOf(repo: RepoRecord, sha: string) {
  const commit = repo.git.commits.get(sha);
  if (!commit) throw notFound();
  return commit;
}

/** A tree-ish: tree sha, commit sha or branch name. */
function treeShaOf(repo: RepoRecord, treeish: string): string {
  if (repo.git.trees.has(treeish)) return treeish;
  const commitSha = repo.git.commits.has(treeish) ? treeish : (repo.refs.get(`refs/heads/${treeish}`) ?? repo.refs.get(`refs/tags/${treeish}`));
  if (!commitSha) throw notFound();
  return repo.git.commits.get(commitSha)!.tree;
}

function treeEntryJson(request: DoubleRequest, repo: RepoRecord, path: string, item: { mode: string; type: string; sha: string }) {
  const kind = item.type === 'tree' ? 'trees' : 'blobs';
  return {
    path,
    mode: item.mode,
    type: item.type,
    sha: item.sha,
    ...(item.type === 'blob' ? { size: repo.git.blobs.get(item.sha)?.byteLength ?? 0 } : {}),
    url: `${request.urls.api}/repos/${repo.fullName}/git/${kind}/${item.sha}`,
  };
}

function getTree(request: DoubleRequest, repo: RepoRecord, treeish: string) {
  const sha = treeShaOf(repo, treeish);
  const recursive = request.query.has('recursive');
  let entries = recursive
    ? repo.git.listRecursive(sha).map(({ path, item }) => treeEntryJson(request, repo, path, item))
    : (repo.git.trees.get(sha) ?? []).map((item) => treeEntryJson(request, repo, item.name, item));
  const limit = request.state.truncateTreesOver;
  const truncated = recursive && limit !== null && entries.length > limit;
  if (truncated) entries = entries.slice(0, limit);
  return ok({ sha, url: `${request.urls.api}/repos/${repo.fullName}/git/trees/${sha}`, tree: entries, truncated });
}

function createTree(request: DoubleRequest, repo: RepoRecord) {
  const body = request.body ?? {};
  if (!Array.isArray(body.tree)) throw validationFailed({ resource: 'Tree', code: 'missing_field', field: 'tree' });
  let entries = new Map<string, FlatEntry>();
  if (body.base_tree !== undefined && body.base_tree !== null) {
    if (!repo.git.trees.has(body.base_tree)) throw unprocessable('base_tree is not a valid tree oid');
    entries = repo.git.flatten(body.base_tree);
  }
  for (const entry of body.tree as Array<Record<string, unknown>>) {
    const path = entry.path;
    if (typeof path !== 'string' || path === '' || path.startsWith('/') || path.endsWith('/') || path.split('/').includes('..')) {
      throw unprocessable(`tree.path contains a malformed path component`);
    }
    if (typeof entry.mode !== 'string' || !MODES.includes(entry.mode)) throw unprocessable(`tree.mode must be one of ${MODES.join(', ')}`);
    if (entry.sha === null) {
      for (const key of [...entries.keys()]) if (key === path || key.startsWith(`${path}/`)) entries.delete(key);
      continue;
    }
    let sha: string;
    if (typeof entry.content === 'string') sha = repo.git.writeBlob(Buffer.from(entry.content, 'utf8'));
    else if (typeof entry.sha === 'string' && repo.git.blobs.has(entry.sha)) sha = entry.sha;
    else throw unprocessable(`tree.sha ${String(entry.sha)} is not a valid blob`);
    for (const key of [...entries.keys()]) if (key.startsWith(`${path}/`)) entries.delete(key);
    entries.set(path, { mode: entry.mode as TreeMode, type: 'blob', sha });
  }
  const sha = repo.git.writeFlatTree(entries);
  const tree = repo.git.listRecursive(sha).filter(({ path }) => !path.includes('/'));
  return ok({ sha, url: `${request.urls.api}/repos/${repo.fullName}/git/trees/${sha}`, tree: tree.map(({ path, item }) => treeEntryJson(request, repo, path, item)), truncated: false }, 201);
}

function createCommit(request: DoubleRequest, repo: RepoRecord) {
  const body = request.body ?? {};
  if (typeof body.message !== 'string') throw validationFailed({ resource: 'Commit', code: 'missing_field', field: 'message' });
  if (typeof body.tree !== 'string' || !repo.git.trees.has(body.tree)) throw unprocessable('Tree SHA does not exist');
  const parents: unknown[] = Array.isArray(body.parents) ? body.parents : [];
  for (const parent of parents) {
    if (typeof parent !== 'string' || !repo.git.commits.has(parent)) throw unprocessable('Parent SHA does not exist or is not a commit object');
  }
  const commit = repo.git.writeCommit(body.tree, parents as string[], body.message);
  return ok(gitCommitJson(request.urls, repo, commit), 201);
}

function createRef(request: DoubleRequest, repo: RepoRecord) {
  const { ref, sha } = request.body ?? {};
  if (typeof ref !== 'string' || !ref.startsWith('refs/') || ref.split('/').length < 3) {
    throw unprocessable("Reference name must start with 'refs/' and have at least two slashes.");
  }
  if (typeof sha !== 'string' || !repo.git.commits.has(sha)) throw unprocessable('Object does not exist');
  if (repo.refs.has(ref)) throw unprocessable('Reference already exists');
  repo.refs.set(ref, sha);
  return ok(refJson(request.urls, repo, ref, sha), 201);
}

function updateRef(request: DoubleRequest, repo: RepoRecord, ref: string) {
  const name = `refs/${ref}`;
  const current = repo.refs.get(name);
  if (!current) throw unprocessable('Reference does not exist');
  const { sha, force } = request.body ?? {};
  if (typeof sha !== 'string' || !repo.git.commits.has(sha)) throw unprocessable('Object does not exist');
  if (force !== true && !repo.git.isAncestor(current, sha)) throw unprocessable('Update is not a fast forward');
  repo.refs.set(name, sha);
  return ok(refJson(request.urls, repo, name, sha));
}

function getBranch(request: DoubleRequest, repo: RepoRecord, branch: string) {
  const sha = repo.refs.get(`refs/heads/${branch}`);
  if (!sha) throw new HttpFailure(404, 'Branch not found', undefined, 'https://docs.github.com/rest/branches/branches#get-a-branch');
  const commit = commitOf(repo, sha);
  const json = gitCommitJson(request.urls, repo, commit);
  return ok({
    name: branch,
    commit: {
      sha,
      node_id: json.node_id,
      commit: { author: json.author, committer: json.committer, message: json.message, tree: json.tree, url: json.url },
      url: `${request.urls.api}/repos/${repo.fullName}/commits/${sha}`,
      html_url: json.html_url,
      parents: json.parents,
    },
    protected: false,
    _links: { self: `${request.urls.api}/repos/${repo.fullName}/branches/${branch}`, html: `${request.urls.web}/${repo.fullName}/tree/${branch}` },
  });
}

function getContents(request: DoubleRequest, repo: RepoRecord, path: string) {
  const ref = request.query.get('ref') ?? repo.defaultBranch;
  const commitSha = repo.git.commits.has(ref) ? ref : (repo.refs.get(`refs/heads/${ref}`) ?? repo.refs.get(`refs/tags/${ref}`));
  if (!commitSha) throw new HttpFailure(404, `No commit found for the ref ${ref}`, undefined, 'https://docs.github.com/rest/repos/contents#get-repository-content');
  const all = repo.git.listRecursive(repo.git.commits.get(commitSha)!.tree);
  const clean = path.replace(/\/+$/, '');
  const base = `${request.urls.api}/repos/${repo.fullName}/contents`;
  const file = all.find((entry) => entry.path === clean && entry.item.type !== 'tree');
  if (file) {
    const content = repo.git.blobs.get(file.item.sha) ?? new Uint8Array();
    const accept = request.headers.accept ?? '';
    if (/application\/vnd\.github(\.v3)?\.raw/.test(accept)) {
      return { status: 200, raw: { contentType: 'application/vnd.github.raw; charset=utf-8', bytes: content } };
    }
    return ok({
      type: file.item.mode === '120000' ? 'symlink' : 'file',
      encoding: 'base64',
      size: content.byteLength,
      name: clean.split('/').pop(),
      path: clean,
      content: base64Lines(content),
      sha: file.item.sha,
      url: `${base}/${clean}?ref=${ref}`,
      git_url: `${request.urls.api}/repos/${repo.fullName}/git/blobs/${file.item.sha}`,
      html_url: `${request.urls.web}/${repo.fullName}/blob/${ref}/${clean}`,
      download_url: `${request.urls.web}/raw/${repo.fullName}/${ref}/${clean}`,
    });
  }
  const prefix = clean === '' ? '' : `${clean}/`;
  const children = all.filter((entry) => entry.path.startsWith(prefix) && !entry.path.slice(prefix.length).includes('/'));
  if (children.length === 0) throw new HttpFailure(404, 'Not Found', undefined, 'https://docs.github.com/rest/repos/contents#get-repository-content');
  return ok(
    children.map(({ path: child, item }) => ({
      type: item.type === 'tree' ? 'dir' : item.type === 'commit' ? 'submodule' : 'file',
      size: item.type === 'blob' ? (repo.git.blobs.get(item.sha)?.byteLength ?? 0) : 0,
      name: child.split('/').pop(),
      path: child,
      sha: item.sha,
      url: `${base}/${child}?ref=${ref}`,
    })),
  );
}

export const gitRoutes: readonly Route[] = [
  { method: 'GET', pattern: /^\/user$/, handler: (r) => ok(accountJson(r.urls, r.state.botLogin, 'Bot', 41898282)) },
  { method: 'GET', pattern: /^\/orgs\/([^/]+)\/repos$/, handler: (r, [org]) => listRepos(r, org!, true) },
  { method: 'GET', pattern: /^\/users\/([^/]+)\/repos$/, handler: (r, [user]) => listRepos(r, user!, false) },
  { method: 'GET', pattern: new RegExp(`^${REPO}$`), handler: (r, [o, n]) => ok(repoJson(r.urls, repoOf(r, o!, n!))) },
  { method: 'GET', pattern: new RegExp(`^${REPO}/branches/(.+)$`), handler: (r, [o, n, b]) => getBranch(r, repoOf(r, o!, n!), b!) },
  {
    method: 'GET',
    pattern: new RegExp(`^${REPO}/git/ref/(.+)$`),
    handler: (r, [o, n, ref]) => {
      const repo = repoOf(r, o!, n!);
      const sha = repo.refs.get(`refs/${ref}`);
      if (!sha) throw notFound();
      return ok(refJson(r.urls, repo, `refs/${ref}`, sha));
    },
  },
  { method: 'POST', pattern: new RegExp(`^${REPO}/git/refs$`), handler: (r, [o, n]) => createRef(r, repoOf(r, o!, n!)) },
  { method: 'PATCH', pattern: new RegExp(`^${REPO}/git/refs/(.+)$`), handler: (r, [o, n, ref]) => updateRef(r, repoOf(r, o!, n!), ref!) },
  {
    method: 'DELETE',
    pattern: new RegExp(`^${REPO}/git/refs/(.+)$`),
    handler: (r, [o, n, ref]) => {
      const repo = repoOf(r, o!, n!);
      if (!repo.refs.delete(`refs/${ref}`)) throw unprocessable('Reference does not exist');
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^${REPO}/git/commits/([0-9a-f]{40})$`),
    handler: (r, [o, n, sha]) => {
      const repo = repoOf(r, o!, n!);
      return ok(gitCommitJson(r.urls, repo, commitOf(repo, sha!)));
    },
  },
  { method: 'POST', pattern: new RegExp(`^${REPO}/git/commits$`), handler: (r, [o, n]) => createCommit(r, repoOf(r, o!, n!)) },
  { method: 'GET', pattern: new RegExp(`^${REPO}/git/trees/(.+)$`), handler: (r, [o, n, sha]) => getTree(r, repoOf(r, o!, n!), sha!) },
  { method: 'POST', pattern: new RegExp(`^${REPO}/git/trees$`), handler: (r, [o, n]) => createTree(r, repoOf(r, o!, n!)) },
  {
    method: 'GET',
    pattern: new RegExp(`^${REPO}/git/blobs/([0-9a-f]{40})$`),
    handler: (r, [o, n, sha]) => {
      const repo = repoOf(r, o!, n!);
      const content = repo.git.blobs.get(sha!);
      if (!content) throw notFound();
      return ok({
        sha,
        node_id: `B_kwDO${sha!.slice(0, 12)}`,
        size: content.byteLength,
        url: `${r.urls.api}/repos/${repo.fullName}/git/blobs/${sha}`,
        content: base64Lines(content),
        encoding: 'base64',
      });
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^${REPO}/git/blobs$`),
    handler: (r, [o, n]) => {
      const repo = repoOf(r, o!, n!);
      const { content, encoding = 'utf-8' } = r.body ?? {};
      if (typeof content !== 'string') throw validationFailed({ resource: 'Blob', code: 'missing_field', field: 'content' });
      if (encoding !== 'utf-8' && encoding !== 'base64') throw unprocessable(`encoding must be one of utf-8, base64`);
      const sha = repo.git.writeBlob(Buffer.from(content, encoding === 'base64' ? 'base64' : 'utf8'));
      return ok({ sha, url: `${r.urls.api}/repos/${repo.fullName}/git/blobs/${sha}` }, 201);
    },
  },
  { method: 'GET', pattern: new RegExp(`^${REPO}/contents/?(.*)$`), handler: (r, [o, n, path]) => getContents(r, repoOf(r, o!, n!), path!) },
];
