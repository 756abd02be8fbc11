import os from 'node:os';
import path from 'node:path';
import { createRunPolicy } from '../config/run-policy.js';
import { DEFAULTS } from '../config/defaults.js';
import type { Config } from '../config/schema.js';
import { createCredentialResolver, type CredentialResolver } from '../lookup/credential-resolver.js';
import type { FindUpdatesDeps } from '../lookup/find-updates.js';
import { openFirstSeenStore, type FirstSeenStore } from '../lookup/first-seen-store.js';
import { timedFetch } from '../lookup/http-fetch.js';
import { politeSource } from '../lookup/polite-source.js';
import { parseDuration } from '../core/duration.js';
import { createRegistryClient, type RegistryClient, type RegistryRequestEvent } from '../lookup/registry-client.js';
import type { TokenCache } from '../lookup/token-cache.js';
import { scaledSleep, type CliIo } from './io.js';
import { credentialVariables, unsetVariableMessage } from '../config/environment-variables.js';
import { ArchpinError } from '../core/errors.js';
import { credentialFileProblems } from './credential-files.js';

export interface LookupSetup {
  readonly client: RegistryClient;
  readonly deps: FindUpdatesDeps;
  readonly firstSeen: FirstSeenStore;
}

/** `--cache-dir`, else config `cacheDir`, else `$XDG_CACHE_HOME/archpin` or `~/.cache/archpin`. */
export function cacheDirectory(flag: string | undefined, config: Config, io: CliIo): string {
  if (flag) return path.resolve(io.cwd, flag);
  if (config.cacheDir) return path.resolve(io.cwd, config.cacheDir);
  const base = io.env.XDG_CACHE_HOME || path.join(io.env.HOME || os.homedir(), '.cache');
  return path.join(base, 'archpin');
}

function credentialsResolver(config: Config, io: CliIo): Promise<CredentialResolver> {
  return createCredentialResolver({
    registries: config.registries ?? {},
    env: io.env,
    dockerConfigDir: io.env.DOCKER_CONFIG || path.join(io.env.HOME || os.homedir(), '.docker'),
    cwd: io.cwd,
    ...(io.waits?.credentialHelperTimeoutMs === undefined ? {} : { helperTimeoutMs: io.waits.credentialHelperTimeoutMs }),
  });
}

/** `fetch` whose requests also end when `stop` aborts (a stalled registry must not hold up a shutdown or an interrupted check). */
function abortableFetch(base: typeof fetch, stop: AbortSignal): typeof fetch {
  return (input, init) => base(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, stop]) : stop });
}

/**
 * `ARCHPIN_REGISTRY_TIMEOUT_MS`: per-request registry timeout in milliseconds (default 15 s, config
 * `registryTimeouts.request`). Not a flag: it exists for tests and for users behind unusually slow registries.
 */
export function registryTimeoutMs(env: CliIo['env']): number | undefined {
  const text = env['ARCHPIN_REGISTRY_TIMEOUT_MS'];
  return text !== undefined && /^\d+$/.test(text) && Number(text) > 0 ? Number(text) : undefined;
}

/**
 * Every variable `registries.<host>` names must be set, and every secret file it names readable and not empty: one
 * that is not is a startup error naming it, not a registry's bare 401 (or an error at the first lookup of that host).
 */
export function requireRegistryCredentials(config: Config, io: Pick<CliIo, 'env' | 'cwd'>): void {
  const anonymously = (host: PropertyKey | undefined) => `remove registries.${JSON.stringify(String(host))} to pull anonymously`;
  const unset = credentialVariables(config).flatMap((use) => {
    const message = unsetVariableMessage(use, io.env);
    return message === null ? [] : [`${message}; set it, or ${anonymously(use.path[1])}`];
  });
  const files = credentialFileProblems(config, io.cwd).map((problem) => `${problem.message}; fix the file, or ${anonymously(problem.path[1])}`);
  if (unset.length + files.length > 0) throw new ArchpinError('config-invalid', [...unset, ...files].join('\n'));
}

