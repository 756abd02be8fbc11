import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ArchpinError } from '../core/errors.js';
import { configSchema, type Config } from './schema.js';

export const CONFIG_NAMES = ['archpin.json', '.archpin.json'] as const;

/** Formats zod issues as `path: message` lines a user can act on. */
export function describeIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues
    .map((issue) => `${issue.path.length ? issue.path.map(String).join('.') : '(root)'}: ${issue.message}`)
    .join('\n');
}

export function parseConfig(text: string, source: string): Config {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ArchpinError('config-invalid', `${source}: not valid JSON: ${(error as Error).message}`);
  }
  const result = configSchema.safeParse(json);
  if (!result.success) {
    throw new ArchpinError('config-invalid', `${source}:\n${describeIssues(result.error.issues)}`);
  }
  return result.data;
}

/** Loads `--config FILE`, else `archpin.json` / `.archpin.json` in the directory, else the empty config. */
export async function loadConfig(explicit: string | undefined, directory: string): Promise<{ config: Config; source: string | null }> {
  if (explicit) {
    let text: string;
    try {
      text = await readFile(explicit, 'utf8');
    } catch (error) {
      throw new ArchpinError('config-invalid', `cannot read config ${explicit}: ${(error as Error).message}`);
    }
    return { config: parseConfig(text, explicit), source: explicit };
  }
  for (const name of CONFIG_NAMES) {
    const candidate = path.join(directory, name);
    let text: string;
    try {
      text = await readFile(candidate, 'utf8');
    } catch {
      continue;
    }
    return { config: parseConfig(text, name), source: candidate };
  }
  return { config: {}, source: null };
}
