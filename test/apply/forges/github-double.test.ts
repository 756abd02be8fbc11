import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startGithubDouble, type GithubDouble } from '../../support/github-double.js';

const TOKEN = 'double-token-0b5e';
let gh: GithubDouble;
afterEach(async () => {
  await gh.stop();
});

async function api(path: string, init: RequestInit = {}, token: string | null = TOKEN) {
  const headers = new Headers(init.headers);
  if (token !== null) headers.set('authorization', `token ${token}`);
  if (init.body) headers.set('content-type', 'application/json; charset=utf-8');
  const response = await fetch(`${gh.url}${path}`, { ...init, headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: text === '' ? undefined : JSON.parse(text) };
}

describe('GitHub double', () => {
  it('answers bad credentials like GitHub, with rate-limit headers', async () => {
    gh = await startGithubDouble({ tokens: [TOKEN] });
    const response = await api('/user', {}, 'nope');
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.json).toEqual({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    expect(response.headers.get('x-ratelimit-limit')).toBe('5000');
    expect(response.headers.get('x-ratelimit-remaining')).toBe('4999');
    expect(gh.requests).toEqual([expect.objectContaining({ method: 'GET', path: '/user', status: 401 })]);
  });

  it('accepts Bearer tokens and pages with absolute Link URLs that repeat the filters', async () => {
    gh = await startGithubDouble({ tokens: [TOKEN] });
    for (let i = 0; i < 5; i++) gh.state.addRepo(`acme/r${i}`);
    const response = await fetch(`${gh.url}/orgs/acme/repos?type=all&per_page=2&page=2`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as Array<{ full_name: string }>).map((r) => r.full_name)).toEqual(['acme/r2', 'acme/r3']);
    expect(response.headers.get('link')).toBe(
      [
        `<${gh.url}/orgs/acme/repos?type=all&per_page=2&page=1>; rel="prev"`,
        `<${gh.url}/orgs/acme/repos?type=all&per_page=2&page=3>; rel="next"`,
        `<${gh.url}/orgs/acme/repos?type=all&per_page=2&page=3>; rel="last"`,
        `<${gh.url}/orgs/acme/repos?type=all&per_page=2&page=1>; rel="first"`,
      ].join(', '),
    );
  });

  it('hashes blobs like git and matches refs on the raw, encoded path', async () => {
    gh = await startGithubDouble({ tokens: [TOKEN] });
    gh.state.addRepo('acme/web', { files: { 'README.md': 'hello\n' } });
    const blob = await api('/repos/acme/web/git/blobs', { method: 'POST', body: JSON.stringify({ content: 'aGVsbG8K', encoding: 'base64' }) });
    expect(blob.status).toBe(201);
    // `git hash-object` of "hello\n"
    expect(blob.json.sha).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
    expect(blob.json.sha).toBe(createHash('sha1').update('blob 6\0hello\n').digest('hex'));
    const main = gh.state.branchSha('acme/web', 'main')!;
    expect((await api('/repos/acme/web/git/refs', { method: 'POST', body: JSON.stringify({ ref: 'refs/heads/deps/x', sha: main }) })).status).toBe(201);
    const ref = await api('/repos/acme/web/git/ref/heads%2Fdeps%2Fx');
    expect(ref.json).toMatchObject({ ref: 'refs/heads/deps/x', object: { sha: main, type: 'commit' } });
    const again = await api('/repos/acme/web/git/refs', { method: 'POST', body: JSON.stringify({ ref: 'refs/heads/deps/x', sha: main }) });
    expect(again.status).toBe(422);
    expect(again.json).toEqual({ message: 'Reference already exists', documentation_url: 'https://docs.github.com/rest/git', status: '422' });
  });

  it('refuses a non-fast-forward ref update unless forced', async () => {
    gh = await startGithubDouble({ tokens: [TOKEN] });
    gh.state.addRepo('acme/web', { files: { a: '1\n' } });
    const old = gh.state.pushCommit('acme/web', 'deps/x', { a: '2\n' });
    const other = gh.state.pushCommit('acme/web', 'main', { a: '3\n' });
    const plain = await api('/repos/acme/web/git/refs/heads%2Fdeps%2Fx', { method: 'PATCH', body: JSON.stringify({ sha: other }) });
    expect(plain.status).toBe(422);
    expect(plain.json.message).toBe('Update is not a fast forward');
    expect(gh.state.branchSha('acme/web', 'deps/x')).toBe(old);
    const forced = await api('/repos/acme/web/git/refs/heads%2Fdeps%2Fx', { method: 'PATCH', body: JSON.stringify({ sha: other, force: true }) });
    expect(forced.status).toBe(200);
    expect(gh.state.branchSha('acme/web', 'deps/x')).toBe(other);
  });

  it('lists pull requests among issues (with a pull_request key) and filters pulls by owner:branch', async () => {
    gh = await startGithubDouble({ tokens: [TOKEN] });
    gh.state.addRepo('acme/web');
    gh.state.addIssue('acme/web', { title: 'Bug' });
    gh.state.addPull('acme/web', { head: 'deps/x', title: 'Update x' });
    gh.state.addPull('acme/web', { head: 'deps/y', title: 'Update y' });
    const issues = await api('/repos/acme/web/issues');
    expect(issues.json.map((i: { number: number; pull_request?: unknown }) => [i.number, 'pull_request' in i])).toEqual([
      [3, true],
      [2, true],
      [1, false],
    ]);
    const pulls = await api('/repos/acme/web/pulls?head=acme%3Adeps%2Fy');
    expect(pulls.json.map((p: { number: number }) => p.number)).toEqual([3]);
    const unqualified = await api('/repos/acme/web/pulls?head=deps%2Fy');
    expect(unqualified.json).toHaveLength(2);
  });

  it('fails exactly the Nth matching request with the injected status, body and headers', async () => {
    gh = await startGithubDouble({ tokens: [TOKEN] });
    gh.state.addRepo('acme/web');
    gh.faults.add({ method: 'GET', path: '/repos/acme/web', nth: 2, status: 429, headers: { 'retry-after': '7' } });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await api('/repos/acme/web');
      statuses.push(response.status);
      if (response.status === 429) {
        expect(response.headers.get('retry-after')).toBe('7');
        expect(response.json).toEqual({ message: 'API rate limit exceeded', documentation_url: 'https://docs.github.com/rest', status: '429' });
      }
    }
    expect(statuses).toEqual([200, 429, 200]);
  });

  it('serves raw contents with the raw media type and JSON base64 otherwise', async () => {
    gh = await startGithubDouble({ tokens: [TOKEN] });
    const bytes = Uint8Array.from([0, 1, 2, 0xff]);
    gh.state.addRepo('acme/web', { files: { 'bin/x': bytes } });
    const raw = await fetch(`${gh.url}/repos/acme/web/contents/bin%2Fx?ref=main`, {
      headers: { authorization: `token ${TOKEN}`, accept: 'application/vnd.github.v3.raw' },
    });
    expect(raw.headers.get('content-type')).toBe('application/vnd.github.raw; charset=utf-8');
    expect(new Uint8Array(await raw.arrayBuffer())).toEqual(bytes);
    const json = await api('/repos/acme/web/contents/bin/x');
    expect(json.json).toMatchObject({ type: 'file', encoding: 'base64', size: 4, content: 'AAEC/w==\n', path: 'bin/x' });
    expect((await api('/repos/acme/web/contents/nope?ref=main')).status).toBe(404);
  });
});
