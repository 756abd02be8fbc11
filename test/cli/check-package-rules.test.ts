/**
 * Package rules against the real registry: `pinDigests: false` (top level and per rule) writes the tag only and
 * converges, the gate still judges the candidate, an existing digest is kept up to date; `matchUpdateTypes` with
 * settings other than `enabled: false` (allowedVersions, pinDigests, platforms per update type).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runArchpin } from '../support/run-cli.js';
import { pushImage, pushIndex } from '../support/seed.js';

let registry: TestRegistry;
let work: string;
const digests: Record<string, string> = {};

type Arch = 'amd64' | 'arm64';
/** Tag → the architectures its index offers (1.0.2 is a partial index: arm64 only; 2.0.0 is amd64 only). */
const TAGS: Record<string, Record<string, Arch[]>> = {
  'team/app': { '1.0.0': ['amd64', 'arm64'], '1.0.1': ['amd64', 'arm64'], '1.0.2': ['arm64'] },
  'team/svc': { '1.0.0': ['amd64', 'arm64'], '1.0.1': ['amd64', 'arm64'], '1.1.0': ['amd64', 'arm64'], '2.0.0': ['amd64'] },
  'team/edge': { latest: ['amd64', 'arm64'] },
};

beforeAll(async () => {
  registry = await startRegistry();
  work = mkdtempSync(path.join(os.tmpdir(), 'archpin-package-rules-'));
  for (const [repo, tags] of Object.entries(TAGS)) {
    for (const [tag, arches] of Object.entries(tags)) {
      const images = [];
      for (const architecture of arches) images.push(await pushImage(registry, repo, { os: 'linux', architecture, mediaType: 'oci', label: `${repo}:${tag}:${architecture}` }));
      digests[`${repo}:${tag}`] = (await pushIndex(registry, repo, tag, images, { mediaType: 'oci' })).digest;
    }
  }
}, 120_000);

