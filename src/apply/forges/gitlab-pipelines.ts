/**
 * GitLab's pipeline API on the real @gitbeaker/rest client, for image-chain rebuilds: create a
 * pipeline on a project's branch (`POST /projects/:id/pipeline`, role Developer, scope api), read one,
 * and find the newest one on a branch. Errors become ArchpinErrors like the rest of the GitLab forge.
 */
import { createGitlabClient } from './gitlab-client.js';
import type { FetchLike, Sleep } from './gitlab-requester.js';

export type PipelineStatus = 'created' | 'waiting_for_resource' | 'preparing' | 'pending' | 'running' | 'success' | 'failed' | 'canceled' | 'skipped' | 'manual' | 'scheduled';

export interface Pipeline {
  readonly id: number;
  readonly projectId: string;
  readonly ref: string;
  readonly sha: string;
  readonly status: PipelineStatus;
  readonly source: string | null;
  readonly webUrl: string;
}

export interface PipelineApi {
  /** Starts a pipeline on `ref` with these CI variables (env_var). */
  createPipeline(projectId: string, ref: string, variables: Readonly<Record<string, string>>): Promise<Pipeline>;
  /** One pipeline, or null when it does not exist. */
  showPipeline(projectId: string, pipelineId: number): Promise<Pipeline | null>;
  /** The newest pipeline on `ref` (optionally with this status), or null. */
  latestPipeline(projectId: string, ref: string, status?: PipelineStatus): Promise<Pipeline | null>;
  /** Successful pipelines of commit `sha` (any ref), newest first (`GET /projects/:id/pipelines?sha=&status=success`). */
  successfulPipelinesOf(projectId: string, sha: string): Promise<Pipeline[]>;
  /**
   * The pipeline on `ref` whose variable `key` is `value`, or null: the newest 20 pipelines on `ref` are
   * listed and their variables read (`GET /projects/:id/pipelines/:id/variables`). No time filter: GitLab's
   * clock is not compared with ours.
   */
  findByVariable(projectId: string, ref: string, key: string, value: string): Promise<Pipeline | null>;
}

export interface GitlabPipelineOptions {
  readonly url: string;
  readonly token: string;
  /** Name of the environment variable the token came from, for error messages (forge.tokenEnv or its default). */
  readonly tokenEnv: string;
  readonly fetch?: FetchLike;
  readonly sleep?: Sleep;
}

interface GlPipeline {
  readonly id: number;
  readonly project_id: number;
  readonly ref: string;
  readonly sha: string;
  readonly status: PipelineStatus;
  readonly source?: string;
  readonly web_url: string;
}

const toPipeline = (pipeline: GlPipeline): Pipeline => ({
  id: pipeline.id,
  projectId: String(pipeline.project_id),
  ref: pipeline.ref,
  sha: pipeline.sha,
  status: pipeline.status,
  source: pipeline.source ?? null,
  webUrl: pipeline.web_url,
});

export function createGitlabPipelines(options: GitlabPipelineOptions): PipelineApi {
  const { api, call, callOrNull } = createGitlabClient({ url: options.url, token: options.token, tokenEnv: options.tokenEnv, fetch: options.fetch, sleep: options.sleep });
  return {
    async createPipeline(projectId, ref, variables) {
      const list = Object.entries(variables).map(([key, value]) => ({ key, value, variableType: 'env_var' as const }));
      return toPipeline(await call<GlPipeline>(`create a pipeline on ${ref} of project ${projectId}`, () => api.Pipelines.create(projectId, ref, { variables: list })));
    },
    async showPipeline(projectId, pipelineId) {
      const found = await callOrNull<GlPipeline>(`read pipeline ${pipelineId} of project ${projectId}`, () => api.Pipelines.show(projectId, pipelineId));
      return found ? toPipeline(found) : null;
    },
    async latestPipeline(projectId, ref, status) {
      const found = await call<GlPipeline[]>(`list pipelines of project ${projectId}`, () =>
        api.Pipelines.all(projectId, { ref, ...(status ? { status } : {}), orderBy: 'id', sort: 'desc', perPage: 1, maxPages: 1 } as never),
      );
      return found[0] ? toPipeline(found[0]) : null;
    },
    async successfulPipelinesOf(projectId, sha) {
      const found = await call<GlPipeline[]>(`list the pipelines of commit ${sha} in project ${projectId}`, () =>
        api.Pipelines.all(projectId, { sha, status: 'success', orderBy: 'id', sort: 'desc', perPage: 20, maxPages: 1 } as never),
      );
      return found.map(toPipeline);
    },
    async findByVariable(projectId, ref, key, value) {
      const found = await call<GlPipeline[]>(`list pipelines of project ${projectId}`, () => api.Pipelines.all(projectId, { ref, orderBy: 'id', sort: 'desc', perPage: 20, maxPages: 1 } as never));
      for (const pipeline of found) {
        const variables = await call<Array<{ key: string; value: string }>>(`read the variables of pipeline ${pipeline.id} of project ${projectId}`, () =>
          api.Pipelines.allVariables(projectId, pipeline.id),
        );
        if (variables.some((variable) => variable.key === key && variable.value === value)) return toPipeline(pipeline);
      }
      return null;
    },
  };
}
