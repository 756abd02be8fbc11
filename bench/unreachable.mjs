#!/usr/bin/env node
// What an unreachable registry costs `archpin check` (the built CLI, one process per case): 202 images on a
// loopback port with nothing listening, and 202 images on a server that accepts connections and never answers
// (default timeouts, then a 2 s first-byte timeout). Prints, per case: the time to the first line on stderr
// (--log-level debug: one line per registry request), the whole run, and the errors reported; then the same
// case as a user types it (`archpin check DIR`, text, no debug, not a terminal): the time to its first output
// on either stream and that first line.
// Usage: npm run bench:unreachable
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin/archpin.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'archpin-bench-unreachable-'));
const IMAGES = 202;

const sockets = [];
const silent = createServer((socket) => {
  sockets.push(socket);
  socket.on('error', () => undefined);
});
await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
const closed = createServer();
await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
const refusedPort = closed.address().port;
await new Promise((resolve) => closed.close(resolve));

function project(name, host, config) {
  const dir = path.join(work, name);
  for (let i = 0; i < IMAGES; i++) {
    mkdirSync(path.join(dir, `svc-${i}`), { recursive: true });
    writeFileSync(path.join(dir, `svc-${i}`, 'Dockerfile'), `FROM ${host}/team/svc-${i}:1.${i % 7}.0\n`);
  }
  if (config) writeFileSync(path.join(dir, 'archpin.json'), JSON.stringify(config));
  return dir;
}

function run(dir) {
  return new Promise((resolve) => {
    const started = performance.now();
    let firstStderr = null;
    let stdout = '';
    const child = spawn(process.execPath, [bin, 'check', dir, '--format', 'json', '--log-level', 'debug', '--cache-dir', path.join(dir, '.cache')], {
      env: { PATH: process.env.PATH ?? '', HOME: work },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', () => (firstStderr ??= performance.now() - started));
    child.on('exit', (code) => {
      const report = JSON.parse(stdout);
      resolve({ code, total: performance.now() - started, firstStderr, errors: report.errors });
    });
  });
}

const cases = [
  { name: `${IMAGES} images, connection refused`, dir: project('refused', `127.0.0.1:${refusedPort}`) },
  { name: `${IMAGES} images, accepts and never answers (defaults)`, dir: project('silent', `127.0.0.1:${silent.address().port}`) },
  { name: `${IMAGES} images, accepts and never answers (firstByte "2s")`, dir: project('silent-2s', `127.0.0.1:${silent.address().port}`, { registryTimeouts: { firstByte: '2s' } }) },
];

/** `archpin check DIR` as typed: text report, default log level, stdout and stderr not a terminal. */
function plain(dir) {
  return new Promise((resolve) => {
    const started = performance.now();
    let first = null;
    let output = '';
    const child = spawn(process.execPath, [bin, 'check', dir, '--cache-dir', path.join(dir, '.cache-plain')], {
      env: { PATH: process.env.PATH ?? '', HOME: work },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const seen = (chunk) => {
      first ??= performance.now() - started;
      output += chunk;
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('exit', (code) => resolve({ code, total: performance.now() - started, first, line: output.split('\n').find((line) => line.includes('unreachable')) ?? output.split('\n')[0] }));
  });
}

const seconds = (ms) => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`);
console.log('case | first stderr line | whole run | exit | errors');
for (const entry of cases) {
  const before = sockets.length;
  const result = await run(entry.dir);
  const first = result.errors[0];
  console.log(`${entry.name} | ${seconds(result.firstStderr)} | ${seconds(result.total)} | ${result.code} | ${result.errors.length}: ${first ? first.message : ''}`);
  if (sockets.length > before) console.log(`  connections the silent server accepted: ${sockets.length - before}`);
  const typed = await plain(entry.dir);
  console.log(`  as typed (archpin check DIR): first output ${seconds(typed.first)}, whole run ${seconds(typed.total)}, exit ${typed.code}: ${typed.line.trim()}`);
}
for (const socket of sockets) socket.destroy();
silent.close();
rmSync(work, { recursive: true, force: true });
