/** The GitHub double's pull request, issue, label, comment and GraphQL (auto-merge) routes. */
import { HttpFailure, notFound, ok, paginate, repoOf, requireString, validationFailed, type DoubleRequest, type DoubleResponse, type Route } from './github-double-http.js';
import type { IssueRecord, RepoRecord } from './github-double-state.js';
import { issueJson, labelJson, pullJson } from './github-double-views.js';

const REPO = '/repos/([^/]+)/([^/]+)';

function itemOf(repo: RepoRecord, number: string, kind: 'pull' | 'any'): IssueRecord {
  const item = repo.items.get(Number(number));
  if (!item || (kind === 'pull' && !item.pull)) throw notFound();
  return item;
}

/** Newest first unless `direction=asc`; `sort=updated` orders by update time. */
function sortItems(request: DoubleRequest, items: IssueRecord[]): IssueRecord[] {
  const key = request.query.get('sort') === 'updated' ? 'updatedAt' : 'createdAt';
  const direction = request.query.get('direction') ?? (key === 'createdAt' ? 'desc' : 'desc');
  const sorted = [...items].sort((a, b) => a[key].localeCompare(b[key]) || a.number - b.number);
  return direction === 'asc' ? sorted : sorted.reverse();
}

function stateFilter(request: DoubleRequest): (item: IssueRecord) => boolean {
  const state = request.query.get('state') ?? 'open';
  return (item) => state === 'all' || item.state === state;
}

function listPulls(request: DoubleRequest, repo: RepoRecord): DoubleResponse {
  const head = request.query.get('head');
  const base = request.query.get('base');
  const matchState = stateFilter(request);
  let items = [...repo.items.values()].filter((item) => item.pull && matchState(item));
  // GitHub only applies `head` in the `owner:branch` form.
  if (head && head.includes(':')) {
    const [owner, branch] = [head.slice(0, head.indexOf(':')), head.slice(head.indexOf(':') + 1)];
    items = items.filter((item) => owner.toLowerCase() === repo.owner.login.toLowerCase() && item.pull!.head === branch);
  }
  if (base) items = items.filter((item) => item.pull!.base === base);
  return paginate(
    request,
    sortItems(request, items).map((item) => pullJson(request.urls, repo, item, false)),
  );
}

