/**
 * `audit` and `run` do what `check` does when a user waits on them: `--log-level debug` prints one line per registry
 * request, a terminal shows progress, and an interrupt (SIGINT; SIGTERM too for run) prints a partial report of what
 * was done and exits 130 (143 for SIGTERM). A registry that accepts connections and never answers holds the lookups.
 */
import { spawn } from 'node:child_process';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import type { CliIo, ExitCode, StopSignal } from '../../src/cli/io.js';
import { ensureBuilt, ROOT } from '../support/build.js';
import { GITLAB_TEST_TOKEN } from '../support/gitlab-double.js';
import { runArchpin } from '../support/run-cli.js';
import { useScenario } from '../support/scenario.js';
import { requestLines } from '../support/request-lines.js';

const scenario = useScenario({ name: 'interrupts', seed: true, gitlab: {} });

/** Accepts connections and never answers. */
let silent: Server;
let silentHost: string;
const silentSockets: Socket[] = [];

beforeAll(async () => {
  await ensureBuilt();
  silent = createTcpServer((socket) => {
    silentSockets.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentHost = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  for (const socket of silentSockets) socket.destroy();
  await new Promise((resolve) => silent?.close(resolve));
});

/** The silent host must hold a lookup for minutes, not the default first-byte timeout. */
const PATIENT = JSON.stringify({ registryTimeouts: { firstByte: '2 minutes' } });

interface Interruptible {
  readonly running: Promise<ExitCode>;
  stdout(): string;
  stderr(): string;
  interrupt(signal: StopSignal): void;
  /** The signals the command listens to (beyond SIGINT). */
  also(): readonly StopSignal[];
}

/** runCli in-process on a terminal (progress shown), with an interrupt the test sends. */
function interruptible(argv: string[], options: { cwd: string; env?: Record<string, string> }): Interruptible {
  let stdout = '';
  let stderr = '';
  let handler: ((signal: StopSignal) => void) | null = null;
  let listened: readonly StopSignal[] = [];
  const io: CliIo = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: { HOME: '/nonexistent-home', ...options.env },
    cwd: options.cwd,
    now: () => Date.now(),
    interactive: true,
    onInterrupt: (on, also = []) => {
      handler = on;
      listened = also;
      return () => (handler = null);
    },
  };
  return {
    running: runCli(argv, io),
    stdout: () => stdout,
    stderr: () => stderr,
    interrupt: (signal) => handler?.(signal),
    also: () => listened,
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('archpin audit: request lines, progress and an interrupt', () => {
  it('--log-level debug prints one line per registry request (method, URL, status, milliseconds); without it stderr is empty', async () => {
    const pin = `${scenario.host}/library/docker:27.1.1@${scenario.seed.digests['27.1.1']}`;
    const dir = scenario.tree({ Dockerfile: `FROM ${pin}\n` });
    const run = await runArchpin(['audit', dir, '--format', 'json', '--cache-dir', scenario.path('audit-debug'), '--log-level', 'debug']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { registries: Array<{ host: string; requests: number }> };
    const lines = requestLines(run.stderr);
    expect(lines.length).toBe(report.registries.find((entry) => entry.host === scenario.host)!.requests);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line.url.startsWith(`${scenario.registry.url}/v2/library/docker/`)).toBe(true);
      expect([line.method === 'GET' || line.method === 'HEAD', line.status, Number.isInteger(line.ms)]).toEqual([true, 200, true]);
    }
    const quiet = await runArchpin(['audit', dir, '--format', 'json', '--cache-dir', scenario.path('audit-quiet')]);
    expect([quiet.code, quiet.stderr]).toEqual([0, '']);
  });

  it('an interrupt while a registry is silent: the pins checked so far, marked partial, exit 130', async () => {
    const good = `${scenario.host}/library/docker:27.1.1@${scenario.seed.digests['27.1.1']}`;
    const stuck = `${silentHost}/team/stuck:1.0@sha256:${'a'.repeat(64)}`;
    const dir = scenario.tree({ 'a/Dockerfile': `FROM ${good}\n`, 'b/Dockerfile': `FROM ${stuck}\n`, 'archpin.json': PATIENT });
    const before = silentSockets.length;
    const audit = interruptible(['audit', dir, '--format', 'json', '--cache-dir', scenario.path('audit-interrupt')], { cwd: dir });
    await until(() => audit.stderr().includes('looked up 1/2 pins') && silentSockets.length > before, 'the first pin checked and the second stuck');
    expect(audit.stderr()).toContain(`looked up 1/2 pins · ${silentHost}`);
    audit.interrupt('SIGINT');
    expect(await audit.running).toBe(130);
    const report = JSON.parse(audit.stdout()) as Record<string, unknown>;
    expect([report.summary, report.audit, report.errors, report.partial, report.interrupted]).toEqual([
      { pins: 2, unsafe: 0, unchecked: 1 },
      [],
      [],
      true,
      { checked: 1, total: 2, notChecked: [stuck] },
    ]);
    expect(audit.stderr().endsWith('\r\x1b[K')).toBe(true);
  });

  it('the text report of an interrupted audit never says "safe" for the pins not checked', async () => {
    const stuck = `${silentHost}/team/stuck:2.0@sha256:${'b'.repeat(64)}`;
    const dir = scenario.tree({ Dockerfile: `FROM ${stuck}\n`, 'archpin.json': PATIENT });
    const before = silentSockets.length;
    const audit = interruptible(['audit', dir, '--cache-dir', scenario.path('audit-text')], { cwd: dir });
    await until(() => silentSockets.length > before, 'the pin stuck');
    audit.interrupt('SIGINT');
    expect(await audit.running).toBe(130);
    expect(audit.stdout()).toBe(
      ['No unsafe pin among the 0 checked before the interrupt.', '', "Interrupted: partial report, 0 of 1 pinned images checked; the others' safety is unknown.", `Not checked: ${stuck}`, ''].join(
        '\n',
      ),
    );
  });
});

describe('archpin run: request lines, progress and an interrupt', () => {
  const forgeArgs = (group: string) => ['--forge', 'gitlab', '--url', scenario.gitlab.url, '--group', group, '--concurrency', '1'];

  it('SIGINT while the second repository waits on a silent registry: the first is reported in full, the second as cut short, the third as not run; exit 130', async () => {
    const project = (name: string, image: string) => scenario.gitlab.state.addProject(`stop/${name}`, { files: { Dockerfile: `FROM ${image}\n` } });
    project('a-first', `${scenario.host}/library/docker:27.0.3`);
    project('b-stuck', `${silentHost}/team/stuck:3.0`);
    project('c-last', `${scenario.host}/library/docker:27.0.3`);
    const work = scenario.tree({ 'archpin.json': PATIENT }, 'run-interrupt');
    const before = silentSockets.length;
    const run = interruptible(['run', ...forgeArgs('stop'), '--format', 'json', '--cache-dir', scenario.path('run-interrupt-cache'), '--log-level', 'debug'], {
      cwd: work,
      env: { GITLAB_TOKEN: GITLAB_TEST_TOKEN },
    });
    await until(() => run.stderr().includes('swept 1/3 repositories') && silentSockets.length > before, 'the first repository done and the second stuck');
    expect(run.also()).toEqual(['SIGTERM']);
    run.interrupt('SIGINT');
    expect(await run.running).toBe(130);
    const report = JSON.parse(run.stdout()) as {
      partial: boolean;
      interrupted: unknown;
      repositories: Array<{ repository: string; changes: Array<{ action: string }>; errors: unknown[]; interrupted?: string }>;
    };
    expect([report.partial, report.interrupted]).toEqual([true, { signal: 'SIGINT', notRun: ['stop/c-last'] }]);
    expect(report.repositories.map((repo) => [repo.repository, repo.changes.map((change) => change.action), repo.errors, repo.interrupted ?? null])).toEqual([
      ['stop/a-first', ['opened'], [], null],
      ['stop/b-stuck', [], [], 'lookups'],
    ]);
    // Only the first repository got a merge request; the others were not written to.
    expect(['a-first', 'b-stuck', 'c-last'].map((name) => scenario.gitlab.state.project(`stop/${name}`).mergeRequests.length)).toEqual([1, 0, 0]);
    // Request lines (text on a terminal) for the registry, and the stop in the log.
    const stderr = run.stderr();
    expect(stderr).toMatch(new RegExp(`DEBUG registry request method=GET url=${scenario.registry.url.replace(/[.]/g, '\\.')}/v2/library/docker/manifests/27\\.0\\.3 status=200 ms=\\d+`));
    expect(stderr).toContain('WARN  stop requested: finishing the write in flight signal=SIGINT');
  });

  it('the text report of an interrupted run says what was not run', async () => {
    scenario.gitlab.state.addProject('stoptext/only', { files: { Dockerfile: `FROM ${silentHost}/team/stuck:4.0\n` } });
    scenario.gitlab.state.addProject('stoptext/zz-next', { files: { Dockerfile: `FROM ${scenario.host}/library/docker:27.0.3\n` } });
    const work = scenario.tree({ 'archpin.json': PATIENT }, 'run-text');
    const before = silentSockets.length;
    const run = interruptible(['run', ...forgeArgs('stoptext'), '--dry-run', '--cache-dir', scenario.path('run-text-cache')], { cwd: work, env: { GITLAB_TOKEN: GITLAB_TEST_TOKEN } });
    await until(() => silentSockets.length > before, 'the first repository stuck');
    run.interrupt('SIGINT');
    expect(await run.running).toBe(130);
    expect(run.stdout()).toBe(
      [
        'stoptext/only: interrupted during its lookups; nothing written',
        '',
        '1 repositories (dry run: nothing written), 0 failed.',
        'Interrupted (SIGINT): partial report, 0 of 2 repositories run to the end, 1 cut short.',
        'Not run: stoptext/zz-next',
        '',
      ].join('\n'),
    );
  });

  it('SIGTERM to the built archpin process: the partial report and exit 143', async () => {
    scenario.gitlab.state.addProject('term/app', { files: { Dockerfile: `FROM ${silentHost}/team/stuck:5.0\n` } });
    const work = scenario.tree({ 'archpin.json': PATIENT }, 'run-term');
    const before = silentSockets.length;
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/main.js'), 'run', ...forgeArgs('term'), '--format', 'json', '--cache-dir', scenario.path('run-term-cache')], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', HOME: work, GITLAB_TOKEN: GITLAB_TEST_TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await until(() => silentSockets.length > before, 'the repository stuck');
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    const report = JSON.parse(stdout) as { partial: boolean; interrupted: unknown; repositories: Array<{ repository: string; interrupted?: string }> };
    expect([report.partial, report.interrupted, report.repositories.map((repo) => [repo.repository, repo.interrupted])]).toEqual([true, { signal: 'SIGTERM', notRun: [] }, [['term/app', 'lookups']]]);
    expect(JSON.parse(stderr.split('\n')[0]!)).toMatchObject({ level: 40, signal: 'SIGTERM', msg: 'stop requested: finishing the write in flight' });
  }, 120_000);
});
