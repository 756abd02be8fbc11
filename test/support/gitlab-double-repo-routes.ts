/** Groups, projects, trees, files, branches and the commits API of the GitLab double. */
import { createHash } from 'node:crypto';
import { badRequest, boolParam, GlFailure, message, json, missing, notFound, paginate, projectOf, stringField, type GlRequest, type GlResponse, type GlRoute } from './gitlab-double-http.js';
import { sameBytes, type ProjectRecord } from './gitlab-double-state.js';
import { branchView, commitView, projectView } from './gitlab-double-views.js';

const SEG = '([^/]+)';

function groupProjects(request: GlRequest, [rawGroup]: readonly string[]): GlResponse {
  const { state, query } = request;
  const key = decodeURIComponent(rawGroup!);
  const group = /^\d+$/.test(key) ? [...state.groups.values()].find((g) => g.id === Number(key)) : state.groups.get(key);
  if (!group) throw notFound('Group');
  const groupIds = new Set((boolParam(query.get('include_subgroups')) ? state.subtree(group) : [group]).map((g) => g.id));
  const archived = boolParam(query.get('archived'));
  let projects = [...state.projects.values()].filter((p) => groupIds.has(p.namespace.id));
  if (archived !== undefined) projects = projects.filter((p) => p.archived === archived);
  const orderBy = query.get('order_by') ?? 'created_at';
  const key2 = (p: ProjectRecord): string | number => (orderBy === 'path' || orderBy === 'name' ? p.pathWithNamespace : p.id);
  projects.sort((a, b) => (key2(a) < key2(b) ? -1 : key2(a) > key2(b) ? 1 : 0));
  if ((query.get('sort') ?? 'desc') === 'desc') projects.reverse();
  return paginate(
    request,
    projects.map((p) => projectView(state, p)),
  );
}

function showProject(request: GlRequest, [rawId]: readonly string[]): GlResponse {
  return json(projectView(request.state, projectOf(request, rawId!)));
}

function tree(request: GlRequest, [rawId]: readonly string[]): GlResponse {
  const project = projectOf(request, rawId!);
  const { query, state } = request;
  const ref = query.get('ref') ?? project.defaultBranch ?? '';
  const commit = state.resolveRef(project, ref);
  if (!commit) throw notFound('Tree');
  const recursive = boolParam(query.get('recursive')) === true;
  const prefix = query.get('path') ? `${query.get('path')!.replace(/\/$/, '')}/` : '';
  const entries = new Map<string, { id: string; name: string; type: 'tree' | 'blob'; path: string; mode: string }>();
  for (const [path, bytes] of commit.files) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length).split('/');
    const depths = recursive ? rest.length : 1;
    for (let depth = 1; depth <= depths; depth++) {
      const full = prefix + rest.slice(0, depth).join('/');
      const isBlob = depth === rest.length;
      entries.set(full, {
        id: isBlob ? blobId(bytes) : blobId(new TextEncoder().encode(`tree:${full}`)),
        name: rest[depth - 1]!,
        type: isBlob ? 'blob' : 'tree',
        path: full,
        mode: isBlob ? '100644' : '040000',
      });
    }
  }
  const items = [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
  const pagination = query.get('pagination') ?? 'legacy';
  if (pagination === 'none') {
    if (!recursive) throw new GlFailure(400, { error: 'pagination cannot be "none" unless "recursive" is true' });
    return json(items);
  }
  if (pagination !== 'keyset') return paginate(request, items);
  // Keyset: an opaque page_token naming the last path served; no x-total.
  const perPage = Math.min(Math.max(Number(query.get('per_page') ?? 20) || 20, 1), 100);
  const token = query.get('page_token');
  const after = token ? Buffer.from(token, 'base64url').toString('utf8') : null;
  const start = after === null ? 0 : items.findIndex((item) => item.path > after);
  const page = start < 0 ? [] : items.slice(start, start + perPage);
  const headers: Record<string, string> = {};
  if (start >= 0 && start + perPage < items.length) {
    const next = new URL(request.url.href);
    next.searchParams.set('id', String(project.id));
    next.searchParams.set('page_token', Buffer.from(page[page.length - 1]!.path, 'utf8').toString('base64url'));
    next.searchParams.sort();
    headers.link = `<${next.href}>; rel="next"`;
  }
  return { status: 200, json: page, headers };
}

/** The git blob id, as GitLab reports it. */
function blobId(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** What Workhorse's content sniffing would call these bytes. */
function sniff(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 512);
  if (PNG.every((byte, i) => head[i] === byte)) return 'image/png';
  for (const byte of head) if (byte === 0 || byte < 0x09 || (byte > 0x0d && byte < 0x20 && byte !== 0x1b)) return 'application/octet-stream';
  return 'text/plain; charset=utf-8';
}

