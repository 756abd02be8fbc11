import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GITLAB_TEST_TOKEN, startGitlabDouble, type GitlabDouble } from '../../support/gitlab-double.js';

describe('GitLab double', () => {
  let double: GitlabDouble;
  beforeEach(async () => {
    double = await startGitlabDouble();
  });
  afterEach(() => double.stop());

  const api = (path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
    fetch(`${double.url}/api/v4${path}`, {
      method: init.method ?? 'GET',
      headers: { 'private-token': GITLAB_TEST_TOKEN, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });

  it('answers 401 as JSON without a valid token and accepts a Bearer token', async () => {
    double.state.addProject('acme/web', { files: { a: 'a' } });
    const denied = await fetch(`${double.url}/api/v4/projects/acme%2Fweb`, { headers: { 'private-token': 'glpat-wrong' } });
    expect([denied.status, denied.headers.get('content-type'), await denied.text()]).toEqual([401, 'application/json', '{"message":"401 Unauthorized"}']);
    const bearer = await fetch(`${double.url}/api/v4/projects/acme%2Fweb`, { headers: { authorization: `Bearer ${GITLAB_TEST_TOKEN}` } });
    expect(bearer.status).toBe(200);
  });

  it('matches projects by raw encoded path or id, and 404s like GitLab', async () => {
    const project = double.state.addProject('acme/web', { files: { a: 'a' } });
    expect(((await (await api('/projects/acme%2Fweb')).json()) as { id: number }).id).toBe(project.id);
    expect(((await (await api(`/projects/${project.id}`)).json()) as { path_with_namespace: string }).path_with_namespace).toBe('acme/web');
    const missing = await api('/projects/acme%2Fnope');
    expect([missing.status, await missing.text()]).toEqual([404, '{"message":"404 Project Not Found"}']);
    const branch = await api(`/projects/${project.id}/repository/branches/nope`);
    expect([branch.status, await branch.text()]).toEqual([404, '{"message":"404 Branch Not Found"}']);
  });

  it('paginates with link and x-* headers that repeat every filter', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) double.state.addProject(`acme/sub/${name}`, { files: { f: name } });
    double.state.addProject('acme/z-archived', { files: { f: 'z' }, archived: true });
    const first = await api('/groups/acme/projects?include_subgroups=true&archived=false&per_page=2&order_by=id&sort=asc');
    const base = `${double.url}/api/v4/groups/acme/projects?archived=false&include_subgroups=true&order_by=id`;
    expect(first.headers.get('link')).toBe(`<${base}&page=2&per_page=2&sort=asc>; rel="next", <${base}&page=1&per_page=2&sort=asc>; rel="first", <${base}&page=3&per_page=2&sort=asc>; rel="last"`);
    expect([first.headers.get('x-total'), first.headers.get('x-total-pages'), first.headers.get('x-next-page'), first.headers.get('x-page')]).toEqual(['5', '3', '2', '1']);
    expect(((await first.json()) as { path_with_namespace: string }[]).map((p) => p.path_with_namespace)).toEqual(['acme/sub/a', 'acme/sub/b']);
    const last = await api('/groups/acme/projects?include_subgroups=true&archived=false&per_page=2&order_by=id&sort=asc&page=3');
    expect(last.headers.get('link')).not.toContain('rel="next"');
    expect(last.headers.get('x-next-page')).toBe('');
    expect(((await last.json()) as unknown[]).length).toBe(1);
    const direct = await api('/groups/acme/projects');
    expect(((await direct.json()) as { path_with_namespace: string }[]).map((p) => p.path_with_namespace)).toEqual(['acme/z-archived']);
  });

  it('serves raw files with a sniffed content type and the x-gitlab headers', async () => {
    const project = double.state.addProject('acme/web', {
      files: { 'docker/Dockerfile': 'FROM alpine:3.20\n', 'logo.png': Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1]), 'data.bin': Uint8Array.from([0x41, 0x00, 0x42]) },
    });
    const text = await api(`/projects/${project.id}/repository/files/docker%2FDockerfile/raw?ref=main`);
    expect([text.status, text.headers.get('content-type'), text.headers.get('x-gitlab-file-path'), text.headers.get('x-gitlab-size')]).toEqual([
      200,
      'text/plain; charset=utf-8',
      'docker/Dockerfile',
      '17',
    ]);
    expect(text.headers.get('x-gitlab-last-commit-id')).toBe(project.branches.get('main'));
    const png = await api(`/projects/${project.id}/repository/files/logo.png/raw?ref=main`);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await png.arrayBuffer())).toEqual(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1]));
    const blob = await api(`/projects/${project.id}/repository/files/data.bin/raw?ref=main`);
    expect(blob.headers.get('content-type')).toBe('application/octet-stream');
    const gone = await api(`/projects/${project.id}/repository/files/nope/raw?ref=main`);
    expect([gone.status, await gone.text()]).toEqual([404, '{"message":"404 File Not Found"}']);
  });

  describe('commits API', () => {
    const post = (id: number, body: Record<string, unknown>) => api(`/projects/${id}/repository/commits`, { method: 'POST', body });
    const update = (content: string, extra: Record<string, unknown> = {}) => ({ action: 'update', file_path: 'Dockerfile', content, ...extra });

    it('refuses an existing branch without force, and rebuilds it on the base with force', async () => {
      const project = double.state.addProject('acme/web', { files: { Dockerfile: 'FROM node:20\n', 'README.md': 'r\n' } });
      const base = project.branches.get('main')!;
      const created = await post(project.id, { branch: 'archpin/x', commit_message: 'one', start_branch: 'main', actions: [update('FROM node:22\n')] });
      expect(created.status).toBe(201);
      const first = (await created.json()) as { id: string; parent_ids: string[]; title: string };
      expect([first.parent_ids, first.title]).toEqual([[base], 'one']);
      const refused = await post(project.id, { branch: 'archpin/x', commit_message: 'two', start_branch: 'main', actions: [update('FROM node:23\n')] });
      expect([refused.status, await refused.text()]).toEqual([400, `{"message":"A branch called 'archpin/x' already exists. Switch to that branch in order to make changes"}`]);
      const followUp = await post(project.id, { branch: 'archpin/x', commit_message: 'follow-up', actions: [{ action: 'create', file_path: 'VERSION', content: 'MjIK', encoding: 'base64' }] });
      expect(((await followUp.json()) as { parent_ids: string[] }).parent_ids).toEqual([first.id]);
      expect(new TextDecoder().decode(double.state.files('acme/web', 'archpin/x').get('VERSION'))).toBe('22\n');
      const forced = await post(project.id, { branch: 'archpin/x', commit_message: 'three', start_sha: base, force: true, actions: [update('FROM node:24\n')] });
      expect(((await forced.json()) as { parent_ids: string[] }).parent_ids).toEqual([base]);
      expect([...double.state.files('acme/web', 'archpin/x').keys()].sort()).toEqual(['Dockerfile', 'README.md']);
    });

    it("checks files, last_commit_id and start refs with GitLab's messages", async () => {
      const project = double.state.addProject('acme/web', { files: { Dockerfile: 'FROM node:20\n' } });
      const initial = project.branches.get('main')!;
      double.state.push('acme/web', { 'README.md': 'later\n' });
      const cases: [Record<string, unknown>, string][] = [
        [{ branch: 'b1', commit_message: 'm', start_branch: 'nope', actions: [update('x')] }, 'You can only create or edit files when you are on a branch'],
        [{ branch: 'b1', commit_message: 'm', start_branch: 'main', start_sha: initial, actions: [update('x')] }, "You can't pass both start_branch and start_sha"],
        [{ branch: 'b1', commit_message: 'm', start_sha: 'f'.repeat(40), actions: [update('x')] }, `Cannot find start_sha '${'f'.repeat(40)}'`],
        [{ branch: 'b1', commit_message: 'm', start_branch: 'main', actions: [{ action: 'create', file_path: 'Dockerfile', content: 'x' }] }, 'A file with this name already exists'],
        [
          { branch: 'b1', commit_message: 'm', start_branch: 'main', actions: [update('x', { last_commit_id: 'a'.repeat(40) })] },
          'You are attempting to update a file that has changed since you started editing it.',
        ],
        [{ branch: 'main', commit_message: 'm', actions: [update('x')] }, 'You are not allowed to push into this branch'],
      ];
      for (const [body, text] of cases) {
        const response = await post(project.id, body);
        expect([response.status, ((await response.json()) as { message: string }).message]).toEqual([400, text]);
      }
      const missing = await post(project.id, { commit_message: 'm', actions: [update('x')] });
      expect([missing.status, await missing.text()]).toEqual([400, '{"error":"branch is missing"}']);
      const current = await post(project.id, { branch: 'b1', commit_message: 'm', start_branch: 'main', actions: [update('x', { last_commit_id: initial })] });
      expect(current.status).toBe(201);
      expect(project.branches.has('b1')).toBe(true);
    });
  });

  it('rejects a duplicate open merge request with an array message and a moved sha on merge', async () => {
    const project = double.state.addProject('acme/web', { files: { a: 'a' } });
    double.state.push('acme/web', { a: 'b' }, 'change', 'archpin/a');
    const body = { source_branch: 'archpin/a', target_branch: 'main', title: 'Update a', labels: 'dependencies, archpin,dependencies' };
    const created = (await (await api(`/projects/${project.id}/merge_requests`, { method: 'POST', body })).json()) as { iid: number; labels: string[] };
    expect([created.iid, created.labels]).toEqual([1, ['dependencies', 'archpin']]);
    const duplicate = await api(`/projects/${project.id}/merge_requests`, { method: 'POST', body });
    expect([duplicate.status, await duplicate.text()]).toEqual([409, '{"message":["Another open merge request already exists for this source branch: !1"]}']);
    const moved = await api(`/projects/${project.id}/merge_requests/1/merge`, { method: 'PUT', body: { sha: 'c'.repeat(40), auto_merge: true } });
    expect([moved.status, await moved.text()]).toEqual([409, '{"message":"SHA does not match HEAD of source branch"}']);
    const merged = (await (await api(`/projects/${project.id}/merge_requests/1/merge`, { method: 'PUT', body: {} })).json()) as { state: string };
    expect(merged.state).toBe('merged');
    const deleted = await api(`/projects/${project.id}/repository/branches/archpin%2Fa`, { method: 'DELETE', body: {} });
    expect(deleted.status).toBe(204);
    expect(project.branches.has('archpin/a')).toBe(false);
  });

  it('fails only the nth matching request of a fault and logs every request', async () => {
    const project = double.state.addProject('acme/web', { files: { a: 'a' } });
    const fault = double.faults.add({ method: 'GET', path: `/projects/${project.id}`, nth: 2, status: 503, headers: { 'retry-after': '1' } });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await api(`/projects/${project.id}`)).status);
    await api('/projects/acme%2Fweb');
    expect(statuses).toEqual([200, 503, 200]);
    expect([fault.seen, fault.fired]).toEqual([3, 1]);
    expect(double.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      `GET /projects/${project.id} 200`,
      `GET /projects/${project.id} 503`,
      `GET /projects/${project.id} 200`,
      'GET /projects/acme%2Fweb 200',
    ]);
    expect(double.count('GET', `/projects/${project.id}`)).toBe(3);
  });
});
