/**
 * `node bin/archpin.js serve` as a real process: an environment with only PATH, HOME, the forge
 * token and the webhook secret; its output collected; its listen address read from stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './build.js';
import { GITLAB_TEST_TOKEN } from './gitlab-double.js';

/** The webhook secret of the tests' serves; a launched process has it as HOOK_SECRET (name that in serve.webhookSecretEnv). */
export const WEBHOOK_SECRET = 'whk-7Hq2mXv9LpR4tNc8';

export interface ServeProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Its exit code and signal, once it has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The URL from its `listening on` line, or an error when it exits first or does not say it within `timeoutMs`. */
  listening(timeoutMs?: number): Promise<string>;
  /** SIGTERM, then its exit code. */
  stop(): Promise<number | null>;
}

/** Starts `archpin serve ARGS` in `cwd`, with HOME there and GITLAB_TOKEN set to the GitLab double's token. */
export function launchServe(args: readonly string[], options: { cwd: string; env?: Readonly<Record<string, string>> }): ServeProcess {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/archpin.js'), 'serve', ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: options.cwd, GITLAB_TOKEN: GITLAB_TEST_TOKEN, HOOK_SECRET: WEBHOOK_SECRET, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async listening(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
        if (url) return url;
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`archpin serve exited (${child.exitCode ?? child.signalCode}) before listening: ${stderr}`);
        if (Date.now() > deadline) throw new Error(`archpin serve did not listen within ${timeoutMs} ms: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async stop() {
      child.kill('SIGTERM');
      return (await exited).code;
    },
  };
}
