/** Merge requests, notes, auto-merge and issues of the GitLab double. */
import { boolParam, GlFailure, json, message, notFound, paginate, projectOf, stringField, type GlRequest, type GlResponse, type GlRoute } from './gitlab-double-http.js';
import { parseLabels, type MergeRequestRecord, type ProjectRecord } from './gitlab-double-state.js';
import { issueView, mergeRequestView, noteView, userView } from './gitlab-double-views.js';

const SEG = '([^/]+)';

function mergeRequestOf(project: ProjectRecord, rawIid: string): MergeRequestRecord {
  const mr = project.mergeRequests.find((m) => m.iid === Number(rawIid));
  if (!mr) throw notFound('Merge Request');
  return mr;
}

function sortByCreation<T extends { createdAt: string; updatedAt: string; iid: number }>(request: GlRequest, items: T[]): T[] {
  const field = request.query.get('order_by') === 'updated_at' ? 'updatedAt' : 'createdAt';
  const sorted = [...items].sort((a, b) => (a[field] < b[field] ? -1 : a[field] > b[field] ? 1 : a.iid - b.iid));
  return (request.query.get('sort') ?? 'desc') === 'desc' ? sorted.reverse() : sorted;
}

function stateFilter<T extends { state: string }>(request: GlRequest, items: T[]): T[] {
  const wanted = request.query.get('state') ?? 'all';
  return wanted === 'all' ? items : items.filter((item) => item.state === wanted);
}

function labelFilter<T extends { labels: string[] }>(request: GlRequest, items: T[]): T[] {
  const wanted = parseLabels(request.query.get('labels') ?? '');
  return items.filter((item) => wanted.every((label) => item.labels.includes(label)));
}

function listMergeRequests(request: GlRequest, [rawId]: readonly string[]): GlResponse {
  const project = projectOf(request, rawId!);
  const { query } = request;
  let items = labelFilter(request, stateFilter(request, project.mergeRequests));
  const source = query.get('source_branch');
  const target = query.get('target_branch');
  if (source !== null) items = items.filter((m) => m.sourceBranch === source);
  if (target !== null) items = items.filter((m) => m.targetBranch === target);
  return paginate(
    request,
    sortByCreation(request, items).map((m) => mergeRequestView(request.state, project, m)),
  );
}

function showMergeRequest(request: GlRequest, [rawId, rawIid]: readonly string[]): GlResponse {
  const project = projectOf(request, rawId!);
  return json(mergeRequestView(request.state, project, mergeRequestOf(project, rawIid!)));
}

function createMergeRequest(request: GlRequest, [rawId]: readonly string[]): GlResponse {
  const project = projectOf(request, rawId!);
  const source = stringField(request, 'source_branch')!;
  const target = stringField(request, 'target_branch')!;
  const title = stringField(request, 'title')!;
  if (source === target) throw message(409, ["You can't use same project/branch for source and target"]);
  if (!project.branches.has(source)) throw message(422, [`Source branch "${source}" does not exist`]);
  if (!project.branches.has(target)) throw message(422, [`Target branch "${target}" does not exist`]);
  const duplicate = project.mergeRequests.find((m) => m.state === 'opened' && m.sourceBranch === source && m.targetBranch === target);
  if (duplicate) throw message(409, [`Another open merge request already exists for this source branch: !${duplicate.iid}`]);
  const mr = request.state.addMergeRequest(project, {
    title,
    description: stringField(request, 'description', false) ?? '',
    sourceBranch: source,
    targetBranch: target,
    labels: parseLabels(request.body.labels),
    squash: boolParam(request.body.squash) ?? false,
    removeSourceBranch: boolParam(request.body.remove_source_branch) ?? false,
    reviewerIds: knownUserIds(request, request.body.reviewer_ids),
    assigneeIds: knownUserIds(request, request.body.assignee_ids),
  });
  return json(mergeRequestView(request.state, project, mr), 201);
}

/** `reviewer_ids` / `assignee_ids`: an array (JSON) or a comma list; ids of no user are dropped, as GitLab does. */
function knownUserIds(request: GlRequest, value: unknown): number[] {
  if (value === undefined || value === null) return [];
  const ids = (Array.isArray(value) ? value : String(value).split(',')).map((id) => Number(id));
  if (ids.some((id) => !Number.isInteger(id) || id < 0)) throw new GlFailure(400, { error: 'reviewer_ids, assignee_ids are invalid' });
  return ids.filter((id) => request.state.users.some((user) => user.id === id));
}

/** `GET /users?username=`: exact, case-insensitive; an unknown name is an empty list (200), not a 404. */
function listUsers(request: GlRequest): GlResponse {
  const username = request.query.get('username');
  const users = username === null ? request.state.users : request.state.users.filter((user) => user.username.toLowerCase() === username.toLowerCase());
  return paginate(
    request,
    users.map((user) => userView(request.state, user.id)),
  );
}

function editMergeRequest(request: GlRequest, [rawId, rawIid]: readonly string[]): GlResponse {
  const project = projectOf(request, rawId!);
  const mr = mergeRequestOf(project, rawIid!);
  const { body, state } = request;
  if (typeof body.title === 'string') mr.title = body.title;
  if (typeof body.description === 'string') mr.description = body.description;
  if (body.labels !== undefined) mr.labels = parseLabels(body.labels);
  if (body.add_labels !== undefined) for (const label of parseLabels(body.add_labels)) if (!mr.labels.includes(label)) mr.labels.push(label);
  if (body.remove_labels !== undefined) mr.labels = mr.labels.filter((label) => !parseLabels(body.remove_labels).includes(label));
  // As GitLab: each list replaces the one the MR has (an empty list, or 0, leaves nobody); ids of no user are dropped.
  if (body.reviewer_ids !== undefined) mr.reviewerIds = knownUserIds(request, body.reviewer_ids);
  if (body.assignee_ids !== undefined) mr.assigneeIds = knownUserIds(request, body.assignee_ids);
  if (typeof body.target_branch === 'string') mr.targetBranch = body.target_branch;
  if (body.state_event === 'close' && mr.state === 'opened') {
    mr.state = 'closed';
    mr.closedAt = state.now();
    mr.mergeWhenPipelineSucceeds = false;
  } else if (body.state_event === 'reopen' && mr.state === 'closed') {
    mr.state = 'opened';
    mr.closedAt = null;
  }
  mr.updatedAt = state.now();
  return json(mergeRequestView(state, project, mr));
}

