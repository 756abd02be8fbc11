import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitlabDouble, GITLAB_TEST_TOKEN, type GitlabDouble } from '../support/gitlab-double.js';
import { gitlabPush, post, startTestServe, type Started } from '../bot/serve-support.js';

let gitlab: GitlabDouble;
let work: string;
const running: Started[] = [];

beforeAll(async () => {
  gitlab = await startGitlabDouble();
  work = mkdtempSync(path.join(os.tmpdir(), 'archpin-hooks-'));
});

afterAll(async () => {
  for (const started of running) await started.handle.stop();
  await gitlab?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const hook = (url: string, body: string) => post(`${url}/webhooks/gitlab`, body, { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'whk-7Hq2mXv9LpR4tNc8' });
const runsOf = (id: number) => gitlab.count('GET', `/projects/${id}/repository/branches/main`);
const metricLines = (text: string, prefix: string) => text.split('\n').filter((line) => line.startsWith(prefix));

describe('webhooks: the project is resolved by id and must be in scope before anything runs', () => {
  it('an in-scope path carrying the id of a project outside the groups is refused and counted', async () => {
    const inside = gitlab.state.addProject('scoped/app', { files: { Dockerfile: 'FROM alpine:3.18\n' } });
    const victim = gitlab.state.addProject('victim/secret', { files: { Dockerfile: 'FROM alpine:3.18\n' } });
    const started = await startTestServe({ forge: 'gitlab', url: gitlab.url, groups: ['scoped'] }, { GITLAB_TOKEN: GITLAB_TEST_TOKEN }, path.join(work, 'cache'));
    running.push(started);
    const { handle, records } = started;

    const forged = await hook(handle.url, gitlabPush({ id: victim.id, path: 'scoped/app' }));
    expect([forged.status, await forged.json()]).toEqual([403, { result: 'refused', reason: `id ${victim.id} is victim/secret, not scoped/app` }]);
    const unknown = await hook(handle.url, gitlabPush({ id: 987654, path: 'scoped/app' }));
    expect([unknown.status, await unknown.json()]).toEqual([403, { result: 'refused', reason: 'project cannot be resolved by id' }]);

    await handle.idle();
    expect(runsOf(victim.id)).toBe(0);
    expect(runsOf(inside.id)).toBe(0);
    expect(victim.mergeRequests).toEqual([]);
    const metrics = await (await fetch(`${handle.url}/metrics`)).text();
    expect(metricLines(metrics, 'archpin_webhook_events_total')).toEqual([
      'archpin_webhook_events_total{forge="gitlab",result="mismatched"} 1',
      'archpin_webhook_events_total{forge="gitlab",result="unresolved"} 1',
    ]);
    expect(
      records()
        .filter((record) => String(record.msg).startsWith('webhook refused'))
        .map((record) => record.msg),
    ).toEqual([`webhook refused: id ${victim.id} is victim/secret, not scoped/app`, expect.stringMatching(/^webhook refused: the forge cannot resolve the project: /)]);

    const genuine = await hook(handle.url, gitlabPush({ id: inside.id, path: 'scoped/app' }));
    expect([genuine.status, await genuine.json()]).toEqual([202, { result: 'queued', repository: 'scoped/app' }]);
  });
});
