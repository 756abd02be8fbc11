/**
 * Registry reachability through `archpin check`: a host that refuses connections and one that accepts and never
 * answers are each reported once, as registry-unreachable with the host, the cause and the images it stopped,
 * and the rest of that host's images are skipped without a request; the real registry's images are unaffected.
 * `--log-level debug` prints one line per registry request; an interrupt gives a partial report and exit 130.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runArchpin } from '../support/run-cli.js';
import { pushImage, pushIndex, type Platform } from '../support/seed.js';
import { requestLines } from '../support/request-lines.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const AMD64: Platform = { os: 'linux', architecture: 'amd64' };
const ARM64: Platform = { os: 'linux', architecture: 'arm64', variant: 'v8' };

let registry: TestRegistry;
let work: string;
let digest101: string;
/** Accepts connections and never answers. */
let silent: Server;
let silentHost: string;
const silentSockets: Socket[] = [];
/** A loopback port with nothing listening. */
let refusedHost: string;

async function pushTag(repo: string, tag: string): Promise<string> {
  const images = await Promise.all([AMD64, ARM64].map((platform) => pushImage(registry, repo, { ...platform, mediaType: 'oci', label: `${repo}:${tag}` })));
  return (await pushIndex(registry, repo, tag, images, { mediaType: 'oci' })).digest;
}

async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function repo(name: string, files: Record<string, string>): string {
  const dir = path.join(work, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/** One Dockerfile per image, so every image is its own dependency. */
function dockerfiles(host: string, count: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, index) => [`svc-${String(index).padStart(2, '0')}/Dockerfile`, `FROM ${host}/team/svc-${String(index).padStart(2, '0')}:1.0.0\n`]));
}

const svcImages = (host: string, count: number): string[] => Array.from({ length: count }, (_, index) => `${host}/team/svc-${String(index).padStart(2, '0')}:1.0.0`);

let cacheCount = 0;
const freshCache = (): string => path.join(work, `cache-${++cacheCount}`);

