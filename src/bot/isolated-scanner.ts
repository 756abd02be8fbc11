/**
 * Runs one repository's scanning and change making in a worker thread with a memory ceiling
 * (`resourceLimits`) and a time budget: a repository whose files exhaust either is stopped (the
 * worker is terminated), reported as `repository-over-budget`, and the bot goes on with the others;
 * the main thread keeps answering /healthz meanwhile. Used by `serve`; any mode that runs
 * repositories can pass `isolatedScanner(limits)` as its scanner factory.
 */
import { Worker } from 'node:worker_threads';
import { DEFAULTS } from '../config/defaults.js';
import { RepositoryOverBudget } from '../core/errors.js';
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

export function isolatedScanner(repository: string, limits: IsolationLimits = DEFAULT_ISOLATION): RepositoryScanner {
  let worker: { thread: Worker; ready: Promise<void> } | null = null;
  let used = 0;
  let next = 0;
  let ended: RepositoryOverBudget | null = null;

  /** A new worker, and when it has loaded (loading is not counted against the time budget). */
  const start = (): { thread: Worker; ready: Promise<void> } => {
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
  };

  const overBudget = (what: string): RepositoryOverBudget => new RepositoryOverBudget(repository, what);

  const call = async <T>(request: Distributive<ScanWorkerRequest>): Promise<T> => {
    if (ended) throw ended;
    worker ??= start();
    try {
      await worker.ready;
    } catch (error) {
      ended = overBudget(`the scan worker did not start: ${(error as Error).message}`);
      throw ended;
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
        used += Date.now() - started;
      };
      const fail = (error: RepositoryOverBudget): void => {
        finish();
        ended = error;
        worker = null;
        void current.terminate();
        reject(error);
      };
      const onMessage = (reply: Reply): void => {
        if (reply.id !== id) return;
        finish();
        if (reply.ok) resolve(reply.value as T);
        else reject(new Error(reply.message));
      };
      const onError = (error: Error & { code?: string }): void => {
        fail(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? overBudget(`scanning used more than the ${limits.memoryMb} MB memory ceiling`) : overBudget(`the scan worker failed: ${error.message}`));
      };
      const onExit = (code: number): void => fail(overBudget(`the scan worker exited (${code})`));
      const timer = setTimeout(() => fail(overBudget(`scanning took longer than the ${limits.timeMs / 1000} s budget`)), Math.max(0, limits.timeMs - used));
      current.on('message', onMessage);
      current.on('error', onError);
      current.on('exit', onExit);
      current.postMessage({ ...request, id });
    });
  };

  return {
    scan: (files, problems) => call({ kind: 'scan', files: files.map((file) => ({ path: file.path, bytes: file.bytes })), problems }),
    changeFiles: (fileEdits) => call({ kind: 'change', fileEdits }),
    close() {
      if (worker) void worker.thread.terminate();
      worker = null;
    },
  };
}
