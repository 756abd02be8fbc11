/** Starts `archpin serve` in-process against the test doubles, with JSON logs captured. */
import path from 'node:path';
import { startServe, type ServeHandle, type ServeOptions } from '../../src/bot/serve.js';
import type { CliIo } from '../../src/cli/io.js';
import { createLogger } from '../../src/cli/logger.js';
import { serveOptions, type ServeArgs } from '../../src/cli/serve.js';
import type { Config } from '../../src/config/schema.js';

import { WEBHOOK_SECRET } from '../support/serve-process.js';

export { WEBHOOK_SECRET };
export const NOW = Date.parse('2026-11-22T12:00:00Z');

export interface Started {
  readonly handle: ServeHandle;
  readonly logs: string[];
  /** Parsed JSON log records. */
  readonly records: () => Array<Record<string, unknown>>;
}

export async function startTestServe(
  args: Partial<ServeArgs> & Pick<ServeArgs, 'forge' | 'url'>,
  env: Record<string, string>,
  cacheDir: string,
  overrides: Partial<ServeOptions> = {},
  config: Config = {},
  ioOverrides: Partial<CliIo> = {},
): Promise<Started> {
  const logs: string[] = [];
  const io: CliIo = {
    stdout: () => undefined,
    stderr: (text) => logs.push(text),
    env: { HOME: '/nonexistent-home', ARCHPIN_WEBHOOK_SECRET: WEBHOOK_SECRET, ...env },
    cwd: path.dirname(cacheDir),
    now: () => NOW,
    interactive: false,
    ...ioOverrides,
  };
  const logger = createLogger({ level: 'debug', format: 'json', write: (text) => logs.push(text), now: io.now });
  const full: ServeArgs = { groups: [], projects: [], owners: [], repositories: [], listen: '127.0.0.1:0', schedule: undefined, cacheDir, platforms: undefined, dryRun: false, ...args };
  const options = await serveOptions(full, config, io, logger);
  const handle = await startServe({ ...options, schedule: null, sweepOnStart: false, debounceMs: 200, ...overrides });
  return {
    handle,
    logs,
    records: () => logs.flatMap((chunk) => chunk.split('\n').filter(Boolean)).map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/**
 * Polls `probe` until it gives a truthy value. The default bound is generous on purpose: test files run side by side on a loaded machine, and the wait ends as soon as the value is there.
 * The first polls are 25 ms apart, later ones up to 100 ms: a long wait (a few sweeps, a lock to expire) then costs the probe, often a
 * `/metrics` request to a serve process, a quarter as often, and a short one is noticed as soon as before.
 */
export async function until<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (let poll = 1; ; poll++) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(25 * Math.ceil(poll / 10), 100)));
  }
}

export function gitlabPush(project: { id: number; path: string }, ref = 'refs/heads/main'): string {
  return JSON.stringify({
    object_kind: 'push',
    event_name: 'push',
    ref,
    before: '1f0c6b1e9a4d2e7c3b8a5f6d0e9c8b7a6f5e4d3c',
    after: '8d2e4f6a0b1c3d5e7f9a1b3c5d7e9f1a3b5c7d9e',
    user_username: 'mreyes',
    project_id: project.id,
    project: { id: project.id, path_with_namespace: project.path, default_branch: 'main', web_url: `https://gitlab.example.com/${project.path}` },
    commits: [],
    total_commits_count: 0,
  });
}

export function post(url: string, body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
}
