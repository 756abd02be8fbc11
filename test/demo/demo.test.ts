import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_OCI_INDEX_DIGEST } from '../../src/core/digest.js';
import { ensureBuilt } from '../support/build.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEMO = path.join(ROOT, 'scripts', 'demo.mjs');

// The demo seeds deterministic content (uncompressed layers), so its digests never change.
const DIGESTS = {
  '27.0.3': 'sha256:0b1f9dc732bd44339b055486ec4b023bb7038c2b0cf2d8644e652d9a6e4a110c',
  '27.0.3-dind': 'sha256:bbed3ee928fd1caf652a6910056b2f4eb23787eb25634a629b4e5f2cfcc9426a',
  '27.1.1': 'sha256:29b2b3a2b047f8814d2bf22602124e6179d807f6305aeedfc72275493e323d27',
  '27.1.1-dind': 'sha256:954a430ea416e2dc67d6a290e850d6444cd023024370f2d269ae02b0d5eaddb5',
  '27.2.0-dind': 'sha256:fb0046729d259c20642477b5505dd1cec42f777d373d8159025f6fb1192b396a',
};
const FULL = 'linux/amd64, linux/arm64/v8, linux/arm/v6, linux/arm/v7';

interface DemoRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let tmp: string;

beforeAll(() => ensureBuilt(), 120_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Runs the demo with its own TMPDIR (so every file it leaves behind is visible); `interrupt` sends SIGINT once stdout contains it. */
function runDemo(tmpdir: string, interrupt?: string): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DEMO], { cwd: ROOT, env: { ...process.env, TMPDIR: tmpdir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (interrupt !== undefined && !interrupted && stdout.includes(interrupt)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function registryOf(stdout: string): { host: string; pid: number } {
  const match = /^Registry: docker-registry on http:\/\/(127\.0\.0\.1:\d+) \(pid (\d+)\), seeded with /m.exec(stdout);
  if (match === null) throw new Error(`no registry line in:\n${stdout}`);
  return { host: match[1]!, pid: Number(match[2]) };
}

/** True when `pid` is a live docker-registry process. */
function registryRunning(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]!.endsWith('docker-registry');
  } catch {
    return false;
  }
}

/** A table row's cells: columns are separated by two or more spaces. */
function rows(stdout: string): string[][] {
  return stdout.split('\n').map((line) => line.trim().split(/\s{2,}/));
}

describe('npm run demo', () => {
  let run: DemoRun;
  let host: string;
  let pid: number;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'archpin-demo-test-'));
    const own = mkdtempSync(path.join(tmp, 'full-'));
    run = await runDemo(own);
    ({ host, pid } = registryOf(run.stdout));
    expect(readdirSync(own)).toEqual([]);
  }, 180_000);

  it('exits 0 with nothing on stderr', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('lists the seeded incident, the empty index included', () => {
    const lines = run.stdout.split('\n');
    const start = lines.findIndex((line) => line.startsWith('Registry: '));
    expect(lines.slice(start + 1, start + 7)).toEqual([
      `  27.0.3       ${DIGESTS['27.0.3']}  ${FULL}`,
      `  27.0.3-dind  ${DIGESTS['27.0.3-dind']}  ${FULL}`,
      `  27.1.0-dind  ${EMPTY_OCI_INDEX_DIGEST}  (no platforms)  <- the empty index Docker Hub serves before any build is pushed`,
      `  27.1.1       ${DIGESTS['27.1.1']}  ${FULL}`,
      `  27.1.1-dind  ${DIGESTS['27.1.1-dind']}  ${FULL}`,
      `  27.2.0-dind  ${DIGESTS['27.2.0-dind']}  linux/arm64/v8  <- partial: only arm64 has landed so far`,
    ]);
  });

  it('check pins 27.1.1-dind and 27.1.1 by index digest, repins the empty index, and holds 27.2.0-dind', () => {
    const image = `${host}/library/docker`;
    // archpin.json requires linux/amd64 and linux/arm64: those two children are verified and claimed; the index's
    // two arm/v6 and arm/v7 entries are listed as not verified.
    const platforms = 'linux/amd64,linux/arm64/v8 (+2 not verified)';
    const table = rows(run.stdout).filter((cells) => cells.length === 5 && cells[0]!.includes(':') && cells[4] === platforms);
    expect(table).toEqual([
      ['.gitlab-ci.yml:12', `${image}:27.0.3`, `${image}:27.1.1@sha256:29b2b3a2b047…`, 'minor', platforms],
      ['.gitlab-ci.yml:14', `${image}:27.0.3-dind`, `${image}:27.1.1-dind@sha256:954a430ea416…`, 'minor', platforms],
      ['deploy/build-runner.yaml:21', `${image}:27.0.3`, `${image}:27.1.1@sha256:29b2b3a2b047…`, 'minor', platforms],
      ['deploy/build-runner.yaml:26', `${image}:27.0.3-dind`, `${image}:27.1.1-dind@sha256:954a430ea416…`, 'minor', platforms],
      ['puppet/manifests/build_host.pp:6', `${image}:27.1.0-dind@sha256:eb37f58646a9…`, `${image}:27.1.1-dind@sha256:954a430ea416…`, 'patch', platforms],
    ]);
    const lines = run.stdout.split('\n');
    const held = lines.indexOf('    Held back (1):');
    expect(held).toBeGreaterThan(0);
    expect(rows(lines.slice(held + 1, held + 3).join('\n'))).toEqual([
      [`${image}:27.2.0-dind (sha256:fb0046729d25…)`, 'missing-platforms linux/amd64'],
      ['index lists only linux/arm64/v8; policy requires linux/amd64'],
    ]);
    expect(lines).toContain('    6 references (5 updatable), 5 updates, 1 held, 0 errors.');
    expect(lines.filter((line) => line.startsWith('    +') && !line.startsWith('    +++'))).toEqual([
      `    +  image: ${image}:27.1.1@${DIGESTS['27.1.1']}`,
      `    +    - name: ${image}:27.1.1-dind@${DIGESTS['27.1.1-dind']}`,
      `    +          image: "${image}:27.1.1@${DIGESTS['27.1.1']}"`,
      `    +          image: "${image}:27.1.1-dind@${DIGESTS['27.1.1-dind']}"`,
      `    +  String $dind_image = '${image}:27.1.1-dind@${DIGESTS['27.1.1-dind']}',`,
    ]);
  });

  it('audit flags the pin to the empty index and names the fix', () => {
    const lines = run.stdout.split('\n');
    const start = lines.indexOf('$ archpin audit example');
    expect(lines.slice(start + 1, start + 6)).toEqual([
      '    Unsafe pins (1):',
      `      puppet/manifests/build_host.pp:6  ${host}/library/docker:27.1.0-dind@${EMPTY_OCI_INDEX_DIGEST}`,
      '          empty-index: pinned to the known empty index digest: the image has no platforms and cannot be pulled',
      `          fix: ${host}/library/docker:27.1.1-dind@${DIGESTS['27.1.1-dind']}`,
      '  (exit code 3: audit exits 3 when a pin is unsafe, so it can fail a merge request)',
    ]);
  });

  it('stops the registry and says so', () => {
    expect(run.stdout.endsWith(`Registry stopped (pid ${pid}), temporary files removed.\n`)).toBe(true);
    expect(registryRunning(pid)).toBe(false);
  });
});

describe('npm run demo interrupted', () => {
  it('on SIGINT while archpin check runs, stops the registry, removes its files and exits 130', async () => {
    tmp ??= mkdtempSync(path.join(os.tmpdir(), 'archpin-demo-test-'));
    const own = mkdtempSync(path.join(tmp, 'interrupted-'));
    const run = await runDemo(own, '$ archpin check example --diff\n');
    const { pid } = registryOf(run.stdout);
    expect(run.code).toBe(130);
    expect(run.stderr).toBe('\ndemo: SIGINT, stopping the registry and removing temporary files\n');
    expect(run.stdout).not.toContain('Registry stopped');
    expect(registryRunning(pid)).toBe(false);
    expect(readdirSync(own)).toEqual([]);
  }, 180_000);
});
