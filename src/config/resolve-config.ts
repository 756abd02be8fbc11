import { DEFAULTS } from './defaults.js';
import type { Config } from './schema.js';

/** The settings a run reads, every default filled in (the config as written stays as it is, for hashing and merging). */
export interface ResolvedSettings {
  readonly branchPrefix: string;
  readonly maxFileSize: number;
  readonly ignorePaths: readonly string[];
  readonly prConcurrentLimit: number;
  readonly prHourlyLimit: number;
  readonly dashboard: boolean;
  readonly automerge: boolean;
  readonly labels: readonly string[];
}

/** Fills in every default of the settings a run reads, once. */
export function resolveConfig(config: Config): ResolvedSettings {
  return {
    branchPrefix: config.branchPrefix ?? DEFAULTS.branchPrefix,
    maxFileSize: config.maxFileSize ?? DEFAULTS.maxFileSize,
    ignorePaths: config.ignorePaths ?? DEFAULTS.ignorePaths,
    prConcurrentLimit: config.prConcurrentLimit ?? DEFAULTS.prConcurrentLimit,
    prHourlyLimit: config.prHourlyLimit ?? DEFAULTS.prHourlyLimit,
    dashboard: config.dashboard ?? DEFAULTS.dashboard,
    automerge: config.automerge ?? DEFAULTS.automerge,
    labels: config.labels ?? DEFAULTS.labels,
  };
}
