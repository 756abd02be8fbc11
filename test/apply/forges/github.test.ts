import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { Forge, Repository } from '../../../src/apply/forges/forge.js';
import { createGithubForge, type GithubForgeOptions } from '../../../src/apply/forges/github.js';
import { ArchpinError } from '../../../src/core/errors.js';
import { startGithubDouble, type GithubDouble } from '../../support/github-double.js';

const TOKEN = 'gh-test-token-4d2f9a';
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const DOCKERFILE = 'FROM docker.io/library/node:20.11.1-bookworm\nRUN npm ci\n';

let double: GithubDouble | undefined;
afterEach(async () => {
  await double?.stop();
  double = undefined;
});

async function setup(options: Partial<GithubForgeOptions> = {}): Promise<{ gh: GithubDouble; forge: Forge }> {
  double = await startGithubDouble({ tokens: [TOKEN] });
  const forge = createGithubForge({ url: double.url, token: TOKEN, throttle: false, waitScaleMs: 1, ...options });
  return { gh: double, forge };
}

async function seeded(options: Partial<GithubForgeOptions> = {}) {
  const { gh, forge } = await setup(options);
  gh.state.addRepo('acme/web', {
    files: { Dockerfile: DOCKERFILE, 'scripts/entrypoint.sh': '#!/bin/sh\nexec node server.js\n', 'deploy/compose.yaml': 'services: {}\n' },
    executable: ['scripts/entrypoint.sh'],
  });
  const repo = await forge.getRepository('acme/web');
  gh.requests.length = 0;
  return { gh, forge, repo };
}

async function caught(promise: Promise<unknown>): Promise<ArchpinError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ArchpinError);
  return error as ArchpinError;
}

const calls = (gh: GithubDouble) => gh.requests.map((r) => `${r.method} ${r.path} ${r.status}`);

async function branchWithChange(forge: Forge, repo: Repository, branch: string, text: string): Promise<string> {
  const base = (await forge.branchHead(repo, 'main'))!;
  return forge.commitFiles(repo, { branch, baseSha: base.sha, baseBranch: 'main', message: `Update ${branch}`, files: [{ path: 'Dockerfile', content: bytes(text) }] });
}

describe('GitHub forge: repositories', () => {
  it('pages through an organisation with Link headers and drops archived repositories', async () => {
    const { gh, forge } = await setup();
    for (let i = 0; i < 205; i++) gh.state.addRepo(`acme/svc-${String(i).padStart(3, '0')}`, { archived: i % 50 === 7 });
    const repos = await forge.listRepositories({ owners: ['acme'] });
    expect(repos).toHaveLength(201);
    expect(repos[0]).toEqual({
      id: 'acme/svc-000',
      path: 'acme/svc-000',
      defaultBranch: 'main',
      archived: false,
      webUrl: `${gh.url}/web/acme/svc-000`,
      activity: gh.state.repo('acme/svc-000').pushedAt,
    });
    expect(repos[0]!.activity).toMatch(/^2026-05-02T\d\d:\d\d:\d\dZ$/);
    expect(repos.map((r) => r.path)).not.toContain('acme/svc-057');
    expect(calls(gh)).toEqual(['GET /orgs/acme/repos?type=all&per_page=100 200', 'GET /orgs/acme/repos?type=all&per_page=100&page=2 200', 'GET /orgs/acme/repos?type=all&per_page=100&page=3 200']);
  });

  it('falls back to the user endpoint for a personal account and adds named repositories once', async () => {
    const { gh, forge } = await setup();
    gh.state.addAccount('octo', 'User');
    gh.state.addRepo('octo/dotfiles');
    gh.state.addRepo('acme/web');
    gh.state.addRepo('acme/old', { archived: true });
    const repos = await forge.listRepositories({ owners: ['octo'], repositories: ['acme/web', 'octo/dotfiles', 'acme/old'] });
    expect(repos.map((r) => r.path)).toEqual(['acme/web', 'octo/dotfiles']);
    expect(calls(gh)).toEqual([
      'GET /orgs/octo/repos?type=all&per_page=100 404',
      'GET /users/octo/repos?type=owner&per_page=100 200',
      'GET /repos/acme/web 200',
      'GET /repos/octo/dotfiles 200',
      'GET /repos/acme/old 200',
    ]);
  });

  it('reports an owner that does not exist as forge-not-found', async () => {
    const { forge } = await setup();
    const error = await caught(forge.listRepositories({ owners: ['ghost'] }));
    expect(error.code).toBe('forge-not-found');
    expect(error.message).toBe('GitHub could not list the repositories of ghost: 404 Not Found (missing, or not visible to this token)');
  });
});

