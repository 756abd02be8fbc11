import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

/** A fresh directory per test with a `repo/` (the tree archpin works on) and an `outside/` next to it. */
export function hostileDirs(): () => { repo: string; outside: string } {
  const made: string[] = [];
  afterEach(() => {
    for (const directory of made.splice(0)) rmSync(directory, { recursive: true, force: true });
  });
  return () => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'archpin-hostile-'));
    made.push(base);
    const repo = path.join(base, 'repo');
    const outside = path.join(base, 'outside');
    for (const directory of [repo, outside]) rmSync(directory, { recursive: true, force: true });
    return { repo, outside };
  };
}
