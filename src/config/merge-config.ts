import type { Config } from './schema.js';

/** Keys whose value is an object merged key by key (the extending file's keys win, recursively). */
const OBJECT_KEYS = new Set(['registries', 'mirrors', 'registryTimeouts', 'forge', 'serve', 'chain']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const before = merged[key];
    merged[key] = isPlainObject(before) && isPlainObject(value) ? deepMerge(before, value) : value;
  }
  return merged;
}

/**
 * A config that `extends` another: `packageRules` are concatenated (the base's first, so the extending file's rules
 * come later and win), objects (`registries`, `mirrors`, `registryTimeouts`, `forge`, `serve`, `chain`) are merged key
 * by key, and every other key (scalars and lists such as `platforms`, `labels`, `ignorePaths`) is replaced. Pure.
 */
export function mergeConfigs(base: Config, over: Config): Config {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (key === 'extends' || key === '$schema') continue;
    const before = merged[key];
    if (key === 'packageRules' && Array.isArray(before) && Array.isArray(value)) merged[key] = [...(before as unknown[]), ...(value as unknown[])];
    else if (OBJECT_KEYS.has(key) && isPlainObject(before) && isPlainObject(value)) merged[key] = deepMerge(before, value);
    else merged[key] = value;
  }
  delete merged.extends;
  return merged;
}
