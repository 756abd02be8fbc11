/** What `archpin serve` keeps of finished repository runs: the last ones, metrics, and a log line per run and per drained queue. */
import type { Logger } from 'pino';
import { errorFields } from '../core/errors.js';
import type { RepositoryOutcome } from '../core/outcome.js';
import type { Metrics } from './metrics.js';

const KEPT_OUTCOMES = 100;

export interface OutcomeRecorder {
  /** The last 100 repository runs finished, oldest first. */
  readonly outcomes: readonly RepositoryOutcome[];
  /** A repository run that finished. */
  finished(outcome: RepositoryOutcome): void;
  /** A repository run that failed as a whole (a forge error), named by its path or id. */
  failed(repository: string, error: unknown): void;
  /** The queue has drained: logs what this batch of runs did, and starts a new batch. */
  drained(): void;
  /** Serve is stopping, dropping `notRun` queued runs: the batch is kept for `stopped`, not logged as drained. */
  stopping(notRun: number): void;
  /** Serve stopped: logs what this batch did before the stop, the runs it cut short and the ones dropped. */
  stopped(): void;
}

function emptyBatch() {
  return { repositories: 0, failed: 0, opened: 0, updated: 0, closed: 0, held: 0, errors: 0, interrupted: [] as string[] };
}

export function createOutcomeRecorder(options: { readonly metrics: Metrics; readonly logger: Logger; readonly dryRun: boolean }): OutcomeRecorder {
  const { metrics, logger } = options;
  const outcomes: RepositoryOutcome[] = [];
  let batch = emptyBatch();
  /** Set once serve is stopping: the queued runs it dropped. */
  let dropped: number | null = null;
  return {
    outcomes,
    finished(outcome) {
      outcomes.push(outcome);
      if (outcomes.length > KEPT_OUTCOMES) outcomes.shift();
      metrics.inc('archpin_repositories_processed_total', { result: 'ok' });
      for (const change of outcome.changes) {
        if (change.action === 'opened' || change.action === 'updated' || change.action === 'failed') metrics.inc('archpin_change_requests_total', { action: change.action });
      }
      if (outcome.closed.length && !options.dryRun) metrics.inc('archpin_change_requests_total', { action: 'closed' }, outcome.closed.length);
      for (const held of outcome.held) for (const reason of held.reasons) metrics.inc('archpin_holds_total', { reason: reason.code });
      for (const error of outcome.errors) if ('image' in error) metrics.inc('archpin_registry_errors_total', { code: error.code });
      const count = (action: string) => outcome.changes.filter((change) => change.action === action).length;
      batch.repositories++;
      batch.opened += count('opened');
      batch.updated += count('updated');
      batch.closed += outcome.closed.length;
      batch.held += outcome.held.length;
      batch.errors += outcome.errors.length;
      const fields = {
        repository: outcome.repository,
        opened: count('opened'),
        updated: count('updated'),
        unchanged: count('unchanged'),
        failed: count('failed'),
        closed: outcome.closed.length,
        held: outcome.held.length,
        errors: outcome.errors.length,
        ...(outcome.interrupted ? { interrupted: outcome.interrupted } : {}),
      };
      if (outcome.interrupted) batch.interrupted.push(outcome.repository);
      for (const error of outcome.errors) logger.warn({ repository: outcome.repository, code: error.code }, error.message);
      logger.info(fields, 'repository done');
    },
    failed(repository, error) {
      const { code, message } = errorFields(error);
      if (code === 'repository-over-budget') {
        metrics.inc('archpin_repositories_processed_total', { result: 'over-budget' });
      } else {
        metrics.inc('archpin_repositories_processed_total', { result: 'failed' });
        metrics.inc('archpin_forge_errors_total', { code });
      }
      batch.repositories++;
      batch.failed++;
      logger.error({ repository, code }, message);
    },
    drained() {
      if (dropped !== null) return;
      const { interrupted: _interrupted, ...counts } = batch;
      if (batch.repositories > 0) logger.info(counts, 'queue drained');
      batch = emptyBatch();
    },
    stopping(notRun) {
      dropped = notRun;
    },
    stopped() {
      if (batch.repositories > 0 || (dropped ?? 0) > 0) logger.info({ ...batch, notRun: dropped ?? 0 }, 'stopped mid-batch: what ran before the stop');
      batch = emptyBatch();
    },
  };
}
