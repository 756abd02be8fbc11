import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliWaits } from '../../src/cli/io.js';
import { EMPTY_OCI_INDEX_DIGEST } from '../../src/core/digest.js';
import { KIND_BEHAVIOURS, startKindDouble, type KindBehaviour, type KindDouble } from '../support/registry-kinds.js';
import { startRedirectTarget, type RedirectTarget } from '../support/proxy.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runArchpin } from '../support/run-cli.js';
import { pushImage, pushIndex } from '../support/seed.js';

const VERSIONS = Array.from({ length: 25 }, (_, i) => `1.${i}.0`);
const PARTIAL = '1.25.0';
const FULL = ['linux/amd64', 'linux/arm64/v8'];

let registry: TestRegistry;
let work: string;
let binDir: string;
const digests: Record<string, string> = {};

beforeAll(async () => {
  registry = await startRegistry();
  work = mkdtempSync(path.join(os.tmpdir(), 'archpin-kinds-'));
  const images = await Promise.all(
    [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ].map((platform) => pushImage(registry, 'team/app', { ...platform, mediaType: 'oci' })),
  );
  for (const version of VERSIONS) {
    const entries = images.map((image) => ({ ...image, annotations: { 'org.opencontainers.image.version': version } }));
    digests[version] = (await pushIndex(registry, 'team/app', version, entries, { mediaType: 'oci' })).digest;
  }
  digests[PARTIAL] = (await pushIndex(registry, 'team/app', PARTIAL, [images[1]!], { mediaType: 'oci' })).digest;
  // A Docker credential helper, as users install them: `get` reads the server URL on stdin.
  binDir = path.join(work, 'bin');
  mkdirSync(binDir);
  const helper = [
    '#!/bin/sh',
    'read -r server',
    `echo "$1 $server" >> "${path.join(work, 'helper.log')}"`,
    'case "$server" in',
    '  127.0.0.1:*) printf \'{"ServerURL":"%s","Username":"deployer","Secret":"helper-secret-value"}\' "$server" ;;',
    '  *) echo "credentials not found in native keychain"; exit 1 ;;',
    'esac',
  ].join('\n');
  writeFileSync(path.join(binDir, 'docker-credential-fake'), `${helper}\n`);
  chmodSync(path.join(binDir, 'docker-credential-fake'), 0o755);
  writeFileSync(path.join(binDir, 'docker-credential-slow'), '#!/bin/sh\nsleep 30\n');
  chmodSync(path.join(binDir, 'docker-credential-slow'), 0o755);
});

