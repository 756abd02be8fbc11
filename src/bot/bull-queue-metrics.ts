/** /metrics of a distributed replica: its counters, the queue's depth from Redis, the chain's part. */
import type { Queue } from 'bullmq';
import type { ReplicaStatus } from './bull-jobs.js';
import type { SweepSessions } from './bull-sweep-sessions.js';
import type { ChainRunner } from './chain-runner.js';
import type { Metrics } from './metrics.js';

export interface QueueMetrics {
  /** The metrics text, from the last counts read from Redis. */
  text(): string;
  stop(): void;
}

/** Reads the queue's counts now and every second after (a Redis that is away keeps the last counts; readiness says so). */
export async function queueMetrics(queue: Queue, metrics: Metrics, sessions: SweepSessions, status: Readonly<ReplicaStatus>, chain: ChainRunner | null): Promise<QueueMetrics> {
  let counts: Record<string, number> = {};
  const refreshCounts = async () => {
    try {
      counts = await queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active', 'failed');
    } catch {
      // Redis away: keep the last counts; readiness says so
    }
  };
  await refreshCounts();
  const counter = setInterval(() => void refreshCounts(), 1000);
  return {
    text() {
      const body = metrics.render(
        {
          archpin_queue_depth: (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0),
          archpin_queue_running: counts.active ?? 0,
          archpin_ready: status.forgeReached && status.redisReady && !status.stopping ? 1 : 0,
        },
        sessions.requestCounts(),
      );
      const failed = [
        '# HELP archpin_queue_failed Repository jobs in the failed set: retries used up, not queued again since.',
        '# TYPE archpin_queue_failed gauge',
        `archpin_queue_failed ${counts.failed ?? 0}`,
      ];
      return `${body}${failed.join('\n')}\n${chain?.metricsText() ?? ''}`;
    },
    stop() {
      clearInterval(counter);
    },
  };
}
