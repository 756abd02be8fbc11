/**
 * The `repositories` queue of the distributed bot: one BullMQ job per repository, its key as job id, so a
 * repository waits at most once whoever queues it (a sweep, or a webhook on any replica).
 */
import { randomUUID } from 'node:crypto';
import { Queue, type ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { Repository } from '../apply/forges/forge.js';
import type { EnqueueResult } from './work-queue.js';

export interface RepositoryJobData {
  readonly id: string;
  readonly repository: Repository | null;
  readonly reason: string;
  /** A webhook: run in full even when the activity stamp has not moved (GitLab updates it lazily). */
  readonly force: boolean;
  /** A sweep's scheduler found it moved (the quiet check is done): run in full. */
  readonly checked?: boolean;
  /** The sweep that queued it: its lookups are shared by the jobs of that sweep in this worker. */
  readonly sweep: string | null;
  /** Unique per enqueue: tells whether `add` made this job or found another with the same id. */
  readonly ticket?: string;
}

export interface RepositoryQueue {
  readonly queue: Queue<RepositoryJobData>;
  /** One job per repository: a waiting one absorbs the new request; a finished one makes way for it. */
  enqueue(data: RepositoryJobData, delayMs: number): Promise<EnqueueResult>;
  /**
   * Queues the repositories a sweep found moved, in bulk. A job already waiting or running for a
   * repository absorbs the request (same job id); a failed one keeps its id, so it is removed first.
   */
  enqueueMoved(moved: readonly RepositoryJobData[]): Promise<void>;
}

/** Jobs per addBulk call, and failed jobs read per page. */
const BULK = 500;

export function createRepositoryQueue(
  connection: ConnectionOptions,
  options: { readonly prefix: string; readonly attempts: number; readonly backoffMs: number; readonly keyOf: (id: string) => string },
  logger: Logger,
): RepositoryQueue {
  const repositories = new Queue<RepositoryJobData>('repositories', {
    connection,
    prefix: options.prefix,
    defaultJobOptions: { attempts: options.attempts, backoff: { type: 'exponential', delay: options.backoffMs }, removeOnComplete: true, removeOnFail: false },
  });
  repositories.on('error', (error) => logger.warn({ err: error }, 'queue connection'));
  // BullMQ takes no integer ids (GitLab's are) and no ':' in them.
  const jobIdOf = (id: string) => `repo-${encodeURIComponent(options.keyOf(id))}`;

  return {
    queue: repositories,
    async enqueue(data, delayMs) {
      const jobId = jobIdOf(data.id);
      const existing = await repositories.getJob(jobId);
      if (existing) {
        const state = await existing.getState();
        if (state === 'completed' || state === 'failed' || state === 'unknown') {
          await existing.remove().catch(() => undefined);
        } else {
          if (data.force && !existing.data.force && state !== 'active') await existing.updateData({ ...existing.data, force: true }).catch(() => undefined);
          return state === 'active' ? 'follow-up' : 'duplicate';
        }
      }
      const ticket = randomUUID();
      await repositories.add('repository', { ...data, ticket }, { jobId, ...(delayMs > 0 ? { delay: delayMs } : {}) });
      // `add` answers with the job it was given even when one with that id was already there.
      const stored = await repositories.getJob(jobId);
      return stored?.data.ticket === ticket ? 'queued' : 'duplicate';
    },
    async enqueueMoved(moved) {
      if (moved.length === 0) return;
      const wanted = new Set(moved.map((data) => jobIdOf(data.id)));
      for (let start = 0; ; start += BULK) {
        const failed = await repositories.getJobs(['failed'], start, start + BULK - 1);
        // A job removed between the listing and the read comes back as undefined, though the typings say Job.
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
        for (const job of failed) if (job?.id && wanted.has(job.id)) await job.remove().catch(() => undefined);
        if (failed.length < BULK) break;
      }
      for (let start = 0; start < moved.length; start += BULK) {
        await repositories.addBulk(moved.slice(start, start + BULK).map((data) => ({ name: 'repository', data, opts: { jobId: jobIdOf(data.id) } })));
      }
    },
  };
}
