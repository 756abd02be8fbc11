/**
 * Labels, reviewers and assignees from package rules reach the forge when `archpin run` opens a change request:
 * GitLab through user ids (`GET /users?username=`), GitHub through requested_reviewers and issues/assignees. A change
 * group's change request gets the union of its updates' rules; a user the forge does not know is reported and the
 * change request is opened all the same. When it is updated, what the rules want beyond what was asked before (a new
 * rule, or an update that another rule now matches) is added; nothing is removed, and nothing is asked twice.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { GITLAB_TEST_TOKEN } from '../support/gitlab-double.js';
import { runArchpin } from '../support/run-cli.js';
import { useScenario } from '../support/scenario.js';
import { pushImage, pushIndex } from '../support/seed.js';

const GITHUB_TOKEN = 'ghs_Q8mWz4TnVb2RcXe7LpK1sYd5HfJ0aG3uNi6o';
const scenario = useScenario({ name: 'run-assign', seed: true, gitlab: {}, github: { tokens: [GITHUB_TOKEN] } });

beforeAll(async () => {
  for (const tag of ['1.0.0', '1.0.1']) {
    const images = [];
    for (const architecture of ['amd64', 'arm64']) images.push(await pushImage(scenario.registry, 'team/tool', { os: 'linux', architecture, mediaType: 'oci', label: `tool:${tag}:${architecture}` }));
    await pushIndex(scenario.registry, 'team/tool', tag, images, { mediaType: 'oci' });
  }
}, 60_000);

const dockerfile = () => `FROM ${scenario.host}/team/tool:1.0.0\nFROM ${scenario.host}/library/docker:27.0.3\n`;

/**
 * Two images in one group: tool (a patch update) and docker (a minor one), each with its own rules. A rule for tool's
 * minor updates matches only once tool 1.1.0 is pushed; `extra` rules come last.
 */
function config(extra: readonly object[] = []): string {
  const file = scenario.path('assign.json');
  const tool = `${scenario.host}/team/tool`;
  const docker = `${scenario.host}/library/docker`;
  writeFileSync(
    file,
    JSON.stringify({
      labels: ['dependencies'],
      dashboard: false,
      packageRules: [
        { matchImages: [tool, docker], groupName: 'tools' },
        { matchImages: [tool], reviewers: ['alice', 'ghost'], assignees: ['bob', 'nobody'], labels: ['tool'] },
        { matchImages: [docker], reviewers: ['carol'], labels: ['docker'] },
        { matchImages: ['*'], matchUpdateTypes: ['minor'], labels: ['minor'], reviewers: ['alice'] },
        { matchImages: ['*'], matchUpdateTypes: ['major'], labels: ['major'] },
        { matchImages: [tool], matchUpdateTypes: ['minor'], labels: ['tool-minor'], assignees: ['carol'] },
        ...extra,
      ],
    }),
  );
  return file;
}

interface RunReport {
  repositories: Array<{ changes: Array<{ branch: string; action: string }>; errors: Array<{ code: string; message: string }> }>;
}

