import { runCli } from '../../src/cli/cli.js';
import type { CliWaits, ExitCode } from '../../src/cli/io.js';
import type { TokenCache } from '../../src/lookup/token-cache.js';

export interface CliRun {
  code: ExitCode;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in-process with captured output, an empty environment (HOME in a temp dir) and a fixed clock.
 * `waits` shrinks its back-off and spacing (e.g. `{ msPerSecond: 10 }`); without it the production waits apply.
 */
export async function runArchpin(argv: string[], options: { cwd?: string; env?: Record<string, string>; now?: number; waits?: CliWaits; tokens?: TokenCache } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: { HOME: '/nonexistent-home', ...options.env },
    cwd: options.cwd ?? process.cwd(),
    now: () => options.now ?? Date.parse('2026-11-22T12:00:00Z'),
    interactive: false,
    ...(options.waits ? { waits: options.waits } : {}),
    ...(options.tokens ? { tokens: options.tokens } : {}),
  });
  return { code, stdout, stderr };
}
