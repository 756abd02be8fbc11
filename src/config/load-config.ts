import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ArchpinError } from '../core/errors.js';
import type { Config } from './schema.js';

export const CONFIG_NAMES = ['archpin.json', '.archpin.json'] as const;

/** The validator (and zod with it) loads only when there is a file to validate: a bare `scan` starts faster. */
async function parse(text: string, source: string): Promise<Config> {
  return (await import('./parse-config.js')).parseConfig(text, source);
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
    return { config: await parse(text, explicit), source: explicit };
  }
  for (const name of CONFIG_NAMES) {
    const candidate = path.join(directory, name);
    let text: string;
    try {
      text = await readFile(candidate, 'utf8');
    } catch {
      continue;
    }
    return { config: await parse(text, name), source: candidate };
  }
  return { config: {}, source: null };
}