describe('GitHub forge: trees and files', () => {
  it('encodes paths, asks for the raw media type and returns null for a directory', async () => {
    const { gh, forge, repo } = await seeded();
    expect(await forge.readFile(repo, 'deploy/compose.yaml', 'main')).toEqual(bytes('services: {}\n'));
    expect(await forge.readFile(repo, 'deploy', 'main')).toBeNull();
    expect(calls(gh)).toEqual(['GET /repos/acme/web/contents/deploy%2Fcompose.yaml?ref=main 200', 'GET /repos/acme/web/contents/deploy?ref=main 200']);
    expect(gh.requests[0]!.headers.accept).toBe('application/vnd.github.v3.raw');
    expect(gh.requests[0]!.headers.authorization).toBe(`token ${TOKEN}`);
  });

  it('reads a raw file whole even when the fetch answer is let go at once (undici then cancels its body)', async () => {
    // What a garbage collection does to an unread fetch Response's stream, made certain: cancel it as
    // soon as the one who asked has had its turn, unless that one started reading it.
    const cancelling: typeof fetch = (input, init) => {
      const answered = fetch(input, init);
      void answered.then((answer) =>
        queueMicrotask(() => {
          if (answer.body !== null && !answer.bodyUsed && !answer.body.locked) void answer.body.cancel('collected');
        }),
      );
      return answered;
    };
    const { forge, repo } = await seeded({ fetch: cancelling });
    for (let i = 0; i < 5; i += 1) expect(await forge.readFile(repo, 'Dockerfile', 'main')).toEqual(bytes(DOCKERFILE));
  });

  it('walks subtrees one by one when the recursive listing is truncated', async () => {
    const { gh, forge, repo } = await seeded();
    gh.state.truncateTreesOver = 2;
    const tree = await forge.listTree(repo, 'main');
    expect(tree).toEqual([
      { path: 'Dockerfile', size: 56 },
      { path: 'deploy/compose.yaml', size: 13 },
      { path: 'scripts/entrypoint.sh', size: 30 },
    ]);
    const root = gh.state.commit('acme/web', gh.state.branchSha('acme/web', 'main')!)!.tree;
    expect(calls(gh)[0]).toBe('GET /repos/acme/web/git/trees/main?recursive=1 200');
    expect(calls(gh)[1]).toBe(`GET /repos/acme/web/git/trees/${root} 200`);
    expect(gh.requests).toHaveLength(4);
  });

  it('resolves a branch name with a slash to its sha before listing the tree', async () => {
    const { gh, forge, repo } = await seeded();
    const sha = gh.state.pushCommit('acme/web', 'archpin/node-20.x', { Dockerfile: 'FROM node:20.12.1\n' });
    expect((await forge.listTree(repo, 'archpin/node-20.x')).map((e) => e.path)).toEqual(['Dockerfile', 'deploy/compose.yaml', 'scripts/entrypoint.sh']);
    expect(calls(gh)).toEqual(['GET /repos/acme/web/branches/archpin%2Fnode-20.x 200', `GET /repos/acme/web/git/trees/${sha}?recursive=1 200`]);
  });
});