function createPull(request: DoubleRequest, repo: RepoRecord): DoubleResponse {
  const body = request.body ?? {};
  const title = requireString(body.title, 'PullRequest', 'title');
  const rawHead = requireString(body.head, 'PullRequest', 'head');
  const base = requireString(body.base, 'PullRequest', 'base');
  const head = rawHead.includes(':') ? rawHead.slice(rawHead.indexOf(':') + 1) : rawHead;
  const baseSha = repo.refs.get(`refs/heads/${base}`);
  if (!baseSha) throw validationFailed({ resource: 'PullRequest', field: 'base', code: 'invalid' });
  const headSha = repo.refs.get(`refs/heads/${head}`);
  if (!headSha) throw validationFailed({ resource: 'PullRequest', field: 'head', code: 'invalid' });
  const duplicate = [...repo.items.values()].some((item) => item.pull && item.state === 'open' && item.pull.head === head && item.pull.base === base);
  if (duplicate) {
    throw validationFailed({ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${repo.owner.login}:${head}.` });
  }
  if (repo.git.isAncestor(headSha, baseSha)) {
    throw validationFailed({ resource: 'PullRequest', code: 'custom', message: `No commits between ${base} and ${head}` });
  }
  const item = request.state.addItem(repo, title, typeof body.body === 'string' ? body.body : null, [], {
    nodeId: `PR_kwDO${repo.id}n${repo.nextNumber}`,
    head,
    base,
    mergedAt: null,
    draft: body.draft === true,
    autoMerge: null,
    requestedReviewers: [],
  });
  return ok(pullJson(request.urls, repo, item, true), 201);
}

/** Applies title/body/state (and, for issues, labels) from a PATCH body. */
function patchItem(request: DoubleRequest, repo: RepoRecord, item: IssueRecord): void {
  const body = request.body ?? {};
  if (body.title !== undefined) item.title = requireString(body.title, item.pull ? 'PullRequest' : 'Issue', 'title');
  if (body.body !== undefined) item.body = body.body;
  if (body.state === 'closed' && item.state === 'open') {
    item.state = 'closed';
    item.closedAt = request.state.now();
  } else if (body.state === 'open' && item.state === 'closed') {
    item.state = 'open';
    item.closedAt = null;
  }
  if (Array.isArray(body.labels)) setLabels(request, repo, item, body.labels);
  item.updatedAt = request.state.now();
}

function setLabels(request: DoubleRequest, repo: RepoRecord, item: IssueRecord, labels: unknown[]): void {
  const names = labels.map((label) => (typeof label === 'string' ? label : (label as { name: string }).name));
  item.labels = [...new Set(names.map((name) => request.state.label(repo, name).name))];
}

function labelsBody(request: DoubleRequest): unknown[] {
  const body = request.body;
  if (Array.isArray(body)) return body;
  if (body && Array.isArray(body.labels)) return body.labels;
  throw validationFailed({ resource: 'Label', code: 'missing_field', field: 'labels' });
}

function listIssues(request: DoubleRequest, repo: RepoRecord): DoubleResponse {
  const matchState = stateFilter(request);
  const labels = (request.query.get('labels') ?? '')
    .split(',')
    .map((l) => l.trim().toLowerCase())
    .filter(Boolean);
  const creator = request.query.get('creator');
  const items = [...repo.items.values()].filter(
    (item) => matchState(item) && labels.every((label) => item.labels.some((l) => l.toLowerCase() === label)) && (!creator || creator.toLowerCase() === item.author.toLowerCase()),
  );
  return paginate(
    request,
    sortItems(request, items).map((item) => issueJson(request.urls, repo, item)),
  );
}

function commentJson(request: DoubleRequest, repo: RepoRecord, item: IssueRecord, comment: IssueRecord['comments'][number]) {
  return {
    id: comment.id,
    node_id: `IC_kwDO${comment.id}`,
    body: comment.body,
    user: { login: request.state.botLogin, type: 'Bot' },
    created_at: comment.createdAt,
    updated_at: comment.createdAt,
    issue_url: `${request.urls.api}/repos/${repo.fullName}/issues/${item.number}`,
    html_url: `${request.urls.web}/${repo.fullName}/issues/${item.number}#issuecomment-${comment.id}`,
  };
}

/** Variable or inline string value of `name:` inside a GraphQL input object. */
function graphqlArgument(query: string, variables: Record<string, unknown>, name: string): unknown {
  const input = query.slice(Math.max(query.indexOf('input:'), 0));
  const match = new RegExp(`${name}\\s*:\\s*(?:\\$(\\w+)|"([^"]*)"|([A-Z_]+))`).exec(input);
  if (!match) return undefined;
  return match[1] !== undefined ? variables[match[1]] : (match[2] ?? match[3]);
}

function graphql(request: DoubleRequest): DoubleResponse {
  const query = String(request.body?.query ?? '');
  const variables = (request.body?.variables ?? {}) as Record<string, unknown>;
  if (!/enablePullRequestAutoMerge/.test(query)) {
    return ok({ errors: [{ message: 'The GitHub double only implements enablePullRequestAutoMerge', type: 'UNSUPPORTED' }] });
  }
  const id = graphqlArgument(query, variables, 'pullRequestId');
  const method = String(graphqlArgument(query, variables, 'mergeMethod') ?? 'MERGE') as 'MERGE' | 'SQUASH' | 'REBASE';
  const expected = graphqlArgument(query, variables, 'expectedHeadOid');
  const fail = (type: string, message: string) =>
    ok({ data: { enablePullRequestAutoMerge: null }, errors: [{ type, path: ['enablePullRequestAutoMerge'], locations: [{ line: 1, column: 1 }], message }] });
  for (const repo of request.state.repos.values()) {
    for (const item of repo.items.values()) {
      if (!item.pull || item.nodeId !== id) continue;
      if (!repo.allowAutoMerge) return fail('UNPROCESSABLE', 'Pull request Auto merge is not allowed for this repository');
      if (item.state !== 'open') return fail('UNPROCESSABLE', 'Pull request is not in the correct state to enable auto-merge');
      const headSha = repo.refs.get(`refs/heads/${item.pull.head}`);
      if (typeof expected === 'string' && expected !== headSha) return fail('UNPROCESSABLE', "Head sha didn't match expected head sha");
      item.pull.autoMerge = { mergeMethod: method, enabledAt: request.state.now() };
      return ok({
        data: {
          enablePullRequestAutoMerge: {
            pullRequest: { number: item.number, autoMergeRequest: { enabledAt: item.pull.autoMerge.enabledAt, mergeMethod: method } },
          },
        },
      });
    }
  }
  return fail('NOT_FOUND', `Could not resolve to a node with the global id of '${String(id)}'`);
}

export const pullRoutes: readonly Route[] = [
  { method: 'GET', pattern: new RegExp(`^${REPO}/pulls$`), handler: (r, [o, n]) => listPulls(r, repoOf(r, o!, n!)) },
  { method: 'POST', pattern: new RegExp(`^${REPO}/pulls$`), handler: (r, [o, n]) => createPull(r, repoOf(r, o!, n!)) },
  {
    method: 'GET',
    pattern: new RegExp(`^${REPO}/pulls/(\\d+)$`),
    handler: (r, [o, n, num]) => {
      const repo = repoOf(r, o!, n!);
      return ok(pullJson(r.urls, repo, itemOf(repo, num!, 'pull'), true));
    },
  },
  {
    method: 'PATCH',
    pattern: new RegExp(`^${REPO}/pulls/(\\d+)$`),
    handler: (r, [o, n, num]) => {
      const repo = repoOf(r, o!, n!);
      const item = itemOf(repo, num!, 'pull');
      patchItem({ ...r, body: { ...r.body, labels: undefined } }, repo, item);
      if (typeof r.body?.base === 'string') item.pull!.base = r.body.base;
      return ok(pullJson(r.urls, repo, item, true));
    },
  },
  { method: 'GET', pattern: new RegExp(`^${REPO}/issues$`), handler: (r, [o, n]) => listIssues(r, repoOf(r, o!, n!)) },
  {
    method: 'POST',
    pattern: new RegExp(`^${REPO}/issues$`),
    handler: (r, [o, n]) => {
      const repo = repoOf(r, o!, n!);
      const title = requireString(r.body?.title, 'Issue', 'title');
      const labels = Array.isArray(r.body?.labels) ? (r.body.labels as unknown[]).map(String) : [];
      const item = r.state.addItem(repo, title, typeof r.body?.body === 'string' ? r.body.body : null, labels, undefined);
      return ok(issueJson(r.urls, repo, item), 201);
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^${REPO}/issues/(\\d+)$`),
    handler: (r, [o, n, num]) => {
      const repo = repoOf(r, o!, n!);
      return ok(issueJson(r.urls, repo, itemOf(repo, num!, 'any')));
    },
  },
  {
    method: 'PATCH',
    pattern: new RegExp(`^${REPO}/issues/(\\d+)$`),
    handler: (r, [o, n, num]) => {
      const repo = repoOf(r, o!, n!);
      const item = itemOf(repo, num!, 'any');
      patchItem(r, repo, item);
      return ok(issueJson(r.urls, repo, item));
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^${REPO}/issues/(\\d+)/labels$`),
    handler: (r, [o, n, num]) => {
      const repo = repoOf(r, o!, n!);
      const item = itemOf(repo, num!, 'any');
      return paginate(
        r,
        item.labels.map((name) => labelJson(r.urls, repo, r.state.label(repo, name))),
      );
    },
  },
  ...(['PUT', 'POST'] as const).map((method): Route => ({
    method,
    pattern: new RegExp(`^${REPO}/issues/(\\d+)/labels$`),
    handler: (r, [o, n, num]) => {
      const repo = repoOf(r, o!, n!);
      const item = itemOf(repo, num!, 'any');
      const labels = labelsBody(r);
      setLabels(r, repo, item, method === 'PUT' ? labels : [...item.labels, ...labels]);
      item.updatedAt = r.state.now();
      return ok(item.labels.map((name) => labelJson(r.urls, repo, r.state.label(repo, name))));
    },
  })),
  {
    method: 'GET',
    pattern: new RegExp(`^${REPO}/issues/(\\d+)/comments$`),
    handler: (r, [o, n, num]) => {
      const repo = repoOf(r, o!, n!);
      const item = itemOf(repo, num!, 'any');
      return paginate(
        r,
        item.comments.map((c) => commentJson(r, repo, item, c)),
      );
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^${REPO}/issues/(\\d+)/comments$`),
    handler: (r, [o, n, num]) => {
      const repo = repoOf(r, o!, n!);
      const item = itemOf(repo, num!, 'any');
      const comment = { id: r.state.id(), body: requireString(r.body?.body, 'IssueComment', 'body'), createdAt: r.state.now() };
      item.comments.push(comment);
      item.updatedAt = comment.createdAt;
      return ok(commentJson(r, repo, item, comment), 201);
    },
  },
  {
    // GitHub refuses the whole request when one name is not a collaborator (or is the author); nothing is requested then.
    method: 'POST',
    pattern: new RegExp(`^${REPO}/pulls/(\\d+)/requested_reviewers$`),
    handler: (r, [o, n, num]) => {
      const repo = repoOf(r, o!, n!);
      const item = itemOf(repo, num!, 'pull');
      const reviewers = Array.isArray(r.body?.reviewers) ? (r.body.reviewers as unknown[]).map(String) : [];
      if (reviewers.some((login) => login.toLowerCase() === item.author.toLowerCase())) {
        throw new HttpFailure(422, 'Review cannot be requested from pull request author.', undefined, 'https://docs.github.com/rest/pulls/review-requests#request-reviewers-for-a-pull-request');
      }
      if (reviewers.some((login) => !repo.collaborators.has(login.toLowerCase()))) {
        throw new HttpFailure(
          422,
          `Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ${repo.fullName} repository.`,
          undefined,
          'https://docs.github.com/rest/pulls/review-requests#request-reviewers-for-a-pull-request',
        );
      }
      for (const login of reviewers) if (!item.pull!.requestedReviewers.includes(login)) item.pull!.requestedReviewers.push(login);
      item.updatedAt = r.state.now();
      return ok(pullJson(r.urls, repo, item, false), 201);
    },
  },
  {
    // Only users with access can be assigned; others are silently left out (the answer shows who was).
    method: 'POST',
    pattern: new RegExp(`^${REPO}/issues/(\\d+)/assignees$`),
    handler: (r, [o, n, num]) => {
      const repo = repoOf(r, o!, n!);
      const item = itemOf(repo, num!, 'any');
      const assignees = Array.isArray(r.body?.assignees) ? (r.body.assignees as unknown[]).map(String) : [];
      for (const login of assignees) if (repo.collaborators.has(login.toLowerCase()) && !item.assignees.includes(login) && item.assignees.length < 10) item.assignees.push(login);
      item.updatedAt = r.state.now();
      return ok(issueJson(r.urls, repo, item), 201);
    },
  },
  { method: 'POST', pattern: /^\/graphql$/, handler: (r) => graphql(r) },
];
