/**
 * Setup file of bench/suite.mjs (never of `npm test`): records the CPU time each test file costs,
 * in three parts: the worker up to the file's setup (a fork's start), collection (importing the file
 * and what it imports) and its tests and hooks. Forks are read from /proc/self/stat, the whole process
 * with the children it reaped (registries, redis-server, `archpin` processes); a thread of the shared
 * pool from /proc/thread-self/stat, that thread alone. One JSON line per file goes to
 * $ARCHPIN_SUITE_PROBE.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { afterAll, beforeAll, expect } from 'vitest';

interface Sample {
  wallMs: number;
  cpuMs: number;
  childMs: number;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

function sample(): Sample {
  const statPath = isMainThread ? '/proc/self/stat' : '/proc/thread-self/stat';
  const fields = readFileSync(statPath, 'utf8')
    .replace(/^.*\) /s, '')
    .split(' ');
  // After "pid (comm) ": state is field 0, utime 11, stime 12, cutime 13, cstime 14.
  const tick = (index: number) => Number(fields[index]) * TICK_MS;
  return { wallMs: performance.timeOrigin + performance.now(), cpuMs: tick(11) + tick(12), childMs: isMainThread ? tick(13) + tick(14) : 0 };
}

const out = process.env.ARCHPIN_SUITE_PROBE;
const loaded = sample();
let collected = loaded;

if (out) {
  beforeAll(() => {
    collected = sample();
  });
  afterAll(() => {
    const done = sample();
    const file = expect.getState().testPath ?? '?';
    const fork = isMainThread;
    const line = {
      file,
      pool: fork ? 'fork' : 'thread',
      startCpuMs: fork ? loaded.cpuMs : 0,
      collectCpuMs: collected.cpuMs - loaded.cpuMs,
      testCpuMs: done.cpuMs - collected.cpuMs,
      childCpuMs: done.childMs - loaded.childMs,
      collectWallMs: Math.round(collected.wallMs - loaded.wallMs),
      testWallMs: Math.round(done.wallMs - collected.wallMs),
    };
    appendFileSync(out, `${JSON.stringify(line)}\n`);
    // Children stopped in the file's own afterAll may be reaped only after this hook.
    if (fork) process.once('exit', () => appendFileSync(out, `${JSON.stringify({ file, lateChildCpuMs: sample().childMs - done.childMs })}\n`));
  });
}