describe('GitHub forge: commits', () => {
  it('creates blobs, a tree on the base tree, a commit on the base and the branch ref', async () => {
    const { gh, forge, repo } = await seeded();
    const base = gh.state.branchSha('acme/web', 'main')!;
    const binary = Uint8Array.from([0, 255, 128, 10, 13, 10, 0xc3, 0x28]);
    const sha = await forge.commitFiles(repo, {
      branch: 'archpin/node-20.x',
      baseSha: base,
      baseBranch: 'main',
      message: 'Update node to 20.12.1',
      files: [
        { path: 'Dockerfile', content: bytes('FROM docker.io/library/node:20.12.1-bookworm\r\nRUN npm ci\r\n') },
        { path: 'scripts/entrypoint.sh', content: bytes('#!/bin/sh\nexec node dist/server.js\n') },
        { path: 'assets/blob.bin', content: binary },
      ],
    });
    const baseTree = gh.state.commit('acme/web', base)!.tree;
    expect(calls(gh)).toEqual([
      `GET /repos/acme/web/git/commits/${base} 200`,
      `GET /repos/acme/web/git/trees/${baseTree}?recursive=1 200`,
      'POST /repos/acme/web/git/blobs 201',
      'POST /repos/acme/web/git/blobs 201',
      'POST /repos/acme/web/git/blobs 201',
      'POST /repos/acme/web/git/trees 201',
      'POST /repos/acme/web/git/commits 201',
      'POST /repos/acme/web/git/refs 201',
    ]);
    expect(gh.requests[4]!.body).toEqual({ content: Buffer.from(binary).toString('base64'), encoding: 'base64' });
    expect((gh.requests[5]!.body as { base_tree: string; tree: unknown[] }).base_tree).toBe(baseTree);
    expect((gh.requests[5]!.body as { tree: Array<{ path: string; mode: string }> }).tree.map((e) => `${e.path} ${e.mode}`)).toEqual([
      'Dockerfile 100644',
      'scripts/entrypoint.sh 100755',
      'assets/blob.bin 100644',
    ]);
    expect(gh.requests[7]!.body).toEqual({ ref: 'refs/heads/archpin/node-20.x', sha });
    expect(gh.state.branchSha('acme/web', 'archpin/node-20.x')).toBe(sha);
    expect(gh.state.commit('acme/web', sha)).toMatchObject({ parents: [base], message: 'Update node to 20.12.1' });
    const files = gh.state.files('acme/web', sha);
    expect([...files.keys()].sort()).toEqual(['Dockerfile', 'assets/blob.bin', 'deploy/compose.yaml', 'scripts/entrypoint.sh']);
    expect(files.get('Dockerfile')).toEqual(bytes('FROM docker.io/library/node:20.12.1-bookworm\r\nRUN npm ci\r\n'));
    expect(files.get('assets/blob.bin')).toEqual(binary);
    expect(await forge.readFile(repo, 'assets/blob.bin', 'archpin/node-20.x')).toEqual(binary);
  });

  it('force-moves an existing branch onto a new base (the old commit is not an ancestor)', async () => {
    const { gh, forge, repo } = await seeded();
    const first = await branchWithChange(forge, repo, 'archpin/node-20.x', 'FROM node:20.12.0\n');
    const newBase = gh.state.pushCommit('acme/web', 'main', { 'deploy/compose.yaml': 'services:\n  web: {}\n' });
    gh.requests.length = 0;
    const second = await forge.commitFiles(repo, {
      branch: 'archpin/node-20.x',
      baseSha: newBase,
      baseBranch: 'main',
      message: 'Update node to 20.12.1',
      files: [{ path: 'Dockerfile', content: bytes('FROM node:20.12.1\n') }],
    });
    expect(calls(gh).slice(-2)).toEqual(['POST /repos/acme/web/git/refs 422', 'PATCH /repos/acme/web/git/refs/heads%2Farchpin%2Fnode-20.x 200']);
    expect(gh.requests.at(-1)!.body).toEqual({ sha: second, force: true });
    expect(gh.state.commit('acme/web', second)!.parents).toEqual([newBase]);
    expect(gh.state.commit('acme/web', first)!.parents).not.toEqual([newBase]);
    expect(gh.state.fileText('acme/web', 'archpin/node-20.x', 'deploy/compose.yaml')).toBe('services:\n  web: {}\n');
  });

  it('deleting a branch that is already gone succeeds', async () => {
    const { gh, forge, repo } = await seeded();
    await forge.deleteBranch(repo, 'archpin/gone');
    expect(calls(gh)).toEqual(['DELETE /repos/acme/web/git/refs/heads%2Farchpin%2Fgone 422']);
  });

  it('reports an unknown base commit as forge-not-found', async () => {
    const { forge, repo } = await seeded();
    const error = await caught(forge.commitFiles(repo, { branch: 'x/y', baseSha: 'f'.repeat(40), baseBranch: 'main', message: 'm', files: [] }));
    expect(error.code).toBe('forge-not-found');
    expect(error.message).toContain('read the base commit for branch x/y of acme/web');
  });
});

