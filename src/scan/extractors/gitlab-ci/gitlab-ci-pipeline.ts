import type { SourceFile } from '../../../core/source-file.js';
import type { ReferenceKind } from '../../../core/types.js';
import { PipelineView, pipelineModel, type PipelineReach, type JobModel, type NodeText, type PipelineModel } from './gitlab-ci-model.js';
import { readingsOf, wholeLiteral, type LiteralImage, type Reading } from './gitlab-ci-readings.js';
import { definitionKey, type LiteralUse, type Reach } from './gitlab-ci-resolve.js';

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
  /** Image nodes that jobs on hosted macOS runners take as their VM image (and no other job runs). */
  readonly machineImages: ReadonlySet<string>;
  /** For each variable literal (`definitionKey`), every image resolved through it, as each job sees it. */
  readonly uses: ReadonlyMap<string, readonly DefinitionUse[]>;
  /** For each image and service node that jobs run, what they read it as (each job in each kind of pipeline its rules give). */
  readonly readings: ReadonlyMap<string, readonly Reading[]>;
  /** Variable literals reported where they are written, as whole images of nodes that jobs read differently, by `definitionKey`. */
  readonly literals: ReadonlyMap<string, LiteralImage>;
}

export { definitionKey };

function usersOf(view: PipelineView): { users: Map<string, Users>; machineImages: Set<string> } {
  const users = new Map<string, Users>();
  const machineImages = new Set<string>();
  const add = (key: string | null, kind: ReferenceKind, job: JobModel): void => {
    if (key === null) return;
    const known = users.get(key);
    if (!known) users.set(key, { kind, jobs: [job] });
    else if (!known.jobs.includes(job)) known.jobs.push(job);
  };
  for (const job of view.model.jobs.values()) {
    if (job.name.startsWith('.') || view.isTrigger(job)) continue;
    const image = view.runImageOf(job);
    if (!view.runsOnMacosVm(job)) add(image, 'gitlab-ci-image', job);
    else if (image !== null) machineImages.add(image);
    for (const key of view.runServicesOf(job) ?? []) add(key, 'gitlab-ci-service', job);
  }
  for (const key of users.keys()) machineImages.delete(key);
  return { users, machineImages };
}

function reachOf(view: PipelineView): Reach {
  return { files: view.model.files.length, unread: view.model.unread, asked: view.model.asked, notAsked: view.model.notAsked };
}

/**
 * Every image resolved through each variable literal (`uses`), and the nodes each literal is resolved for.
 * The readings of the nodes that jobs run are kept (`readings`).
 */
function usesOf(view: PipelineView, users: ReadonlyMap<string, Users>): { uses: Map<string, DefinitionUse[]>; nodesOf: Map<string, Set<string>>; readings: Map<string, Reading[]> } {
  const uses = new Map<string, DefinitionUse[]>();
  const nodesOf = new Map<string, Set<string>>();
  const readings = new Map<string, Reading[]>();
  const reach = reachOf(view);
  const record = (key: string, node: NodeText, jobs: readonly (JobModel | null)[]): Reading[] => {
    const found = readingsOf(view, node.text, node.file, jobs, reach);
    for (const { resolution } of found) {
      if (resolution.kind !== 'resolved') continue;
      for (const definition of resolution.variables) {
        const at = definitionKey(definition);
        const list = uses.get(at) ?? [];
        if (!list.some((use) => use.value === resolution.value && use.file === node.file && use.line === node.line)) list.push({ value: resolution.value, file: node.file, line: node.line });
        uses.set(at, list);
        const nodes = nodesOf.get(at) ?? new Set<string>();
        nodes.add(key);
        nodesOf.set(at, nodes);
      }
    }
    return found;
  };
  // Image and service nodes of jobs and templates, and the defaults; a shared string counts only when a job runs it as an image.
  const owners = new Map<string, JobModel | null>();
  for (const job of view.model.jobs.values()) for (const key of job.images) if (!owners.has(key)) owners.set(key, job);
  for (const key of [view.model.defaults.image, ...(view.model.defaults.services ?? [])]) if (key !== null && !owners.has(key)) owners.set(key, null);
  for (const [key, node] of view.model.texts) {
    const jobs = users.get(key)?.jobs;
    if (jobs && jobs.length > 0) readings.set(key, record(key, node, jobs));
    else if (owners.has(key)) record(key, node, [owners.get(key) ?? null]);
  }
  return { uses, nodesOf, readings };
}

/**
 * The literals reported where they are written: a literal that is the whole image of a reading of a node that
 * jobs read differently, in a file of the repository, and used by no other node nor as part of another image
 * (else it is updated, or held, through the image that uses it).
 */
function literalsOf(view: PipelineView, users: ReadonlyMap<string, Users>, found: ReturnType<typeof usesOf>): Map<string, LiteralImage> {
  const literals = new Map<string, LiteralImage>();
  const varied = new Set([...found.readings].filter(([, readings]) => readings.length > 1).map(([key]) => key));
  for (const key of varied) {
    const node = view.model.texts.get(key);
    const kind = users.get(key)?.kind;
    if (!node || !kind) continue;
    for (const reading of found.readings.get(key) ?? []) {
      const definition = wholeLiteral(reading.resolution);
      if (definition === null || view.model.outside.has(definition.file)) continue;
      const at = definitionKey(definition);
      if (![...(found.nodesOf.get(at) ?? [])].every((other) => varied.has(other))) continue;
      if (!(found.uses.get(at) ?? []).every((use) => use.value === definition.text)) continue;
      const known = literals.get(at) ?? { definition, kind, nodes: [], jobs: [] };
      if (!known.nodes.some((other) => other.key === key)) known.nodes.push({ key, ...node });
      for (const job of reading.jobs) if (!known.jobs.includes(job)) known.jobs.push(job);
      literals.set(at, known);
    }
  }
  return literals;
}

/** Reads a pipeline from its files, the root first; `reach` names the files from outside the repository and the includes not read (null: work them out from the files). */
export function readPipeline(members: readonly SourceFile[], reach: PipelineReach): PipelineReading {
  const model = pipelineModel(members, reach);
  const view = new PipelineView(model);
  const { users, machineImages } = usersOf(view);
  const found = usesOf(view, users);
  return { model, view, users, machineImages, uses: found.uses, readings: found.readings, literals: literalsOf(view, users, found) };
}
