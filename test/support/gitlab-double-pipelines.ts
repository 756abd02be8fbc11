/**
 * The GitLab double's pipeline API: `POST /projects/:id/pipeline` (API-token pipeline with variables),
 * `GET /projects/:id/pipelines/:pipeline_id`, its `/variables`, `GET /projects/:id/pipelines` (ref, sha
 * and status filters, order_by id, offset pagination), plus what GitLab sends about a pipeline: the Pipeline Hook payload.
 * Tests finish pipelines by hand (`finish`) and deliver the hook themselves; `created` is the trigger log.
 */
import { badRequest, GlFailure, json, paginate, projectOf, type GlRequest, type GlRoute } from './gitlab-double-http.js';
import type { GitlabState, ProjectRecord } from './gitlab-double-state.js';

export type PipelineStatus = 'created' | 'pending' | 'running' | 'success' | 'failed' | 'canceled' | 'skipped' | 'manual';

export interface PipelineRecord {
  readonly id: number;
  readonly iid: number;
  readonly projectId: number;
  readonly projectPath: string;
  readonly ref: string;
  readonly sha: string;
  readonly source: 'api' | 'push' | 'schedule' | 'trigger' | 'web';
  status: PipelineStatus;
  readonly variables: ReadonlyArray<{ key: string; value: string; variable_type: string }>;
  readonly createdAt: string;
  updatedAt: string;
  /** Order of creation across all projects (the trigger log's clock). */
  readonly sequence: number;
}

export interface PipelineStore {
  readonly all: PipelineRecord[];
  /** Pipelines created through the API (what archpin triggered), oldest first. */
  created(): PipelineRecord[];
  /** A pipeline with variables, as `POST /projects/:id/pipeline` creates it (throws GitLab's 400 on an unknown ref). */
  add(project: ProjectRecord, ref: string, source: PipelineRecord['source'], variables: PipelineRecord['variables']): PipelineRecord;
  /** A pipeline as a push or schedule would start it. */
  start(project: ProjectRecord, ref: string, source: PipelineRecord['source']): PipelineRecord;
  /** Sets the final (or any) status. */
  finish(id: number, status: PipelineStatus): PipelineRecord;
  get(id: number): PipelineRecord;
}

const stores = new WeakMap<GitlabState, PipelineStore>();
let nextPipelineId = 7001;
let sequence = 0;

export function pipelinesOf(state: GitlabState): PipelineStore {
  let store = stores.get(state);
  if (store) return store;
  const all: PipelineRecord[] = [];
  const add = (project: ProjectRecord, ref: string, source: PipelineRecord['source'], variables: PipelineRecord['variables']): PipelineRecord => {
    const sha = project.branches.get(ref);
    if (!sha) throw new GlFailure(400, { message: { base: ['Reference not found'] } });
    const at = state.now();
    const record: PipelineRecord = {
      id: nextPipelineId++,
      iid: all.filter((pipeline) => pipeline.projectId === project.id).length + 1,
      projectId: project.id,
      projectPath: project.pathWithNamespace,
      ref,
      sha,
      source,
      status: 'created',
      variables,
      createdAt: at,
      updatedAt: at,
      sequence: ++sequence,
    };
    all.push(record);
    return record;
  };
  store = {
    all,
    add,
    created: () => all.filter((pipeline) => pipeline.source === 'api'),
    start: (project, ref, source) => add(project, ref, source, []),
    get(id) {
      const found = all.find((pipeline) => pipeline.id === id);
      if (!found) throw new Error(`no pipeline ${id}`);
      return found;
    },
    finish(id, status) {
      const found = store!.get(id);
      found.status = status;
      found.updatedAt = state.now();
      return found;
    },
  };
  stores.set(state, store);
  return store;
}

function view(request: GlRequest, pipeline: PipelineRecord): Record<string, unknown> {
  const base = request.state.baseUrl();
  return {
    id: pipeline.id,
    iid: pipeline.iid,
    project_id: pipeline.projectId,
    sha: pipeline.sha,
    ref: pipeline.ref,
    status: pipeline.status,
    source: pipeline.source,
    tag: false,
    before_sha: '0000000000000000000000000000000000000000',
    created_at: pipeline.createdAt,
    updated_at: pipeline.updatedAt,
    web_url: `${base}/${pipeline.projectPath}/-/pipelines/${pipeline.id}`,
    user: { id: 99, username: 'group_12_bot_5c1e0f' },
    detailed_status: { icon: `status_${pipeline.status}`, text: pipeline.status, label: pipeline.status, group: pipeline.status },
  };
}