describe('GitHub forge: pull requests', () => {
  it('opens with labels, finds by owner:branch, reports merged, and shares numbers with issues', async () => {
    const { gh, forge, repo } = await seeded();
    await forge.createIssue(repo, 'Dependency Dashboard', 'body');
    await branchWithChange(forge, repo, 'archpin/node-20.x', 'FROM node:20.12.1\n');
    gh.requests.length = 0;
    const pr = await forge.openChangeRequest(repo, { branch: 'archpin/node-20.x', base: 'main', title: 'Update node', body: 'Body', labels: ['dependencies', 'archpin'] });
    expect(pr).toEqual({
      number: 2,
      branch: 'archpin/node-20.x',
      base: 'main',
      title: 'Update node',
      body: 'Body',
      state: 'open',
      labels: ['dependencies', 'archpin'],
      url: `${gh.url}/web/acme/web/pull/2`,
      createdAt: '2026-05-02T10:00:02Z',
    });
    expect(calls(gh)).toEqual(['POST /repos/acme/web/pulls 201', 'PUT /repos/acme/web/issues/2/labels 200']);
    expect(gh.requests[0]!.body).toEqual({ head: 'archpin/node-20.x', base: 'main', title: 'Update node', body: 'Body' });
    expect(gh.requests[1]!.body).toEqual({ labels: ['dependencies', 'archpin'] });
    gh.requests.length = 0;
    gh.state.mergePull('acme/web', 2);
    expect(await forge.findChangeRequest(repo, 'archpin/node-20.x')).toEqual({ ...pr, state: 'merged' });
    expect(calls(gh)).toEqual(['GET /repos/acme/web/pulls?state=all&head=acme%3Aarchpin%2Fnode-20.x&sort=created&direction=desc&per_page=100 200']);
  });

  it('updates only the labels without touching title or body', async () => {
    const { gh, forge, repo } = await seeded();
    gh.state.addPull('acme/web', { head: 'archpin/a', title: 'A', body: 'a body', labels: ['dependencies'] });
    gh.requests.length = 0;
    const updated = await forge.updateChangeRequest(repo, 1, { labels: [] });
    expect(updated).toMatchObject({ number: 1, title: 'A', body: 'a body', labels: [] });
    expect(calls(gh)).toEqual(['PUT /repos/acme/web/issues/1/labels 200', 'GET /repos/acme/web/pulls/1 200']);
  });

  it('closes after commenting', async () => {
    const { gh, forge, repo } = await seeded();
    gh.state.addPull('acme/web', { head: 'archpin/a', title: 'A' });
    gh.requests.length = 0;
    await forge.closeChangeRequest(repo, 1, 'Superseded by #7.');
    expect(calls(gh)).toEqual(['POST /repos/acme/web/issues/1/comments 201', 'PATCH /repos/acme/web/pulls/1 200']);
    expect(gh.requests[1]!.body).toEqual({ state: 'closed' });
    expect(gh.state.item('acme/web', 1)).toMatchObject({ state: 'closed', comments: [{ body: 'Superseded by #7.' }] });
  });

  it('lists open pull requests across pages, keeping only the prefix', async () => {
    const { gh, forge, repo } = await seeded();
    for (let i = 0; i < 130; i++) gh.state.addPull('acme/web', { head: i % 2 === 0 ? `archpin/dep-${i}` : `feature/${i}`, title: `PR ${i}`, state: i === 4 ? 'closed' : 'open' });
    gh.requests.length = 0;
    const open = await forge.listOpenChangeRequests(repo, 'archpin/');
    expect(open).toHaveLength(64);
    expect(open[0]).toMatchObject({ number: 1, branch: 'archpin/dep-0' });
    expect(open.map((cr) => cr.number)).not.toContain(5);
    expect(calls(gh)).toEqual(['GET /repos/acme/web/pulls?state=open&per_page=100 200', 'GET /repos/acme/web/pulls?state=open&per_page=100&page=2 200']);
  });

  it('enables auto-merge through the GraphQL mutation with the PR node id and head sha', async () => {
    const { gh, forge, repo } = await seeded({ mergeMethod: 'REBASE' });
    const head = await branchWithChange(forge, repo, 'archpin/node-20.x', 'FROM node:20.12.1\n');
    const pr = await forge.openChangeRequest(repo, { branch: 'archpin/node-20.x', base: 'main', title: 'T', body: '', labels: [] });
    gh.requests.length = 0;
    await forge.enableAutomerge(repo, pr.number);
    expect(calls(gh)).toEqual(['GET /repos/acme/web/pulls/1 200', 'POST /graphql 200']);
    const body = gh.requests[1]!.body as { query: string; variables: unknown };
    expect(body.query).toContain('enablePullRequestAutoMerge(input: { pullRequestId: $pullRequestId');
    expect(body.variables).toEqual({ pullRequestId: gh.state.item('acme/web', 1).nodeId, mergeMethod: 'REBASE', expectedHeadOid: head });
    expect(gh.state.item('acme/web', 1).pull!.autoMerge).toMatchObject({ mergeMethod: 'REBASE' });
  });

  it('reports a repository without auto-merge as a forge-error carrying the GraphQL message', async () => {
    const { gh, forge } = await setup();
    gh.state.addRepo('acme/strict', { files: { a: '1\n' }, allowAutoMerge: false });
    const repo = await forge.getRepository('acme/strict');
    await branchWithChange(forge, repo, 'archpin/a', '2\n');
    const pr = await forge.openChangeRequest(repo, { branch: 'archpin/a', base: 'main', title: 'T', body: '', labels: [] });
    const error = await caught(forge.enableAutomerge(repo, pr.number));
    expect(error.code).toBe('forge-error');
    expect(error.message).toBe('GitHub could not enable auto-merge on pull request #1 of acme/strict: Pull request Auto merge is not allowed for this repository');
  });

  it('maps "No commits between" to forge-error and a duplicate to forge-conflict', async () => {
    const { gh, forge, repo } = await seeded();
    gh.state.pushCommit('acme/web', 'archpin/empty', {});
    gh.state.repo('acme/web').refs.set('refs/heads/archpin/same', gh.state.branchSha('acme/web', 'main')!);
    const none = await caught(forge.openChangeRequest(repo, { branch: 'archpin/same', base: 'main', title: 'T', body: '', labels: [] }));
    expect(none.code).toBe('forge-error');
    expect(none.message).toBe('GitHub could not create a pull request from archpin/same in acme/web: 422 Validation Failed (No commits between main and archpin/same)');
    await forge.openChangeRequest(repo, { branch: 'archpin/empty', base: 'main', title: 'T', body: '', labels: [] });
    const duplicate = await caught(forge.openChangeRequest(repo, { branch: 'archpin/empty', base: 'main', title: 'T', body: '', labels: [] }));
    expect(duplicate.code).toBe('forge-conflict');
    expect(duplicate.message).toContain('A pull request already exists for acme:archpin/empty.');
  });
});

