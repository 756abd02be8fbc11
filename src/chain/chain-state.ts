/**
 * The state of chain rebuilds, without I/O: which parent digests passed the gate, which children are due
 * (waiting out the debounce window and their other parents), which pipelines are in flight, which
 * subtrees are stopped and why. The serve loop feeds it pipeline events and gate verdicts, asks it which
 * children to trigger now, and reports back the pipelines it created.
 */
import { DEFAULTS } from '../config/defaults.js';
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
  /** Set once taken: the ARCHPIN_CHAIN_TRIGGER value of its trigger. */
  readonly mark?: string;
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

/**
 * A trigger taken and not yet answered: the child and the parents it is triggered for, who took it and
 * until when. Past `until` the replica is taken for dead: the forge is asked whether the pipeline went out
 * (the `mark` variable), and the child is adopted or triggered again.
 */
export interface StartMark {
  readonly project: string;
  readonly parents: readonly ParentBuild[];
  /** When its latest parent arrived (kept for the debounce of a retry). */
  readonly updatedAt: number;
  /** The replica that took it (random per process). */
  readonly owner: string;
  /** Unique per trigger: sent as ARCHPIN_CHAIN_TRIGGER, so the forge can tell whether this trigger went out. */
  readonly mark: string;
  readonly since: number;
  readonly until: number;
}

/** Who takes children and for how long the mark holds. */
export interface StartLease {
  readonly owner: string;
  readonly ms: number;
}

export interface ChainOptions {
  readonly debounceMs: number;
  /** Pipelines archpin keeps in flight at once per top-level group. */
  readonly concurrency: number;
}

const groupOf = (path: string): string => {
  const slash = path.indexOf('/');
  return slash === -1 ? path : path.slice(0, slash);
};

/** Parent digests remembered per child and parent (older ones are forgotten: a tag rarely moves back). */
const DONE_PER_EDGE = 10;
/** Trigger records kept (the dashboard shows the latest 20). */
const LOG_KEPT = 100;

/** Everything the chain state holds, as plain JSON: what a restart or another replica picks up. */
export interface ChainSnapshot {
  readonly version: 1;
  readonly due: ReadonlyArray<{ readonly project: string; readonly parents: readonly ParentBuild[]; readonly updatedAt: number }>;
  readonly status: ReadonlyArray<readonly [string, ProjectChainStatus]>;
  readonly log: readonly TriggerRecord[];
  /** `child\nparent` → the parent digest keys the child was triggered for, oldest first. */
  readonly done: ReadonlyArray<readonly [string, readonly string[]]>;
  /** `image:tag` → the last digest of it that passed the gate (the baseline for regressions). */
  readonly passed: ReadonlyArray<readonly [string, string]>;
  /** Triggers taken and not yet answered (absent in states written before leases). */
  readonly starting?: readonly StartMark[];
  /** Image digest → the default-branch pipeline whose success it was gated after (absent in older states). */
  readonly builtBy?: ReadonlyArray<readonly [string, BuiltBy]>;
}

/** The pipeline after whose success a digest was found on its tag and passed the gate. */
export interface BuiltBy {
  readonly project: string;
  /** `image:tag` as gated. */
  readonly image: string;
  readonly pipeline: PipelineRef;
  readonly ref: string | null;
  readonly at: number;
}

/** Digests remembered with their pipeline (for merge requests that name the producing pipeline). */
const BUILT_KEPT = 200;

export class ChainState {
  readonly due = new Map<string, DueChild>();
  readonly status = new Map<string, ProjectChainStatus>();
  readonly log: TriggerRecord[] = [];
  /** `child\nparent` → the parent digest keys the child was triggered for. */
  private readonly done = new Map<string, string[]>();
  /** `image:tag` → the last digest that passed the gate. */
  readonly passed = new Map<string, string>();
  /** Triggers taken and not yet answered, by child. */
  readonly starting = new Map<string, StartMark>();
  /** Digest → the pipeline whose success it was gated after (oldest first). */
  readonly builtBy = new Map<string, BuiltBy>();

  constructor(
    private graph: ChainGraph,
    private readonly options: ChainOptions,
  ) {}

  snapshot(): ChainSnapshot {
    return {
      version: 1,
      due: [...this.due.values()].map((due) => ({ project: due.project, parents: [...due.parents.values()], updatedAt: due.updatedAt })),
      status: [...this.status.entries()].map(([path, status]) => [path, { ...status }] as const),
      log: this.log.slice(-LOG_KEPT),
      done: [...this.done.entries()].map(([key, digests]) => [key, [...digests]] as const),
      passed: [...this.passed.entries()],
      starting: [...this.starting.values()],
      builtBy: [...this.builtBy.entries()],
    };
  }

  /** Replaces what the state holds with a snapshot (the graph stays). */
  restore(snapshot: ChainSnapshot): void {
    this.due.clear();
    for (const due of snapshot.due) this.due.set(due.project, { project: due.project, parents: new Map(due.parents.map((build) => [build.project, build])), updatedAt: due.updatedAt });
    this.status.clear();
    for (const [path, status] of snapshot.status) this.status.set(path, { ...status });
    this.log.splice(0, this.log.length, ...snapshot.log);
    this.done.clear();
    for (const [key, digests] of snapshot.done) this.done.set(key, [...digests]);
    this.passed.clear();
    for (const [image, digest] of snapshot.passed) this.passed.set(image, digest);
    this.starting.clear();
    for (const mark of snapshot.starting ?? []) this.starting.set(mark.project, mark);
    this.builtBy.clear();
    for (const [digest, built] of snapshot.builtBy ?? []) this.builtBy.set(digest, built);
    for (const path of this.due.keys()) if (!this.graph.nodes.some((node) => node.path === path) && this.graph.nodes.length > 0) this.due.delete(path);
  }

