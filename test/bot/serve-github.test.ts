import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGithubForge } from '../../src/apply/forges/github.js';
import { githubSignature } from '../../src/bot/webhooks.js';
import { startGithubDouble, type GithubDouble } from '../support/github-double.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { seedIncident } from '../support/seed.js';
import { post, startTestServe, until, WEBHOOK_SECRET, type Started } from './serve-support.js';

let registry: TestRegistry;
let github: GithubDouble;
let work: string;
let started: Started;

beforeAll(async () => {
  registry = await startRegistry();
  await seedIncident(registry);
  github = await startGithubDouble();
  work = mkdtempSync(path.join(os.tmpdir(), 'archpin-serve-gh-'));
  github.state.addRepo('acme/web', { files: { 'compose.yaml': `services:\n  builder:\n    image: ${registry.host}/library/docker:27.0.3-dind\n` } });
  started = await startTestServe({ forge: 'github', url: github.url, owners: ['acme'] }, { GITHUB_TOKEN: 'test-token' }, path.join(work, 'cache'), {
    forge: createGithubForge({ url: github.url, token: 'test-token', throttle: false }),
    debounceMs: 100,
  });
});

afterAll(async () => {
  await started?.handle.stop();
  await github?.stop();
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const pushBody = (ref = 'refs/heads/main') =>
  JSON.stringify({ ref, before: '0'.repeat(40), after: 'ab'.repeat(20), repository: { full_name: 'acme/web', default_branch: 'main' }, pusher: { name: 'tkowalski' } });
const deliver = (event: string, body: string, signature: string | null) =>
  post(`${started.handle.url}/webhooks/github`, body, {
    'x-github-event': event,
    'x-github-delivery': '5f1c2a40-8e7b-11ef-9d3a-2b6c1e0f4a77',
    ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
  });

describe('archpin serve (GitHub)', () => {
  it('refuses a wrong or missing signature with 401 and answers a signed ping with 200', async () => {
    const body = pushBody();
    const wrong = await deliver('push', body, githubSignature(body, 'not-the-secret'));
    const missing = await deliver('push', body, null);
    const tampered = await deliver('push', body.replace('main', 'mainx'), githubSignature(body, WEBHOOK_SECRET));
    expect([wrong.status, missing.status, tampered.status]).toEqual([401, 401, 401]);
    const ping = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 4242 });
    const pong = await deliver('ping', ping, githubSignature(ping, WEBHOOK_SECRET));
    expect([pong.status, await pong.text()]).toEqual([200, 'pong\n']);
    expect(started.handle.outcomes).toEqual([]);
    expect(github.requests.filter((request) => request.path.includes('/repos/acme/web')).length).toBe(0);
  });

  it('a signed push to the default branch is queued and opens a pull request', async () => {
    const body = pushBody();
    const response = await deliver('push', body, githubSignature(body, WEBHOOK_SECRET));
    expect([response.status, await response.json()]).toEqual([202, { result: 'queued', repository: 'acme/web' }]);
    const pull = await until(() => github.state.pulls('acme/web')[0], 'the pull request');
    expect([pull.state, pull.pull?.head, pull.title]).toEqual([
      'open',
      `archpin/${registry.host.replace(':', '-')}-library-docker-27.x`,
      `Update ${registry.host}/library/docker Docker tag to 27.1.1-dind`,
    ]);
    await started.handle.idle();

    const pr = JSON.stringify({
      action: 'closed',
      number: pull.number,
      pull_request: { number: pull.number, head: { ref: pull.pull?.head } },
      repository: { full_name: 'acme/web', default_branch: 'main' },
    });
    const closed = await deliver('pull_request', pr, githubSignature(pr, WEBHOOK_SECRET));
    expect([closed.status, await closed.json()]).toEqual([202, { result: 'queued', repository: 'acme/web' }]);
    const form = `payload=${encodeURIComponent(pushBody('refs/heads/topic'))}`;
    const other = await fetch(`${started.handle.url}/webhooks/github`, {
      method: 'POST',
      body: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-github-event': 'push', 'x-hub-signature-256': githubSignature(form, WEBHOOK_SECRET) },
    });
    expect([other.status, await other.json()]).toEqual([202, { result: 'ignored', reason: 'push to a branch other than the default branch' }]);
    await until(() => started.handle.outcomes.length === 2, 'the second run');
    expect(started.handle.outcomes.map((outcome) => [outcome.repository, outcome.changes.map((change) => change.action)])).toEqual([
      ['acme/web', ['opened']],
      ['acme/web', ['unchanged']],
    ]);
    const metrics = await (await fetch(`${started.handle.url}/metrics`)).text();
    expect(metrics.split('\n').filter((line) => line.startsWith('archpin_webhook_events_total'))).toEqual([
      'archpin_webhook_events_total{forge="github",result="ignored"} 1',
      'archpin_webhook_events_total{forge="github",result="ping"} 1',
      'archpin_webhook_events_total{forge="github",result="queued"} 2',
      'archpin_webhook_events_total{forge="github",result="unauthorized"} 3',
    ]);
  });

  it('the GitLab endpoint does not exist on a GitHub bot, and bodies over 1 MiB get 413', async () => {
    expect((await post(`${started.handle.url}/webhooks/gitlab`, '{}', { 'x-gitlab-token': WEBHOOK_SECRET })).status).toBe(404);
    const huge = JSON.stringify({ padding: 'x'.repeat(1024 * 1024) });
    const response = await deliver('push', huge, githubSignature(huge, WEBHOOK_SECRET));
    expect(response.status).toBe(413);
  });
});
