/**
 * Tests that spawn `archpin` as a process (or load the built scan worker) run the built code.
 * `npm test` builds first, so this builds only when a source file is newer than the build (a test
 * file run on its own after an edit). The build runs asynchronously: a synchronous one blocks the
 * test worker, and past 60 s vitest's worker RPC times out and fails the run.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

export const ROOT = path.resolve(import.meta.dirname, '../..');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds `dist/` when it is missing or older than `src/`; throws when `expected` is still missing. */
export async function ensureBuilt(expected = 'dist/main.js'): Promise<void> {
  const marker = path.join(ROOT, 'dist/main.js');
  if (!existsSync(marker) || statSync(marker).mtimeMs < newestSource(path.join(ROOT, 'src'))) {
    // A type error elsewhere still emits; the check below says what is missing.
    await promisify(execFile)(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT }).catch(() => undefined);
  }
  if (!existsSync(path.join(ROOT, expected))) throw new Error(`${expected} missing after the build`);
}