export async function lookupSetup(
  config: Config,
  io: CliIo,
  options: {
    cacheDir: string;
    platforms?: readonly string[] | undefined;
    onProgress?: (done: number, total: number) => void;
    /** Each registry request as it leaves (progress) and as it ends (`--log-level debug`). */
    onRequestStart?: (url: URL) => void;
    onRequest?: (event: RegistryRequestEvent) => void;
    /** Aborts every registry request in flight or to come (serve's stop). */
    signal?: AbortSignal;
    /** Wraps the cache directory's first-seen store (the distributed bot shares it through Redis). */
    firstSeen?: (local: FirstSeenStore) => Promise<FirstSeenStore>;
    /** Ask every tag afresh, ignoring remembered tag → digest answers (audit). */
    freshTags?: boolean;
    /** Bearer tokens shared with other lookups of the process (serve's sessions); else io.tokens, else the run's own. */
    tokens?: TokenCache;
  },
): Promise<LookupSetup> {
  requireRegistryCredentials(config, io);
  const registries = config.registries ?? {};
  const timeouts = config.registryTimeouts ?? {};
  const fromConfig = (text: string | undefined): number | undefined => (text === undefined ? undefined : (parseDuration(text) ?? undefined));
  const timeoutMs = registryTimeoutMs(io.env) ?? fromConfig(timeouts.request) ?? DEFAULTS.registryTimeouts.requestMs;
  const connectMs = fromConfig(timeouts.connect) ?? DEFAULTS.registryTimeouts.connectMs;
  const firstByteMs = fromConfig(timeouts.firstByte) ?? DEFAULTS.registryTimeouts.firstByteMs;
  const baseFetch = timedFetch({ connectMs, firstByteMs });
  const sleep = scaledSleep(io.waits);
  const hubApiUrl = registries['docker.io']?.hubApiUrl;
  const kinds = Object.fromEntries(Object.entries(registries).flatMap(([host, entry]) => (entry.kind ? [[host, entry.kind]] : [])));
  const client = createRegistryClient({
    credentials: await credentialsResolver(config, io),
    kinds,
    ...(hubApiUrl === undefined ? {} : { hubApiUrl }),
    ...((options.tokens ?? io.tokens) ? { tokens: options.tokens ?? io.tokens } : {}),
    onWarning: (message) => io.stderr(`archpin: warning: ${message}\n`),
    trustedRealmHosts: Object.fromEntries(Object.entries(registries).map(([host, entry]) => [host, entry.trustedRealmHosts ?? []])),
    mirrors: config.mirrors ?? {},
    insecure: Object.entries(registries)
      .filter(([, entry]) => entry.insecure)
      .map(([host]) => host),
    cacheDir: options.cacheDir,
    now: io.now,
    timeoutMs,
    connectTimeoutMs: connectMs,
    firstByteTimeoutMs: firstByteMs,
    fetch: options.signal ? abortableFetch(baseFetch, options.signal) : baseFetch,
    ...(options.onRequestStart ? { onRequestStart: options.onRequestStart } : {}),
    ...(options.onRequest ? { onRequest: options.onRequest } : {}),
    ...(sleep ? { sleep } : {}),
  });
  const local = await openFirstSeenStore(options.cacheDir);
  const firstSeen = options.firstSeen ? await options.firstSeen(local) : local;
  const tagCacheTtlMs = options.freshTags ? 0 : config.tagCacheTtl === undefined ? DEFAULTS.tagCacheTtlMs : (parseDuration(config.tagCacheTtl) ?? 0);
  const source = politeSource(client, firstSeen, { cacheDir: options.cacheDir, tagCacheTtlMs, now: io.now });
  const policy = createRunPolicy(config, options.platforms);
  const deps: FindUpdatesDeps = {
    source,
    policyFor: (key, tag) => policy.forImage(key, tag),
    firstSeen,
    now: io.now,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    expectRepositories: (images) => client.expectRepositories(images),
  };
  return { client, deps, firstSeen };
}
