/**
 * SIGTERM while a registry lookup is stalled (the registry accepts the connection and never answers):
 * the lookup is aborted and `archpin serve` exits 0 well within 10 s, not after the registry timeout
 * and its retries.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitlabDouble, GITLAB_TEST_TOKEN, type GitlabDouble } from '../support/gitlab-double.js';
import { until, WEBHOOK_SECRET } from '../bot/serve-support.js';
import { ensureBuilt } from '../support/build.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
let gitlab: GitlabDouble;
let stalled: Server;
let stalledRequests = 0;
let work: string;
let child: ChildProcess | null = null;

beforeAll(async () => {
  await ensureBuilt();
  gitlab = await startGitlabDouble();
  stalled = createServer(() => {
    stalledRequests++; // never answered
  });
  await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
  work = mkdtempSync(path.join(os.tmpdir(), 'archpin-sigterm-'));
}, 120_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  stalled?.closeAllConnections();
  await new Promise((resolve) => stalled?.close(resolve));
  await gitlab?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('archpin serve: SIGTERM mid-lookup', () => {
  it('aborts the stalled lookup and exits 0 within 10 s', async () => {
    const host = `127.0.0.1:${(stalled.address() as AddressInfo).port}`;
    gitlab.state.addProject('stall/app', { files: { Dockerfile: `FROM ${host}/library/app:1.0\n` } });
    const config = path.join(work, 'archpin.json');
    writeFileSync(config, JSON.stringify({ forge: { type: 'gitlab', url: gitlab.url, groups: ['stall'] }, serve: { listen: '127.0.0.1:0', concurrency: 1, webhookSecretEnv: 'HOOK_SECRET' } }));
    child = spawn(process.execPath, [path.join(ROOT, 'bin/archpin.js'), 'serve', '--config', config, '--cache-dir', path.join(work, 'cache')], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', HOME: work, GITLAB_TOKEN: GITLAB_TEST_TOKEN, HOOK_SECRET: WEBHOOK_SECRET },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    await until(() => stalledRequests > 0, 'the stalled registry request', 30_000);
    const signalled = Date.now();
    child.kill('SIGTERM');
    const code = await exited;
    const took = Date.now() - signalled;
    expect(code).toBe(0);
    expect(took).toBeLessThan(10_000);
    expect(stderr).toContain('"msg":"stopped"');
  }, 60_000);
});
