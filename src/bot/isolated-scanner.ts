/**
 * Runs one repository's scanning and change making in a worker thread with a memory ceiling
 * (`resourceLimits`) and a time budget: a repository whose files exhaust either is stopped (the
 * worker is terminated), reported as `repository-over-budget`, and the bot goes on with the others;
 * the main thread keeps answering /healthz meanwhile. Used by `serve`; any mode that runs
 * repositories can pass `isolatedScanner(limits)` as its scanner factory. Chain rebuilds read each
 * project's chain files into facts the same way (`isolatedFactsReader`).
 */
import { Worker } from 'node:worker_threads';
import type { ProjectFacts } from '../chain/types.js';
import { DEFAULTS } from '../config/defaults.js';
import { RepositoryOverBudget } from '../core/errors.js';
import type { FactsReader } from './chain-projects.js';
import type { RepositoryScanner } from './repository-scanner.js';
import type { ScanWorkerRequest } from './scan-worker.js';

export interface IsolationLimits {
  /** Heap ceiling of the worker (V8 old generation), MB. */
  readonly memoryMb: number;
  /** Time the worker may spend on one repository (scan and change making together), ms. */
  readonly timeMs: number;
}

export const DEFAULT_ISOLATION: IsolationLimits = { memoryMb: DEFAULTS.serve.isolation.memoryMb, timeMs: DEFAULTS.serve.isolation.timeLimitMs };

/** From sources (tests run TypeScript), the worker is the built one: `npm test` builds first. */
function workerUrl(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith('.ts') ? new URL('../../dist/bot/scan-worker.js', here) : new URL('./scan-worker.js', here);
}

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };
type Distributive<T> = T extends unknown ? Omit<T, 'id'> : never;

/** Why a worker was stopped, in words that follow "scanning" / "reading the chain files". */
class WorkerStopped extends Error {}

interface WorkerCalls {
  /** Sends one request; rejects with WorkerStopped (and ends the worker) past `timeMs` or the memory ceiling. `spent` gets the time the call took. */
  call<T>(request: Distributive<ScanWorkerRequest>, timeMs: number, spent: (ms: number) => void): Promise<T>;
  close(): void;
}

interface StartedWorker {
  readonly thread: Worker;
  /** Settles when the worker has loaded (loading is not counted against the time budget). */
  readonly ready: Promise<void>;
}

function startWorker(limits: IsolationLimits): StartedWorker {
  const thread = new Worker(workerUrl(), {
    resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb, maxYoungGenerationSizeMb: Math.max(16, Math.floor(limits.memoryMb / 8)), stackSizeMb: 4 },
  });
  thread.unref();
  const ready = new Promise<void>((resolve, reject) => {
    const onReady = (message: { ready?: boolean }) => {
      if (!message.ready) return;
      thread.off('message', onReady);
      thread.off('error', reject);
      resolve();
    };
    thread.on('message', onReady);
    thread.once('error', reject);
  });
  return { thread, ready };
}

/**
 * Started worker threads kept for the next repository. Starting a thread loads the scanner's modules
 * again, which costs far more than scanning most repositories; a pool lets a bot of many repositories
 * pay it once per thread. Only a worker that finished its repository within its limits comes back:
 * one that was stopped is terminated, and the next repository gets a new one. A returned worker drops
 * what it held, and a worker left idle for `idleMs` ends.
 */
export class ScanWorkerPool {
  private readonly idle: Array<{ readonly worker: StartedWorker; readonly timer: NodeJS.Timeout; readonly onExit: () => void }> = [];
  private closed = false;

  constructor(
    readonly limits: IsolationLimits,
    private readonly idleMs = 30_000,
  ) {}

  take(): StartedWorker {
    const kept = this.idle.pop();
    if (!kept) return startWorker(this.limits);
    clearTimeout(kept.timer);
    kept.worker.thread.off('exit', kept.onExit);
    return kept.worker;
  }

  give(worker: StartedWorker): void {
    if (this.closed) {
      void worker.thread.terminate();
      return;
    }
    worker.thread.postMessage({ id: -1, kind: 'forget' } satisfies ScanWorkerRequest);
    const drop = (): void => {
      const at = this.idle.findIndex((entry) => entry.worker === worker);
      if (at >= 0) clearTimeout(this.idle.splice(at, 1)[0]?.timer);
    };
    const timer = setTimeout(() => {
      drop();
      void worker.thread.terminate();
    }, this.idleMs);
    timer.unref();
    worker.thread.once('exit', drop);
    this.idle.push({ worker, timer, onExit: drop });
  }

  /** Threads kept idle now. */
  get idleCount(): number {
    return this.idle.length;
  }

  close(): void {
    this.closed = true;
    for (const entry of this.idle.splice(0)) {
      clearTimeout(entry.timer);
      entry.worker.thread.off('exit', entry.onExit);
      void entry.worker.thread.terminate();
    }
  }
}

