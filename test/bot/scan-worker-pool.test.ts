import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isolatedScanner, ScanWorkerPool, type IsolationLimits } from '../../src/bot/isolated-scanner.js';
import { RepositoryOverBudget } from '../../src/core/errors.js';
import { sourceFile } from '../../src/core/source-file.js';
import { ensureBuilt } from '../support/build.js';

const limits: IsolationLimits = { memoryMb: 96, timeMs: 30_000 };
const text = (path: string, body: string) => sourceFile(path, new TextEncoder().encode(body));
const deployment = (image: string) => text('deploy.yaml', `apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ${image}\n`);

const pools: ScanWorkerPool[] = [];
const pool = (of: IsolationLimits) => {
  const made = new ScanWorkerPool(of);
  pools.push(made);
  return made;
};

beforeAll(() => ensureBuilt('dist/bot/scan-worker.js'), 120_000);
afterEach(() => {
  for (const made of pools.splice(0)) made.close();
});

describe('scan worker pool: a repository reuses a started thread, never what the last one held', () => {
  it('gives a finished worker to the next repository, which starts with nothing scanned', async () => {
    const workers = pool(limits);
    const first = isolatedScanner('acme/one', limits, workers);
    const scanned = await first.scan([deployment('registry.example/app:1.0')], []);
    expect(scanned.references.map((reference) => reference.value)).toEqual(['registry.example/app:1.0']);
    expect(workers.idleCount).toBe(0);
    first.close();
    expect(workers.idleCount).toBe(1);

    const second = isolatedScanner('acme/two', limits, workers);
    // the kept thread is taken (none started), and it dropped acme/one's files when it came back
    expect(await second.changeFiles([])).toEqual({ ok: false, reason: 'not scanned' });
    expect(workers.idleCount).toBe(0);
    const again = await second.scan([deployment('registry.example/other:2.0')], []);
    expect(again.references.map((reference) => reference.value)).toEqual(['registry.example/other:2.0']);
    expect(await second.changeFiles([])).toEqual({ ok: true, files: [] });
    second.close();
    expect(workers.idleCount).toBe(1);
  }, 60_000);

  it('does not keep a worker that was stopped over budget; the next repository gets a new one', async () => {
    const tight: IsolationLimits = { memoryMb: 96, timeMs: 0 };
    const workers = pool(tight);
    const hostile = isolatedScanner('acme/hostile', tight, workers);
    await expect(hostile.scan([deployment('registry.example/app:1.0')], [])).rejects.toBeInstanceOf(RepositoryOverBudget);
    hostile.close();
    expect(workers.idleCount).toBe(0);
  }, 60_000);

  it('ends the kept threads when the pool closes, and terminates what comes back after', async () => {
    const workers = pool(limits);
    const one = isolatedScanner('acme/one', limits, workers);
    const two = isolatedScanner('acme/two', limits, workers);
    await Promise.all([one.scan([deployment('registry.example/a:1')], []), two.scan([deployment('registry.example/b:1')], [])]);
    one.close();
    expect(workers.idleCount).toBe(1);
    workers.close();
    expect(workers.idleCount).toBe(0);
    two.close();
    expect(workers.idleCount).toBe(0);
  }, 60_000);
});
