/** Reading CI includes of other projects and GitLab's templates on the real @gitbeaker/rest client against the GitLab double. */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitlabForge } from '../../../src/apply/forges/gitlab.js';
import { templateKey } from '../../../src/apply/forges/gitlab-ci-includes.js';
import { sourceFile } from '../../../src/core/source-file.js';
import { changedInclude, readOutsideIncludes } from '../../../src/pipeline/outside-includes.js';
import { GITLAB_TEST_TOKEN, startGitlabDouble, type GitlabDouble } from '../../support/gitlab-double.js';

let double: GitlabDouble;

beforeAll(async () => {
  double = await startGitlabDouble();
  const library = double.state.addProject('platform/ci-library', { files: { 'jobs/node.yml': 'variables:\n  MIRROR: registry.example.test/hub\n', 'jobs/base.yml': '.base:\n  script: [true]\n' } });
  // `v4` holds other bytes than the default branch, and a file of its own that includes another one of the project.
  const v4 = double.state.commit(
    library,
    library.branches.get('main')!,
    { 'jobs/node.yml': 'variables:\n  MIRROR: registry.example.test/v4\n', 'jobs/chain.yml': 'include: {local: /jobs/base.yml}\n' },
    'v4',
  );
  library.branches.set('v4', v4);
  double.state.ciTemplates.set('Code-Quality', 'code_quality:\n  image: registry.example.test/cq:0.96.0\n');
});

afterAll(async () => {
  await double?.stop();
});

const reader = () => createGitlabForge({ url: double.url, token: GITLAB_TEST_TOKEN, tokenEnv: 'GITLAB_TOKEN', sleep: async () => {} }).ciIncludes!;
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
/** Git's object id of a blob: sha1 of `blob <size>\0` and the bytes. */
const gitBlobId = (content: string) =>
  createHash('sha1')
    .update(`blob ${Buffer.byteLength(content)}\0${content}`)
    .digest('hex');

describe('GitLab CI include reader', () => {
  it('reads a file of another project at a ref, at its default branch when no ref is given, and says why when it cannot', async () => {
    const includes = reader();
    const before = double.requests.length;
    const atRef = await includes.projectFile('platform/ci-library', 'jobs/node.yml', 'v4');
    expect(atRef.ok && text(atRef.bytes)).toBe('variables:\n  MIRROR: registry.example.test/v4\n');
    const atDefault = await includes.projectFile('platform/ci-library', 'jobs/node.yml', null);
    expect(atDefault.ok && text(atDefault.bytes)).toBe('variables:\n  MIRROR: registry.example.test/hub\n');
    // Which version was read, as GitLab names it: the file's git blob id.
    expect([atRef.ok && atRef.identity, atDefault.ok && atDefault.identity]).toEqual([
      `blob ${gitBlobId('variables:\n  MIRROR: registry.example.test/v4\n')}`,
      `blob ${gitBlobId('variables:\n  MIRROR: registry.example.test/hub\n')}`,
    ]);
    expect(await includes.projectFile('platform/ci-library', 'jobs/absent.yml', 'v4')).toEqual({
      ok: false,
      reason: 'GitLab could not read jobs/absent.yml of platform/ci-library at v4: 404 File Not Found',
    });
    expect(await includes.projectFile('platform/ci-library', 'jobs/node.yml', 'v9')).toEqual({
      ok: false,
      reason: 'GitLab could not read jobs/node.yml of platform/ci-library at v9: 404 Commit Not Found',
    });
    expect(await includes.projectFile('platform/missing', 'jobs/node.yml', null)).toEqual({ ok: false, reason: 'GitLab could not read project platform/missing: 404 Project Not Found' });
    // The default branch is asked once per project; every path is encoded as gitbeaker encodes it.
    expect(double.requests.slice(before).map((request) => `${request.method} ${request.path}${request.query === '' ? '' : `?${request.query}`} ${request.status}`)).toEqual([
      'GET /projects/platform%2Fci-library/repository/files/jobs%2Fnode.yml?ref=v4 200',
      'GET /projects/platform%2Fci-library 200',
      'GET /projects/platform%2Fci-library/repository/files/jobs%2Fnode.yml?ref=main 200',
      'GET /projects/platform%2Fci-library/repository/files/jobs%2Fabsent.yml?ref=v4 404',
      'GET /projects/platform%2Fci-library/repository/files/jobs%2Fnode.yml?ref=v9 404',
      'GET /projects/platform%2Fmissing 404',
    ]);
  });

  it('reads a template the templates API serves, and names the ones it cannot serve', async () => {
    const includes = reader();
    const found = await includes.template('Code-Quality.gitlab-ci.yml');
    expect(found.ok && text(found.bytes)).toBe('code_quality:\n  image: registry.example.test/cq:0.96.0\n');
    // The templates API names no version: the content's hash stands for it.
    expect(found.ok && found.identity).toBe(`sha256:${createHash('sha256').update('code_quality:\n  image: registry.example.test/cq:0.96.0\n').digest('hex')}`);
    expect(await includes.template('Verify/Absent.gitlab-ci.yml')).toEqual({ ok: false, reason: 'GitLab could not read the CI template Verify/Absent.gitlab-ci.yml: 404 gitlab_ci_yml Not Found' });
    expect(await includes.template('Jobs/Build.gitlab-ci.yml')).toEqual({
      ok: false,
      reason: "GitLab's templates API does not serve Jobs/Build.gitlab-ci.yml (it serves templates of its top folder, Pages, Verify and autodeploy, and Security/SAST)",
    });
    expect([templateKey('Security/SAST.gitlab-ci.yml'), templateKey('Security/DAST.gitlab-ci.yml'), templateKey('Pages/Hugo.gitlab-ci.yml'), templateKey('Code-Quality.yml')]).toEqual([
      'SAST',
      null,
      'Hugo',
      null,
    ]);
  });
});

