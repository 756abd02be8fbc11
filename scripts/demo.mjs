#!/usr/bin/env node
// `npm run demo`: the Docker Hub incident, replayed offline.
//   1. builds dist/ when it is missing or older than src/;
//   2. makes sure docker-registry is installed (scripts/ensure-registry.mjs);
//   3. starts a throw-away registry on 127.0.0.1 (port 5099 when free) and seeds library/docker
//      with complete, empty and arm64-only indexes (scripts/demo-registry.mjs);
//   4. copies examples/ to a temporary directory, pointing it at that registry;
//   5. runs `archpin check example --diff` and `archpin audit example` on the copy;
//   6. stops the registry and removes every temporary file, also on Ctrl-C.
// Nothing talks to anything but 127.0.0.1. Exit 0 when the demo showed what it should.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EMPTY_INDEX_DIGEST, REPOSITORY, seedIncident, startRegistry } from './demo-registry.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const EXAMPLE_HOST = '127.0.0.1:5099';
const EXAMPLE_PORT = 5099;

const out = (text = '') => process.stdout.write(`${text}\n`);

/** Runs a command to completion without blocking the event loop (so Ctrl-C is handled). */
const running = new Set();

function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    child.on('exit', () => running.delete(child));
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}

function newestMtime(dir, suffix) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path, suffix));
    else if (entry.name.endsWith(suffix)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** dist/ is stale when a source file has no output or is newer than its output. */
function distIsStale() {
  const stale = (dir) =>
    readdirSync(dir, { withFileTypes: true }).some((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return stale(path);
      if (!entry.name.endsWith('.ts') || entry.name.endsWith('.d.ts')) return false;
      const output = join(ROOT, 'dist', relative(join(ROOT, 'src'), path)).replace(/\.ts$/, '.js');
      return !existsSync(output) || statSync(output).mtimeMs < statSync(path).mtimeMs;
    });
  return !existsSync(join(ROOT, 'dist', 'main.js')) || stale(join(ROOT, 'src'));
}

async function ensureBuilt() {
  if (!distIsStale()) return;
  out('Building archpin (npm run build)…');
  const build = await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json']);
  if (build.code !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
}

async function ensureRegistryInstalled() {
  const ensured = await run(process.execPath, [join(ROOT, 'scripts', 'ensure-registry.mjs')]);
  if (ensured.code !== 0) throw new Error(`docker-registry is not available:\n${ensured.stdout}${ensured.stderr}`);
}

/** Copies examples/ into `target`, pointing every reference at the running registry. */
function copyExamples(target, host) {
  cpSync(join(ROOT, 'examples'), target, { recursive: true });
  const rewrite = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) rewrite(path);
      else writeFileSync(path, readFileSync(path, 'latin1').replaceAll(EXAMPLE_HOST, host), 'latin1');
    }
  };
  if (host !== EXAMPLE_HOST) rewrite(target);
}

const indent = (text) => text.replace(/\n$/, '').split('\n').map((line) => (line === '' ? '' : `    ${line}`)).join('\n');

// ---------------------------------------------------------------------------------------------

let registry;
let work;
let cleaned = false;

async function cleanUp() {
  if (cleaned) return;
  cleaned = true;
  await Promise.all([...running].map((child) => new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  })));
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
}

process.on('exit', () => {
  // last resort when something exits without cleanUp(): synchronous only
  for (const child of running) child.kill('SIGKILL');
  registry?.killNow();
  if (registry) rmSync(registry.dir, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    process.stderr.write(`\ndemo: ${signal}, stopping the registry and removing temporary files\n`);
    cleanUp().finally(() => process.exit(130));
  });
}

async function main() {
  await ensureBuilt();
  await ensureRegistryInstalled();

  registry = await startRegistry(EXAMPLE_PORT);
  const seed = await seedIncident(registry.url);
  const host = registry.host;
  out('archpin demo: the Docker Hub incident, replayed on a local registry');
  out();
  out(`Registry: docker-registry on ${registry.url} (pid ${registry.pid}), seeded with ${host}/${REPOSITORY}:`);
  const notes = {
    '27.1.0-dind': 'the empty index Docker Hub serves before any build is pushed',
    '27.2.0-dind': 'partial: only arm64 has landed so far',
  };
  for (const tag of ['27.0.3', '27.0.3-dind', '27.1.0-dind', '27.1.1', '27.1.1-dind', '27.2.0-dind']) {
    const platforms = seed.platforms[tag].length === 0 ? '(no platforms)' : seed.platforms[tag].join(', ');
    out(`  ${tag.padEnd(12)} ${seed.digests[tag]}  ${platforms}${notes[tag] ? `  <- ${notes[tag]}` : ''}`);
  }
  out();

  work = mkdtempSync(join(tmpdir(), 'archpin-demo-'));
  const example = join(work, 'example');
  copyExamples(example, host);
  out('Example repository: examples/ (GitLab CI with docker:dind, a Kubernetes Deployment, a Puppet');
  out(`manifest; archpin.json requires linux/amd64 and linux/arm64), copied to a temporary directory${host === EXAMPLE_HOST ? '.' : ` with ${EXAMPLE_HOST} replaced by ${host}.`}`);
  out();

  // archpin sees nothing of this machine: its own HOME (no Docker credentials), its own cache
  const env = { PATH: process.env.PATH ?? '', HOME: work, LANG: 'C.UTF-8' };
  const archpin = (args) => run(process.execPath, [join(ROOT, 'bin', 'archpin.js'), ...args, '--cache-dir', join(work, 'cache')], { cwd: work, env });

  out('$ archpin check example --diff');
  const check = await archpin(['check', 'example', '--diff']);
  out(indent(check.stdout));
  if (check.stderr) out(indent(check.stderr));
  out();
  out('What happened:');
  out('  - 27.0.3 and 27.0.3-dind move to 27.1.1 and 27.1.1-dind, pinned to the index digest, in');
  out('    your own spelling; only the image strings change (see the diff).');
  out('  - 27.2.0-dind is newer, but it is held: its index offers linux/arm64/v8 only, and');
  out('    archpin.json requires linux/amd64 too. archpin never pins a partial index.');
  out('  - The Puppet pin to the empty index (27.1.0-dind@sha256:eb37f586…) offers no platform at');
  out('    all; it is repinned to 27.1.1-dind, the newest complete version.');
  out();

  out('$ archpin audit example');
  const audit = await archpin(['audit', 'example']);
  out(indent(audit.stdout));
  if (audit.stderr) out(indent(audit.stderr));
  out(`  (exit code ${audit.code}: audit exits 3 when a pin is unsafe, so it can fail a merge request)`);
  out();

  await cleanUp();
  out(`Registry stopped (pid ${registry.pid}), temporary files removed.`);

  const problems = [];
  if (check.code !== 0) problems.push(`archpin check exited ${check.code}`);
  if (audit.code !== 3) problems.push(`archpin audit exited ${audit.code}, expected 3`);
  if (!check.stdout.includes(`${seed.digests['27.1.1-dind']}`)) problems.push('check did not pin 27.1.1-dind');
  if (!audit.stdout.includes(`@${EMPTY_INDEX_DIGEST}`) || !audit.stdout.includes('empty-index')) problems.push('audit did not flag the empty index');
  if (problems.length > 0) throw new Error(problems.join('; '));
}

main().then(
  () => process.exit(0),
  async (error) => {
    process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
    await cleanUp().catch(() => undefined);
    process.exit(1);
  },
);
