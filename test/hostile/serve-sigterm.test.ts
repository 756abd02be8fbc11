/**
 * SIGTERM while a registry lookup is stalled (the registry accepts the connection and never answers):
 * the lookup is aborted and `archpin serve` exits 0 well within 10 s, not after the registry timeout
 * and its retries. The test decides what waits behind the stalled run: the schedule's next sweep is
 * half a day away, and one webhook queues the one follow-up run the stop drops, however slow the machine.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitlabDouble, type GitlabDouble } from '../support/gitlab-double.js';
import { gitlabPush, post, until } from '../bot/serve-support.js';
import { launchServe, WEBHOOK_SECRET, type ServeProcess } from '../support/serve-process.js';
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
    const project = gitlab.state.addProject('stall/app', { files: { Dockerfile: `FROM ${host}/library/app:1.0\n` } });
    // The scheduled sweep is held off: it fires once a day, twelve hours from now (the start sweep runs the project).
    const later = new Date(Date.now() + 12 * 3600_000);
    const schedule = `${later.getUTCMinutes()} ${later.getUTCHours()} * * *`;
    const config = path.join(work, 'archpin.json');
    writeFileSync(
      config,
      JSON.stringify({ forge: { type: 'gitlab', url: gitlab.url, groups: ['stall'] }, serve: { listen: '127.0.0.1:0', schedule, timezone: 'UTC', concurrency: 1, webhookSecretEnv: 'HOOK_SECRET' } }),
    );
    serve = launchServe(['--config', config, '--cache-dir', path.join(work, 'cache'), '--log-level', 'debug'], { cwd: work });
    const url = await serve.listening(30_000);
    await until(() => stalledRequests > 0, 'the stalled registry request', 30_000);
    // A push while the project's run is stalled: one follow-up run waits behind it, and the stop drops it.
    const pushed = await post(`${url}/webhooks/gitlab`, gitlabPush({ id: project.id, path: 'stall/app' }), { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': WEBHOOK_SECRET });
    expect([pushed.status, await pushed.json()]).toEqual([202, { result: 'follow-up', repository: 'stall/app' }]);
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
    const serving = records.find((record) => record.msg === 'serving')!;
    expect(serving.schedule).toBe(schedule);
    expect(Date.parse(String(serving.next)) - signalled).toBeGreaterThan(3600_000);
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
      notRun: 1,
    });
  }, 60_000);
});
