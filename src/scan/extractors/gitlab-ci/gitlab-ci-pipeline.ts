import type { SourceFile } from '../../../core/source-file.js';
import type { ReferenceKind } from '../../../core/types.js';
import { PipelineView, pipelineModel, type PipelineReach, type JobModel, type NodeText, type PipelineModel } from './gitlab-ci-model.js';
import { definitionKey, resolveImage, type LiteralUse } from './gitlab-ci-resolve.js';

/** The jobs that run one node, and as what (the first use decides). */
export interface Users {
  readonly kind: ReferenceKind;
  readonly jobs: JobModel[];
}

/** One image that a variable's literal is part of: its resolved value and where its node is written. */
export type DefinitionUse = LiteralUse;

/** A pipeline read once for all its files: the model, the view that resolves jobs, who runs each node, and what each variable literal is used for. */
export interface PipelineReading {
  readonly model: PipelineModel;
  readonly view: PipelineView;
  /** For each image and service node, the jobs (not templates) that run it. */
  readonly users: ReadonlyMap<string, Users>;
  /** For each variable literal (`definitionKey`), every image resolved through it, as each job sees it. */
  readonly uses: ReadonlyMap<string, readonly DefinitionUse[]>;
}

export { definitionKey };

function usersOf(view: PipelineView): Map<string, Users> {
  const users = new Map<string, Users>();
  const add = (key: string | null, kind: ReferenceKind, job: JobModel): void => {
    if (key === null) return;
    const known = users.get(key);
    if (!known) users.set(key, { kind, jobs: [job] });
    else if (!known.jobs.includes(job)) known.jobs.push(job);
  };
  for (const job of view.model.jobs.values()) {
    if (job.name.startsWith('.') || view.isTrigger(job)) continue;
    add(view.runImageOf(job), 'gitlab-ci-image', job);
    for (const key of view.runServicesOf(job) ?? []) add(key, 'gitlab-ci-service', job);
  }
  return users;
}

function usesOf(view: PipelineView, users: ReadonlyMap<string, Users>): Map<string, DefinitionUse[]> {
  const uses = new Map<string, DefinitionUse[]>();
  const reach = { files: view.model.files.length, unread: view.model.unread, asked: view.model.asked, notAsked: view.model.notAsked };
  const record = (node: NodeText, job: JobModel | null): void => {
    const resolution = resolveImage(node.text, job ? view.scopeOf(job) : view.model.globals, node.file, reach);
    if (resolution.kind !== 'resolved') return;
    for (const definition of resolution.variables) {
      const key = definitionKey(definition);
      const list = uses.get(key) ?? [];
      if (!list.some((use) => use.value === resolution.value && use.file === node.file && use.line === node.line)) list.push({ value: resolution.value, file: node.file, line: node.line });
      uses.set(key, list);
    }
  };
  // Image and service nodes of jobs and templates, and the defaults; a shared string counts only when a job runs it as an image.
  const owners = new Map<string, JobModel | null>();
  for (const job of view.model.jobs.values()) for (const key of job.images) if (!owners.has(key)) owners.set(key, job);
  for (const key of [view.model.defaults.image, ...(view.model.defaults.services ?? [])]) if (key !== null && !owners.has(key)) owners.set(key, null);
  for (const [key, node] of view.model.texts) {
    const jobs = users.get(key)?.jobs;
    if (jobs && jobs.length > 0) for (const job of jobs) record(node, job);
    else if (owners.has(key)) record(node, owners.get(key) ?? null);
  }
  return uses;
}

/** Reads a pipeline from its files, the root first; `reach` names the files from outside the repository and the includes not read (null: work them out from the files). */
export function readPipeline(members: readonly SourceFile[], reach: PipelineReach): PipelineReading {
  const model = pipelineModel(members, reach);
  const view = new PipelineView(model);
  const users = usersOf(view);
  return { model, view, users, uses: usesOf(view, users) };
}
