/**
 * The state of chain rebuilds, without I/O: which parent digests passed the gate, which children are due
 * (waiting out the debounce window and their other parents), which pipelines are in flight, which
 * subtrees are stopped and why. The serve loop feeds it pipeline events and gate verdicts, asks it which
 * children to trigger now, and reports back the pipelines it created.
 */
import { ancestorsOf, descendantsOf } from './build-graph.js';
import type { ChainGraph } from './types.js';

/** Why a project's subtree is not rebuilt. */
export interface StopReason {
  readonly code: 'pipeline-failed' | 'gate-blocked' | 'no-image' | 'registry-error' | 'trigger-failed' | 'cycle';
  readonly message: string;
  /** The pipeline it concerns, when there is one. */
  readonly pipeline?: PipelineRef;
  readonly at: number;
}

export interface PipelineRef {
  readonly id: number;
  readonly url: string;
}

/** One parent image that passed the gate: the digest, the pipeline that pushed it. */
export interface ParentBuild {
  readonly project: string;
  /** `image:tag@digest` for each image checked. */
  readonly images: readonly string[];
  /** A stable key of the digests (`digest,digest`), what "at most once per parent digest" is counted by. */
  readonly digestKey: string;
  readonly pipeline: PipelineRef | null;
}

export interface DueChild {
  readonly project: string;
  readonly parents: ReadonlyMap<string, ParentBuild>;
  /** When the latest parent arrived (the debounce window counts from it). */
  readonly updatedAt: number;
}

export interface TriggerRecord {
  readonly at: number;
  readonly project: string;
  readonly parents: readonly ParentBuild[];
  /** The pipeline created, or null in dry-run or when creating failed. */
  readonly pipeline: PipelineRef | null;
  readonly dryRun: boolean;
  readonly error?: string;
}

export interface ProjectChainStatus {
  lastBuild: ParentBuild | null;
  stopped: StopReason | null;
  /** A pipeline running now on the default branch (ours or anyone's). */
  running: PipelineRef | null;
  /** Whether `running` is a pipeline archpin triggered (counted against the group's budget). */
  runningIsOurs: boolean;
  /** Trigger pending: archpin decided to trigger and has not heard back yet. */
  starting: boolean;
}

export interface ChainOptions {
  readonly debounceMs: number;
  /** Pipelines archpin keeps in flight at once per top-level group. */
  readonly concurrency: number;
}

const groupOf = (path: string): string => path.split('/')[0]!;

export class ChainState {
  readonly due = new Map<string, DueChild>();
  readonly status = new Map<string, ProjectChainStatus>();
  readonly log: TriggerRecord[] = [];
  /** `child\nparent\ndigestKey` for every parent build a child was triggered for. */
  private readonly done = new Set<string>();

  constructor(
    private graph: ChainGraph,
    private readonly options: ChainOptions,
  ) {}

  setGraph(graph: ChainGraph): void {
    this.graph = graph;
    for (const path of this.due.keys()) if (!graph.nodes.some((node) => node.path === path)) this.due.delete(path);
  }

  get currentGraph(): ChainGraph {
    return this.graph;
  }

  of(path: string): ProjectChainStatus {
    let found = this.status.get(path);
    if (!found) {
      found = { lastBuild: null, stopped: null, running: null, runningIsOurs: false, starting: false };
      this.status.set(path, found);
    }
    return found;
  }

  private node(path: string) {
    return this.graph.nodes.find((node) => node.path === path);
  }

  /** A pipeline on the default branch started or is running. */
  pipelineRunning(path: string, pipeline: PipelineRef): void {
    const status = this.of(path);
    if (status.running?.id === pipeline.id) return;
    status.runningIsOurs = status.starting || status.runningIsOurs;
    status.running = pipeline;
  }

  /** A default-branch pipeline failed or was canceled: its subtree stops until a later success. */
  pipelineFailed(path: string, pipeline: PipelineRef, state: string, now: number): void {
    const status = this.finish(path, pipeline);
    status.stopped = { code: 'pipeline-failed', message: `pipeline #${pipeline.id} ${state}`, pipeline, at: now };
  }

  /** A default-branch pipeline succeeded; the caller gates its images next. */
  pipelineSucceeded(path: string, pipeline: PipelineRef): void {
    this.finish(path, pipeline);
  }

  private finish(path: string, pipeline: PipelineRef): ProjectChainStatus {
    const status = this.of(path);
    if (status.running === null || status.running.id === pipeline.id || status.starting) {
      status.running = null;
      status.runningIsOurs = false;
      status.starting = false;
    }
    return status;
  }