afterAll(async () => {
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Case {
  readonly name: keyof typeof KIND_BEHAVIOURS;
  /** Set `registries.<host>.kind`; otherwise the kind is detected from the double's answers. */
  readonly configureKind: boolean;
  readonly users?: Array<{ username: string; password: string }>;
  readonly credentials?: (host: string) => { registry?: object; dockerConfig?: object; env?: Record<string, string> };
}

const CASES: Case[] = [
  { name: 'ghcr', configureKind: true },
  { name: 'quay', configureKind: true },
  {
    name: 'ecr',
    configureKind: true,
    users: [{ username: 'AWS', password: 'ecr-password-123' }],
    credentials: () => ({ registry: { tokenEnv: 'ECR_TOKEN' }, env: { ECR_TOKEN: 'ecr-password-123' } }),
  },
  { name: 'gcr', configureKind: true },
  {
    name: 'acr',
    configureKind: false,
    users: [{ username: '00000000-0000-0000-0000-000000000000', password: 'acr-refresh-token' }],
    credentials: () => {
      writeFileSync(path.join(work, 'acr-token'), 'acr-refresh-token\n');
      return { registry: { kind: 'acr', tokenFile: path.join(work, 'acr-token') } };
    },
  },
  {
    name: 'harbor',
    configureKind: false,
    users: [{ username: 'deployer', password: 'helper-secret-value' }],
    credentials: () => ({ dockerConfig: { credsStore: 'fake', auths: {} } }),
  },
  {
    name: 'artifactory',
    configureKind: false,
    users: [{ username: 'deployer', password: 'helper-secret-value' }],
    credentials: () => ({ registry: { credentialHelper: 'fake' } }),
  },
  {
    name: 'gitlab',
    configureKind: false,
    users: [{ username: 'deployer', password: 'helper-secret-value' }],
    credentials: (host) => ({ dockerConfig: { credHelpers: { [host]: 'fake' } } }),
  },
];

interface Report {
  updates: Array<{ file: string; line: number; from: string; to: string; platforms: string[] }>;
  blocked: Array<{ tag: string; reason: string; missing: string[] }>;
  errors: Array<{ code: string; message: string }>;
  audit?: Array<{ file: string; line: number; reason: string; fix: string | null }>;
  registries?: Array<{ host: string; kind: string }>;
}

async function run(command: 'check' | 'audit', double: KindDouble, testCase: Case, name: string, waits?: CliWaits): Promise<{ code: number; report: Report; stderr: string }> {
  const prefix = double.behaviour.prefix === undefined ? '' : `${double.behaviour.prefix}/`;
  const image = `${double.host}/${prefix}team/app`;
  const dir = path.join(work, `${name}-tree`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'deploy.yaml'), `apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers:\n    - name: app\n      image: ${image}:1.0.0@${digests['1.0.0']}\n`);
  if (command === 'audit') writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${image}:1.3.0@${EMPTY_OCI_INDEX_DIGEST}\nFROM ${image}:${PARTIAL}@${digests[PARTIAL]}\n`);
  const extra = testCase.credentials?.(double.host) ?? {};
  const entry = { ...(testCase.configureKind ? { kind: testCase.name } : {}), ...extra.registry };
  const config = path.join(work, `${name}-config.json`);
  writeFileSync(config, JSON.stringify({ registries: { [double.host]: entry } }));
  const env: Record<string, string> = { PATH: `${binDir}:${process.env['PATH'] ?? ''}`, ...extra.env };
  if (extra.dockerConfig !== undefined) {
    const dockerDir = path.join(work, `${name}-docker`);
    mkdirSync(dockerDir, { recursive: true });
    writeFileSync(path.join(dockerDir, 'config.json'), JSON.stringify(extra.dockerConfig));
    env['DOCKER_CONFIG'] = dockerDir;
  }
  const result = await runArchpin([command, dir, '--format', 'json', '--cache-dir', path.join(work, `${name}-cache`), '--config', config], { env, ...(waits ? { waits } : {}) });
  return { code: result.code, report: JSON.parse(result.stdout) as Report, stderr: result.stderr };
}

describe.each(CASES)('registry kind $name', (testCase) => {
  let double: KindDouble;
  let trap: KindDouble;
  let storage: RedirectTarget;

  beforeAll(async () => {
    const behaviour: KindBehaviour = KIND_BEHAVIOURS[testCase.name];
    double = await startKindDouble(behaviour, { upstream: registry.url, users: testCase.users ?? [] });
    double.pushOrder = [...VERSIONS, PARTIAL];
    // Every kind's last tags page links to another origin: it must never be asked.
    trap = await startKindDouble(behaviour, { upstream: registry.url });
    double.crossOriginLink = trap.url;
    // Blob downloads are redirected to another host (object storage): the registry's credentials must not go along.
    storage = await startRedirectTarget();
    double.blobRedirect = storage;
  });

  afterAll(async () => {
    await double?.stop();
    await trap?.stop();
    await storage?.stop();
  });

  /** Since `from`: the blob GETs the double answered (HEADs are answered in place) (status, credentials sent), and what the storage host was sent. */
  const blobTrail = (from: { requests: number; storage: number }) => ({
    registry: double.requests
      .slice(from.requests)
      .filter((r) => r.method === 'GET' && r.path.includes('/blobs/'))
      .map((r) => [r.method, r.status, r.authorization !== undefined]),
    storage: storage.requests.slice(from.storage).map((r) => [r.method, r.authorization]),
  });
  const mark = () => ({ requests: double.requests.length, storage: storage.requests.length, links: double.crossOriginLinksSent });

  it('check: the newest complete version across every page, the partial newest held; no other origin asked; credentials only to the host', async () => {
    const prefix = double.behaviour.prefix === undefined ? '' : `${double.behaviour.prefix}/`;
    const image = `${double.host}/${prefix}team/app`;
    const from = mark();
    const { code, report, stderr } = await run('check', double, testCase, `${testCase.name}-check`);
    expect(report.errors).toEqual([]);
    expect(code).toBe(0);
    expect(report.updates.map(({ file, line, from, to, platforms }) => ({ file, line, from, to, platforms }))).toEqual([
      { file: 'deploy.yaml', line: 7, from: `${image}:1.0.0@${digests['1.0.0']}`, to: `${image}:1.24.0@${digests['1.24.0']}`, platforms: FULL },
    ]);
    expect(report.blocked.map(({ tag, reason, missing }) => [tag, reason, missing])).toEqual([[PARTIAL, 'platform-regression', ['linux/amd64']]]);
    expect(report.registries?.map(({ host, kind }) => [host, kind])).toEqual([[double.host, testCase.name]]);
    // The last tags page linked to the trap's origin, which was never asked.
    expect(double.crossOriginLinksSent - from.links).toBe(1);
    expect(trap.requests).toEqual([]);
    expect(stderr).not.toContain('helper-secret-value');
    // The two config blobs: redirected by the registry (credentials sent to it), fetched from storage without them.
    expect(blobTrail(from)).toEqual({
      registry: [
        ['GET', 307, true],
        ['GET', 307, true],
      ],
      storage: [
        ['GET', undefined],
        ['GET', undefined],
      ],
    });
    const pages = double.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/tags/list') && r.status === 200);
    expect(pages.length).toBe(testCase.name === 'gcr' ? 1 : 3);
    if (double.behaviour.auth === 'bearer') {
      expect(double.tokenRequests.length).toBe(1);
      expect(double.tokenRequests[0]!.query).toContain(`service=${encodeURIComponent(double.behaviour.service)}`);
    }
  });

  it('audit: the pins to the empty index and to the partial index are reported with the repin that fixes them; the safe pin is not', async () => {
    const prefix = double.behaviour.prefix === undefined ? '' : `${double.behaviour.prefix}/`;
    const image = `${double.host}/${prefix}team/app`;
    const from = mark();
    const { code, report } = await run('audit', double, testCase, `${testCase.name}-audit`);
    expect(report.errors).toEqual([]);
    expect(code).toBe(3);
    expect(report.audit!.map(({ file, line, reason, fix }) => ({ file, line, reason, fix }))).toEqual([
      { file: 'Dockerfile', line: 1, reason: 'empty-index', fix: `${image}:1.24.0@${digests['1.24.0']}` },
      { file: 'Dockerfile', line: 2, reason: 'missing-platforms', fix: `${image}:1.24.0@${digests['1.24.0']}` },
    ]);
    expect(double.crossOriginLinksSent - from.links).toBe(1);
    expect(trap.requests).toEqual([]);
    expect(blobTrail(from)).toEqual({
      registry: [
        ['GET', 307, true],
        ['GET', 307, true],
      ],
      storage: [
        ['GET', undefined],
        ['GET', undefined],
      ],
    });
  });
});

describe('registry quirks one by one', () => {
  it('ECR: a 405 to a large n is asked again without n', async () => {
    const double = await startKindDouble(KIND_BEHAVIOURS.ecr, { upstream: registry.url });
    try {
      const { report } = await run('check', double, { name: 'ecr', configureKind: true }, 'ecr-405');
      expect(report.updates.map((u) => u.to.split('@')[0])).toEqual([`${double.host}/team/app:1.24.0`]);
      const lists = double.requests.filter((r) => r.path.endsWith('/tags/list') && r.status !== 401).map((r) => `${r.status} ${r.query}`);
      expect(lists).toEqual(['405 n=1000', '200 ', '200 n=10&last=1.17.0', '200 n=10&last=1.3.0']);
    } finally {
      await double.stop();
    }
  });

  it('Artifactory: without the kind or its header the Link that drops the virtual repository leads nowhere', async () => {
    const behaviour: KindBehaviour = { ...KIND_BEHAVIOURS.artifactory, headers: {} };
    const double = await startKindDouble(behaviour, { upstream: registry.url });
    try {
      const { report } = await run('check', double, { name: 'artifactory', configureKind: false }, 'artifactory-undetected');
      expect(report.errors.map((e) => e.code)).toEqual(['registry-not-found']);
      const fixed = await run('check', double, { name: 'artifactory', configureKind: true }, 'artifactory-configured');
      expect(fixed.report.errors).toEqual([]);
      expect(fixed.report.updates.map((u) => u.to.split('@')[0])).toEqual([`${double.host}/docker-virtual/team/app:1.24.0`]);
    } finally {
      await double.stop();
    }
  });

  it('a credential helper that does not answer in time fails the lookup with a clear error, not a hang', async () => {
    const double = await startKindDouble(KIND_BEHAVIOURS.artifactory, { upstream: registry.url, users: [{ username: 'deployer', password: 'x' }] });
    try {
      const started = Date.now();
      // The helper sleeps 30 s: it misses a 1 s deadline (the default is 10 s) on any machine.
      const slow: Case = { name: 'artifactory', configureKind: true, credentials: () => ({ registry: { credentialHelper: 'slow' } }), users: [] };
      const { report } = await run('check', double, slow, 'slow-helper', { credentialHelperTimeoutMs: 1000 });
      expect(report.errors.map((e) => [e.code, e.message])).toEqual([['registry-unauthorized', 'credential helper docker-credential-slow gave no answer within 1000 ms']]);
      expect(Date.now() - started).toBeLessThan(25_000);
    } finally {
      await double.stop();
    }
  }, 30_000);

  it('the helper was asked with the host, once per run and registry', () => {
    const log = readFileSync(path.join(work, 'helper.log'), 'utf8').trim().split('\n');
    expect(log.every((line) => /^get 127\.0\.0\.1:\d+$/.test(line))).toBe(true);
  });
});

describe('minimumReleaseAge on registries without Docker Hub push times', () => {
  let quay: KindDouble;
  let gcr: KindDouble;
  const repro: Record<string, string> = {};

  beforeAll(async () => {
    // Reproducible builds: the config's `created` is 1970, which says nothing about the release.
    for (const version of ['2.0.0', '2.1.0']) {
      const images = await Promise.all(
        [
          { os: 'linux', architecture: 'amd64' },
          { os: 'linux', architecture: 'arm64', variant: 'v8' },
        ].map((platform) => pushImage(registry, 'team/repro', { ...platform, mediaType: 'oci', created: '1970-01-01T00:00:00Z', label: version })),
      );
      repro[version] = (await pushIndex(registry, 'team/repro', version, images, { mediaType: 'oci' })).digest;
    }
    quay = await startKindDouble(KIND_BEHAVIOURS.quay, { upstream: registry.url });
    gcr = await startKindDouble(KIND_BEHAVIOURS.gcr, { upstream: registry.url });
  });

  afterAll(async () => {
    await quay?.stop();
    await gcr?.stop();
  });

  async function check(double: KindDouble, name: string, config: object, now: number): Promise<Report> {
    const dir = path.join(work, `${name}-tree`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${double.host}/team/repro:2.0.0@${repro['2.0.0']}\n`);
    const file = path.join(work, `${name}-config.json`);
    writeFileSync(file, JSON.stringify({ minimumReleaseAge: '4 hours', registries: { [double.host]: { kind: double.behaviour.kind } }, ...config }));
    const result = await runArchpin(['check', dir, '--format', 'json', '--cache-dir', path.join(work, `${name}-cache`), '--config', file], { now });
    return JSON.parse(result.stdout) as Report;
  }

  const NOW = Date.parse('2026-11-22T12:00:00Z');
  const brief = (report: Report) => report.blocked.map((held) => [held.tag, held.reason, (held as unknown as { message: string }).message]);

  it('Quay: measured from the manifest Last-Modified, and says so', async () => {
    const report = await check(quay, 'age-quay', {}, NOW);
    expect(report.updates).toEqual([]);
    expect(brief(report)).toEqual([['2.1.0', 'too-new', 'last modified (registry Last-Modified) 3h ago; minimumReleaseAge is 4h']]);
    const later = await check(quay, 'age-quay', {}, NOW + 2 * 3_600_000);
    expect(later.updates.map((u) => u.to)).toEqual([`${quay.host}/team/repro:2.1.0@${repro['2.1.0']}`]);
  });

  it('GCR: no release time at all, measured from first seen; a later run proposes it', async () => {
    const first = await check(gcr, 'age-gcr', {}, NOW);
    expect(brief(first)).toEqual([['2.1.0', 'too-new', 'first seen (no release time from the registry) 0s ago; minimumReleaseAge is 4h']]);
    const still = await check(gcr, 'age-gcr', {}, NOW + 3 * 3_600_000);
    expect(brief(still)).toEqual([['2.1.0', 'too-new', 'first seen (no release time from the registry) 3h ago; minimumReleaseAge is 4h']]);
    const later = await check(gcr, 'age-gcr', {}, NOW + 5 * 3_600_000);
    expect(later.updates.map((u) => u.to)).toEqual([`${gcr.host}/team/repro:2.1.0@${repro['2.1.0']}`]);
  });

  it('releaseAgeWithoutTimestamp "hold": no release time holds, as configured', async () => {
    const report = await check(gcr, 'age-gcr-hold', { releaseAgeWithoutTimestamp: 'hold' }, NOW + 10 * 86_400_000);
    expect(brief(report)).toEqual([['2.1.0', 'too-new', 'release age unknown (no creation time in the image config); minimumReleaseAge is 4h']]);
  });

  it('releaseAgeWithoutTimestamp per update type: "hold" for minor updates holds 2.0.0 → 2.1.0; set for majors only, first seen counts', async () => {
    const minor = await check(gcr, 'age-gcr-hold-minor', { packageRules: [{ matchImages: ['*'], matchUpdateTypes: ['minor'], releaseAgeWithoutTimestamp: 'hold' }] }, NOW + 10 * 86_400_000);
    expect(brief(minor)).toEqual([['2.1.0', 'too-new', 'release age unknown (no creation time in the image config); minimumReleaseAge is 4h']]);
    const major = await check(gcr, 'age-gcr-hold-major', { packageRules: [{ matchImages: ['*'], matchUpdateTypes: ['major'], releaseAgeWithoutTimestamp: 'hold' }] }, NOW + 10 * 86_400_000);
    expect(brief(major)).toEqual([['2.1.0', 'too-new', 'first seen (no release time from the registry) 0s ago; minimumReleaseAge is 4h']]);
  });
});
