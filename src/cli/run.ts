import type { Config } from '../config/schema.js';
import type { PlannedChange, UpstreamNote } from '../core/planned.js';
import type { RepositoryOutcome } from '../core/outcome.js';
import { parseShard } from '../bot/shard.js';
import { sweep, type SweepResult } from '../bot/sweep.js';
import { openFileSweepMemo } from '../bot/sweep-memo.js';
import type { ParsedArgs } from './args.js';
import { EXIT_OK, EXIT_PARTIAL, exitForSignal, type CliIo, type ExitCode, type StopSignal } from './io.js';
import { progressReporter } from './progress.js';
import { requestLogger } from './request-log.js';
import { createLogger, logFormatFor } from './logger.js';
import { cacheDirectory, lookupSetup } from './lookup-deps.js';
import { makeForge } from './make-forge.js';
import { heldLines } from './check-report.js';
import { terminalText } from './terminal-text.js';

const DEFAULT_CONCURRENCY = 4;

export async function runRun(args: ParsedArgs, given: Config, io: CliIo): Promise<ExitCode> {
  // Logs go to stderr. Without --log-level, per-repository lines show on a terminal or in CI; elsewhere
  // the stdout report says it all and only warnings and errors are logged.
  const level = args.logLevelGiven ? args.logLevel : io.interactive || io.env.CI ? 'info' : 'warn';
  let config = given;
  // On a terminal, `swept 3/10 repositories · host · 0:07` stays under the log lines.
  const progress = progressReporter(io, 'repositories', 'swept');
  const logger = createLogger({ level, format: logFormatFor(io.env, io.interactive), write: (text) => progress.write(text), now: io.now });
  const shard = parseShard(args.shard, io.env);
  const { forge, targets } = await makeForge(args, config, io);
  const cacheDir = cacheDirectory(args.cacheDir, config, io);
  // SIGINT or SIGTERM: start no other repository, end the lookups in flight, let the forge write in flight finish, and
  // report what was done.
  const stop = new AbortController();
  const stopped: { by: StopSignal | null } = { by: null };
  const stopListening =
    io.onInterrupt?.(
      (signal) => {
        stopped.by ??= signal;
        logger.warn({ signal }, 'stop requested: finishing the write in flight');
        stop.abort();
      },
      ['SIGTERM'],
    ) ?? (() => undefined);
  const onRequest = requestLogger(level, io, logger);
  const setup = await lookupSetup(config, io, {
    cacheDir,
    platforms: args.platforms,
    onRequestStart: (url) => progress.host(url.host),
    ...(onRequest ? { onRequest } : {}),
    signal: stop.signal,
  });
  // Each shard keeps its own memo file: shards of one CI job may share a cache directory.
  const memo = await openFileSweepMemo(cacheDir, shard ? `sweep-memo-${shard.index}-of-${shard.total}.json` : undefined);
  const { policyFor: _policyFor, ...lookup } = setup.deps;
  // Image chains: parents built in the same group are held to the chain's platforms, and MRs name the pipeline that pushed them (when it is proven).
  let upstream: ((change: PlannedChange) => Promise<readonly UpstreamNote[]>) | undefined;
  if (config.chain && forge.type === 'gitlab') {
    const { readChainProjects } = await import('../bot/chain-projects.js');
    const { chainPlatforms, chainUpstream, withChainRule } = await import('../bot/chain-upstream.js');
    const { readChainRecord } = await import('../bot/chain-record.js');
    const { makePipelines } = await import('./chain.js');
    const chain = await readChainProjects(forge, targets, config.chain.registry ?? null);
    const record = await readChainRecord(config, io.env, cacheDir);
    if (record.problem) logger.warn(`chain: serve's chain state cannot be read (${record.problem}); merge requests name an upstream pipeline only from image labels`);
    upstream = chainUpstream(chain.graph, chain.repositories, makePipelines(args, config, io), { record, source: lookup.source, platforms: chainPlatforms(config) });
    config = withChainRule(config, chain.graph);
  }
  let result: SweepResult;
  try {
    result = await sweep(targets, config, {
      upstream,
      forge,
      lookup,
      now: io.now,
      dryRun: args.dryRun,
      platforms: args.platforms,
      shard,
      memo,
      concurrency: args.concurrency ?? DEFAULT_CONCURRENCY,
      shouldStop: () => stop.signal.aborted,
      onProgress: (done, total) => progress.update(done, total),
      onRepository: (outcome) => {
        for (const error of outcome.errors) logger.warn({ repository: outcome.repository, code: error.code }, error.message);
        logger.info({ repository: outcome.repository }, `${outcome.repository}: ${summarise(outcome)}`);
      },
    });
  } finally {
    stopListening();
    progress.done();
  }
  const interrupted = stopped.by === null ? null : { signal: stopped.by, notRun: result.notRun };
  for (const failure of result.failures) logger.error({ repository: failure.repository, code: failure.code }, failure.message);
  logger.info({ repositories: result.repositories.length, failed: result.failures.length, dryRun: args.dryRun }, 'run finished');
  await setup.firstSeen.save().catch((error: unknown) => logger.warn({ err: error }, 'could not save the first-seen cache'));
  await memo.save().catch((error: unknown) => logger.warn({ err: error }, 'could not save the sweep memo'));
  io.stdout(args.format === 'json' ? `${JSON.stringify(runReportJson(result, args.dryRun, interrupted), null, 2)}\n` : renderRunText(result, args.dryRun, interrupted));
  if (interrupted) return exitForSignal(interrupted.signal);
  const failed = result.failures.length > 0 || result.repositories.some((repo) => repo.errors.length > 0 || repo.changes.some((change) => change.action === 'failed'));
  return failed ? EXIT_PARTIAL : EXIT_OK;
}

