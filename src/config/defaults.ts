/**
 * Every default of archpin's configuration, in one place: `resolveConfig` fills them in and the
 * schema's documentation (config.schema.json) quotes them.
 */
import { DEFAULT_MAX_FILE_SIZE, MIB } from '../core/budgets.js';

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
  },
} as const;