beforeAll(async () => {
  registry = await startRegistry();
  work = mkdtempSync(path.join(os.tmpdir(), 'archpin-unreachable-'));
  await pushTag('team/good', '1.0.0');
  digest101 = await pushTag('team/good', '1.0.1');
  silent = createTcpServer((socket) => {
    silentSockets.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentHost = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
  refusedHost = `127.0.0.1:${await closedPort()}`;
}, 120_000);

afterAll(async () => {
  for (const socket of silentSockets) socket.destroy();
  await new Promise((resolve) => silent?.close(resolve));
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const goodUpdate = () => ({ file: 'good/Dockerfile', to: `${registry.host}/team/good:1.0.1@${digest101}`, updateType: 'patch' });

interface Report {
  updates: Array<{ file: string; to: string; updateType: string }>;
  errors: Array<Record<string, unknown>>;
  partial?: boolean;
  interrupted?: { lookedUp: number; total: number; notLookedUp: string[] };
  written: boolean;
}

const updatesOf = (report: Report) => report.updates.map((update) => ({ file: update.file, to: update.to, updateType: update.updateType }));

describe('archpin check with unreachable registries', () => {
  it('a refusing host: one registry-unreachable error naming the host, the cause and its 30 images; at most one request per connection slot; exit 1', async () => {
    const dir = repo('refused', { 'good/Dockerfile': `FROM ${registry.host}/team/good:1.0.0\n`, ...dockerfiles(refusedHost, 30) });
    const run = await runArchpin(['check', dir, '--format', 'json', '--cache-dir', freshCache(), '--log-level', 'debug']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as Report;
    expect(updatesOf(report)).toEqual([goodUpdate()]);
    const port = refusedHost.split(':')[1];
    expect(report.errors).toHaveLength(1);
    expect({ ...report.errors[0], images: (report.errors[0]!['images'] as string[]).slice().sort() }).toEqual({
      host: refusedHost,
      code: 'registry-unreachable',
      retryable: false,
      images: svcImages(refusedHost, 30),
      message: `${refusedHost} is unreachable (connect ECONNREFUSED 127.0.0.1:${port}): 30 images not looked up`,
    });
    // The circuit opens on the first refusal: only the requests already in flight (4 per host) were sent.
    const refused = requestLines(run.stderr).filter((line) => line.url.startsWith(`http://${refusedHost}/`));
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeLessThanOrEqual(4);
    for (const line of refused) expect([line.status, line.error]).toEqual([null, `connect ECONNREFUSED 127.0.0.1:${port}`]);
  });

  it('a host that accepts and never answers: unreachable after the first-byte timeout, once, with its images', async () => {
    const dir = repo('silent', { 'good/Dockerfile': `FROM ${registry.host}/team/good:1.0.0\n`, ...dockerfiles(silentHost, 12) });
    writeFileSync(path.join(dir, 'archpin.json'), JSON.stringify({ registryTimeouts: { firstByte: '1s', connect: '2s' } }));
    const before = silentSockets.length;
    const run = await runArchpin(['check', dir, '--format', 'json', '--cache-dir', freshCache()]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as Report;
    expect(updatesOf(report)).toEqual([goodUpdate()]);
    expect(report.errors.map((error) => ({ ...error, images: (error['images'] as string[]).slice().sort() }))).toEqual([
      {
        host: silentHost,
        code: 'registry-unreachable',
        retryable: false,
        images: svcImages(silentHost, 12),
        message: `${silentHost} is unreachable (connected, but no response headers within 1000 ms): 12 images not looked up`,
      },
    ]);
    expect(silentSockets.length - before).toBeGreaterThanOrEqual(1);
    expect(silentSockets.length - before).toBeLessThanOrEqual(4);
  });

  it('--log-level debug prints one line per registry request: method, URL, status and milliseconds', async () => {
    const dir = repo('debug', { 'good/Dockerfile': `FROM ${registry.host}/team/good:1.0.0\n` });
    const run = await runArchpin(['check', dir, '--format', 'json', '--cache-dir', freshCache(), '--log-level', 'debug']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Report & { registries: Array<{ host: string; requests: number }> };
    const lines = requestLines(run.stderr);
    expect(lines.length).toBe(report.registries.find((entry) => entry.host === registry.host)!.requests);
    expect(lines[0]).toMatchObject({ level: 20, method: 'GET', url: `${registry.url}/v2/team/good/manifests/1.0.0`, status: 200 });
    for (const line of lines) {
      expect(line.url.startsWith(`${registry.url}/v2/team/good/`)).toBe(true);
      expect(Number.isInteger(line.ms) && line.ms >= 0).toBe(true);
      expect(line.status).toBe(200);
    }
    // info (the default) prints nothing on stderr
    const quiet = await runArchpin(['check', dir, '--format', 'json', '--cache-dir', freshCache()]);
    expect(quiet.stderr).toBe('');
  });

  it('an interrupt while a registry is silent: the finished lookups, marked partial, nothing written, exit 130', async () => {
    const dir = repo('interrupt', { 'good/Dockerfile': `FROM ${registry.host}/team/good:1.0.0\n`, 'stuck/Dockerfile': `FROM ${silentHost}/team/stuck:2.0.0\n` });
    writeFileSync(path.join(dir, 'archpin.json'), JSON.stringify({ registryTimeouts: { firstByte: '2 minutes' } }));
    let stdout = '';
    let stderr = '';
    let interrupt: ((signal: 'SIGINT') => void) | null = null;
    const before = silentSockets.length;
    const running = runCli(['check', dir, '--format', 'json', '--write', '--cache-dir', freshCache()], {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      env: { HOME: '/nonexistent-home' },
      cwd: work,
      now: () => Date.parse('2026-11-22T12:00:00Z'),
      interactive: true,
      onInterrupt: (handler) => {
        interrupt = handler;
        return () => (interrupt = null);
      },
    });
    // The progress line says when the good image is done; the silent host holds the other.
    const deadline = Date.now() + 60_000;
    while (!(stderr.includes('looked up 1/2 images') && silentSockets.length > before) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stderr).toContain('looked up 1/2 images');
    expect(interrupt).not.toBeNull();
    interrupt!('SIGINT');
    const code = await running;
    expect(code).toBe(130);
    const report = JSON.parse(stdout) as Report;
    expect(updatesOf(report)).toEqual([goodUpdate()]);
    expect([report.partial, report.interrupted, report.errors, report.written]).toEqual([true, { lookedUp: 1, total: 2, notLookedUp: [`${silentHost}/team/stuck:2.0.0`] }, [], false]);
    expect(stderr.endsWith('\r\x1b[K')).toBe(true);
  });

  it('SIGINT to the archpin process prints the partial report and exits 130', async () => {
    const dir = repo('sigint', { 'stuck/Dockerfile': `FROM ${silentHost}/team/stuck:3.0.0\n`, 'archpin.json': JSON.stringify({ registryTimeouts: { firstByte: '2 minutes' } }) });
    const before = silentSockets.length;
    // The built entry point (npm test builds first), as test/cli/interrupts.test.ts runs it: through vite-node the
    // child compiled the whole source tree before its first request, most of this test's time.
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/main.js'), 'check', dir, '--format', 'json', '--cache-dir', freshCache()], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', HOME: work },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (silentSockets.length === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const report = JSON.parse(stdout) as Report;
    expect([report.partial, report.interrupted, report.updates, report.errors]).toEqual([true, { lookedUp: 0, total: 1, notLookedUp: [`${silentHost}/team/stuck:3.0.0`] }, [], []]);
  }, 120_000);
});
