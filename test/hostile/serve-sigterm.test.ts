/**
 * SIGTERM while a registry lookup is stalled (the registry accepts the connection and never answers):
 * the lookup is aborted and `archpin serve` exits 0 well within 10 s, not after the registry timeout
 * and its retries.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitlabDouble, type GitlabDouble } from '../support/gitlab-double.js';
import { until } from '../bot/serve-support.js';
import { launchServe, type ServeProcess } from '../support/serve-process.js';
import { ensureBuilt } from '../support/build.js';

let gitlab: GitlabDouble;
let stalled: Server;
let stalledRequests = 0;
let work: string;
let serve: ServeProcess | null = null;

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
  serve?.child.kill('SIGKILL');
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
    serve = launchServe(['--config', config, '--cache-dir', path.join(work, 'cache')], { cwd: work });
    await until(() => stalledRequests > 0, 'the stalled registry request', 30_000);
    const signalled = Date.now();
    const code = await serve.stop();
    const took = Date.now() - signalled;
    expect(code).toBe(0);
    expect(took).toBeLessThan(10_000);
    expect(serve.stderr()).toContain('"msg":"stopped"');
  }, 60_000);
});