function rawFile(request: GlRequest, [rawId, rawPath]: readonly string[]): GlResponse {
  const project = projectOf(request, rawId!);
  const { state } = request;
  const ref = request.query.get('ref') ?? project.defaultBranch ?? '';
  const commit = state.resolveRef(project, ref);
  if (!commit) throw notFound('Commit');
  const path = decodeURIComponent(rawPath!);
  const bytes = commit.files.get(path);
  if (!bytes) throw notFound('File');
  const name = path.split('/').pop()!;
  return {
    status: 200,
    bytes,
    headers: {
      'content-type': sniff(bytes),
      'content-disposition': `inline; filename="${name}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      'x-gitlab-blob-id': blobId(bytes),
      'x-gitlab-commit-id': commit.id,
      'x-gitlab-file-name': name,
      'x-gitlab-file-path': path,
      'x-gitlab-last-commit-id': state.lastCommitFor(project, commit.id, path) ?? '',
      'x-gitlab-ref': ref,
      'x-gitlab-size': String(bytes.length),
      'x-gitlab-encoding': 'base64',
      'x-gitlab-execute-filemode': 'false',
    },
  };
}

/** `GET /projects/:id/repository/files/:path?ref=`: the file's metadata with its content in base64; `ref` is required. */
function showFile(request: GlRequest, [rawId, rawPath]: readonly string[]): GlResponse {
  const project = projectOf(request, rawId!);
  const { state } = request;
  const ref = request.query.get('ref');
  if (ref === null || ref === '') throw missing('ref');
  const commit = state.resolveRef(project, ref);
  if (!commit) throw notFound('Commit');
  const path = decodeURIComponent(rawPath!);
  const bytes = commit.files.get(path);
  if (!bytes) throw notFound('File');
  return json({
    file_name: path.split('/').pop()!,
    file_path: path,
    size: bytes.length,
    encoding: 'base64',
    content: Buffer.from(bytes).toString('base64'),
    content_sha256: createHash('sha256').update(bytes).digest('hex'),
    ref,
    blob_id: blobId(bytes),
    commit_id: commit.id,
    last_commit_id: state.lastCommitFor(project, commit.id, path) ?? '',
    execute_filemode: false,
  });
}

/** `GET /templates/gitlab_ci_ymls/:name`: one of the instance's CI templates, by the key the list gives. */
function ciTemplate(request: GlRequest, [rawName]: readonly string[]): GlResponse {
  const name = decodeURIComponent(rawName!);
  if (!/^[\w.%+-]+$/.test(name)) throw notFound('gitlab_ci_yml');
  const content = request.state.ciTemplates.get(name);
  if (content === undefined) throw notFound('gitlab_ci_yml');
  return json({ name, content });
}

function showBranch(request: GlRequest, [rawId, rawBranch]: readonly string[]): GlResponse {
  const project = projectOf(request, rawId!);
  const name = decodeURIComponent(rawBranch!);
  if (!project.branches.has(name)) throw notFound('Branch');
  return json(branchView(request.state, project, name));
}

function deleteBranch(request: GlRequest, [rawId, rawBranch]: readonly string[]): GlResponse {
  const project = projectOf(request, rawId!);
  const name = decodeURIComponent(rawBranch!);
  if (!project.branches.has(name)) throw notFound('Branch');
  if (project.protectedBranches.has(name) || project.defaultBranch === name) throw message(403, '403 Forbidden');
  project.branches.delete(name);
  return { status: 204 };
}

function showCommit(request: GlRequest, [rawId, rawSha]: readonly string[]): GlResponse {
  const project = projectOf(request, rawId!);
  const commit = request.state.resolveRef(project, decodeURIComponent(rawSha!));
  if (!commit) throw notFound('Commit');
  return json({ ...commitView(request.state, project, commit), stats: { additions: 0, deletions: 0, total: 0 }, status: null, project_id: project.id, last_pipeline: null });
}

interface Action {
  action: string;
  file_path?: string;
  previous_path?: string;
  content?: string;
  encoding?: string;
  last_commit_id?: string;
}

function createCommit(request: GlRequest, [rawId]: readonly string[]): GlResponse {
  const project = projectOf(request, rawId!);
  const { state } = request;
  const branch = stringField(request, 'branch')!;
  const commitMessage = stringField(request, 'commit_message')!;
  const actions = request.body.actions;
  if (!Array.isArray(actions) || actions.length === 0) throw badRequest('actions is missing');
  const startBranch = stringField(request, 'start_branch', false);
  const startSha = stringField(request, 'start_sha', false);
  const force = boolParam(request.body.force) === true;
  if (startBranch && startSha) throw badRequest("You can't pass both start_branch and start_sha");
  let base: string | undefined;
  if (startSha) {
    if (!/^[0-9a-f]{40}$/.test(startSha)) throw badRequest(`Invalid start_sha '${startSha}'`);
    if (!project.commits.has(startSha)) throw badRequest(`Cannot find start_sha '${startSha}'`);
    base = startSha;
  } else if (startBranch) {
    base = project.branches.get(startBranch);
    if (!base) throw badRequest('You can only create or edit files when you are on a branch');
  }
  const different = (startBranch !== undefined && startBranch !== branch) || startSha !== undefined;
  const existing = project.branches.get(branch);
  if (existing && different && !force) {
    throw badRequest(`A branch called '${branch}' already exists. Switch to that branch in order to make changes`);
  }
  if (!different) base = existing;
  if (!base) throw badRequest('You can only create or edit files when you are on a branch');
  if (project.protectedBranches.has(branch)) throw badRequest('You are not allowed to push into this branch');

  const files = new Map(state.getCommit(project, base).files);
  for (const raw of actions as Action[]) {
    const path = raw.file_path;
    if (!path) throw badRequest('You must provide a file path');
    if (path.split('/').includes('..')) throw badRequest('Path cannot include directory traversal');
    const content = raw.content === undefined ? undefined : raw.encoding === 'base64' ? new Uint8Array(Buffer.from(raw.content, 'base64')) : new TextEncoder().encode(raw.content);
    const checkLast = (target: string): void => {
      if (raw.last_commit_id && state.lastCommitFor(project, base, target) !== raw.last_commit_id) {
        throw badRequest(`You are attempting to update a file that has changed since you started editing it.`);
      }
    };
    switch (raw.action) {
      case 'create':
        if (files.has(path)) throw badRequest('A file with this name already exists');
        files.set(path, content ?? new Uint8Array());
        break;
      case 'update':
        if (!files.has(path)) throw badRequest("A file with this name doesn't exist");
        checkLast(path);
        files.set(path, content ?? new Uint8Array());
        break;
      case 'delete':
        if (!files.has(path)) throw badRequest("A file with this name doesn't exist");
        checkLast(path);
        files.delete(path);
        break;
      case 'move': {
        const from = raw.previous_path ?? '';
        const old = files.get(from);
        if (!old) throw badRequest("A file with this name doesn't exist");
        if (files.has(path)) throw badRequest('A file with this name already exists');
        checkLast(from);
        files.delete(from);
        files.set(path, content ?? old);
        break;
      }
      case 'chmod':
        if (!files.has(path)) throw badRequest("A file with this name doesn't exist");
        break;
      default:
        throw new GlFailure(400, { error: 'actions[action] does not have a valid value' });
    }
  }
  const author = { name: String(request.body.author_name ?? 'archpin'), email: String(request.body.author_email ?? 'archpin@example.com') };
  const sha = state.writeCommit(project, [base], files, commitMessage, author);
  project.branches.set(branch, sha);
  const before = state.getCommit(project, base).files;
  let additions = 0;
  for (const [path, bytes] of files) if (!before.has(path) || !sameBytes(before.get(path)!, bytes)) additions++;
  return json({ ...commitView(state, project, state.getCommit(project, sha)), stats: { additions, deletions: 0, total: additions }, status: null, project_id: project.id, last_pipeline: null }, 201);
}

export const repoRoutes: readonly GlRoute[] = [
  { method: 'GET', pattern: new RegExp(`^/groups/${SEG}/projects$`), handler: groupProjects },
  { method: 'GET', pattern: new RegExp(`^/projects/${SEG}$`), handler: showProject },
  { method: 'GET', pattern: new RegExp(`^/projects/${SEG}/repository/tree$`), handler: tree },
  { method: 'GET', pattern: new RegExp(`^/projects/${SEG}/repository/files/${SEG}/raw$`), handler: rawFile },
  { method: 'GET', pattern: new RegExp(`^/projects/${SEG}/repository/files/${SEG}$`), handler: showFile },
  { method: 'GET', pattern: new RegExp(`^/templates/gitlab_ci_ymls/${SEG}$`), handler: ciTemplate },
  { method: 'GET', pattern: new RegExp(`^/projects/${SEG}/repository/branches/${SEG}$`), handler: showBranch },
  { method: 'DELETE', pattern: new RegExp(`^/projects/${SEG}/repository/branches/${SEG}$`), write: true, handler: deleteBranch },
  { method: 'GET', pattern: new RegExp(`^/projects/${SEG}/repository/commits/${SEG}$`), handler: showCommit },
  { method: 'POST', pattern: new RegExp(`^/projects/${SEG}/repository/commits$`), write: true, handler: createCommit },
];
