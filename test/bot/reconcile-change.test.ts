/**
 * reconcileChange and closeObsolete on the real GitLab forge (@gitbeaker/rest) against the GitLab
 * double: every branch of "bring one change request in line with the plan", with the exact writes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Forge, Repository } from '../../src/apply/forges/forge.js';
import { createGitlabForge } from '../../src/apply/forges/gitlab.js';
import { reconcileChange, closeObsolete, type DesiredChange } from '../../src/bot/reconcile-change.js';
import { parseConfig } from '../../src/config/parse-config.js';
import type { PlannedChange } from '../../src/core/planned.js';
import { groupChanges } from '../../src/plan/change-groups.js';
import { changeBody, changeFingerprint, changeTitle, readChangeState } from '../../src/plan/change-request-text.js';
import { startGitlabDouble, GITLAB_TEST_TOKEN, type GitlabDouble } from '../support/gitlab-double.js';
import type { ProjectRecord } from '../support/gitlab-double-state.js';
import { COMPOSE, D3, D4, D5, planned } from '../plan/compose-plan.js';

let gitlab: GitlabDouble;
let forge: Forge;

beforeAll(async () => {
  gitlab = await startGitlabDouble();
  // Failures are not waited out here: the requester's back-off has its own tests.
  forge = createGitlabForge({ url: gitlab.url, token: GITLAB_TEST_TOKEN, tokenEnv: 'GITLAB_TOKEN', sleep: async () => {} });
});

afterAll(async () => {
  await gitlab?.stop();
});

beforeEach(() => gitlab.faults.clear());

let projects = 0;
/** A new project holding COMPOSE on main, and the forge's view of it. */
async function project(): Promise<{ record: ProjectRecord; repo: Repository; base: string }> {
  const record = gitlab.state.addProject(`acme/app-${++projects}`, { files: { 'compose.yaml': COMPOSE } });
  const repo = await forge.getRepository(String(record.id));
  return { record, repo, base: record.branches.get('main')! };
}

const dockerChange = (dindDigest = D4): PlannedChange =>
  groupChanges(
    planned({
      'library/docker:27.0.3': { tag: '27.1.1', digest: D3, updateType: 'minor' },
      'library/docker:27.0.3-dind': { tag: '27.1.1-dind', digest: dindDigest, updateType: 'minor' },
    }),
    [],
    { branchPrefix: 'archpin/', groupNameFor: () => null },
  )[0]!;

/** What the run would ask for: the change's files written, its title and fingerprint, on `base`. */
function desired(change: PlannedChange, base: string, options: { config?: string; dryRun?: boolean; canOpen?: boolean } = {}): DesiredChange {
  const edit = change.fileEdits[0]!;
  let text = COMPOSE;
  for (const item of [...edit.edits].sort((a, b) => b.start - a.start)) text = text.slice(0, item.start) + item.replacement + text.slice(item.end);
  return {
    title: changeTitle(change),
    files: [{ path: edit.file, content: new TextEncoder().encode(text) }],
    base,
    fingerprint: changeFingerprint(change),
    config: parseConfig(options.config ?? '{}', 'archpin.json'),
    dryRun: options.dryRun ?? false,
    canOpen: () => options.canOpen ?? true,
  };
}

const NOTHING_ASKED = { labels: [], reviewers: [], assignees: [] };

const writes = (from: number) => gitlab.requests.slice(from).filter((request) => request.method !== 'GET' && request.method !== 'HEAD');
const written = (from: number) => writes(from).map((request) => `${request.method} ${request.path.replace(/^\/projects\/\d+/, '')} ${request.status}`);
const branchText = (record: ProjectRecord, branch: string) => new TextDecoder().decode(gitlab.state.files(record.id, branch).get('compose.yaml'));