const PROJECT = '([^/]+)';

export const pipelineRoutes: readonly GlRoute[] = [
  {
    method: 'POST',
    pattern: new RegExp(`^/projects/${PROJECT}/pipeline$`),
    write: true,
    handler(request, [rawId]) {
      const project = projectOf(request, rawId!);
      const ref = request.body.ref;
      if (typeof ref !== 'string' || ref === '') throw new GlFailure(400, { error: 'ref is missing' });
      const raw = request.body.variables;
      if (raw !== undefined && !Array.isArray(raw)) throw badRequest('variables is invalid');
      const variables = ((raw ?? []) as Array<Record<string, unknown>>).map((entry) => ({
        key: String(entry.key),
        value: String(entry.value),
        variable_type: String(entry.variable_type ?? 'env_var'),
      }));
      return json(view(request, pipelinesOf(request.state).add(project, ref, 'api', variables)), 201);
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/projects/${PROJECT}/pipelines/(\\d+)$`),
    handler(request, [rawId, pipelineId]) {
      const project = projectOf(request, rawId!);
      const found = pipelinesOf(request.state).all.find((pipeline) => pipeline.id === Number(pipelineId) && pipeline.projectId === project.id);
      if (!found) throw new GlFailure(404, { message: '404 Not found' });
      return json(view(request, found));
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/projects/${PROJECT}/pipelines/(\\d+)/variables$`),
    handler(request, [rawId, pipelineId]) {
      const project = projectOf(request, rawId!);
      const found = pipelinesOf(request.state).all.find((pipeline) => pipeline.id === Number(pipelineId) && pipeline.projectId === project.id);
      if (!found) throw new GlFailure(404, { message: '404 Not found' });
      return json(found.variables.map(({ key, value, variable_type }) => ({ key, value, variable_type })));
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/projects/${PROJECT}/pipelines$`),
    handler(request, [rawId]) {
      const project = projectOf(request, rawId!);
      const ref = request.query.get('ref');
      // GitLab: `sha` is the pipeline's commit, matched exactly; `status` one pipeline status.
      const sha = request.query.get('sha');
      const status = request.query.get('status');
      const ascending = request.query.get('sort') === 'asc';
      const found = pipelinesOf(request.state)
        .all.filter(
          (pipeline) => pipeline.projectId === project.id && (ref === null || pipeline.ref === ref) && (sha === null || pipeline.sha === sha) && (status === null || pipeline.status === status),
        )
        .sort((a, b) => (ascending ? a.id - b.id : b.id - a.id));
      return paginate(
        request,
        found.map((pipeline) => view(request, pipeline)),
      );
    },
  },
];

/** The Pipeline Hook GitLab posts when a pipeline changes status (timestamps in GitLab's hook format). */
export function pipelineHook(state: GitlabState, pipeline: PipelineRecord): string {
  const project = state.project(pipeline.projectId);
  const hookTime = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
  return JSON.stringify({
    object_kind: 'pipeline',
    object_attributes: {
      id: pipeline.id,
      iid: pipeline.iid,
      ref: pipeline.ref,
      tag: false,
      sha: pipeline.sha,
      before_sha: '0000000000000000000000000000000000000000',
      source: pipeline.source,
      status: pipeline.status,
      detailed_status: pipeline.status === 'success' ? 'passed' : pipeline.status,
      stages: ['build', 'push'],
      created_at: hookTime(pipeline.createdAt),
      finished_at: ['success', 'failed', 'canceled'].includes(pipeline.status) ? hookTime(pipeline.updatedAt) : null,
      duration: 60,
      variables: pipeline.variables.map(({ key, value }) => ({ key, value })),
      url: `${state.baseUrl()}/${pipeline.projectPath}/-/pipelines/${pipeline.id}`,
    },
    merge_request: null,
    user: { id: 99, username: 'group_12_bot_5c1e0f' },
    project: { id: project.id, name: project.name, path_with_namespace: project.pathWithNamespace, default_branch: project.defaultBranch, web_url: `${state.baseUrl()}/${project.pathWithNamespace}` },
    commit: { id: pipeline.sha, message: 'build' },
    builds: [{ id: pipeline.id * 10, stage: 'push', name: 'push', status: pipeline.status }],
  });
}