describe('reading the includes of a repository', () => {
  const root = (lines: readonly string[]) => sourceFile('.gitlab-ci.yml', Buffer.from(lines.join('\n')));

  it('follows includes of included files, and reports each one not read at its file and line', async () => {
    const ci = root([
      'include:', // 1
      '  - project: platform/ci-library', // 2
      '    ref: v4', // 3
      '    file: [jobs/node.yml, jobs/chain.yml, jobs/absent.yml]', // 4
      '  - template: Code-Quality.gitlab-ci.yml', // 5
      '  - remote: https://example.test/ci.yml', // 6
      '',
    ]);
    const outside = await readOutsideIncludes([ci, sourceFile('README.md', Buffer.from('project: not yaml\n'))], reader());
    expect(outside.files.map((file) => [file.path, file.text])).toEqual([
      ['platform/ci-library@v4:jobs/node.yml', 'variables:\n  MIRROR: registry.example.test/v4\n'],
      ['platform/ci-library@v4:jobs/chain.yml', 'include: {local: /jobs/base.yml}\n'],
      ['template:Code-Quality.gitlab-ci.yml', 'code_quality:\n  image: registry.example.test/cq:0.96.0\n'],
      ['platform/ci-library@v4:jobs/base.yml', '.base:\n  script: [true]\n'],
    ]);
    expect(outside.unread).toEqual([
      { key: 'platform/ci-library@v4:jobs/absent.yml', file: '.gitlab-ci.yml', line: 2, reason: 'GitLab could not read jobs/absent.yml of platform/ci-library at v4: 404 File Not Found' },
    ]);
  });

  it('stops at its limits of depth, count and bytes, and names the limit', async () => {
    const ci = root(['include:', '  - project: platform/ci-library', '    ref: v4', '    file: [jobs/chain.yml, jobs/node.yml]', '']);
    const shallow = await readOutsideIncludes([ci], reader(), { depth: 1, count: 50, bytes: 1_000_000, timeMs: 60_000 });
    expect(shallow.files.map((file) => file.path)).toEqual(['platform/ci-library@v4:jobs/chain.yml', 'platform/ci-library@v4:jobs/node.yml']);
    expect(shallow.unread).toEqual([{ key: 'platform/ci-library@v4:jobs/base.yml', file: 'platform/ci-library@v4:jobs/chain.yml', line: 1, reason: 'not read: included 2 deep, past the limit of 1' }]);
    const few = await readOutsideIncludes([ci], reader(), { depth: 5, count: 1, bytes: 1_000_000, timeMs: 60_000 });
    expect(few.files.map((file) => file.path)).toEqual(['platform/ci-library@v4:jobs/chain.yml']);
    expect(few.unread.map((include) => [include.key, include.reason])).toEqual([
      ['platform/ci-library@v4:jobs/node.yml', 'not read: 1 included files were read already, the limit'],
      ['platform/ci-library@v4:jobs/base.yml', 'not read: 1 included files were read already, the limit'],
    ]);
    const small = await readOutsideIncludes([ci], reader(), { depth: 5, count: 50, bytes: 40, timeMs: 60_000 });
    expect(small.files.map((file) => file.path)).toEqual(['platform/ci-library@v4:jobs/chain.yml']);
    expect(small.unread.map((include) => [include.key, include.reason])).toEqual([
      ['platform/ci-library@v4:jobs/node.yml', 'not read: 46 bytes would take the included files past 40 bytes together'],
      ['platform/ci-library@v4:jobs/base.yml', 'not read: 24 bytes would take the included files past 40 bytes together'],
    ]);
    let clock = 0;
    const late = await readOutsideIncludes([ci], reader(), { depth: 5, count: 50, bytes: 1_000_000, timeMs: 1000 }, () => (clock += 600));
    expect(late.files.map((file) => file.path)).toEqual(['platform/ci-library@v4:jobs/chain.yml']);
    expect(late.unread.map((include) => include.reason)).toEqual(['not read: reading includes took longer than 1 s', 'not read: reading includes took longer than 1 s']);
  });

  it('stops a request that stalls when the time for includes is up, and names the include it was for', async () => {
    const ci = root(['include:', '  - project: platform/ci-library', '    ref: v4', '    file: [jobs/chain.yml, jobs/node.yml]', '  - project: platform/ci-library', '    file: jobs/base.yml', '']);
    // The double never answers for jobs/node.yml (the time is long enough for jobs/chain.yml on a slow machine): without a stop, the read would wait for the client's own 300 s.
    const stalls = double.faults.add({ method: 'GET', path: '/projects/platform%2Fci-library/repository/files/jobs%2Fnode.yml', status: 0, hang: 'before' });
    const before = double.requests.length;
    try {
      const outside = await readOutsideIncludes([ci], reader(), { depth: 5, count: 50, bytes: 1_000_000, timeMs: 3000 });
      expect(outside.files.map((file) => file.path)).toEqual(['platform/ci-library@v4:jobs/chain.yml']);
      expect(outside.unread).toEqual([
        {
          key: 'platform/ci-library@v4:jobs/node.yml',
          file: '.gitlab-ci.yml',
          line: 2,
          reason: 'not read: reading includes took longer than 3 s; the request for jobs/node.yml of platform/ci-library at v4 was stopped',
        },
        { key: 'platform/ci-library:jobs/base.yml', file: '.gitlab-ci.yml', line: 5, reason: 'not read: reading includes took longer than 3 s' },
        { key: 'platform/ci-library@v4:jobs/base.yml', file: 'platform/ci-library@v4:jobs/chain.yml', line: 1, reason: 'not read: reading includes took longer than 3 s' },
      ]);
      // The stalled read and those the time left unasked are remembered as not read, so a remembered scan asks for it again.
      expect(outside.asked?.map((read) => (read.kind === 'project' ? `${read.path}@${read.ref} ${read.identity.startsWith('blob ') ? 'blob' : read.identity}` : read.name))).toEqual([
        'jobs/chain.yml@v4 blob',
        'jobs/node.yml@v4 unread',
        'jobs/base.yml@null unread',
        'jobs/base.yml@v4 unread',
      ]);
      expect(stalls.fired).toBe(1);
      expect(double.requests.slice(before).map((request) => `${request.path}?${request.query} ${request.status}`)).toEqual([
        '/projects/platform%2Fci-library/repository/files/jobs%2Fchain.yml?ref=v4 200',
        '/projects/platform%2Fci-library/repository/files/jobs%2Fnode.yml?ref=v4 0',
      ]);
    } finally {
      double.faults.clear();
    }
  });

  it('stops a stalled read of a project (its default branch) the same way, and asks for the project again next time', async () => {
    const ci = root(['include:', '  - project: platform/ci-library', '    file: jobs/node.yml', '']);
    const includes = reader();
    double.faults.add({ method: 'GET', path: '/projects/platform%2Fci-library', status: 0, hang: 'before' });
    try {
      const stalled = await readOutsideIncludes([ci], includes, { depth: 5, count: 50, bytes: 1_000_000, timeMs: 300 });
      expect(stalled.unread).toEqual([
        {
          key: 'platform/ci-library:jobs/node.yml',
          file: '.gitlab-ci.yml',
          line: 2,
          reason: 'not read: reading includes took longer than 300 ms; the request for jobs/node.yml of platform/ci-library was stopped',
        },
      ]);
    } finally {
      double.faults.clear();
    }
    // The same reader: the stopped answer was not kept for the project.
    const read = await readOutsideIncludes([ci], includes);
    expect([read.files.map((file) => [file.path, file.text]), read.unread]).toEqual([[['platform/ci-library:jobs/node.yml', 'variables:\n  MIRROR: registry.example.test/hub\n']], []]);
  });

  it('counts an included file whose answer stalls past the time as changed when a remembered scan is checked', async () => {
    const ci = root(['include:', '  - project: platform/ci-library', '    ref: v4', '    file: [jobs/node.yml]', '']);
    const includes = reader();
    const { asked } = await readOutsideIncludes([ci], includes);
    expect(await changedInclude(includes, asked ?? [])).toBe(null);
    double.faults.add({ method: 'GET', path: '/projects/platform%2Fci-library/repository/files/jobs%2Fnode.yml', status: 0, hang: 'before' });
    try {
      expect(await changedInclude(includes, asked ?? [], 300)).toBe('platform/ci-library@v4:jobs/node.yml');
    } finally {
      double.faults.clear();
    }
  });

  it('re-checks before a remembered scan is reused what the limits refused: again when time ran out, by its blob when size did; count refuses the same files again', async () => {
    const limits = double.state.addProject('platform/limits', { files: { 'a.yml': 'variables:\n  A: "1"\n', 'b.yml': 'variables:\n  B: "2"\n' } });
    const ci = root(['include:', '  - project: platform/limits', '    ref: main', '    file: [a.yml, b.yml]', '']);
    const includes = reader();
    const budget = { depth: 5, count: 50, bytes: 1_000_000, timeMs: 60_000 };
    const shown = (outside: Awaited<ReturnType<typeof readOutsideIncludes>>) => [
      outside.files.map((file) => file.path),
      outside.unread.map((include) => `${include.key}: ${include.reason}`),
      (outside.asked ?? []).map((read) => (read.kind === 'project' ? `${read.path} ${read.identity === 'unread' ? 'unread' : 'read'}` : read.name)),
    ];
    const pushB = (content: string) => limits.branches.set('main', double.state.commit(limits, limits.branches.get('main')!, { 'b.yml': content }, 'b'));

    // Count: b.yml is never asked for; while a.yml is the same, a scan again refuses it the same way.
    const few = await readOutsideIncludes([ci], includes, { ...budget, count: 1 });
    expect(shown(few)).toEqual([['platform/limits@main:a.yml'], ['platform/limits@main:b.yml: not read: 1 included files were read already, the limit'], ['a.yml read']]);
    pushB('variables:\n  B: "3"\n');
    expect(await changedInclude(includes, few.asked ?? [])).toBe(null);
    expect(shown(await readOutsideIncludes([ci], includes, { ...budget, count: 1 }))).toEqual(shown(few));

    // Size: b.yml was read to learn its size, and is known by its blob: a push that changes it is seen.
    const small = await readOutsideIncludes([ci], includes, { ...budget, bytes: 22 });
    expect(shown(small)).toEqual([
      ['platform/limits@main:a.yml'],
      ['platform/limits@main:b.yml: not read: 20 bytes would take the included files past 22 bytes together'],
      ['a.yml read', 'b.yml read'],
    ]);
    expect(await changedInclude(includes, small.asked ?? [])).toBe(null);
    pushB('B: "4"\n');
    expect(await changedInclude(includes, small.asked ?? [])).toBe('platform/limits@main:b.yml');

    // Time: b.yml is remembered as not read; asked again, it answers, and the remembered scan is not reused.
    let clock = 0;
    const late = await readOutsideIncludes([ci], includes, { ...budget, timeMs: 1000 }, () => (clock += 600));
    expect(shown(late)).toEqual([['platform/limits@main:a.yml'], ['platform/limits@main:b.yml: not read: reading includes took longer than 1 s'], ['a.yml read', 'b.yml unread']]);
    expect(await changedInclude(includes, late.asked ?? [])).toBe('platform/limits@main:b.yml');
  });
});
