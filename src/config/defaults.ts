/**
 * Every default of archpin's configuration, in one place: `resolveConfig` fills them in and the
 * schema's documentation (config.schema.json) quotes them.
 */
import { DEFAULT_MAX_FILE_SIZE, MIB } from '../core/budgets.js';
import { DEFAULT_HUB_API_URL, REGISTRY_TIMEOUTS_MS } from '../core/registry-defaults.js';

/** The file names of a config file, in the order they are looked for (a directory's, a repository's). */
export const CONFIG_FILE_NAMES = ['archpin.json', '.archpin.json'] as const;

/** A config file larger than this is refused, a directory's or a repository's (a real one is a few kilobytes). */
export const MAX_CONFIG_FILE_BYTES = MIB;

/** Whether a repository path is a config file at the top of the repository. */
export const isConfigFileName = (path: string): boolean => CONFIG_FILE_NAMES.some((name) => name === path);

export const DEFAULTS = {
  branchPrefix: 'archpin/',
  maxFileSize: DEFAULT_MAX_FILE_SIZE,
  /** Open archpin change requests at once; 0 = no limit. */
  prConcurrentLimit: 10,
  /** Change requests opened per hour; 0 = no limit. */
  prHourlyLimit: 0,
  dashboard: true,
  automerge: false,
  /** An image's policy before package rules: enabled, majors proposed, digests added, tags compared as Docker's. */
  enabled: true,
  allowMajor: true,
  pinDigests: true,
  /** A literal several images share (a GitLab CI variable that is the tag of each): updated for all of them in one change. */
  sharedLiterals: 'group' as 'group' | 'hold',
  versioning: 'docker',
  /** With minimumReleaseAge and no release time: measure from when the digest was first seen. */
  releaseAgeWithoutTimestamp: 'first-seen',
  labels: [] as readonly string[],
  ignorePaths: [] as readonly string[],
  /** Every repository runs in full at least this often, whatever its activity stamp says. */
  fullCheckInterval: '24 hours',
  fullCheckIntervalMs: 86_400_000,
  serve: {
    schedule: '0 * * * *',
    listen: '0.0.0.0:8080',
    webhookSecretEnv: 'ARCHPIN_WEBHOOK_SECRET',
    concurrency: 2,
    debounce: '5s',
    debounceMs: 5_000,
    sweepOnStart: true,
    /** One repository's scanning and change making, in a worker thread: heap ceiling and time budget. */
    isolation: { memoryMb: 512, timeLimit: '2m', timeLimitMs: 120_000 },
    /** The distributed bot (serve.queue.redisUrl). */
    queue: {
      /** Of every Redis key: the queue's, the shared caches', the chain state's. */
      prefix: 'archpin',
      /** Per repository job: one retry. */
      attempts: 2,
      backoff: '30s',
      backoffMs: 30_000,
      lockDuration: '30s',
      lockDurationMs: 30_000,
      tagCacheTtl: '5m',
      tagCacheTtlMs: 300_000,
      registryConcurrency: 8,
    },
  },
  chain: {
    /** What a parent must offer when neither chain.platforms nor platforms is set. */
    platforms: ['linux/amd64'] as readonly string[],
    concurrency: 4,
    debounce: '30s',
    debounceMs: 30_000,
    /** How long a "starting" mark holds: far longer than one pipeline request with its retries. */
    triggerLease: '10 minutes',
    triggerLeaseMs: 600_000,
  },
  /** How long a tag → digest answer is used again without asking. */
  tagCacheTtl: '5 minutes',
  tagCacheTtlMs: 300_000,
  registryTimeouts: {
    connect: '5s',
    connectMs: REGISTRY_TIMEOUTS_MS.connect,
    firstByte: '10s',
    firstByteMs: REGISTRY_TIMEOUTS_MS.firstByte,
    request: '15s',
    requestMs: REGISTRY_TIMEOUTS_MS.request,
  },
  hubApiUrl: DEFAULT_HUB_API_URL,
  /** The environment variable holding the forge token, when forge.tokenEnv is not set. */
  forgeTokenEnv: { gitlab: 'GITLAB_TOKEN', github: 'GITHUB_TOKEN' },
  /** GitHub's API, when forge.url is not set (GitLab has no default: it needs a URL). */
  githubApiUrl: 'https://api.github.com',
} as const;