/**
 * One worker thread at a time, taken from the pool on first use and again after it was stopped;
 * `close` gives it back, and ends the pool too when these calls are its only user (`ownsPool`).
 */
function workerCalls(pool: ScanWorkerPool, ownsPool = false): WorkerCalls {
  const { limits } = pool;
  let worker: StartedWorker | null = null;
  let next = 0;

  return {
    async call<T>(request: Distributive<ScanWorkerRequest>, timeMs: number, spent: (ms: number) => void): Promise<T> {
      worker ??= pool.take();
      try {
        await worker.ready;
      } catch (error) {
        worker = null;
        throw new WorkerStopped(`could not start: ${(error as Error).message}`);
      }
      const current = worker.thread;
      const id = next++;
      const started = Date.now();
      return new Promise<T>((resolve, reject) => {
        const finish = (): void => {
          clearTimeout(timer);
          current.off('message', onMessage);
          current.off('error', onError);
          current.off('exit', onExit);
          spent(Date.now() - started);
        };
        const fail = (why: string): void => {
          finish();
          if (worker?.thread === current) worker = null;
          void current.terminate();
          reject(new WorkerStopped(why));
        };
        const onMessage = (reply: Reply): void => {
          if (reply.id !== id) return;
          finish();
          if (reply.ok) resolve(reply.value as T);
          else reject(new Error(reply.message));
        };
        const onError = (error: Error & { code?: string }): void => {
          fail(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `used more than the ${limits.memoryMb} MB memory ceiling` : `failed: ${error.message}`);
        };
        const onExit = (code: number): void => fail(`stopped: the worker exited (${code})`);
        const timer = setTimeout(() => fail(`took longer than the ${limits.timeMs / 1000} s budget`), Math.max(0, timeMs));
        current.on('message', onMessage);
        current.on('error', onError);
        current.on('exit', onExit);
        current.postMessage({ ...request, id });
      });
    },
    close() {
      if (worker) pool.give(worker);
      worker = null;
      if (ownsPool) pool.close();
    },
  };
}

/** A repository's scanner in a worker thread taken from `pool` (a pool of its own when none is given). */
export function isolatedScanner(repository: string, limits: IsolationLimits = DEFAULT_ISOLATION, pool?: ScanWorkerPool): RepositoryScanner {
  const calls = pool ? workerCalls(pool) : workerCalls(new ScanWorkerPool(limits), true);
  let used = 0;
  let ended: RepositoryOverBudget | null = null;

  const call = async <T>(request: Distributive<ScanWorkerRequest>): Promise<T> => {
    if (ended) throw ended;
    try {
      return await calls.call<T>(request, limits.timeMs - used, (ms) => (used += ms));
    } catch (error) {
      if (!(error instanceof WorkerStopped)) throw error;
      ended = new RepositoryOverBudget(repository, `scanning ${error.message}`);
      throw ended;
    }
  };

  return {
    scan: (files, problems, outside) =>
      call({
        kind: 'scan',
        files: files.map((file) => ({ path: file.path, bytes: file.bytes })),
        problems,
        ...(outside ? { outside: { files: outside.files.map((file) => ({ path: file.path, bytes: file.bytes })), unread: outside.unread } } : {}),
      }),
    changeFiles: (fileEdits) => call({ kind: 'change', fileEdits }),
    close: () => calls.close(),
  };
}

/**
 * Chain facts (each project's Dockerfiles, CI file and upstream lists) made in a worker thread: one
 * worker for all projects, each project with the whole time budget. A project over a limit gets a
 * `project-over-budget` problem and no facts (it has no edges); the worker is started again for the next.
 */
export function isolatedFactsReader(limits: IsolationLimits = DEFAULT_ISOLATION): FactsReader & { close(): void } {
  const calls = workerCalls(new ScanWorkerPool(limits), true);
  let queue: Promise<unknown> = Promise.resolve();
  const read = async (input: Parameters<FactsReader>[0], registry: string | null): Promise<ProjectFacts> => {
    try {
      return await calls.call<ProjectFacts>({ kind: 'facts', input, registry }, limits.timeMs, () => undefined);
    } catch (error) {
      if (!(error instanceof WorkerStopped)) throw error;
      return {
        path: input.path,
        id: input.id ?? null,
        defaultBranch: input.defaultBranch ?? null,
        uses: [],
        publishes: [],
        upstream: null,
        problems: [{ project: input.path, file: null, line: null, code: 'project-over-budget', message: `reading the chain files ${error.message}; the project is left out of the graph` }],
      };
    }
  };
  // one project at a time in the one worker: a project's budget is its own
  const reader = (input: Parameters<FactsReader>[0], registry: string | null): Promise<ProjectFacts> => {
    const result = queue.then(() => read(input, registry));
    queue = result.catch(() => undefined);
    return result;
  };
  return Object.assign(reader, { close: () => calls.close() });
}