function summarise(outcome: RepositoryOutcome): string {
  const counts = new Map<string, number>();
  for (const change of outcome.changes) counts.set(change.action, (counts.get(change.action) ?? 0) + 1);
  const parts = [...counts].map(([action, count]) => `${count} ${action}`);
  if (outcome.closed.length) parts.push(`${outcome.closed.length} closed`);
  if (outcome.held.length) parts.push(`${outcome.held.length} held`);
  if (outcome.errors.length) parts.push(`${outcome.errors.length} errors`);
  if (outcome.interrupted === 'lookups') return 'interrupted during its lookups; nothing written';
  if (outcome.interrupted === 'changes') parts.push('interrupted before the rest of its writes');
  return parts.length ? parts.join(', ') : 'nothing to do';
}

/** What a stop (SIGINT, SIGTERM) left undone. */
export interface RunInterrupted {
  readonly signal: StopSignal;
  /** Repositories never started, in the targets' order. */
  readonly notRun: readonly string[];
}

export function runReportJson(result: SweepResult, dryRun: boolean, interrupted: RunInterrupted | null = null) {
  return {
    version: 1,
    dryRun,
    ...(interrupted ? { partial: true, interrupted } : {}),
    repositories: result.repositories.map((repo) => ({
      repository: repo.repository,
      changes: repo.changes,
      closed: repo.closed,
      blocked: repo.held.map((held) => ({
        image: held.image,
        tag: held.tag,
        digest: held.digest || null,
        reason: held.reasons[0]?.code,
        reasons: held.reasons.map((reason) => reason.code),
        message: held.reasons.map((reason) => reason.message).join('; '),
      })),
      errors: [...repo.errors, ...repo.problems.map((problem) => ({ code: problem.code, message: `${problem.file}${problem.line ? `:${problem.line}` : ''}: ${problem.message}` }))],
      reusedScan: repo.reusedScan,
      ...(repo.interrupted ? { interrupted: repo.interrupted } : {}),
    })),
    errors: result.failures,
  };
}

export function renderRunText(result: SweepResult, dryRun: boolean, interrupted: RunInterrupted | null = null): string {
  const lines: string[] = [];
  for (const repo of result.repositories) {
    lines.push(`${repo.repository}: ${summarise(repo)}`);
    for (const change of repo.changes) {
      lines.push(`  ${change.action.padEnd(14)} ${change.title}  (${change.branch})${change.url ? `  ${change.url}` : ''}${change.error ? `  — ${change.error}` : ''}`);
    }
    for (const branch of repo.closed) lines.push(`  ${(dryRun ? 'would-close' : 'closed').padEnd(14)} ${branch}`);
    for (const held of repo.held) lines.push(...heldLines(held, `  ${'held'.padEnd(14)} `));
    for (const error of repo.errors) lines.push(`  ${'error'.padEnd(14)} ${error.code}  ${error.message}`);
  }
  for (const failure of result.failures) lines.push(`${failure.repository}: ${failure.code}  ${failure.message}`);
  lines.push('', `${result.repositories.length} repositories${dryRun ? ' (dry run: nothing written)' : ''}, ${result.failures.length} failed.`);
  if (interrupted) {
    const cut = result.repositories.filter((repo) => repo.interrupted).length;
    const total = result.repositories.length + result.failures.length + interrupted.notRun.length;
    lines.push(
      `Interrupted (${interrupted.signal}): partial report, ${result.repositories.length + result.failures.length - cut} of ${total} repositories run to the end${cut ? `, ${cut} cut short` : ''}.`,
    );
    if (interrupted.notRun.length) lines.push(`Not run: ${interrupted.notRun.map(terminalText).join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}