describe('GitHub forge: dashboard issue', () => {
  it('ignores pull requests and closed issues with the same title, across pages', async () => {
    const { gh, forge, repo } = await seeded();
    gh.state.addPull('acme/web', { head: 'archpin/x', title: 'Dependency Dashboard' });
    gh.state.addIssue('acme/web', { title: 'Dependency Dashboard', state: 'closed' });
    for (let i = 0; i < 120; i++) gh.state.addIssue('acme/web', { title: `Bug ${i}` });
    expect(await forge.findIssue(repo, 'Dependency Dashboard')).toBeNull();
    const created = await forge.createIssue(repo, 'Dependency Dashboard', '## Open\n');
    expect(created).toEqual({ number: 123, title: 'Dependency Dashboard', body: '## Open\n', state: 'open', url: `${gh.url}/web/acme/web/issues/123` });
    gh.requests.length = 0;
    expect(await forge.findIssue(repo, 'Dependency Dashboard')).toEqual(created);
    expect(calls(gh)).toEqual(['GET /repos/acme/web/issues?state=open&per_page=100 200', 'GET /repos/acme/web/issues?state=open&per_page=100&page=2 200']);
    expect(await forge.updateIssue(repo, 123, '## Open\n- [ ] node\n')).toEqual({ ...created, body: '## Open\n- [ ] node\n' });
    expect(gh.requests.at(-1)).toMatchObject({ method: 'PATCH', path: '/repos/acme/web/issues/123', body: { body: '## Open\n- [ ] node\n' } });
  });
});

