/**
 * Version rules against the real registry: `versioning` per package rule (docker, semver, loose, regex with
 * compatibility and revision groups: Bitnami's `-r0` → `-r9`), `allowedVersions`, `matchCurrentVersion`,
 * `matchUpdateTypes` with `enabled: false`, and `check --exit-code`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runArchpin } from '../support/run-cli.js';
import { pushImage, pushIndex } from '../support/seed.js';

let registry: TestRegistry;
let work: string;
const digests: Record<string, string> = {};

const TAGS: Record<string, string[]> = {
  'bitnami/redis': ['7.2.4-debian-12-r0', '7.2.4-debian-12-r3', '7.2.4-debian-12-r9', '7.2.5-debian-12-r1', '7.2.4-debian-11-r20', '8.0.0-debian-12-r0'],
  'team/lib': ['1.2.3', '1.2.10', '1.3.0-rc.1', '2.0.0'],
  'team/loose': ['1.2', '1.2.1', '1.3'],
};

async function pushTag(repo: string, tag: string): Promise<void> {
  const image = await pushImage(registry, repo, { os: 'linux', architecture: 'amd64', mediaType: 'oci', label: `${repo}:${tag}` });
  digests[`${repo}:${tag}`] = (await pushIndex(registry, repo, tag, [image], { mediaType: 'oci' })).digest;
}

beforeAll(async () => {
  registry = await startRegistry();
  work = mkdtempSync(path.join(os.tmpdir(), 'archpin-versioning-'));
  for (const [repo, tags] of Object.entries(TAGS)) for (const tag of tags) await pushTag(repo, tag);
}, 120_000);

afterAll(async () => {
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

let count = 0;
async function check(files: Record<string, string>, config: object | null, extra: string[] = []) {
  const dir = path.join(work, `repo-${++count}`);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  if (config !== null) writeFileSync(path.join(dir, 'archpin.json'), JSON.stringify(config));
  const run = await runArchpin(['check', dir, '--format', 'json', '--cache-dir', path.join(work, `cache-${count}`), ...extra]);
  const report = JSON.parse(run.stdout || '{}') as { updates?: Array<{ file: string; to: string; updateType: string }>; errors?: unknown[] };
  return { run, updates: (report.updates ?? []).map((update) => [update.file, update.to, update.updateType]), errors: report.errors };
}

const to = (repo: string, tag: string): string => `${registry.host}/${repo}:${tag}@${digests[`${repo}:${tag}`]}`;
const BITNAMI = 'regex:^(?<major>\\d+)\\.(?<minor>\\d+)\\.(?<patch>\\d+)-(?<compatibility>.+)-r(?<revision>\\d+)$';

describe('version rules in packageRules', () => {
  it('Bitnami revision tags: docker versioning never moves the revision; a regex rule moves -r0 within its compatibility, allowedVersions and matchUpdateTypes narrow it', async () => {
    const files = { Dockerfile: `FROM ${registry.host}/bitnami/redis:7.2.4-debian-12-r0\n` };
    // docker versioning reads "-debian-12-r0" as a suffix to keep: only another "-r0" tag qualifies, never -r9
    expect((await check(files, null)).updates).toEqual([['Dockerfile', to('bitnami/redis', '8.0.0-debian-12-r0'), 'major']]);
    expect((await check(files, { packageRules: [{ matchImages: [`${registry.host}/bitnami/redis`], allowMajor: false }] })).updates).toEqual([
      ['Dockerfile', to('bitnami/redis', '7.2.4-debian-12-r0'), 'pin'],
    ]);
    const rule = { matchImages: [`${registry.host}/bitnami/*`], versioning: BITNAMI };
    expect((await check(files, { packageRules: [rule] })).updates).toEqual([['Dockerfile', to('bitnami/redis', '8.0.0-debian-12-r0'), 'major']]);
    expect((await check(files, { packageRules: [{ ...rule, allowMajor: false }] })).updates).toEqual([['Dockerfile', to('bitnami/redis', '7.2.5-debian-12-r1'), 'patch']]);
    expect((await check(files, { packageRules: [{ ...rule, allowedVersions: '<7.2.5' }] })).updates).toEqual([['Dockerfile', to('bitnami/redis', '7.2.4-debian-12-r9'), 'patch']]);
    const disabled = { matchImages: [`${registry.host}/bitnami/redis`], matchUpdateTypes: ['major', 'minor'], enabled: false };
    expect((await check(files, { packageRules: [rule, disabled] })).updates).toEqual([['Dockerfile', to('bitnami/redis', '7.2.5-debian-12-r1'), 'patch']]);
  });

  it('semver never offers a prerelease to a stable tag; loose lets the number of components grow', async () => {
    const files = { 'a/Dockerfile': `FROM ${registry.host}/team/lib:1.2.3\n`, 'b/Dockerfile': `FROM ${registry.host}/team/loose:1.2\n` };
    const rules = [
      { matchImages: [`${registry.host}/team/lib`], versioning: 'semver', allowMajor: false },
      { matchImages: [`${registry.host}/team/loose`], versioning: 'loose', allowedVersions: '<1.3' },
    ];
    expect((await check(files, { packageRules: rules })).updates).toEqual([
      ['a/Dockerfile', to('team/lib', '1.2.10'), 'patch'],
      ['b/Dockerfile', to('team/loose', '1.2.1'), 'patch'],
    ]);
    // docker versioning keeps the number of components: 1.2 → 1.3 only
    expect((await check({ 'b/Dockerfile': files['b/Dockerfile'] }, null)).updates).toEqual([['b/Dockerfile', to('team/loose', '1.3'), 'minor']]);
  });

  it('matchCurrentVersion applies a rule only to references whose current tag satisfies it', async () => {
    const files = { 'old/Dockerfile': `FROM ${registry.host}/team/lib:1.2.3\n`, 'new/Dockerfile': `FROM ${registry.host}/team/lib:1.2.10\n` };
    const rules = [{ matchImages: [`${registry.host}/team/lib`], matchCurrentVersion: '<1.2.5', allowedVersions: '<1.2.5 || >=1.2.10 <1.3' }];
    expect((await check(files, { packageRules: rules })).updates).toEqual([
      ['new/Dockerfile', to('team/lib', '2.0.0'), 'major'],
      ['old/Dockerfile', to('team/lib', '1.2.10'), 'patch'],
    ]);
  });

  it('check --exit-code: 4 when updates are available, 0 when none', async () => {
    const updates = await check({ Dockerfile: `FROM ${registry.host}/team/lib:1.2.3\n` }, null, ['--exit-code']);
    expect([updates.run.code, updates.updates.length]).toEqual([4, 1]);
    const none = await check({ Dockerfile: `FROM ${registry.host}/team/lib:2.0.0@${digests['team/lib:2.0.0']}\n` }, null, ['--exit-code']);
    expect([none.run.code, none.updates, none.errors]).toEqual([0, [], []]);
  });

  it('a bad versioning or constraint is a config error (exit 2) naming the rule and the fix', async () => {
    const run = await check(
      { Dockerfile: 'FROM 127.0.0.1:9/alpine:3.20\n' },
      { packageRules: [{ matchImages: ['127.0.0.1:9/alpine'], versioning: 'regex:^(?<minor>\\d+)$', allowedVersions: '~1.2' }] },
    );
    expect(run.run.code).toBe(2);
    expect(run.run.stderr).toContain('packageRules.0.versioning: versioning regex:^(?<minor>\\d+)$: the pattern needs a named group "major", e.g. (?<major>\\d+)');
    expect(run.run.stderr).toContain('packageRules.0.allowedVersions: "~1.2" is not a version comparison');
  });
});
