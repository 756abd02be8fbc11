// Runs the whole vitest suite once with bench/suite-probe.ts and prints where its CPU time goes:
// per test file the fork's start, collection, tests and the children it reaped, then the totals and
// the rest (the vitest main process, which also runs the shared threads, and the global setups).
// Usage: npm run bench:suite [-- <vitest args, e.g. a directory>]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const TICK_MS = 10;
const childCpuMs = () => {
  const fields = readFileSync('/proc/self/stat', 'utf8')
    .replace(/^.*\) /s, '')
    .split(' ');
  return (Number(fields[13]) + Number(fields[14])) * TICK_MS;
};
const loadavg = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

const dir = mkdtempSync(path.join(os.tmpdir(), 'archpin-suite-'));
const probe = path.join(dir, 'probe.jsonl');
const loadBefore = loadavg();
const started = performance.now();
const before = childCpuMs();
const result = spawnSync('npx', ['vitest', 'run', '--config', 'bench/suite.vitest.config.ts', ...process.argv.slice(2)], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, ARCHPIN_SUITE_PROBE: probe },
});
const wallS = (performance.now() - started) / 1000;
const totalCpuS = (childCpuMs() - before) / 1000;

const files = new Map();
for (const text of readFileSync(probe, 'utf8').split('\n')) {
  if (!text) continue;
  const line = JSON.parse(text);
  const name = path.relative(process.cwd(), line.file);
  const row = files.get(name) ?? { childCpuMs: 0 };
  if ('lateChildCpuMs' in line) row.childCpuMs += line.lateChildCpuMs;
  else Object.assign(row, line, { childCpuMs: row.childCpuMs + line.childCpuMs });
  files.set(name, row);
}
rmSync(dir, { recursive: true, force: true });

const s = (ms) => (ms / 1000).toFixed(2).padStart(7);
const rows = [...files].map(([name, row]) => ({ name, ...row, totalCpuMs: row.startCpuMs + row.collectCpuMs + row.testCpuMs + row.childCpuMs }));
rows.sort((a, b) => b.totalCpuMs - a.totalCpuMs);
console.log(`\n${'CPU s: total'.padStart(14)}${'start'.padStart(8)}${'collect'.padStart(8)}${'tests'.padStart(8)}${'child'.padStart(8)}${'wall s'.padStart(8)}  pool    file`);
for (const row of rows) {
  console.log(
    `${s(row.totalCpuMs).padStart(14)} ${s(row.startCpuMs)} ${s(row.collectCpuMs)} ${s(row.testCpuMs)} ${s(row.childCpuMs)} ${s(row.collectWallMs + row.testWallMs)}  ${row.pool.padEnd(7)} ${row.name}`,
  );
}
const sum = (pool, key) => rows.filter((row) => row.pool === pool).reduce((total, row) => total + row[key], 0);
const forks = rows.filter((row) => row.pool === 'fork');
const forkCpuMs = sum('fork', 'totalCpuMs');
console.log(
  `\nforks: ${forks.length} files, CPU ${s(forkCpuMs)} s = start ${s(sum('fork', 'startCpuMs'))} + collect ${s(sum('fork', 'collectCpuMs'))} + tests ${s(sum('fork', 'testCpuMs'))} + children ${s(sum('fork', 'childCpuMs'))}`,
);
console.log(
  `shared threads: ${rows.length - forks.length} files, CPU ${s(sum('thread', 'totalCpuMs'))} s (collect ${s(sum('thread', 'collectCpuMs'))} + tests ${s(sum('thread', 'testCpuMs'))}; the threads alone)`,
);
console.log(`vitest run: wall ${wallS.toFixed(1)} s, CPU ${totalCpuS.toFixed(1)} s (user+sys, all processes); main process with the shared threads and global setups ${s(totalCpuS * 1000 - forkCpuMs)} s`);
console.log(`load average (1, 5, 15 min): before ${loadBefore}, after ${loadavg()}; ${os.availableParallelism()} CPUs; Node ${process.version}`);
process.exitCode = result.status ?? 1;