describe('GitHub forge: errors', () => {
  it('names the permission on a 403 and never shows the token', async () => {
    const { gh, forge, repo } = await seeded();
    gh.state.addPull('acme/web', { head: 'archpin/a', title: 'A' });
    gh.faults.add({ method: 'PATCH', path: '/repos/acme/web/pulls/1', status: 403 });
    const error = await caught(forge.closeChangeRequest(repo, 1, null));
    expect(error.code).toBe('forge-forbidden');
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(
      'GitHub refused to close pull request #1 of acme/web (403 Resource not accessible by integration); the token needs the "pull requests: write" permission on the repository',
    );
    expect(inspect(error, { depth: 10 })).not.toContain(TOKEN);
  });

  it('says how to fix a rejected token', async () => {
    const { gh } = await setup();
    gh.state.addRepo('acme/web');
    const forge = createGithubForge({ url: gh.url, token: 'ghp_expiredexpiredexpired', throttle: false });
    const error = await caught(forge.getRepository('acme/web'));
    expect(error.code).toBe('forge-unauthorized');
    expect(error.message).toBe(
      'GitHub rejected the token while trying to read repository acme/web (401 Bad credentials); check that the token in the configured token environment variable is valid and not expired',
    );
    expect(inspect(error, { depth: 10 })).not.toContain('expiredexpired');
  });

  it('maps a 409 to forge-conflict without retrying', async () => {
    const { gh, forge, repo } = await seeded();
    gh.faults.add({ method: 'GET', path: /\/git\/trees\//, status: 409, body: { message: 'Git Repository is empty.', documentation_url: 'https://docs.github.com/rest', status: '409' } });
    const error = await caught(forge.listTree(repo, 'main'));
    expect(error.code).toBe('forge-conflict');
    expect(error.message).toBe('GitHub could not list the tree of main in acme/web: 409 Git Repository is empty.');
    expect(gh.requests).toHaveLength(1);
  });

  it('retries a 500 on pull request creation and succeeds', async () => {
    const { gh, forge, repo } = await seeded();
    gh.state.pushCommit('acme/web', 'archpin/a', { Dockerfile: 'FROM node:22\n' });
    gh.requests.length = 0;
    gh.faults.add({ method: 'POST', path: '/repos/acme/web/pulls', status: 500 });
    const pr = await forge.openChangeRequest(repo, { branch: 'archpin/a', base: 'main', title: 'T', body: '', labels: [] });
    expect(pr.number).toBe(1);
    expect(calls(gh)).toEqual(['POST /repos/acme/web/pulls 500', 'POST /repos/acme/web/pulls 201']);
  });

  it('never retries creating an issue or a comment: a 500 may come after GitHub made it', async () => {
    const { gh, forge, repo } = await seeded();
    gh.requests.length = 0;
    gh.faults.add({ method: 'POST', path: '/repos/acme/web/issues', status: 500 });
    expect((await caught(forge.createIssue(repo, 'Dependency Dashboard', 'x'))).code).toBe('forge-unavailable');
    expect(calls(gh)).toEqual(['POST /repos/acme/web/issues 500']);
  });

  it('gives up on a persistent 502 after three retries with forge-unavailable', async () => {
    const { gh, forge } = await setup();
    gh.faults.add({ path: '/repos/acme/web', status: 502, times: 10 });
    const error = await caught(forge.getRepository('acme/web'));
    expect(error.code).toBe('forge-unavailable');
    expect(error.retryable).toBe(true);
    expect(gh.requests.map((r) => r.status)).toEqual([502, 502, 502, 502]);
  });

  it('reports a network failure as forge-unavailable', async () => {
    const { gh } = await setup();
    const url = gh.url;
    await gh.stop();
    double = undefined;
    const forge = createGithubForge({ url, token: TOKEN, throttle: false, retries: 0 });
    const error = await caught(forge.getRepository('acme/web'));
    expect(error.code).toBe('forge-unavailable');
    expect(error.retryable).toBe(true);
  });
});

describe('GitHub forge: rate limits', () => {
  const primary = (resetIn: number) => ({
    status: 403,
    body: { message: 'API rate limit exceeded for installation ID 4711.', documentation_url: 'https://docs.github.com/rest/rate-limit', status: '403' },
    headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + resetIn) },
  });

  it('without throttling, a primary limit fails at once as retryable forge-rate-limited', async () => {
    const { gh, forge } = await setup();
    gh.faults.add({ path: '/repos/acme/web', ...primary(600) });
    const error = await caught(forge.getRepository('acme/web'));
    expect(error.code).toBe('forge-rate-limited');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/^GitHub rate limit hit while trying to read repository acme\/web \(403 API rate limit exceeded for installation ID 4711\.\); the limit resets at \d{4}-/);
    expect(gh.requests).toHaveLength(1);
  });

  it('without throttling, a 429 with Retry-After is reported with the wait', async () => {
    const { gh, forge } = await setup();
    gh.faults.add({ path: '/repos/acme/web', status: 429, headers: { 'retry-after': '30' } });
    const error = await caught(forge.getRepository('acme/web'));
    expect(error.code).toBe('forge-rate-limited');
    expect(error.message).toBe('GitHub rate limit hit while trying to read repository acme/web (429 API rate limit exceeded); retry after 30s');
    expect(gh.requests).toHaveLength(1);
  });

  it('with throttling, waits out a secondary limit on PR creation and then succeeds', async () => {
    const { gh, forge, repo } = await seeded({ throttle: true });
    gh.state.pushCommit('acme/web', 'archpin/a', { Dockerfile: 'FROM node:22\n' });
    gh.faults.add({
      method: 'POST',
      path: '/repos/acme/web/pulls',
      status: 403,
      body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest', status: '403' },
      headers: { 'retry-after': '2' },
    });
    const pr = await forge.openChangeRequest(repo, { branch: 'archpin/a', base: 'main', title: 'T', body: '', labels: [] });
    expect(pr.number).toBe(1);
    expect(calls(gh)).toEqual(['POST /repos/acme/web/pulls 403', 'POST /repos/acme/web/pulls 201']);
  });

  it('with throttling at the production scale, writes start at least a second apart', async () => {
    const { gh, forge } = await setup({ throttle: true, waitScaleMs: undefined });
    gh.state.addRepo('acme/web', { files: { Dockerfile: DOCKERFILE } });
    gh.state.pushCommit('acme/web', 'archpin/a', { Dockerfile: 'FROM node:22\n' });
    gh.state.pushCommit('acme/web', 'archpin/b', { Dockerfile: 'FROM node:23\n' });
    const repo = await forge.getRepository('acme/web');
    const started = Date.now();
    await forge.deleteBranch(repo, 'archpin/a');
    await forge.deleteBranch(repo, 'archpin/b');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(calls(gh).filter((call) => !call.startsWith('GET'))).toEqual(['DELETE /repos/acme/web/git/refs/heads%2Farchpin%2Fa 204', 'DELETE /repos/acme/web/git/refs/heads%2Farchpin%2Fb 204']);
  });

  it('with throttling, waits out a primary limit on a read', async () => {
    const { gh, forge } = await setup({ throttle: true });
    gh.state.addRepo('acme/web');
    gh.faults.add({ path: '/repos/acme/web', ...primary(1) });
    expect((await forge.getRepository('acme/web')).path).toBe('acme/web');
    expect(gh.requests.map((r) => r.status)).toEqual([403, 200]);
  });

  it('with throttling, gives up when the reset is further away than allowed', async () => {
    const { gh, forge } = await setup({ throttle: true, maxRateLimitWaitSeconds: 60 });
    gh.state.addRepo('acme/web');
    gh.faults.add({ path: '/repos/acme/web', ...primary(3600) });
    const error = await caught(forge.getRepository('acme/web'));
    expect(error.code).toBe('forge-rate-limited');
    expect(gh.requests).toHaveLength(1);
  });
});

