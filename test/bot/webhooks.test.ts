import { describe, expect, it } from 'vitest';
import { githubDecision, githubSignature, githubSignatureMatches, gitlabDecision, gitlabPushedFiles, gitlabTokenMatches, inTargets } from '../../src/bot/webhooks.js';
import { createLogger, formatLogLine } from '../../src/cli/logger.js';

describe('webhook checks', () => {
  it('GitHub signatures follow the documented HMAC-SHA256 vector and fail on any change', () => {
    const signature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(githubSignature('Hello, World!', "It's a Secret to Everybody")).toBe(signature);
    expect(githubSignatureMatches(Buffer.from('Hello, World!'), signature, "It's a Secret to Everybody")).toBe(true);
    expect(githubSignatureMatches(Buffer.from('Hello, World!'), signature.toUpperCase().replace('SHA256', 'sha256'), "It's a Secret to Everybody")).toBe(true);
    expect(githubSignatureMatches(Buffer.from('Hello, World?'), signature, "It's a Secret to Everybody")).toBe(false);
    expect(githubSignatureMatches(Buffer.from('Hello, World!'), signature.slice(0, -2), "It's a Secret to Everybody")).toBe(false);
    expect(githubSignatureMatches(Buffer.from('Hello, World!'), `sha1=${signature.slice(7)}`, "It's a Secret to Everybody")).toBe(false);
    expect(githubSignatureMatches(Buffer.from('Hello, World!'), undefined, "It's a Secret to Everybody")).toBe(false);
    expect(githubSignatureMatches(Buffer.from('Hello, World!'), githubSignature('Hello, World!', ''), '')).toBe(false);
  });

  it('GitLab tokens must match exactly, whatever their length', () => {
    expect(gitlabTokenMatches('s3cret-token', 's3cret-token')).toBe(true);
    expect([gitlabTokenMatches('s3cret-tokeN', 's3cret-token'), gitlabTokenMatches('s3cret', 's3cret-token'), gitlabTokenMatches('s3cret-token-and-more', 's3cret-token')]).toEqual([
      false,
      false,
      false,
    ]);
    expect([gitlabTokenMatches(undefined, 's3cret-token'), gitlabTokenMatches('', '')]).toEqual([false, false]);
  });

  it('lists the files a GitLab push changed, or null when the payload does not list them all', () => {
    const commit = (added: string[], modified: string[], removed: string[]) => ({ id: 'c', added, modified, removed });
    expect(gitlabPushedFiles({ commits: [commit(['.gitlab-deps'], ['docker/Dockerfile'], []), commit([], ['README.md', 'docker/Dockerfile'], ['Containerfile'])], total_commits_count: 2 })).toEqual([
      '.gitlab-deps',
      'Containerfile',
      'README.md',
      'docker/Dockerfile',
    ]);
    expect(gitlabPushedFiles({ commits: [], total_commits_count: 0 })).toEqual([]);
    // GitLab lists at most 20 commits: a push of 25 has files nobody was told about.
    expect(gitlabPushedFiles({ commits: [commit([], ['README.md'], [])], total_commits_count: 25 })).toBeNull();
    expect(gitlabPushedFiles({ commits: [{ id: 'c' }], total_commits_count: 1 })).toBeNull();
    expect(gitlabPushedFiles({ object_kind: 'push' })).toBeNull();
  });

  it('reads which repository an event is about', () => {
    const project = { id: 42, path_with_namespace: 'acme/platform/node-base', default_branch: 'main' };
    expect(gitlabDecision({ object_kind: 'push', ref: 'refs/heads/main', project }, 'archpin/')).toEqual({ kind: 'enqueue', id: '42', path: 'acme/platform/node-base', event: 'push' });
    expect(gitlabDecision({ object_kind: 'tag_push', ref: 'refs/tags/v1', project }, 'archpin/')).toEqual({ kind: 'ignore', reason: 'tag_push events are not used' });
    expect(gitlabDecision({ object_kind: 'merge_request', project, object_attributes: { source_branch: 'deps/docker' } }, 'deps/')).toEqual({
      kind: 'enqueue',
      id: '42',
      path: 'acme/platform/node-base',
      event: 'merge_request',
    });
    expect(gitlabDecision([], 'archpin/')).toEqual({ kind: 'ignore', reason: 'no project in the event' });
    const repository = { full_name: 'Acme/Web', default_branch: 'trunk' };
    expect(githubDecision('push', { ref: 'refs/heads/trunk', repository }, 'archpin/')).toEqual({ kind: 'enqueue', id: 'Acme/Web', path: 'Acme/Web', event: 'push' });
    expect(githubDecision('push', { ref: 'refs/heads/main', repository }, 'archpin/')).toEqual({ kind: 'ignore', reason: 'push to a branch other than the default branch' });
    expect(githubDecision('workflow_run', { repository }, 'archpin/')).toEqual({ kind: 'ignore', reason: 'workflow_run events are not used' });
  });

  it('accepts only repositories of the targets', () => {
    const targets = { groups: ['acme/platform'], projects: ['ops/deploy', '77'] };
    expect(inTargets('acme/platform/node-base', '42', targets)).toBe(true);
    expect(inTargets('ACME/Platform/x', '43', targets)).toBe(true);
    expect(inTargets('acme/platformer/x', '44', targets)).toBe(false);
    expect(inTargets('ops/deploy', '45', targets)).toBe(true);
    expect(inTargets('ops/other', '77', targets)).toBe(true);
    expect(inTargets('ops/other', '78', targets)).toBe(false);
  });
});

describe('logger', () => {
  const now = () => Date.parse('2026-11-22T12:34:56Z');

  it('writes JSON lines with tokens redacted', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', format: 'json', write: (text) => lines.push(text), now });
    logger.info(
      { repository: 'infra/ci', token: 'glpat-abcdefghijklmnop', headers: { authorization: 'Bearer abc.def' } },
      'cloning https://oauth2:glpat-abcdefghijklmnop@gitlab.example.com/infra/ci.git',
    );
    logger.debug('not shown at info');
    expect(lines).toEqual([
      '{"level":30,"time":"2026-11-22T12:34:56.000Z","repository":"infra/ci","token":"***","headers":{"authorization":"***"},"msg":"cloning https://***@gitlab.example.com/infra/ci.git"}\n',
    ]);
  });

  it('writes one readable line per record on a terminal', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', format: 'text', write: (text) => lines.push(text), now });
    logger.info({ repository: 'infra/ci', opened: 1, note: 'two words' }, 'repository done');
    logger.warn({ err: new Error('GET /v2/ failed: Bearer eyJhbGciOi.x') }, 'lookup failed');
    expect(lines).toEqual(['12:34:56 INFO  repository done repository=infra/ci opened=1 note="two words"\n', '12:34:56 WARN  lookup failed err="GET /v2/ failed: Bearer ***"\n']);
    expect(formatLogLine('not json')).toBe('not json');
  });
});
