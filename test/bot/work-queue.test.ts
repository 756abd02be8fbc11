import { describe, expect, it } from 'vitest';
import { createWorkQueue } from '../../src/bot/work-queue.js';

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('work queue', () => {
  it('a burst of 50 adds for one idle key runs it once, with the freshest item', async () => {
    const runs: string[] = [];
    const queue = createWorkQueue<string>({ concurrency: 2, run: async (item, key) => void runs.push(`${key}:${item}`) });
    const results = Array.from({ length: 50 }, (_, index) => queue.add('42', `event-${index}`));
    expect(results[0]).toBe('queued');
    expect(results.slice(1).every((result) => result === 'duplicate')).toBe(true);
    expect(queue.depth).toBe(1);
    await queue.idle();
    expect(runs).toEqual(['42:event-49']);
    expect([queue.depth, queue.running]).toEqual([0, 0]);
  });

  it('a key that is running gets exactly one follow-up run, whatever the burst', async () => {
    const runs: string[] = [];
    const first = gate();
    const queue = createWorkQueue<string>({
      concurrency: 2,
      run: async (item) => {
        runs.push(item);
        if (item === 'start') await first.promise;
      },
    });
    expect(queue.add('7', 'start')).toBe('queued');
    await new Promise((resolve) => setImmediate(resolve));
    expect([queue.running, queue.depth]).toEqual([1, 0]);
    const burst = Array.from({ length: 50 }, (_, index) => queue.add('7', `push-${index}`));
    expect(burst[0]).toBe('follow-up');
    expect(burst.filter((result) => result === 'duplicate').length).toBe(49);
    expect([queue.running, queue.depth]).toEqual([1, 1]);
    first.open();
    await queue.idle();
    expect(runs).toEqual(['start', 'push-49']);
  });

  it('runs at most `concurrency` keys at once, first queued first', async () => {
    const started: string[] = [];
    let active = 0;
    let peak = 0;
    const queue = createWorkQueue<number>({
      concurrency: 2,
      run: async (_item, key) => {
        started.push(key);
        active++;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setTimeout(resolve, 10));
        active--;
      },
    });
    for (const key of ['a', 'b', 'c', 'd', 'e']) expect(queue.add(key, 0)).toBe('queued');
    await queue.idle();
    expect(started).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(peak).toBe(2);
  });

  it('waits `debounceMs` before a queued key starts, so later events merge into it', async () => {
    const runs: string[] = [];
    const queue = createWorkQueue<string>({ concurrency: 1, debounceMs: 80, run: async (item) => void runs.push(item) });
    queue.add('p', 'one');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(queue.add('p', 'two')).toBe('duplicate');
    expect(runs).toEqual([]);
    await queue.idle();
    expect(runs).toEqual(['two']);
  });

  it('a failing run does not stop the others', async () => {
    const runs: string[] = [];
    const queue = createWorkQueue<string>({
      concurrency: 1,
      run: async (item) => {
        runs.push(item);
        if (item === 'bad') throw new Error('boom');
      },
    });
    queue.add('x', 'bad');
    queue.add('y', 'good');
    await queue.idle();
    expect(runs).toEqual(['bad', 'good']);
  });

  it('stop drops what waits, lets the running item finish, and refuses new work', async () => {
    const runs: string[] = [];
    const hold = gate();
    let idleCalls = 0;
    const queue = createWorkQueue<string>({
      concurrency: 1,
      onIdle: () => idleCalls++,
      run: async (item) => {
        await hold.promise;
        runs.push(item);
      },
    });
    queue.add('a', 'a');
    queue.add('b', 'b');
    await new Promise((resolve) => setImmediate(resolve));
    const stopped = queue.stop();
    expect(queue.add('c', 'c')).toBe('stopped');
    expect(queue.depth).toBe(0);
    hold.open();
    await stopped;
    expect(runs).toEqual(['a']);
    expect(idleCalls).toBe(1);
  });
});