describe('reconcileChange', () => {
  it('opens a change request on a new branch made on the base, and a second reconcile changes nothing', async () => {
    const { record, repo, base } = await project();
    const change = dockerChange();
    const want = desired(change, base, { config: '{"labels": ["dependencies"]}' });
    const from = gitlab.requests.length;
    const outcome = await reconcileChange(forge, repo, change, want);
    expect(outcome).toEqual({
      branch: 'archpin/docker-27.x',
      title: 'Update docker Docker tags to 27.1.1, 27.1.1-dind',
      action: 'opened',
      number: 1,
      url: `${gitlab.url}/acme/${record.name}/-/merge_requests/1`,
    });
    expect(written(from)).toEqual(['POST /repository/commits 201', 'POST /merge_requests 201']);
    const mr = record.mergeRequests[0]!;
    expect([mr.title, mr.sourceBranch, mr.targetBranch, mr.labels, mr.state]).toEqual([want.title, 'archpin/docker-27.x', 'main', ['dependencies'], 'opened']);
    expect(readChangeState(mr.description)).toEqual({ fingerprint: want.fingerprint, base, asked: { labels: ['dependencies'], reviewers: [], assignees: [] } });
    expect(branchText(record, 'archpin/docker-27.x')).toBe(new TextDecoder().decode(want.files[0]!.content));
    expect(gitlab.state.resolveRef(record, 'archpin/docker-27.x')!.parents).toEqual([base]);

    const again = gitlab.requests.length;
    expect(await reconcileChange(forge, repo, change, want)).toEqual({ ...outcome, action: 'unchanged' });
    expect(writes(again)).toEqual([]);
  });

  it('updates only the text when the title, body or labels differ, and recommits when the edits or the base moved', async () => {
    const { record, repo, base } = await project();
    const change = dockerChange();
    await reconcileChange(forge, repo, change, desired(change, base));
    const headBefore = record.branches.get('archpin/docker-27.x');

    const relabel = gitlab.requests.length;
    expect((await reconcileChange(forge, repo, change, desired(change, base, { config: '{"labels": ["deps", "images"]}' }))).action).toBe('updated');
    expect(written(relabel)).toEqual(['PUT /merge_requests/1 200']);
    expect(record.mergeRequests[0]!.labels).toEqual(['deps', 'images']);
    expect(record.branches.get('archpin/docker-27.x')).toBe(headBefore);

    const newer = dockerChange(D5);
    const moved = gitlab.requests.length;
    const outcome = await reconcileChange(forge, repo, newer, desired(newer, base, { config: '{"labels": ["deps", "images"]}' }));
    expect([outcome.action, outcome.number]).toEqual(['updated', 1]);
    expect(written(moved)).toEqual(['POST /repository/commits 201', 'PUT /merge_requests/1 200']);
    expect(branchText(record, 'archpin/docker-27.x')).toContain(`docker:27.1.1-dind@${D5}`);
    expect(readChangeState(record.mergeRequests[0]!.description)?.fingerprint).toBe(changeFingerprint(newer));

    const newBase = gitlab.state.push(record.id, { 'README.md': '# app\n' });
    const rebased = gitlab.requests.length;
    expect((await reconcileChange(forge, repo, newer, desired(newer, newBase, { config: '{"labels": ["deps", "images"]}' }))).action).toBe('updated');
    expect(written(rebased)).toEqual(['POST /repository/commits 201', 'PUT /merge_requests/1 200']);
    expect(gitlab.state.resolveRef(record, 'archpin/docker-27.x')!.parents).toEqual([newBase]);
    expect(record.mergeRequests).toHaveLength(1);
  });

  it('labels are only added, never taken away; a body of an older version (no record of what was asked) is left alone until something is added', async () => {
    const { record, repo, base } = await project();
    const change = dockerChange();
    await reconcileChange(forge, repo, change, desired(change, base, { config: '{"labels": ["deps"]}' }));
    const mr = record.mergeRequests[0]!;
    mr.labels.push('needs-qa');
    // The configured labels change: the new one is added, the one no longer configured and the one added by hand stay.
    const relabel = gitlab.requests.length;
    expect((await reconcileChange(forge, repo, change, desired(change, base, { config: '{"labels": ["images"]}' }))).action).toBe('updated');
    expect(writes(relabel).map((request) => [request.method, request.body.add_labels, request.body.labels])).toEqual([['PUT', 'images', undefined]]);
    expect(mr.labels).toEqual(['deps', 'needs-qa', 'images']);
    expect(readChangeState(mr.description)?.asked).toEqual({ labels: ['deps', 'images'], reviewers: [], assignees: [] });

    // Written by an older version: the same body without `asked`. Nothing new is wanted: nothing is written.
    mr.description = changeBody(change, { fingerprint: changeFingerprint(change), base }, 'merge request');
    const legacy = gitlab.requests.length;
    expect((await reconcileChange(forge, repo, change, desired(change, base, { config: '{"labels": ["images"]}' }))).action).toBe('unchanged');
    expect(writes(legacy)).toEqual([]);
    // Its labels count as asked: a label it lacks is added, and what was asked is recorded from then on.
    expect((await reconcileChange(forge, repo, change, desired(change, base, { config: '{"labels": ["images", "docker"]}' }))).action).toBe('updated');
    expect(mr.labels).toEqual(['deps', 'needs-qa', 'images', 'docker']);
    expect(readChangeState(mr.description)?.asked).toEqual({ labels: ['deps', 'docker', 'images', 'needs-qa'], reviewers: [], assignees: [] });
  });

  it('in a dry run says what it would do and writes nothing', async () => {
    const { record, repo, base } = await project();
    const change = dockerChange();
    const from = gitlab.requests.length;
    expect((await reconcileChange(forge, repo, change, desired(change, base, { dryRun: true }))).action).toBe('would-open');
    await reconcileChange(forge, repo, change, desired(change, base));
    const newer = dockerChange(D5);
    const outcome = await reconcileChange(forge, repo, newer, desired(newer, base, { dryRun: true }));
    expect([outcome.action, outcome.number]).toEqual(['would-update', 1]);
    expect(written(from)).toEqual(['POST /repository/commits 201', 'POST /merge_requests 201']);
    expect(readChangeState(record.mergeRequests[0]!.description)?.fingerprint).toBe(changeFingerprint(change));
  });

  it('skips a version a user closed; a different version opens a new one; a full limit opens nothing', async () => {
    const { record, repo, base } = await project();
    const change = dockerChange();
    await reconcileChange(forge, repo, change, desired(change, base));
    record.mergeRequests[0]!.state = 'closed';

    const from = gitlab.requests.length;
    expect(await reconcileChange(forge, repo, change, desired(change, base))).toMatchObject({ action: 'skipped-closed', number: 1 });
    const newer = dockerChange(D5);
    expect(await reconcileChange(forge, repo, newer, desired(newer, base, { canOpen: false }))).toEqual({
      branch: 'archpin/docker-27.x',
      title: 'Update docker Docker tags to 27.1.1, 27.1.1-dind',
      action: 'awaiting-limit',
      number: null,
      url: null,
    });
    expect(writes(from)).toEqual([]);
    expect(await reconcileChange(forge, repo, newer, desired(newer, base))).toMatchObject({ action: 'opened', number: 2 });
    expect(record.mergeRequests.map((mr) => [mr.iid, mr.state])).toEqual([
      [1, 'closed'],
      [2, 'opened'],
    ]);
  });

  it('failing halfway (branch pushed, merge request refused) loses nothing: the next reconcile opens exactly one', async () => {
    const { record, repo, base } = await project();
    const change = dockerChange();
    gitlab.faults.add({ method: 'POST', path: `/projects/${record.id}/merge_requests`, status: 500 });
    await expect(reconcileChange(forge, repo, change, desired(change, base))).rejects.toMatchObject({ code: 'forge-unavailable' });
    expect(record.mergeRequests).toEqual([]);
    expect(record.branches.has('archpin/docker-27.x')).toBe(true);

    const from = gitlab.requests.length;
    expect(await reconcileChange(forge, repo, change, desired(change, base))).toMatchObject({ action: 'opened', number: 1 });
    expect(written(from)).toEqual(['POST /repository/commits 201', 'POST /merge_requests 201']);
    expect(record.mergeRequests).toHaveLength(1);
  });

  it('a conflict on create (another merge request holds the branch) is an error, and nothing is written twice', async () => {
    const { record, repo, base } = await project();
    const change = dockerChange();
    gitlab.faults.add({ method: 'POST', path: `/projects/${record.id}/merge_requests`, status: 409, body: { message: ['Another open merge request already exists for this source branch: !7'] } });
    const from = gitlab.requests.length;
    await expect(reconcileChange(forge, repo, change, desired(change, base))).rejects.toMatchObject({ code: 'forge-conflict' });
    expect(written(from)).toEqual(['POST /repository/commits 201', 'POST /merge_requests 409']);
  });

  it('auto-merge on GitLab: waits for a pipeline (said in the body), then switches on and clears the note', async () => {
    const { record, repo, base } = await project();
    const change = dockerChange();
    const want = desired(change, base, { config: '{"automerge": true}' });
    const opened = await reconcileChange(forge, repo, change, want);
    expect(opened).toMatchObject({ action: 'opened', number: 1, automerge: 'waiting' });
    expect(readChangeState(record.mergeRequests[0]!.description)).toEqual({ fingerprint: want.fingerprint, base, automergePending: true, asked: NOTHING_ASKED });
    expect(record.mergeRequests[0]!.mergeWhenPipelineSucceeds).toBe(false);

    expect(await reconcileChange(forge, repo, change, want)).toMatchObject({ action: 'unchanged', automerge: 'waiting' });

    gitlab.state.startPipeline(record.id, 1);
    const from = gitlab.requests.length;
    const enabled = await reconcileChange(forge, repo, change, want);
    expect(enabled).toEqual({ branch: 'archpin/docker-27.x', title: want.title, action: 'updated', number: 1, url: opened.url });
    expect(written(from)).toEqual(['PUT /merge_requests/1/merge 200', 'PUT /merge_requests/1 200']);
    expect(record.mergeRequests[0]!.mergeWhenPipelineSucceeds).toBe(true);
    expect(readChangeState(record.mergeRequests[0]!.description)).toEqual({ fingerprint: want.fingerprint, base, asked: NOTHING_ASKED });
  });
});