describe('GitHub forge: Enterprise Server layout', () => {
  it('talks REST under /api/v3 and sends the auto-merge mutation to /api/graphql', async () => {
    double = await startGithubDouble({ tokens: [TOKEN], enterprise: true });
    const gh = double;
    expect(gh.url.endsWith('/api/v3')).toBe(true);
    gh.state.addRepo('acme/web', { files: { Dockerfile: DOCKERFILE } });
    const forge = createGithubForge({ url: `${gh.url}/`, token: TOKEN, throttle: false });
    const repo = await forge.getRepository('acme/web');
    await branchWithChange(forge, repo, 'archpin/node-20.x', 'FROM node:20.12.1\n');
    const pr = await forge.openChangeRequest(repo, { branch: 'archpin/node-20.x', base: 'main', title: 'T', body: '', labels: [] });
    await forge.enableAutomerge(repo, pr.number);
    expect(gh.state.item('acme/web', pr.number).pull!.autoMerge).toMatchObject({ mergeMethod: 'SQUASH' });
    expect(calls(gh)[0]).toBe('GET /api/v3/repos/acme/web 200');
    expect(calls(gh).at(-1)).toBe('POST /api/graphql 200');
  });
});

describe('GitHub forge: missing refs', () => {
  it('reports the tree of a missing slashed branch as forge-not-found', async () => {
    const { forge, repo } = await seeded();
    const error = await caught(forge.listTree(repo, 'archpin/none'));
    expect(error.code).toBe('forge-not-found');
    expect(error.message).toBe('GitHub could not list the tree of archpin/none in acme/web: no such branch');
  });
});
