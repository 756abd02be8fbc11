/**
 * `node bin/archpin.js serve` as a real process: it prints its address, sweeps on start, and on SIGTERM
 * finishes the write in flight and exits 0. The GitLab double sits behind a proxy that delays commits,
 * so the signal lands mid-sweep.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitlabDouble, GITLAB_TEST_TOKEN, type GitlabDouble } from '../support/gitlab-double.js';
import { startProxy, type TestProxy } from '../support/proxy.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { seedIncident } from '../support/seed.js';
import { until } from './serve-support.js';
import { launchServe, type ServeProcess } from '../support/serve-process.js';
import { ensureBuilt } from '../support/build.js';

let registry: TestRegistry;
let gitlab: GitlabDouble;
let proxy: TestProxy;
let work: string;
let serve: ServeProcess | null = null;

beforeAll(async () => {
  await ensureBuilt('dist/cli/serve.js');
  registry = await startRegistry();
  await seedIncident(registry);
  gitlab = await startGitlabDouble();
  proxy = await startProxy({ target: gitlab.url });
  work = mkdtempSync(path.join(os.tmpdir(), 'archpin-serve-proc-'));
}, 120_000);

afterAll(async () => {
  serve?.child.kill('SIGKILL');
  await proxy?.stop();
  await gitlab?.stop();
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('archpin serve process', () => {
  it('prints its address, and SIGTERM mid-sweep exits 0 leaving no archpin branch without its merge request', async () => {
    const deploy = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: dind\nspec:\n  template:\n    spec:\n      containers:\n        - name: dind\n          image: ${registry.host}/library/docker:27.0.3-dind\n`;
    const projects = ['proc/a', 'proc/b', 'proc/c'].map((name) => gitlab.state.addProject(name, { files: { 'deploy.yaml': deploy } }));
    proxy.addFault({ method: 'POST', path: /\/repository\/commits$/, fault: { kind: 'delay', ms: 1_000 } });
    const config = path.join(work, 'archpin.json');
    writeFileSync(config, JSON.stringify({ forge: { type: 'gitlab', url: proxy.url, groups: ['proc'] }, serve: { listen: '127.0.0.1:0', concurrency: 1, webhookSecretEnv: 'HOOK_SECRET' } }));

    serve = launchServe(['--config', config, '--cache-dir', path.join(work, 'cache')], { cwd: work });
    const url = await until(() => /^archpin serve: listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(serve!.stdout())?.[1], 'the listen line');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await until(() => proxy.count('POST', /\/repository\/commits$/) === 1, 'the first commit');
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    serve.child.kill('SIGTERM');
    const { code, signal } = await serve.exited;
    const stderr = serve.stderr();
    serve = null;
    expect([code, signal]).toEqual([0, null]);

    const records = stderr
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { msg: string; signal?: string });
    expect(records.filter((record) => record.msg === 'stop requested').map((record) => record.signal)).toEqual(['SIGTERM']);
    expect(records.at(-1)!.msg).toBe('stopped');
    expect(stderr).not.toContain(GITLAB_TEST_TOKEN);
    const state = projects.map((project) => [
      project.pathWithNamespace,
      [...project.branches.keys()].filter((branch) => branch.startsWith('archpin/')).length,
      project.mergeRequests.filter((mr) => mr.state === 'opened').length,
    ]);
    expect(state).toEqual([
      ['proc/a', 1, 1],
      ['proc/b', 0, 0],
      ['proc/c', 0, 0],
    ]);
  }, 30_000);
});
