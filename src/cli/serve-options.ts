import { DEFAULTS } from '../config/defaults.js';
import type { Config } from '../config/schema.js';
import { parseDuration } from '../core/duration.js';
import { ArchpinError } from '../core/errors.js';
import { parseListenAddress } from '../core/listen-address.js';
import { cronProblem } from '../core/cron-pattern.js';
import { timeZoneProblem } from '../core/time-zone.js';
import { createChainRunner, type ChainRunner } from '../bot/chain-runner.js';
import { isolatedFactsReader } from '../bot/isolated-scanner.js';
import type { ServeOptions } from '../bot/serve.js';
import type { RegistryClient } from '../lookup/registry-client.js';
import type { ParsedArgs } from './args.js';
import type { CliIo } from './io.js';
import type { Logger } from './logger.js';
import { cacheDirectory, lookupSetup, requireRegistryCredentials } from './lookup-deps.js';
import { createTokenCache } from '../lookup/token-cache.js';
import { makeForge } from './make-forge.js';
import { requestLogger } from './request-log.js';
import { registerSecret } from '../core/redact.js';
import type { RateStore } from '../apply/forges/rate-budget.js';
import { memorySweepMemo } from '../bot/sweep-memo.js';
import { fileChainStore, type ChainStore } from '../bot/chain-store.js';
import type { ManifestSource } from '../lookup/manifest-source.js';
import type { FirstSeenStore } from '../lookup/first-seen-store.js';

export type ServeArgs = Pick<ParsedArgs, 'forge' | 'url' | 'groups' | 'projects' | 'owners' | 'repositories' | 'listen' | 'schedule' | 'cacheDir' | 'platforms' | 'dryRun'> &
  Partial<Pick<ParsedArgs, 'logLevel'>>;

/** Everything `startServe` needs, from flags (which win), the config and the environment. */
export async function serveOptions(
  args: ServeArgs,
  config: Config,
  io: CliIo,
  logger: Logger,
  shared: {
    rateStore?: (token: string) => RateStore;
    source?: (source: ManifestSource) => ManifestSource;
    firstSeen?: (local: FirstSeenStore) => Promise<FirstSeenStore>;
    chainStore?: ChainStore;
  } = {},
): Promise<ServeOptions> {
  const stopLookups = new AbortController();
  const serve = config.serve ?? {};
  // The config's own values were checked when it was read; these messages are the same ones, for flags and for configs built in code.
  const listenText = args.listen ?? serve.listen ?? DEFAULTS.serve.listen;
  const listen = parseListenAddress(listenText);
  if (!listen.ok) throw new ArchpinError('usage', `${args.listen === undefined ? 'serve.listen' : '--listen'}: ${listen.message}`);
  if (serve.timezone !== undefined) {
    const problem = timeZoneProblem(serve.timezone);
    if (problem !== null) throw new ArchpinError('usage', `serve.timezone: ${problem}`);
  }
  const schedule = args.schedule ?? serve.schedule ?? DEFAULTS.serve.schedule;
  const scheduleProblem = cronProblem(schedule, serve.timezone);
  if (scheduleProblem !== null) throw new ArchpinError('usage', `${args.schedule === undefined ? 'serve.schedule' : '--schedule'}: "${schedule}" is not a cron pattern: ${scheduleProblem}`);
  for (const [index, { root, cron }] of (config.chain?.schedules ?? []).entries()) {
    const problem = cronProblem(cron, serve.timezone);
    if (problem !== null) throw new ArchpinError('usage', `chain.schedules[${index}] (root ${root}): "${cron}" is not a cron pattern: ${problem}`);
  }
  requireRegistryCredentials(config, io);
  const secretEnv = serve.webhookSecretEnv ?? DEFAULTS.serve.webhookSecretEnv;
  const webhookSecret = io.env[secretEnv] || null;
  registerSecret(webhookSecret);
  if (webhookSecret === null && serve.webhookSecretEnv) throw new ArchpinError('usage', `serve.webhookSecretEnv names ${secretEnv}, which is not set`);
  if (webhookSecret === null) logger.warn(`webhooks are refused: set ${DEFAULTS.serve.webhookSecretEnv} or serve.webhookSecretEnv`);
  const { forge, targets, tokenEnv, token, url } = await makeForge(args, config, io, shared.rateStore);
  const cacheDir = cacheDirectory(args.cacheDir, config, io);
  // One token cache for every session of this serve: a token is asked for once per scope until it expires.
  const tokens = io.tokens ?? createTokenCache();
  // `--log-level debug|trace`: a line per registry request, through serve's own logger.
  const onRequest = requestLogger(args.logLevel, io, logger);
  const logged = onRequest ? { onRequest } : {};
  let chain: ChainRunner | undefined;
  const isolation = {
    memoryMb: serve.isolation?.memoryMb ?? DEFAULTS.serve.isolation.memoryMb,
    timeMs: (serve.isolation?.timeLimit ? parseDuration(serve.isolation.timeLimit) : null) ?? DEFAULTS.serve.isolation.timeLimitMs,
  };
  if (config.chain?.rebuild) {
    // makeForge has refused a GitLab forge without a URL.
    if (forge.type !== 'gitlab' || url === undefined) throw new ArchpinError('usage', 'chain.rebuild needs a GitLab forge (Pipeline Hooks and the pipeline API)');
    const { createGitlabPipelines } = await import('../apply/forges/gitlab-pipelines.js');
    let client: Promise<RegistryClient> | null = null;
    const registry = () => (client ??= lookupSetup(config, io, { cacheDir, platforms: args.platforms, tokens, ...logged }).then((setup) => setup.client));
    chain = createChainRunner({
      config,
      forge,
      targets,
      pipelines: createGitlabPipelines({ url, token, tokenEnv }),
      registry: {
        getManifest: async (image, reference) => (await registry()).getManifest(image, reference),
        getBlob: async (image, digest, options) => (await registry()).getBlob(image, digest, options),
      },
      logger,
      now: io.now,
      dryRun: args.dryRun,
      facts: isolatedFactsReader(isolation),
      // Kept over restarts: in Redis for the distributed bot, else in the cache directory.
      store: shared.chainStore ?? fileChainStore(cacheDir),
    });
  }
  return {
    chain,
    chainSchedules: config.chain?.schedules ?? [],
    config,
    forge,
    targets,
    logger,
    listen: { host: listen.host, port: listen.port },
    schedule,
    timezone: serve.timezone,
    webhookSecret,
    concurrency: serve.concurrency ?? DEFAULTS.serve.concurrency,
    debounceMs: (serve.debounce ? parseDuration(serve.debounce) : null) ?? DEFAULTS.serve.debounceMs,
    sweepOnStart: serve.sweepOnStart ?? DEFAULTS.serve.sweepOnStart,
    isolation,
    dryRun: args.dryRun,
    platforms: args.platforms,
    now: io.now,
    abortLookups: () => stopLookups.abort(),
    memo: memorySweepMemo(),
    openLookup: async () => {
      const setup = await lookupSetup(config, io, { cacheDir, platforms: args.platforms, tokens, signal: stopLookups.signal, ...logged, ...(shared.firstSeen ? { firstSeen: shared.firstSeen } : {}) });
      const { policyFor: _policyFor, source, ...deps } = setup.deps;
      return { deps: { ...deps, source: shared.source ? shared.source(source) : source }, firstSeen: setup.firstSeen, requestCounts: () => setup.client.requestCounts() };
    },
  };
}
