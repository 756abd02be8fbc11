/**
 * When chain children are triggered: whenever an event or a sweep asks (flush), and by a timer at the end
 * of the earliest debounce window or trigger lease this process knows of.
 */
import type { Logger } from 'pino';
import type { Repository } from '../apply/forges/forge.js';
import type { ChainState, StartLease } from '../chain/chain-state.js';
import { reclaimExpiredTriggers, triggerChild, type ChainTriggerDeps } from './chain-triggers.js';

export interface TriggerLoopDeps {
  readonly state: ChainState;
  /** Runs a change of the state on the stored state, under the store's lock. */
  readonly withState: <T>(change: () => Promise<T>) => Promise<T>;
  readonly byPath: () => ReadonlyMap<string, Repository>;
  readonly triggers: ChainTriggerDeps;
  readonly lease: StartLease;
  readonly debounceMs: number;
  readonly logger: Logger;
  /** Runs a task in turn with the events. */
  readonly enqueue: (task: () => Promise<void>) => void;
  readonly writeDashboards: () => Promise<void>;
}

export interface TriggerLoop {
  /** Triggers the children that are ready, schedules the next look, and rewrites the dashboards when it triggered any. */
  readonly flush: () => Promise<void>;
  readonly stop: () => void;
}

export function createTriggerLoop(deps: TriggerLoopDeps): TriggerLoop {
  const { state, withState, logger } = deps;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  /**
   * `lookedAt` is when the last look found children not ready. A child whose debounce window was still open
   * then is looked at again when it closes, even if it closed since: a look and the save after it can take
   * longer than a short window, and asking the state again now would find the child waiting for nothing.
   */
  const schedule = (lookedAt: number): void => {
    if (stopped) return;
    const now = Date.now();
    const waits = [
      ...[...state.due.values()].filter((due) => due.updatedAt + deps.debounceMs > lookedAt).map((due) => due.updatedAt + deps.debounceMs - now),
      // a lease this process knows of: looked at again when it runs out
      ...[...state.starting.values()].map((mark) => mark.until - now),
    ];
    if (waits.length === 0) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(
      () => {
        timer = null;
        deps.enqueue(flush);
      },
      Math.max(Math.min(...waits), 0) + 5,
    );
  };

  /**
   * Triggers the children that are ready. They are taken (marked starting, under a lease) and saved before
   * any trigger goes out, so no other replica takes them; each answer is recorded as it comes. The triggers
   * themselves run outside the store's lock.
   */
  async function triggerReady(): Promise<{ readonly triggered: number; readonly lookedAt: number }> {
    const { ready, lookedAt } = await withState(async () => {
      const now = Date.now();
      await reclaimExpiredTriggers(deps.triggers, state, deps.byPath(), now);
      return { ready: state.takeReady(now, deps.lease), lookedAt: now };
    });
    for (const due of ready) {
      const mark = state.starting.get(due.project);
      if (mark !== undefined && mark.mark === due.mark && Date.now() >= mark.until) {
        // its lease ran out while earlier triggers were sent: it is now whoever reclaims it's
        logger.warn({ project: due.project }, 'chain: the lease of a trigger ran out before it was sent; left to the next event or sweep');
        continue;
      }
      const outcome = await triggerChild(deps.triggers, deps.byPath().get(due.project), due);
      await withState(async () => state.triggered(due, outcome.pipeline, Date.now(), outcome.dryRun, outcome.error));
    }
    return { triggered: ready.length, lookedAt };
  }

  async function flush(): Promise<void> {
    const { triggered, lookedAt } = await triggerReady();
    schedule(lookedAt);
    if (triggered > 0) await deps.writeDashboards();
  }

  return {
    flush,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
