import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitlabDouble, GITLAB_TEST_TOKEN, type GitlabDouble } from '../support/gitlab-double.js';
import { runArchpin } from '../support/run-cli.js';

let gitlab: GitlabDouble;
let work: string;

beforeAll(async () => {
  gitlab = await startGitlabDouble();
  work = mkdtempSync(path.join(os.tmpdir(), 'archpin-serve-cli-'));
});

afterAll(async () => {
  await gitlab?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const serve = (extra: string[], env: Record<string, string> = {}, cwd = work) =>
  runArchpin(['serve', '--forge', 'gitlab', '--url', gitlab.url, '--group', 'cli', ...extra], { env: { GITLAB_TOKEN: GITLAB_TEST_TOKEN, ...env }, cwd });

describe('archpin serve command line', () => {
  it('rejects a bad listen address, cron pattern or log level with exit 2 before starting', async () => {
    const listen = await serve(['--listen', 'everywhere']);
    expect([listen.code, listen.stdout, listen.stderr]).toEqual([
      2,
      '',
      'archpin: --listen: "everywhere" is not host:port; e.g. 0.0.0.0:8080, 127.0.0.1:9090 or [::1]:8080\nRun "archpin serve --help" for usage.\n',
    ]);
    const ports: Array<[string, string]> = [
      [':99999', '":99999": port 99999 is out of range (0 to 65535)'],
      [':-1', '":-1": port "-1" is not a number from 0 to 65535'],
      ['host:abc', '"host:abc": port "abc" is not a number from 0 to 65535'],
      ['exa mple:80', '"exa mple:80": host "exa mple" is not a host name or IP address; e.g. 0.0.0.0:8080, 127.0.0.1:9090 or [::1]:8080'],
      ['300.1.1.1:80', '"300.1.1.1:80": host "300.1.1.1" is not an IPv4 address; e.g. 0.0.0.0:8080, 127.0.0.1:9090 or [::1]:8080'],
      ['::1:8080', '"::1:8080": put an IPv6 address in brackets, e.g. [::1]:8080'],
      ['127.0.0.1:', '"127.0.0.1:" has no port after the colon; e.g. 0.0.0.0:8080, 127.0.0.1:9090 or [::1]:8080'],
    ];
    for (const [address, message] of ports) {
      expect(await serve(['--listen', address]), address).toEqual({ code: 2, stdout: '', stderr: `archpin: --listen: ${message}\nRun "archpin serve --help" for usage.\n` });
    }
    const schedule = await serve(['--listen', '127.0.0.1:0', '--schedule', '0 25 * * *']);
    expect([schedule.code, schedule.stderr]).toEqual([2, 'archpin: --schedule: "0 25 * * *" is not a cron pattern: the hour field is 25, outside 0-23\nRun "archpin serve --help" for usage.\n']);
    const level = await serve(['--log-level', 'loud']);
    expect([level.code, level.stderr]).toEqual([2, 'archpin: --log-level must be one of trace, debug, info, warn, error, fatal, silent, not "loud"\nRun "archpin serve --help" for usage.\n']);
  });

  it('a configured webhook secret variable must be set', async () => {
    writeFileSync(path.join(work, 'archpin.json'), JSON.stringify({ serve: { webhookSecretEnv: 'HOOK_SECRET', listen: '127.0.0.1:0' } }));
    const missing = await serve([]);
    expect([missing.code, missing.stderr]).toEqual([2, 'archpin: serve.webhookSecretEnv names HOOK_SECRET, which is not set\nRun "archpin serve --help" for usage.\n']);
    rmSync(path.join(work, 'archpin.json'));
  });

  it('run logs each repository and the summary as JSON on stderr when asked, leaving stdout as it was', async () => {
    gitlab.state.addProject('cli/docs', { files: { 'README.md': '# docs\n' } });
    const quiet = await runArchpin(['run', '--forge', 'gitlab', '--url', gitlab.url, '--group', 'cli', '--cache-dir', path.join(work, 'cache')], { env: { GITLAB_TOKEN: GITLAB_TEST_TOKEN } });
    expect([quiet.code, quiet.stderr]).toEqual([0, '']);
    const logged = await runArchpin(['run', '--forge', 'gitlab', '--url', gitlab.url, '--group', 'cli', '--cache-dir', path.join(work, 'cache'), '--log-level', 'info'], {
      env: { GITLAB_TOKEN: GITLAB_TEST_TOKEN },
    });
    expect(logged.code).toBe(0);
    expect(logged.stdout).toBe(quiet.stdout);
    expect(logged.stderr).toBe(
      [
        '{"level":30,"time":"2026-11-22T12:00:00.000Z","repository":"cli/docs","msg":"cli/docs: nothing to do"}',
        '{"level":30,"time":"2026-11-22T12:00:00.000Z","repositories":1,"failed":0,"dryRun":false,"msg":"run finished"}',
        '',
      ].join('\n'),
    );
    const ci = await runArchpin(['run', '--forge', 'gitlab', '--url', gitlab.url, '--group', 'cli', '--cache-dir', path.join(work, 'cache')], { env: { GITLAB_TOKEN: GITLAB_TEST_TOKEN, CI: 'true' } });
    expect(ci.stderr).toBe(logged.stderr);
  });
});
