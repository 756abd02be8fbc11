import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Forge, Repository } from '../../../src/apply/forges/forge.js';
import { createGitlabForge } from '../../../src/apply/forges/gitlab.js';
import { ArchpinError } from '../../../src/core/errors.js';
import { GITLAB_TEST_TOKEN, startGitlabDouble, type GitlabDouble } from '../../support/gitlab-double.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

async function failure(promise: Promise<unknown>): Promise<ArchpinError> {
  const error = await promise.then(
    () => new Error('expected a failure'),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ArchpinError);
  return error as ArchpinError;
}

describe('GitLab forge', () => {
  let double: GitlabDouble;
  let sleeps: number[];
  let forge: Forge;

  beforeEach(async () => {
    double = await startGitlabDouble({ tokens: { [GITLAB_TEST_TOKEN]: ['api'], 'glpat-ReadOnly7Scope2Token': ['read_api'] } });
    sleeps = [];
    forge = createGitlabForge({ url: double.url, token: GITLAB_TEST_TOKEN, tokenEnv: 'GITLAB_TOKEN', sleep: async (ms) => void sleeps.push(ms), maxRetryAfterMs: 30_000 });
  });
  afterEach(() => double.stop());

  const seed = (path: string, files: Record<string, string | Uint8Array> = { Dockerfile: 'FROM alpine:3.20\n' }) => double.state.addProject(path, { files });
  const repoOf = (path: string): Promise<Repository> => forge.getRepository(String(double.state.project(path).id));

  describe('listing repositories', () => {
    it('walks every page of a group with subgroups, repeating the filters on each page', async () => {
      for (let i = 0; i < 250; i++) {
        const group = ['acme', 'acme/platform', 'acme/platform/images'][i % 3]!;
        seed(`${group}/svc-${String(i).padStart(3, '0')}`);
      }
      for (let i = 0; i < 4; i++) double.state.addProject(`acme/platform/old-${i}`, { files: { a: 'a' }, archived: true });
      seed('elsewhere/svc-999');
      const repos = await forge.listRepositories({ groups: ['acme'] });
      expect(repos).toHaveLength(250);
      expect(repos[0]!.path).toBe('acme/platform/images/svc-002');
      expect(repos[249]!.path).toBe('acme/svc-249');
      expect(repos.map((r) => r.path)).toEqual(repos.map((r) => r.path).sort());
      expect(repos.some((r) => r.archived || r.path.includes('old-') || r.path.startsWith('elsewhere/'))).toBe(false);
      const pages = double.requests.filter((r) => r.path === '/groups/acme/projects');
      expect(pages.map((r) => new URLSearchParams(r.query).get('page'))).toEqual([null, '2', '3']);
      for (const page of pages) {
        const query = new URLSearchParams(page.query);
        expect([query.get('include_subgroups'), query.get('archived'), query.get('with_shared'), query.get('per_page')]).toEqual(['true', 'false', 'false', '100']);
      }
    });

    it('adds named projects, skips archived and empty ones, and deduplicates', async () => {
      seed('acme/web');
      seed('acme/api');
      seed('tools/ci-images');
      double.state.addProject('tools/retired', { files: { a: 'a' }, archived: true });
      double.state.addProject('tools/empty');
      const repos = await forge.listRepositories({ groups: ['acme'], projects: ['acme/web', 'tools/ci-images', 'tools/retired', 'tools/empty'] });
      expect(repos.map((r) => r.path)).toEqual(['acme/api', 'acme/web', 'tools/ci-images']);
      expect(repos[2]).toEqual({
        id: String(double.state.project('tools/ci-images').id),
        path: 'tools/ci-images',
        defaultBranch: 'main',
        archived: false,
        webUrl: `${double.url}/tools/ci-images`,
        activity: double.state.project('tools/ci-images').lastActivityAt,
      });
      expect(double.count('GET', '/projects/tools%2Fci-images')).toBe(1);
    });

    it('reports an unknown group as forge-not-found naming it', async () => {
      const error = await failure(forge.listRepositories({ groups: ['nope'] }));
      expect(error.code).toBe('forge-not-found');
      expect(error.message).toBe('GitLab could not list projects of group nope: 404 Group Not Found');
    });
  });

  describe('trees and files', () => {
    it('follows keyset pages of a large tree', async () => {
      const files: Record<string, string> = {};
      for (let i = 0; i < 230; i++) files[`manifests/app-${String(i).padStart(3, '0')}.yaml`] = `image: registry.example.com/app:${i}\n`;
      seed('acme/big', files);
      const tree = await forge.listTree(await repoOf('acme/big'), 'main');
      expect(tree).toHaveLength(230);
      expect(tree[0]).toEqual({ path: 'manifests/app-000.yaml', size: null });
      const calls = double.requests.filter((r) => r.path.endsWith('/repository/tree'));
      expect(calls).toHaveLength(3);
      expect(calls.map((r) => new URLSearchParams(r.query).get('pagination'))).toEqual(['keyset', 'keyset', 'keyset']);
      expect(new URLSearchParams(calls[1]!.query).get('recursive')).toBe('true');
    });

    it('reads a Latin-1 text file byte for byte although GitLab serves it as text/plain', async () => {
      const latin1 = Uint8Array.from([0x23, 0x20, 0x63, 0x61, 0x66, 0xe9, 0x0a, 0x46, 0x52, 0x4f, 0x4d, 0x20, 0x78, 0x0a]);
      seed('acme/web', { 'docker/Dockerfile': latin1 });
      expect(await forge.readFile(await repoOf('acme/web'), 'docker/Dockerfile', 'main')).toEqual(latin1);
      expect(double.requests.at(-1)!.path).toBe(`/projects/${double.state.project('acme/web').id}/repository/files/docker%2FDockerfile/raw`);
    });

    it('works under a relative URL root', async () => {
      const rooted = await startGitlabDouble({ relativeRoot: '/gitlab' });
      try {
        rooted.state.addProject('acme/web', { files: { Dockerfile: 'FROM alpine:3.20\n' } });
        const viaRoot = createGitlabForge({ url: `${rooted.url}/`, token: GITLAB_TEST_TOKEN, tokenEnv: 'GITLAB_TOKEN' });
        const [repo] = await viaRoot.listRepositories({ projects: ['acme/web'] });
        expect(await viaRoot.readFile(repo!, 'Dockerfile', 'main')).toEqual(bytes('FROM alpine:3.20\n'));
      } finally {
        await rooted.stop();
      }
    });
  });

  describe('commits', () => {
    it('creates a new branch from start_sha without force, and forces an existing one', async () => {
      seed('acme/web', { Dockerfile: 'FROM node:20.11.1\n', 'logo.bin': Uint8Array.from([0, 1, 2]) });
      const repo = await repoOf('acme/web');
      const base = (await forge.branchHead(repo, 'main'))!.sha;
      const request = { branch: 'archpin/node-20.x', baseSha: base, baseBranch: 'main', message: 'Update node to 20.12.1', files: [{ path: 'Dockerfile', content: bytes('FROM node:20.12.1\n') }] };
      await forge.commitFiles(repo, request);
      await forge.commitFiles(repo, { ...request, files: [{ path: 'logo.bin', content: Uint8Array.from([0xff, 0x00]) }] });
      const posts = double.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/repository/commits'));
      expect(posts.map((r) => r.status)).toEqual([201, 201]);
      expect(posts[0]!.body).toEqual({
        branch: 'archpin/node-20.x',
        commit_message: 'Update node to 20.12.1',
        actions: [{ action: 'update', file_path: 'Dockerfile', content: Buffer.from('FROM node:20.12.1\n').toString('base64'), encoding: 'base64' }],
        start_sha: base,
      });
      expect(posts[1]!.body).toMatchObject({ start_sha: base, force: true });
      const files = double.state.files('acme/web', 'archpin/node-20.x');
      expect(files.get('logo.bin')).toEqual(Uint8Array.from([0xff, 0x00]));
      expect(files.get('Dockerfile')).toEqual(bytes('FROM node:20.11.1\n'));
    });

    it("maps a file that does not exist on the base to forge-error with GitLab's text", async () => {
      seed('acme/web');
      const repo = await repoOf('acme/web');
      const base = (await forge.branchHead(repo, 'main'))!.sha;
      const error = await failure(forge.commitFiles(repo, { branch: 'archpin/x', baseSha: base, baseBranch: 'main', message: 'm', files: [{ path: 'nope.yaml', content: bytes('a') }] }));
      expect(error.code).toBe('forge-error');
      expect(error.message).toBe("GitLab could not commit to branch archpin/x of acme/web (400): A file with this name doesn't exist");
    });

    it('reads the head parents from the commit when the branch payload lacks them', async () => {
      seed('acme/web');
      const repo = await repoOf('acme/web');
      const base = double.state.project('acme/web').branches.get('main')!;
      const head = double.state.push('acme/web', { Dockerfile: 'FROM alpine:3.21\n' }, 'bump', 'archpin/alpine');
      double.faults.add({ method: 'GET', path: `/projects/${repo.id}/repository/branches/archpin%2Falpine`, status: 200, body: { name: 'archpin/alpine', commit: { id: head } } });
      expect(await forge.branchHead(repo, 'archpin/alpine')).toEqual({ sha: head, parents: [base] });
      expect(double.requests.at(-1)).toMatchObject({ method: 'GET', path: `/projects/${repo.id}/repository/commits/${head}`, status: 200 });
    });

    it('deleting a branch that is already gone is not an error', async () => {
      seed('acme/web');
      await expect(forge.deleteBranch(await repoOf('acme/web'), 'archpin/gone')).resolves.toBeUndefined();
      expect(double.requests.at(-1)).toMatchObject({ method: 'DELETE', path: `/projects/${double.state.project('acme/web').id}/repository/branches/archpin%2Fgone`, status: 404 });
    });
  });

  describe('merge requests', () => {
    it('finds the newest merge request of a branch among closed and merged ones', async () => {
      seed('acme/web');
      const project = double.state.project('acme/web');
      double.state.push('acme/web', { Dockerfile: 'FROM alpine:3.21\n' }, 'bump', 'archpin/alpine');
      const fields = { title: 'Update alpine', description: '', sourceBranch: 'archpin/alpine', targetBranch: 'main', labels: [] };
      double.state.addMergeRequest(project, fields).state = 'merged';
      double.state.addMergeRequest(project, { ...fields, title: 'Update alpine again' }).state = 'closed';
      double.state.addMergeRequest(project, { ...fields, sourceBranch: 'archpin/other' });
      const found = await forge.findChangeRequest(await repoOf('acme/web'), 'archpin/alpine');
      expect(found).toMatchObject({ number: 2, title: 'Update alpine again', state: 'closed', branch: 'archpin/alpine' });
      expect(double.requests.at(-1)!.query).toContain('source_branch=archpin%2Falpine');
    });

    it('sends labels as one comma-separated string and auto-merge with both flag names', async () => {
      seed('acme/web');
      double.state.push('acme/web', { Dockerfile: 'FROM alpine:3.21\n' }, 'bump', 'archpin/alpine');
      const repo = await repoOf('acme/web');
      const cr = await forge.openChangeRequest(repo, { branch: 'archpin/alpine', base: 'main', title: 'Update alpine', body: 'body', labels: ['dependencies', 'archpin'] });
      expect(double.requests.at(-1)!.body).toEqual({
        source_branch: 'archpin/alpine',
        target_branch: 'main',
        title: 'Update alpine',
        description: 'body',
        labels: 'dependencies,archpin',
        remove_source_branch: true,
      });
      // No pipeline yet: GitLab would merge at once, so auto-merge waits and nothing is sent.
      expect(await forge.enableAutomerge(repo, cr.number)).toBe('waiting');
      expect(double.requests.at(-1)).toMatchObject({ method: 'GET', path: `/projects/${repo.id}/merge_requests/1` });
      expect(double.state.mergeRequest(repo.id, 1).state).toBe('opened');
      double.state.startPipeline(repo.id, 1);
      expect(await forge.enableAutomerge(repo, cr.number)).toBe('enabled');
      const head = double.state.project('acme/web').branches.get('archpin/alpine');
      expect(double.requests.at(-1)).toMatchObject({ method: 'PUT', path: `/projects/${repo.id}/merge_requests/1/merge`, body: { auto_merge: true, merge_when_pipeline_succeeds: true, sha: head } });
      expect(double.state.mergeRequest(repo.id, 1)).toMatchObject({ state: 'opened', mergeWhenPipelineSucceeds: true });
      await forge.closeChangeRequest(repo, cr.number, null);
      const error = await failure(forge.enableAutomerge(repo, cr.number));
      expect(error.code).toBe('forge-error');
      expect(error.message).toContain('(405): 405 Method Not Allowed');
    });

    it('leaves the note before closing', async () => {
      seed('acme/web');
      double.state.push('acme/web', { Dockerfile: 'FROM alpine:3.21\n' }, 'bump', 'archpin/alpine');
      const repo = await repoOf('acme/web');
      const cr = await forge.openChangeRequest(repo, { branch: 'archpin/alpine', base: 'main', title: 'Update alpine', body: '', labels: [] });
      await forge.closeChangeRequest(repo, cr.number, 'Superseded by !2');
      expect(double.requests.slice(-2).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
        `POST /projects/${repo.id}/merge_requests/1/notes 201`,
        `PUT /projects/${repo.id}/merge_requests/1 200`,
      ]);
      expect(double.requests.at(-1)!.body).toEqual({ state_event: 'close' });
    });
  });

  describe('rate limits and retries', () => {
    it('waits out Retry-After on 429 through the injected sleep, then succeeds', async () => {
      seed('acme/web');
      const id = double.state.project('acme/web').id;
      double.faults.add({ method: 'GET', path: `/projects/${id}`, status: 429, times: 2, headers: { 'retry-after': '7' }, body: { message: '429 Too Many Requests' } });
      const repo = await forge.getRepository(String(id));
      expect(repo.path).toBe('acme/web');
      expect(sleeps).toEqual([7000, 7000]);
      expect(double.requests.map((r) => r.status)).toEqual([429, 429, 200]);
    });

    it('retries a rate-limited write, which GitLab did not process', async () => {
      seed('acme/web');
      double.state.push('acme/web', { Dockerfile: 'FROM alpine:3.21\n' }, 'bump', 'archpin/alpine');
      const repo = await repoOf('acme/web');
      double.faults.add({ method: 'POST', path: /\/merge_requests$/, status: 429, headers: { 'retry-after': '2' } });
      const cr = await forge.openChangeRequest(repo, { branch: 'archpin/alpine', base: 'main', title: 'Update alpine', body: '', labels: [] });
      expect(cr.number).toBe(1);
      expect(sleeps).toEqual([2000]);
      expect(double.state.project('acme/web').mergeRequests).toHaveLength(1);
    });

    it('fails as forge-rate-limited without waiting when Retry-After exceeds the cap', async () => {
      seed('acme/web');
      const id = double.state.project('acme/web').id;
      double.faults.add({ method: 'GET', path: `/projects/${id}`, status: 429, headers: { 'retry-after': '3600' } });
      const error = await failure(forge.getRepository(String(id)));
      expect(error.code).toBe('forge-rate-limited');
      expect(error.retryable).toBe(true);
      expect(error.message).toBe(`GitLab rate-limited the request to read project ${id}; retry after 3600 s`);
      expect(sleeps).toEqual([]);
      expect(double.requests).toHaveLength(1);
    });

    it('retries a 5xx on reads twice with backoff, then reports forge-unavailable', async () => {
      seed('acme/web');
      const repo = await repoOf('acme/web');
      double.faults.add({ method: 'GET', path: /\/repository\/tree$/, status: 502, times: 2, body: { message: '502 Bad Gateway' } });
      expect(await forge.listTree(repo, 'main')).toEqual([{ path: 'Dockerfile', size: null }]);
      expect(sleeps).toEqual([250, 500]);
      double.faults.add({ method: 'GET', path: /\/repository\/tree$/, status: 500, times: 3, body: { message: '500 Internal Server Error' } });
      const error = await failure(forge.listTree(repo, 'main'));
      expect(error.code).toBe('forge-unavailable');
      expect(error.retryable).toBe(true);
      expect(error.message).toBe('GitLab failed to list the files of acme/web at main (500 500 Internal Server Error)');
      expect(double.count('GET', /\/repository\/tree$/)).toBe(6);
    });

    it('does not retry a 5xx on a write', async () => {
      seed('acme/web');
      double.state.push('acme/web', { Dockerfile: 'FROM alpine:3.21\n' }, 'bump', 'archpin/alpine');
      const repo = await repoOf('acme/web');
      double.faults.add({ method: 'POST', path: /\/merge_requests$/, status: 500, body: { message: '500 Internal Server Error' } });
      const error = await failure(forge.openChangeRequest(repo, { branch: 'archpin/alpine', base: 'main', title: 'Update alpine', body: '', labels: [] }));
      expect(error.code).toBe('forge-unavailable');
      expect(double.count('POST', /\/merge_requests$/)).toBe(1);
      expect(sleeps).toEqual([]);
    });

    it('reports a server that is gone as forge-unavailable', async () => {
      const url = double.url;
      await double.stop();
      const gone = createGitlabForge({ url, token: GITLAB_TEST_TOKEN, tokenEnv: 'GITLAB_TOKEN', sleep: async () => {} });
      const error = await failure(gone.getRepository('acme/web'));
      expect(error.code).toBe('forge-unavailable');
      expect(error.message.startsWith(`cannot reach GitLab at ${url} to read project acme/web: network error:`)).toBe(true);
      double = await startGitlabDouble();
    });
  });

  describe('auth errors', () => {
    it('names the token variable on 401 and never shows the token, even when the server echoes it', async () => {
      const secret = 'glpat-Sup3rSecretValue42';
      const other = createGitlabForge({ url: double.url, token: secret, tokenEnv: 'ARCHPIN_GITLAB_TOKEN' });
      const error = await failure(other.getRepository('acme/web'));
      expect(error.code).toBe('forge-unauthorized');
      expect(error.message).toBe('GitLab rejected the token while trying to read project acme/web (401 401 Unauthorized): the token in ARCHPIN_GITLAB_TOKEN is invalid, expired or revoked');
      double.faults.add({ path: /.*/, status: 401, body: { message: `token plain-${secret} and ${secret} revoked` } });
      const echoed = await failure(other.getRepository('acme/web'));
      expect(echoed.message).not.toContain('Sup3rSecretValue42');
      const plain = createGitlabForge({ url: double.url, token: 'opaque-token-7f3a9c', tokenEnv: 'GITLAB_TOKEN' });
      double.faults.add({ path: /.*/, status: 403, body: { message: 'token opaque-token-7f3a9c lacks rights' } });
      const forbidden = await failure(plain.getRepository('acme/web'));
      expect(forbidden.message).toBe(
        'GitLab refused to read project acme/web (403 token *** lacks rights): the token in GITLAB_TOKEN needs the api scope and at least the Developer role on the project',
      );
    });

    it('names the api scope and the Developer role on 403', async () => {
      seed('acme/web');
      const readOnly = createGitlabForge({ url: double.url, token: 'glpat-ReadOnly7Scope2Token', tokenEnv: 'GITLAB_TOKEN' });
      const repo = await readOnly.getRepository('acme/web');
      const error = await failure(readOnly.createIssue(repo, 'Dependency Dashboard', 'body'));
      expect(error.code).toBe('forge-forbidden');
      expect(error.message).toBe(
        'GitLab refused to create issue "Dependency Dashboard" in acme/web (403 insufficient_scope (scope api required)): the token in GITLAB_TOKEN needs the api scope and at least the Developer role on the project',
      );
      expect(error.message).not.toContain('ReadOnly7Scope2Token');
      expect(double.state.project('acme/web').issues).toHaveLength(0);
    });
  });
});
