/** The pipeline API on the real @gitbeaker/rest client against the GitLab double. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitlabPipelines } from '../../../src/apply/forges/gitlab-pipelines.js';
import { isArchpinError } from '../../../src/core/errors.js';
import { GITLAB_TEST_TOKEN, startGitlabDouble, type GitlabDouble } from '../../support/gitlab-double.js';
import { pipelineHook, pipelinesOf } from '../../support/gitlab-double-pipelines.js';

let double: GitlabDouble;

beforeAll(async () => {
  double = await startGitlabDouble();
});

afterAll(async () => {
  await double?.stop();
});

describe('GitLab pipeline API', () => {
  it('creates a pipeline with env_var variables, reads it, and finds the newest successful one on a branch', async () => {
    const project = double.state.addProject('api/app', { files: { Dockerfile: 'FROM scratch\n' } });
    const api = createGitlabPipelines({ url: double.url, token: GITLAB_TEST_TOKEN, tokenEnv: 'GITLAB_TOKEN', sleep: async () => {} });
    const created = await api.createPipeline(String(project.id), 'main', { ARCHPIN_CHAIN_ROOT: 'api/app' });
    expect(created).toEqual({
      id: created.id,
      projectId: String(project.id),
      ref: 'main',
      sha: project.branches.get('main'),
      status: 'created',
      source: 'api',
      webUrl: `${double.url}/api/app/-/pipelines/${created.id}`,
    });
    const sent = double.requests.find((request) => request.method === 'POST' && request.path === `/projects/${project.id}/pipeline`)!;
    expect(sent.body).toEqual({ ref: 'main', variables: [{ key: 'ARCHPIN_CHAIN_ROOT', value: 'api/app', variable_type: 'env_var' }] });
    expect(await api.showPipeline(String(project.id), created.id)).toEqual(created);
    expect(await api.showPipeline(String(project.id), 999_999)).toBeNull();
    expect(await api.latestPipeline(String(project.id), 'main', 'success')).toBeNull();
    pipelinesOf(double.state).finish(created.id, 'success');
    const later = pipelinesOf(double.state).start(project, 'main', 'push');
    pipelinesOf(double.state).finish(later.id, 'failed');
    expect((await api.latestPipeline(String(project.id), 'main', 'success'))?.id).toBe(created.id);
    expect((await api.latestPipeline(String(project.id), 'main'))?.id).toBe(later.id);
    const listed = double.requests.filter((request) => request.path === `/projects/${project.id}/pipelines`).map((request) => request.query);
    expect(listed[0]).toBe('ref=main&status=success&order_by=id&sort=desc&per_page=1');
  });

  it("reports GitLab's 400 for an unknown ref as a forge error", async () => {
    const project = double.state.addProject('api/lib', { files: { Dockerfile: 'FROM scratch\n' } });
    const api = createGitlabPipelines({ url: double.url, token: GITLAB_TEST_TOKEN, tokenEnv: 'GITLAB_TOKEN', sleep: async () => {} });
    const error = await api.createPipeline(String(project.id), 'nope', {}).catch((caught: unknown) => caught);
    expect(isArchpinError(error)).toBe(true);
    expect((error as Error).message).toContain('Reference not found');
  });

  it('builds the Pipeline Hook payload GitLab sends', () => {
    const project = double.state.addProject('api/hook', { files: { Dockerfile: 'FROM scratch\n' } });
    const pipeline = pipelinesOf(double.state).start(project, 'main', 'push');
    pipelinesOf(double.state).finish(pipeline.id, 'success');
    const hook = JSON.parse(pipelineHook(double.state, pipeline));
    expect(hook.object_kind).toBe('pipeline');
    expect(hook.object_attributes).toMatchObject({ id: pipeline.id, ref: 'main', tag: false, status: 'success', detailed_status: 'passed', source: 'push' });
    expect(hook.object_attributes.finished_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    expect(hook.project).toEqual({ id: project.id, name: 'hook', path_with_namespace: 'api/hook', default_branch: 'main', web_url: `${double.url}/api/hook` });
  });
});