describe('reviewers, assignees and labels per package rule', () => {
  it('GitLab: user ids looked up by name, the union of the group, an unknown user reported and the MR opened all the same', async () => {
    const { state } = scenario.gitlab;
    const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((name) => state.addUser(name));
    state.addProject('people/app', { files: { Dockerfile: dockerfile() } });
    const run = (cache: string, extra: readonly object[] = []) =>
      runArchpin(['run', '--forge', 'gitlab', '--url', scenario.gitlab.url, '--group', 'people', '--format', 'json', '--config', config(extra), '--cache-dir', scenario.path(cache)], {
        cwd: scenario.work,
        env: { GITLAB_TOKEN: GITLAB_TEST_TOKEN },
      });
    const first = await run('gl-cache');
    expect(first.code).toBe(1);
    const report = JSON.parse(first.stdout) as RunReport;
    expect(report.repositories[0]!.changes.map((change) => [change.branch, change.action])).toEqual([['archpin/tools', 'opened']]);
    expect(report.repositories[0]!.errors).toEqual([
      { code: 'forge-assign-failed', message: 'archpin/tools: reviewer ghost: no GitLab user with that name' },
      { code: 'forge-assign-failed', message: 'archpin/tools: assignee nobody: no GitLab user with that name' },
    ]);
    const mr = state.project('people/app').mergeRequests[0]!;
    expect([mr.labels, mr.reviewerIds, mr.assigneeIds]).toEqual([['dependencies', 'docker', 'minor', 'tool'], [alice!.id, carol!.id], [bob!.id]]);
    const lookups = scenario.gitlab.requests.filter((request) => request.path === '/users').map((request) => new URLSearchParams(request.query).get('username'));
    expect(lookups).toEqual(['alice', 'carol', 'ghost', 'bob', 'nobody']);
    const create = scenario.gitlab.requests.find((request) => request.method === 'POST' && request.path.endsWith('/merge_requests'))!;
    expect([create.body.reviewer_ids, create.body.assignee_ids, create.body.labels]).toEqual([[alice!.id, carol!.id], [bob!.id], 'dependencies,docker,minor,tool']);

    // Reviewers are asked once: the next run finds the MR current and writes nothing
    const before = scenario.gitlab.requests.length;
    const second = await run('gl-cache');
    expect(second.code).toBe(0);
    expect(scenario.gitlab.requests.slice(before).filter((request) => request.method !== 'GET' || request.path === '/users')).toEqual([]);

    // People change the MR by hand: a label and a reviewer added, carol taken off. Then a rule is added.
    const [dave, erin, frank] = ['dave', 'erin', 'frank'].map((name) => state.addUser(name));
    mr.labels.push('needs-qa');
    mr.reviewerIds = [alice!.id, dave!.id];
    const newRule = { matchImages: [`${scenario.host}/library/docker`], reviewers: ['erin', 'alice'], assignees: ['frank'], labels: ['security', 'docker'] };
    const added = scenario.gitlab.requests.length;
    const third = await run('gl-cache', [newRule]);
    expect(third.code).toBe(0);
    const thirdReport = JSON.parse(third.stdout) as RunReport;
    expect([thirdReport.repositories[0]!.changes.map((change) => [change.branch, change.action]), thirdReport.repositories[0]!.errors]).toEqual([[['archpin/tools', 'updated']], []]);
    // Only what was never asked is added: erin, frank and security; carol is not asked again, dave and needs-qa stay.
    expect([mr.labels, mr.reviewerIds, mr.assigneeIds]).toEqual([
      ['dependencies', 'docker', 'minor', 'tool', 'needs-qa', 'security'],
      [alice!.id, dave!.id, erin!.id],
      [bob!.id, frank!.id],
    ]);
    const calls = scenario.gitlab.requests.slice(added).filter((request) => request.method !== 'GET' || request.path === '/users' || /merge_requests\/\d+$/.test(request.path));
    expect(calls.map((request) => [request.method, request.path.replace(/^\/projects\/\d+/, ''), request.query ? new URLSearchParams(request.query).get('username') : null])).toEqual([
      ['GET', `/merge_requests/${mr.iid}`, null],
      ['GET', '/users', 'erin'],
      ['GET', '/users', 'frank'],
      ['PUT', `/merge_requests/${mr.iid}`, null],
    ]);
    const put = calls.at(-1)!;
    expect([put.body.add_labels, put.body.reviewer_ids, put.body.assignee_ids, put.body.labels]).toEqual(['security', [alice!.id, dave!.id, erin!.id], [bob!.id, frank!.id], undefined]);

    // Asked once: the next run with the same rules writes nothing.
    const settled = scenario.gitlab.requests.length;
    expect((await run('gl-cache', [newRule])).code).toBe(0);
    expect(scenario.gitlab.requests.slice(settled).filter((request) => request.method !== 'GET' || request.path === '/users')).toEqual([]);
  });

  it('GitHub: reviewers requested one by one (a non-collaborator is refused with 422), assignees compared with the answer', async () => {
    const { state } = scenario.github;
    const repo = state.addRepo('acme/app', { files: { Dockerfile: dockerfile() } });
    for (const login of ['alice', 'bob', 'carol']) repo.collaborators.add(login);
    const runOnce = () =>
      runArchpin(['run', '--forge', 'github', '--url', scenario.github.url, '--owner', 'acme', '--format', 'json', '--config', config(), '--cache-dir', scenario.path('gh-cache')], {
        cwd: scenario.work,
        env: { GITHUB_TOKEN },
        waits: { msPerSecond: 10 },
      });
    const run = await runOnce();
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as RunReport;
    expect(report.repositories[0]!.changes.map((change) => [change.branch, change.action])).toEqual([['archpin/tools', 'opened']]);
    const pr = [...repo.items.values()].find((item) => item.pull !== undefined)!;
    expect([pr.labels, pr.pull!.requestedReviewers, pr.assignees]).toEqual([['dependencies', 'docker', 'minor', 'tool'], ['alice', 'carol'], ['bob']]);
    expect(report.repositories[0]!.errors).toEqual([
      {
        code: 'forge-assign-failed',
        message: `archpin/tools: reviewer ghost: GitHub could not request a review from ghost on #${pr.number} in acme/app: 422 Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the acme/app repository.`,
      },
      { code: 'forge-assign-failed', message: 'archpin/tools: assignee nobody: GitHub did not assign this user (unknown, or without access to acme/app)' },
    ]);
    const asked = scenario.github.requests.filter((request) => request.method === 'POST' && /\/(requested_reviewers|assignees)$/.test(request.path.split('?')[0]!));
    expect(asked.map((request) => [path.basename(request.path), request.status, request.body])).toEqual([
      ['requested_reviewers', 201, { reviewers: ['alice'] }],
      ['requested_reviewers', 201, { reviewers: ['carol'] }],
      ['requested_reviewers', 422, { reviewers: ['ghost'] }],
      ['assignees', 201, { assignees: ['bob', 'nobody'] }],
    ]);

    // By hand: a label and an assignee added. Then tool 1.1.0 lands: the update becomes a minor one, which the
    // tool-minor rule matches. Its label and assignee are added; nothing else is asked again (ghost stays unasked).
    pr.labels.push(state.label(repo, 'needs-qa').name);
    pr.assignees.push('dave');
    repo.collaborators.add('dave');
    const images = [];
    for (const architecture of ['amd64', 'arm64']) images.push(await pushImage(scenario.registry, 'team/tool', { os: 'linux', architecture, mediaType: 'oci', label: `tool:1.1.0:${architecture}` }));
    await pushIndex(scenario.registry, 'team/tool', '1.1.0', images, { mediaType: 'oci' });
    const before = scenario.github.requests.length;
    const second = await runOnce();
    expect(second.code).toBe(0);
    const secondReport = JSON.parse(second.stdout) as RunReport;
    expect([secondReport.repositories[0]!.changes.map((change) => [change.branch, change.action]), secondReport.repositories[0]!.errors]).toEqual([[['archpin/tools', 'updated']], []]);
    expect([pr.labels, pr.pull!.requestedReviewers, pr.assignees]).toEqual([
      ['dependencies', 'docker', 'minor', 'tool', 'needs-qa', 'tool-minor'],
      ['alice', 'carol'],
      ['bob', 'dave', 'carol'],
    ]);
    const writes = scenario.github.requests.slice(before).filter((request) => request.method !== 'GET' && !request.path.includes('/git/'));
    expect(writes.map((request) => [request.method, request.path.replace('/repos/acme/app', ''), request.status, request.body])).toEqual([
      ['PATCH', `/pulls/${pr.number}`, 200, expect.objectContaining({ title: 'Update tools' })],
      ['POST', `/issues/${pr.number}/labels`, 200, { labels: ['tool-minor'] }],
      ['POST', `/issues/${pr.number}/assignees`, 201, { assignees: ['carol'] }],
    ]);
    const settled = scenario.github.requests.length;
    expect((await runOnce()).code).toBe(0);
    expect(scenario.github.requests.slice(settled).filter((request) => request.method !== 'GET')).toEqual([]);
  });
});