  private wasTriggered(child: string, build: ParentBuild): boolean {
    return this.done.get(`${child}\n${build.project}`)?.includes(build.digestKey) ?? false;
  }

  private markTriggered(child: string, build: ParentBuild): void {
    const key = `${child}\n${build.project}`;
    const digests = (this.done.get(key) ?? []).filter((digest) => digest !== build.digestKey);
    digests.push(build.digestKey);
    this.done.set(key, digests.slice(-DONE_PER_EDGE));
  }

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

  /** Remembers which pipeline's success a digest was gated after (`image:tag@digest`). */
  recordBuilt(build: ParentBuild, ref: string | null, now: number): void {
    if (!build.pipeline) return;
    for (const image of build.images) {
      const at = image.lastIndexOf('@');
      const digest = image.slice(at + 1);
      this.builtBy.delete(digest);
      this.builtBy.set(digest, { project: build.project, image: image.slice(0, at), pipeline: build.pipeline, ref, at: now });
    }
    for (const digest of [...this.builtBy.keys()].slice(0, Math.max(0, this.builtBy.size - BUILT_KEPT))) this.builtBy.delete(digest);
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
      if (this.wasTriggered(child, build)) continue;
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
    if (force) {
      for (const child of this.node(build.project)?.children ?? []) {
        const key = `${child}\n${build.project}`;
        this.done.set(
          key,
          (this.done.get(key) ?? []).filter((digest) => digest !== build.digestKey),
        );
      }
    }
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

  /** Marks whose lease has run out: the replica that took them is taken for dead. */
  expiredStarts(now: number): StartMark[] {
    return [...this.starting.values()].filter((mark) => mark.until <= now).sort((a, b) => (a.project < b.project ? -1 : 1));
  }

  /** An expired mark whose pipeline the forge shows: the trigger did go out; it is recorded as archpin's running pipeline. */
  adoptStarted(mark: StartMark, pipeline: PipelineRef, now: number): void {
    this.starting.delete(mark.project);
    const status = this.of(mark.project);
    this.log.push({ at: now, project: mark.project, parents: [...mark.parents], pipeline, dryRun: false });
    if (this.log.length > LOG_KEPT) this.log.splice(0, this.log.length - LOG_KEPT);
    status.running = pipeline;
    status.runningIsOurs = true;
    status.starting = false;
  }

  /** An expired mark whose trigger never reached the forge: the child is due again, for the same parents. */
  requeueStarted(mark: StartMark): void {
    this.starting.delete(mark.project);
    this.of(mark.project).starting = false;
    const before = this.due.get(mark.project);
    const parents = new Map(mark.parents.map((build) => [build.project, build]));
    for (const [project, build] of before?.parents ?? []) parents.set(project, build);
    this.due.set(mark.project, { project: mark.project, parents, updatedAt: Math.max(mark.updatedAt, before?.updatedAt ?? 0) });
  }

  /**
   * The children to trigger now: due, past the debounce window, no ancestor busy or stopped, within the group budget.
   * Marks them starting, under a lease held by `lease.owner` for `lease.ms`.
   */
  takeReady(now: number, lease: StartLease = { owner: 'local', ms: DEFAULTS.chain.triggerLeaseMs }): DueChild[] {
    const level = (path: string) => this.node(path)?.level ?? Number.MAX_SAFE_INTEGER;
    const candidates = [...this.due.values()]
      .filter((due) => this.waitingFor(due.project, now) === null && !this.of(due.project).running && !this.of(due.project).starting)
      .sort((a, b) => level(a.project) - level(b.project) || (a.project < b.project ? -1 : 1));
    const taken: DueChild[] = [];
    for (const due of candidates) {
      if (this.inFlight(groupOf(due.project)) >= this.options.concurrency) continue;
      this.due.delete(due.project);
      this.of(due.project).starting = true;
      for (const build of due.parents.values()) this.markTriggered(due.project, build);
      const mark: StartMark = {
        project: due.project,
        parents: [...due.parents.values()],
        updatedAt: due.updatedAt,
        owner: lease.owner,
        mark: `${lease.owner}:${now}:${due.project}`,
        since: now,
        until: now + lease.ms,
      };
      this.starting.set(due.project, mark);
      taken.push({ ...due, mark: mark.mark });
    }
    return taken;
  }

  /** The trigger went out (or was only logged in dry-run, or failed). */
  triggered(due: DueChild, pipeline: PipelineRef | null, now: number, dryRun: boolean, error?: string): void {
    const status = this.of(due.project);
    if (this.starting.get(due.project)?.mark === due.mark) this.starting.delete(due.project);
    this.log.push({ at: now, project: due.project, parents: [...due.parents.values()], pipeline, dryRun, ...(error ? { error } : {}) });
    if (this.log.length > LOG_KEPT) this.log.splice(0, this.log.length - LOG_KEPT);
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
      .flatMap(([project, { stopped }]) => (stopped === null ? [] : [{ project, reason: stopped, below: [...descendantsOf(this.graph, project)].sort() }]))
      .sort((a, b) => (a.project < b.project ? -1 : 1));
  }
}