afterAll(async () => {
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Report {
  updates?: Array<{ file: string; to: string; updateType: string; digest: string }>;
  blocked?: Array<{ tag: string; reason: string }>;
  errors?: unknown[];
}

let count = 0;
function tree(files: Record<string, string>, config: object | null): string {
  const dir = path.join(work, `repo-${++count}`);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  if (config !== null) writeFileSync(path.join(dir, 'archpin.json'), JSON.stringify(config));
  return dir;
}

async function check(dir: string, extra: string[] = []) {
  const run = await runArchpin(['check', dir, '--format', 'json', '--cache-dir', path.join(dir, '..', `cache-${path.basename(dir)}`), ...extra]);
  const report = JSON.parse(run.stdout || '{}') as Report;
  return {
    run,
    updates: (report.updates ?? []).map((update) => [update.file, update.to, update.updateType]),
    blocked: (report.blocked ?? []).map((item) => [item.tag, item.reason]),
    errors: report.errors,
  };
}

const ref = (repo: string, tag: string): string => `${registry.host}/${repo}:${tag}`;
const pinned = (repo: string, tag: string): string => `${ref(repo, tag)}@${digests[`${repo}:${tag}`]}`;

describe('pinDigests: false', () => {
  it('writes the tag only, never to a partial index, keeps an existing digest current, pins nothing new, and converges', async () => {
    const dir = tree(
      {
        Dockerfile: `FROM ${ref('team/app', '1.0.0')}\nFROM ${ref('team/edge', 'latest')}\n`,
        'deploy.yaml': `spec:\n  containers:\n    - image: ${pinned('team/app', '1.0.0')}\n`,
      },
      { pinDigests: false },
    );
    const first = await check(dir);
    expect(first.updates).toEqual([
      ['Dockerfile', ref('team/app', '1.0.1'), 'patch'],
      ['deploy.yaml', pinned('team/app', '1.0.1'), 'patch'],
    ]);
    // 1.0.2 offers arm64 only: the gate holds it for both references, pinned or not
    expect(first.blocked).toEqual([['1.0.2', 'platform-regression']]);
    expect((await check(dir, ['--write'])).run.code).toBe(0);
    expect(readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe(`FROM ${ref('team/app', '1.0.1')}\nFROM ${ref('team/edge', 'latest')}\n`);
    expect(readFileSync(path.join(dir, 'deploy.yaml'), 'utf8')).toBe(`spec:\n  containers:\n    - image: ${pinned('team/app', '1.0.1')}\n`);
    const second = await check(dir);
    expect([second.run.code, second.updates, second.errors]).toEqual([0, [], []]);
  });

  it('per package rule: only the matching image stays unpinned; without the setting a tag is pinned', async () => {
    const files = { Dockerfile: `FROM ${ref('team/app', '1.0.1')}\nFROM ${ref('team/edge', 'latest')}\n` };
    const dir = tree(files, { packageRules: [{ matchImages: [`${registry.host}/team/app`], pinDigests: false }] });
    expect((await check(dir)).updates).toEqual([['Dockerfile', pinned('team/edge', 'latest'), 'pin']]);
    expect((await check(tree(files, null))).updates).toEqual([
      ['Dockerfile', pinned('team/app', '1.0.1'), 'pin'],
      ['Dockerfile', pinned('team/edge', 'latest'), 'pin'],
    ]);
  });
});

describe('extends', () => {
  it('rules from a shared file apply: pinDigests false there, a later rule of the extending file wins over it', async () => {
    const files = {
      Dockerfile: `FROM ${ref('team/app', '1.0.1')}\nFROM ${ref('team/edge', 'latest')}\n`,
      'shared/org.json': JSON.stringify({ pinDigests: false, packageRules: [{ matchImages: [`${registry.host}/team/edge`], enabled: false }] }),
    };
    const dir = tree(files, { extends: ['shared/org.json'], packageRules: [{ matchImages: [`${registry.host}/team/app`], pinDigests: true }] });
    expect((await check(dir)).updates).toEqual([['Dockerfile', pinned('team/app', '1.0.1'), 'pin']]);
    const refused = await check(tree(files, { extends: ['https://example.com/org.json'] }));
    expect([refused.run.code, refused.run.stderr]).toEqual([
      2,
      'archpin: archpin.json: extends "https://example.com/org.json": URLs are not fetched; save the shared file next to this config and name its path\n',
    ]);
  });
});

describe('matchUpdateTypes with any setting', () => {
  const files = (): Record<string, string> => ({ Dockerfile: `FROM ${ref('team/svc', '1.0.0')}\n` });
  const rule = (extra: object) => ({ matchImages: [`${registry.host}/team/svc`], ...extra });

  it('allowedVersions and enabled per update type', async () => {
    const config = { packageRules: [rule({ matchUpdateTypes: ['major'], enabled: false }), rule({ matchUpdateTypes: ['minor'], allowedVersions: '<1.1' })] };
    expect((await check(tree(files(), config))).updates).toEqual([['Dockerfile', pinned('team/svc', '1.0.1'), 'patch']]);
  });

  it('pinDigests per update type: a minor update writes the tag only, a patch update pins', async () => {
    const config = { packageRules: [rule({ matchUpdateTypes: ['major'], enabled: false }), rule({ matchUpdateTypes: ['minor'], pinDigests: false })] };
    expect((await check(tree(files(), config))).updates).toEqual([['Dockerfile', ref('team/svc', '1.1.0'), 'minor']]);
    const patchOnly = { packageRules: [rule({ matchUpdateTypes: ['major', 'minor'], enabled: false }), rule({ matchUpdateTypes: ['minor'], pinDigests: false })] };
    expect((await check(tree(files(), patchOnly))).updates).toEqual([['Dockerfile', pinned('team/svc', '1.0.1'), 'patch']]);
  });

  it('platforms per update type reach the gate: the amd64-only major is held, the minor is proposed', async () => {
    const config = { packageRules: [rule({ matchUpdateTypes: ['major'], platforms: ['linux/amd64', 'linux/arm64'] })] };
    const result = await check(tree(files(), config));
    expect(result.updates).toEqual([['Dockerfile', pinned('team/svc', '1.1.0'), 'minor']]);
    expect(result.blocked).toEqual([['2.0.0', 'missing-platforms']]);
    // Without the rule, the default (no platform regression from amd64+arm64) holds it for another reason
    expect((await check(tree(files(), null))).blocked).toEqual([['2.0.0', 'platform-regression']]);
  });

  it('versioning in a rule with matchUpdateTypes is a config error (exit 2) that says where to put it', async () => {
    const result = await check(tree(files(), { packageRules: [rule({ matchUpdateTypes: ['major'], versioning: 'semver' })] }));
    expect(result.run.code).toBe(2);
    expect(result.run.stderr).toContain(
      'packageRules.0.versioning: a rule with matchUpdateTypes may not set versioning (the update type is worked out with the versioning); set it in a rule without matchUpdateTypes',
    );
  });
});
