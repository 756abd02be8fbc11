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
    serve = launchServe(['--config', config, '--cache-dir', path.join(work, 'cache'), '--log-level', 'debug'], { cwd: work });
    await until(() => stalledRequests > 0, 'the stalled registry request', 30_000);
    const signalled = Date.now();
    const code = await serve.stop();
    const took = Date.now() - signalled;
    expect(code).toBe(0);
    expect(took).toBeLessThan(10_000);
    expect(serve.stderr()).toContain('"msg":"stopped"');
    const records = serve
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    // --log-level debug: the stalled request has its line, ended by the stop (no status, the cause).
    const requests = records.filter((record) => record.msg === 'registry request');
    // (Attempts the retry policy makes after the abort end at once, each with its own line.)
    expect(requests.length).toBeGreaterThanOrEqual(1);
    for (const record of requests) expect([record.method, record.url, record.status]).toEqual(['GET', `http://${host}/v2/library/app/manifests/1.0`, null]);
    // What the stop cut short, and what it dropped, in one line.
    const { time: _time, ...stopped } = records.find((record) => record.msg === 'stopped mid-batch: what ran before the stop')!;
    expect(stopped).toEqual({
      level: 30,
      msg: 'stopped mid-batch: what ran before the stop',
      repositories: 1,
      failed: 0,
      opened: 0,
      updated: 0,
      closed: 0,
      held: 0,
      errors: 0,
      interrupted: ['stall/app'],
      notRun: 0,
    });
  }, 60_000);
});
