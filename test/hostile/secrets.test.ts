import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { githubError } from '../../src/apply/forges/github-errors.js';
import { gitlabError } from '../../src/apply/forges/gitlab-errors.js';
import { redactSecrets, registerSecret } from '../../src/core/redact.js';
import { runArchpin } from '../support/run-cli.js';
import { hostileDirs } from './tree.js';

const dirs = hostileDirs();
const HEX40 = '0123456789abcdef0123456789abcdef01234567';

describe('one redaction for every forge and log line', () => {
  it('masks every known token shape', () => {
    const text = [
      'ghp_abcDEF123456',
      'gho_abcDEF123456',
      'ghu_abcDEF123456',
      'ghs_abcDEF123456',
      'ghr_abcDEF123456',
      'github_pat_11ABC_def',
      `v1.${HEX40}`,
      'glpat-abcDEF_123-x',
      'gldt-abc',
      'glrt-abc',
      'glcbt-64_abc',
      'glptt-abc',
      'glft-abc',
      'gloas-abc',
      'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhYmMifQ.c2ln',
      'https://user:pw@git.example/x',
      'Bearer abc.def',
      '?private_token=abc&x=1',
    ].join(' ');
    expect(redactSecrets(text)).toBe(
      'ghp_*** gho_*** ghu_*** ghs_*** ghr_*** github_pat_*** v1.*** glpat-*** gldt-*** glrt-*** glcbt-*** glptt-*** glft-*** gloas-*** eyJ*** https://***@git.example/x Bearer *** ?private_token=***&x=1',
    );
  });

  it('masks configured secret values wherever they appear, whatever their shape', () => {
    registerSecret('s3cr3t-webhook-value');
    registerSecret('abc'); // too short to mask by value
    expect(redactSecrets('hook said s3cr3t-webhook-value twice: s3cr3t-webhook-value; abc')).toBe('hook said *** twice: ***; abc');
  });

  it('GitHub errors echoing user-to-server and installation tokens are masked like GitLab ones', () => {
    const echoed = { status: 401, response: { status: 401, headers: {}, data: { message: `Bad credentials ghu_Tok3nValue and v1.${HEX40}` } } };
    expect(githubError(echoed, 'list repositories of acme', 'metadata: read').message).toBe(
      'GitHub rejected the token while trying to list repositories of acme (401 Bad credentials ghu_*** and v1.***); check that the token in the configured token environment variable is valid and not expired',
    );
    registerSecret('plain-configured-gitlab-token');
    const gitlab = gitlabError(new Error('connect refused with plain-configured-gitlab-token'), 'list projects of group acme', { url: 'http://127.0.0.1:1', tokenEnv: 'GITLAB_TOKEN', token: '' });
    expect(gitlab.message).toBe('cannot reach GitLab at http://127.0.0.1:1 to list projects of group acme: connect refused with ***');
  });
});

describe('terminal output escapes control characters', () => {
  it('file names with a newline or an escape sequence, and values holding them, are printed escaped', async () => {
    const { repo } = dirs();
    mkdirSync(repo, { recursive: true });
    const evil = 'evil\n  Dockerfile:1:1  forged\u001b[2J.Dockerfile';
    writeFileSync(path.join(repo, evil), 'FROM alpine:3.18\n');
    writeFileSync(path.join(repo, 'bad\u001b]0;title\u0007.yml'), 'image: [unclosed\n');
    const run = await runArchpin(['scan', '.'], { cwd: repo });
    // eslint-disable-next-line no-control-regex -- control characters are what this asserts are absent
    expect(run.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(run.stdout).toContain('evil\\n  Dockerfile:1:1  forged\\x1b[2J.Dockerfile:1:6  alpine:3.18');
    expect(run.stdout).toContain('  bad\\x1b]0;title\\x07.yml:');
  });
});