describe('closeObsolete', () => {
  it('closes, with a comment, the archpin change requests no longer wanted and deletes their branches; leaves the others', async () => {
    const { record, repo, base } = await project();
    const docker = dockerChange();
    await reconcileChange(forge, repo, docker, desired(docker, base));
    const other = { ...docker, branch: 'archpin/docker-digest' };
    await reconcileChange(forge, repo, other, desired(other, base));
    // A person's merge request from a branch under the prefix: no archpin state, never touched.
    gitlab.state.push(record.id, { 'notes.txt': 'x\n' }, 'Manual change', 'archpin/by-hand');
    gitlab.state.addMergeRequest(record, { title: 'By hand', description: 'mine', sourceBranch: 'archpin/by-hand', targetBranch: 'main', labels: [] });
    const open = await forge.listOpenChangeRequests(repo, 'archpin/');
    expect(open.map((request) => request.branch)).toEqual(['archpin/docker-27.x', 'archpin/docker-digest', 'archpin/by-hand']);

    const dry = gitlab.requests.length;
    expect(await closeObsolete(forge, repo, open, new Set(['archpin/docker-27.x']), true)).toEqual(['archpin/docker-digest']);
    expect(writes(dry)).toEqual([]);

    const from = gitlab.requests.length;
    // The branch is gone already: its deletion failing does not undo the close.
    gitlab.faults.add({ method: 'DELETE', path: `/projects/${record.id}/repository/branches/archpin%2Fdocker-digest`, status: 404, body: { message: '404 Branch Not Found' } });
    expect(await closeObsolete(forge, repo, open, new Set(['archpin/docker-27.x']), false)).toEqual(['archpin/docker-digest']);
    expect(written(from)).toEqual(['POST /merge_requests/2/notes 201', 'PUT /merge_requests/2 200', 'DELETE /repository/branches/archpin%2Fdocker-digest 404']);
    expect(record.mergeRequests.map((mr) => [mr.sourceBranch, mr.state])).toEqual([
      ['archpin/docker-27.x', 'opened'],
      ['archpin/docker-digest', 'closed'],
      ['archpin/by-hand', 'opened'],
    ]);
    expect(record.mergeRequests[1]!.notes.map((note) => note.body)).toEqual(['archpin closed this: the update is no longer needed (merged elsewhere, superseded, or the reference is gone).']);
  });
});
