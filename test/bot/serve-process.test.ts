/**
 * `node bin/archpin.js serve` as a real process: it prints its address, sweeps on start, and on SIGTERM
 * finishes the write in flight and exits 0. The GitLab double sits behind a proxy that delays commits,
 * so the signal lands mid-sweep.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GITLAB_TEST_TOKEN } from '../support/gitlab-double.js';
import { useScenario } from '../support/scenario.js';
import { until } from './serve-support.js';
import { launchServe, type ServeProcess } from '../support/serve-process.js';
import { ensureBuilt } from '../support/build.js';

const scenario = useScenario({ name: 'serve-proc', seed: true, gitlabProxy: true });
let serve: ServeProcess | null = null;

beforeAll(async () => {
  await ensureBuilt('dist/cli/serve.js');
}, 120_000);

afterAll(() => {
  serve?.child.kill('SIGKILL');
});

describe('archpin serve process', () => {
  it('prints its address, and SIGTERM mid-sweep exits 0 leaving no archpin branch without its merge request', async () => {
    const deploy = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: dind\nspec:\n  template:\n    spec:\n      containers:\n        - name: dind\n          image: ${scenario.registry.host}/library/docker:27.0.3-dind\n`;
    const projects = ['proc/a', 'proc/b', 'proc/c'].map((name) => scenario.gitlab.state.addProject(name, { files: { 'deploy.yaml': deploy } }));
    scenario.gitlabProxy.addFault({ method: 'POST', path: /\/repository\/commits$/, fault: { kind: 'delay', ms: 1_000 } });
    const config = path.join(scenario.work, 'archpin.json');
    writeFileSync(
      config,
      JSON.stringify({ forge: { type: 'gitlab', url: scenario.gitlabProxy.url, groups: ['proc'] }, serve: { listen: '127.0.0.1:0', concurrency: 1, webhookSecretEnv: 'HOOK_SECRET' } }),
    );

    serve = launchServe(['--config', config, '--cache-dir', path.join(scenario.work, 'cache')], { cwd: scenario.work });
    const url = await until(() => /^archpin serve: listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(serve!.stdout())?.[1], 'the listen line', 60_000);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await until(() => scenario.gitlabProxy.count('POST', /\/repository\/commits$/) === 1, 'the first commit');
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
  }, 120_000);
});
