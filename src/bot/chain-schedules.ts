/** Cron ticks in `archpin serve`: the scheduler, and chain.schedules, which start the chain below a root project. */
import { Cron } from 'croner';
import type { Logger } from 'pino';
import { errorFields } from '../core/errors.js';
import type { ChainRunner } from './chain-runner.js';

/** Calls `tick` at the times of a cron pattern until stopped; `next` is the next time, for the log. */
export type Scheduler = (pattern: string, timezone: string | undefined, tick: () => Promise<void>) => { stop(): void; next(): Date | null };

/** croner, protected against overlapping ticks. */
export const cronScheduler: Scheduler = (pattern, timezone, tick) => {
  const cron = new Cron(pattern, { protect: true, ...(timezone ? { timezone } : {}) }, tick);
  return { stop: () => cron.stop(), next: () => cron.nextRun() };
};

/**
 * One scheduled job per chain schedule: each tick starts the chain at its root (a failure is logged). With
 * `claim`, a tick runs only where it is claimed (replicas of the distributed bot tick together).
 */
export function chainScheduleJobs(
  chain: ChainRunner,
  schedules: ReadonlyArray<{ readonly root: string; readonly cron: string }>,
  options: { readonly scheduler: Scheduler; readonly timezone: string | undefined; readonly logger: Logger; readonly claim?: (root: string) => Promise<boolean> },
): Array<{ readonly root: string; readonly job: ReturnType<Scheduler> }> {
  return schedules.map(({ root, cron }) => ({
    root,
    job: options.scheduler(cron, options.timezone, async () => {
      if (options.claim && !(await options.claim(root))) return;
      await chain.triggerRoot(root, 'schedule').catch((error: unknown) => options.logger.error({ root, ...errorFields(error) }, 'chain schedule: cannot start the chain'));
    }),
  }));
}