function createNote(request: GlRequest, [rawId, rawIid]: readonly string[]): GlResponse {
  const project = projectOf(request, rawId!);
  const mr = mergeRequestOf(project, rawIid!);
  const note = request.state.addNote(mr, stringField(request, 'body')!);
  return json(noteView(mr, note), 201);
}

/**
 * `PUT …/merge`: with auto_merge (or the older merge_when_pipeline_succeeds) the MR waits for its
 * pipeline — but, as GitLab does, an MR with no head pipeline yet is merged at once (the known race).
 */
function merge(request: GlRequest, [rawId, rawIid]: readonly string[]): GlResponse {
  const project = projectOf(request, rawId!);
  const mr = mergeRequestOf(project, rawIid!);
  const { body, state } = request;
  if (mr.state !== 'opened') throw message(405, '405 Method Not Allowed');
  const head = project.branches.get(mr.sourceBranch);
  if (!head) throw message(405, '405 Method Not Allowed');
  if (typeof body.sha === 'string' && body.sha !== head) throw message(409, 'SHA does not match HEAD of source branch');
  const automerge = boolParam(body.auto_merge) === true || boolParam(body.merge_when_pipeline_succeeds) === true;
  if (automerge && mr.headPipeline !== null) {
    mr.mergeWhenPipelineSucceeds = true;
  } else {
    const target = project.branches.get(mr.targetBranch)!;
    const files = state.getCommit(project, head).files;
    project.branches.set(mr.targetBranch, state.writeCommit(project, [target, head], files, `Merge branch '${mr.sourceBranch}' into '${mr.targetBranch}'`));
    mr.state = 'merged';
    mr.mergedAt = state.now();
  }
  mr.updatedAt = state.now();
  return json(mergeRequestView(state, project, mr));
}

function listIssues(request: GlRequest, [rawId]: readonly string[]): GlResponse {
  const project = projectOf(request, rawId!);
  let items = labelFilter(request, stateFilter(request, project.issues));
  const search = request.query.get('search');
  if (search !== null) {
    const needle = search.toLowerCase();
    const scopes = (request.query.get('in') ?? 'title,description').split(',');
    items = items.filter((issue) => (scopes.includes('title') && issue.title.toLowerCase().includes(needle)) || (scopes.includes('description') && issue.description.toLowerCase().includes(needle)));
  }
  return paginate(
    request,
    sortByCreation(request, items).map((issue) => issueView(request.state, project, issue)),
  );
}

function createIssue(request: GlRequest, [rawId]: readonly string[]): GlResponse {
  const project = projectOf(request, rawId!);
  const issue = request.state.addIssue(project, {
    title: stringField(request, 'title')!,
    description: stringField(request, 'description', false) ?? '',
    labels: parseLabels(request.body.labels),
  });
  return json(issueView(request.state, project, issue), 201);
}

function editIssue(request: GlRequest, [rawId, rawIid]: readonly string[]): GlResponse {
  const project = projectOf(request, rawId!);
  const issue = project.issues.find((i) => i.iid === Number(rawIid));
  if (!issue) throw notFound('Issue');
  const { body, state } = request;
  if (typeof body.title === 'string') issue.title = body.title;
  if (typeof body.description === 'string') issue.description = body.description;
  if (body.labels !== undefined) issue.labels = parseLabels(body.labels);
  if (body.state_event === 'close') issue.state = 'closed';
  if (body.state_event === 'reopen') issue.state = 'opened';
  issue.updatedAt = state.now();
  return json(issueView(state, project, issue));
}

export const mrRoutes: readonly GlRoute[] = [
  { method: 'GET', pattern: /^\/users$/, handler: listUsers },
  { method: 'GET', pattern: new RegExp(`^/projects/${SEG}/merge_requests$`), handler: listMergeRequests },
  { method: 'POST', pattern: new RegExp(`^/projects/${SEG}/merge_requests$`), write: true, handler: createMergeRequest },
  { method: 'GET', pattern: new RegExp(`^/projects/${SEG}/merge_requests/(\\d+)$`), handler: showMergeRequest },
  { method: 'PUT', pattern: new RegExp(`^/projects/${SEG}/merge_requests/(\\d+)$`), write: true, handler: editMergeRequest },
  { method: 'POST', pattern: new RegExp(`^/projects/${SEG}/merge_requests/(\\d+)/notes$`), write: true, handler: createNote },
  { method: 'PUT', pattern: new RegExp(`^/projects/${SEG}/merge_requests/(\\d+)/merge$`), write: true, handler: merge },
  { method: 'GET', pattern: new RegExp(`^/projects/${SEG}/issues$`), handler: listIssues },
  { method: 'POST', pattern: new RegExp(`^/projects/${SEG}/issues$`), write: true, handler: createIssue },
  { method: 'PUT', pattern: new RegExp(`^/projects/${SEG}/issues/(\\d+)$`), write: true, handler: editIssue },
];
