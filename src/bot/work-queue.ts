/**
 * A work queue keyed by repository: a key already waiting is not queued twice, a key that is running gets
 * at most one follow-up run, and at most `concurrency` items run at once. An item waits `debounceMs` after it
 * was first queued before it may start, so a burst of webhook deliveries for one repository becomes one run.
 */

/** What `add` did: started a new wait, queued the one follow-up of a running key, or merged into a waiting one. */
export type EnqueueResult = 'queued' | 'follow-up' | 'duplicate' | 'stopped';

export interface WorkQueueOptions<T> {
  readonly concurrency: number;
  readonly debounceMs?: number;
  readonly run: (item: T, key: string) => Promise<void>;
  /** Called when the queue has nothing waiting and nothing running. */
  readonly onIdle?: () => void;
  readonly now?: () => number;
}

export interface WorkQueue<T> {
  /** Queues `item` under `key`; a waiting item of the same key is replaced by this fresher one. */
  add(key: string, item: T): EnqueueResult;
  /** Items waiting (follow-ups of running keys included). */
  readonly depth: number;
  readonly running: number;
  /** Resolves when nothing waits and nothing runs. */
  idle(): Promise<void>;
  /** Accepts nothing more, drops what waits, and resolves once the running items have finished. */
  stop(): Promise<void>;
}

interface Waiting<T> {
  item: T;
  readonly readyAt: number;
}

export function createWorkQueue<T>(options: WorkQueueOptions<T>): WorkQueue<T> {
  const now = options.now ?? Date.now;
  const debounceMs = options.debounceMs ?? 0;
  const concurrency = Math.max(1, options.concurrency);
  const waiting = new Map<string, Waiting<T>>();
  const running = new Map<string, Promise<void>>();
  let idleWaiters: Array<() => void> = [];
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let busy = false;

  const settleIdle = (): void => {
    if (waiting.size > 0 || running.size > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
    if (busy) {
      busy = false;
      options.onIdle?.();
    }
  };

  const start = (key: string, item: T): void => {
    const done = (async () => {
      try {
        await options.run(item, key);
      } catch {
        // `run` reports its own failures; the queue goes on with the other keys.
      }
    })().finally(() => {
      running.delete(key);
      pump();
      settleIdle();
    });
    running.set(key, done);
  };

  function pump(): void {
    if (stopped) return;
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    const at = now();
    let nextReady = Infinity;
    for (const [key, entry] of waiting) {
      if (running.size >= concurrency) break;
      if (running.has(key)) continue;
      if (entry.readyAt > at) {
        nextReady = Math.min(nextReady, entry.readyAt);
        continue;
      }
      waiting.delete(key);
      start(key, entry.item);
    }
    if (nextReady !== Infinity && running.size < concurrency) {
      timer = setTimeout(pump, Math.max(0, nextReady - now()));
    }
  }

  return {
    add(key, item) {
      if (stopped) return 'stopped';
      const existing = waiting.get(key);
      if (existing) {
        existing.item = item;
        return 'duplicate';
      }
      busy = true;
      waiting.set(key, { item, readyAt: now() + debounceMs });
      if (debounceMs > 0) pump();
      else queueMicrotask(pump);
      return running.has(key) ? 'follow-up' : 'queued';
    },
    get depth() {
      return waiting.size;
    },
    get running() {
      return running.size;
    },
    idle() {
      if (waiting.size === 0 && running.size === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      waiting.clear();
      await Promise.all([...running.values()]);
      settleIdle();
    },
  };
}