  /** The pushed images did not pass the gate (or could not be read): the subtree stops with this reason. */
  stop(path: string, reason: StopReason): void {
    this.of(path).stopped = reason;
  }

  /** The parent's images passed the gate: its direct children become due (once per parent digest). Returns them. */
  parentPassed(build: ParentBuild, now: number): string[] {
    const status = this.of(build.project);
    status.stopped = null;
    status.lastBuild = build;
    const node = this.node(build.project);
    if (!node || node.level === null) return [];
    const marked: string[] = [];
    for (const child of node.children) {
      if (this.node(child)?.level === null) {
        this.of(child).stopped = { code: 'cycle', message: 'in or below an image cycle: never rebuilt by the chain', at: now };
        continue;
      }
      if (this.done.has(`${child}\n${build.project}\n${build.digestKey}`)) continue;
      const before = this.due.get(child);
      const parents = new Map(before?.parents ?? []);
      parents.set(build.project, build);
      this.due.set(child, { project: child, parents, updatedAt: now });
      marked.push(child);
    }
    return marked;
  }

  /** A root started by hand or by schedule: its children become due for its last passed build. */
  startFrom(build: ParentBuild, now: number, force: boolean): string[] {
    if (force) for (const child of this.node(build.project)?.children ?? []) this.done.delete(`${child}\n${build.project}\n${build.digestKey}`);
    return this.parentPassed(build, now);
  }

  private busy(path: string): boolean {
    const status = this.status.get(path);
    return this.due.has(path) || Boolean(status && (status.running || status.starting));
  }

  /** Why a due child cannot be triggered yet, or null when it can. */
  waitingFor(path: string, now: number): string | null {
    const due = this.due.get(path);
    if (!due) return 'not due';
    if (now - due.updatedAt < this.options.debounceMs) return 'debounce';
    for (const ancestor of [...ancestorsOf(this.graph, path)].sort()) {
      if (this.busy(ancestor)) return `${ancestor} is being rebuilt`;
      const stopped = this.status.get(ancestor)?.stopped;
      if (stopped) return `${ancestor} stopped: ${stopped.message}`;
    }
    return null;
  }

  /** Pipelines of archpin's in flight in a top-level group. */
  inFlight(group: string): number {
    let count = 0;
    for (const [path, status] of this.status) if (groupOf(path) === group && (status.starting || (status.running && status.runningIsOurs))) count++;
    return count;
  }

  /** The children to trigger now: due, past the debounce window, no ancestor busy or stopped, within the group budget. Marks them starting. */
  takeReady(now: number): DueChild[] {
    const level = (path: string) => this.node(path)?.level ?? Number.MAX_SAFE_INTEGER;
    const candidates = [...this.due.values()]
      .filter((due) => this.waitingFor(due.project, now) === null && !this.of(due.project).running)
      .sort((a, b) => level(a.project) - level(b.project) || (a.project < b.project ? -1 : 1));
    const taken: DueChild[] = [];
    for (const due of candidates) {
      if (this.inFlight(groupOf(due.project)) >= this.options.concurrency) continue;
      this.due.delete(due.project);
      this.of(due.project).starting = true;
      for (const build of due.parents.values()) this.done.add(`${due.project}\n${build.project}\n${build.digestKey}`);
      taken.push(due);
    }
    return taken;
  }

  /** The trigger went out (or was only logged in dry-run, or failed). */
  triggered(due: DueChild, pipeline: PipelineRef | null, now: number, dryRun: boolean, error?: string): void {
    const status = this.of(due.project);
    this.log.push({ at: now, project: due.project, parents: [...due.parents.values()], pipeline, dryRun, ...(error ? { error } : {}) });
    if (pipeline) {
      status.running = pipeline;
      status.runningIsOurs = true;
      status.starting = false;
    } else {
      status.starting = false;
      if (error) status.stopped = { code: 'trigger-failed', message: error, at: now };
    }
  }

  /** Projects below a stopped project, for the dashboard. */
  stoppedSubtrees(): Array<{ project: string; reason: StopReason; below: string[] }> {
    return [...this.status.entries()]
      .filter(([, status]) => status.stopped !== null)
      .map(([project, status]) => ({ project, reason: status.stopped!, below: [...descendantsOf(this.graph, project)].sort() }))
      .sort((a, b) => (a.project < b.project ? -1 : 1));
  }
}
