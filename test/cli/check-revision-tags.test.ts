/**
 * Bitnami charts as they are written (Helm values with registry, repository and tag split over three keys) and a
 * `regex:` versioning rule whose minor and patch groups are optional, so that `os-shell:12-debian-12-r50` moves
 * with `redis:7.2.4-debian-12-r0`: check --write moves both revisions, byte for byte, and the next check proposes nothing.
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
const TAGS: Record<string, string[]> = {
  'bitnami/redis': ['7.2.4-debian-12-r0', '7.2.4-debian-12-r9', '7.2.4-debian-11-r30'],
  'bitnami/os-shell': ['12-debian-12-r50', '12-debian-12-r9', '12-debian-12-r59', '11-debian-11-r99'],
};
const VERSIONING = 'regex:^(?<major>\\d+)(?:\\.(?<minor>\\d+))?(?:\\.(?<patch>\\d+))?-(?<compatibility>.+)-r(?<revision>\\d+)$';

beforeAll(async () => {
  registry = await startRegistry();
  work = mkdtempSync(path.join(os.tmpdir(), 'archpin-revisions-'));
  for (const [repo, tags] of Object.entries(TAGS)) {
    for (const tag of tags) {
      const images = [];
      for (const architecture of ['amd64', 'arm64']) images.push(await pushImage(registry, repo, { os: 'linux', architecture, mediaType: 'oci', label: `${repo}:${tag}` }));
      digests[`${repo}:${tag}`] = (await pushIndex(registry, repo, tag, images, { mediaType: 'oci' })).digest;
    }
  }
}, 120_000);

afterAll(async () => {
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('Bitnami revision tags in Helm values', () => {
  it('a regex rule with optional minor and patch moves -r0 to -r9 and -r50 to -r59 within the same Debian release, and converges', async () => {
    const values = [
      'image:',
      `  registry: ${registry.host}`,
      '  repository: bitnami/redis',
      '  tag: 7.2.4-debian-12-r0',
      'volumePermissions:',
      '  image:',
      `    registry: ${registry.host}`,
      '    repository: bitnami/os-shell',
      '    tag: 12-debian-12-r50',
      '',
    ].join('\n');
    const dir = path.join(work, 'chart');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'values.yaml'), values);
    const config = path.join(work, 'archpin.json');
    writeFileSync(config, JSON.stringify({ platforms: ['linux/amd64', 'linux/arm64'], packageRules: [{ matchImages: [`${registry.host}/bitnami/*`], versioning: VERSIONING }] }));
    const check = async () => {
      const run = await runArchpin(['check', dir, '--write', '--config', config, '--format', 'json', '--cache-dir', path.join(work, 'cache')]);
      expect(run.stderr).toBe('');
      return JSON.parse(run.stdout);
    };
    const first = await check();
    expect(first.errors).toEqual([]);
    expect(first.updates.map((update: any) => [update.line, update.to, update.updateType])).toEqual([
      [3, `${registry.host}/bitnami/redis:7.2.4-debian-12-r9@${digests['bitnami/redis:7.2.4-debian-12-r9']}`, 'patch'],
      [8, `${registry.host}/bitnami/os-shell:12-debian-12-r59@${digests['bitnami/os-shell:12-debian-12-r59']}`, 'patch'],
    ]);
    expect(first.written).toBe(true);
    const written = readFileSync(path.join(dir, 'values.yaml'), 'utf8');
    expect(written).toBe(
      values
        .replace('tag: 7.2.4-debian-12-r0', `tag: 7.2.4-debian-12-r9@${digests['bitnami/redis:7.2.4-debian-12-r9']}`)
        .replace('tag: 12-debian-12-r50', `tag: 12-debian-12-r59@${digests['bitnami/os-shell:12-debian-12-r59']}`),
    );
    const second = await check();
    expect([second.updates, second.written, second.errors]).toEqual([[], false, []]);
    expect(readFileSync(path.join(dir, 'values.yaml'), 'utf8')).toBe(written);
  });
});
