import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runArchpin } from '../support/run-cli.js';
import { pushImage, pushIndex, type Platform } from '../support/seed.js';

const AMD64: Platform = { os: 'linux', architecture: 'amd64' };
const ARM64: Platform = { os: 'linux', architecture: 'arm64', variant: 'v8' };

let registry: TestRegistry;
let work: string;
let host: string;
const digests: Record<string, string> = {};

async function pushTag(repo: string, tag: string): Promise<string> {
  const images = await Promise.all([AMD64, ARM64].map((platform) => pushImage(registry, repo, { ...platform, mediaType: 'oci', label: `${repo}:${tag}` })));
  return (await pushIndex(registry, repo, tag, images, { mediaType: 'oci' })).digest;
}

beforeAll(async () => {
  registry = await startRegistry();
  host = registry.host;
  work = mkdtempSync(path.join(os.tmpdir(), 'archpin-converge-'));
  for (const repo of ['web', 'grafana', 'proxy', 'app']) {
    await pushTag(`converge/${repo}`, '1.0.0');
    digests[repo] = await pushTag(`converge/${repo}`, '1.0.1');
  }
});

afterAll(async () => {
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Report {
  updates: Array<{ file: string; from: string; to: string; updateType: string }>;
  unpinned: Array<{ file: string; line: number; image: string; message: string }>;
  errors: unknown[];
  written: boolean;
}

async function check(dir: string, write: boolean): Promise<Report> {
  const run = await runArchpin(['check', dir, '--format', 'json', '--cache-dir', path.join(work, 'cache'), ...(write ? ['--write'] : [])]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Report;
}

describe('check --write converges for split references', () => {
  it('writes the digest where each format keeps it, says where it cannot, and the second run proposes nothing', async () => {
    const dir = path.join(work, 'repo');
    const files: Record<string, string> = {
      'chart/values.yaml': `web:\n  image:\n    repository: ${host}/converge/web\n    tag: 1.0.0\n    pullPolicy: IfNotPresent\n`,
      'grafana/values.yaml': `image:\n  registry: ${host}\n  repository: converge/grafana\n  tag: "1.0.0"\n  sha: ""\n`,
      'deploy/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nimages:\n  - name: proxy\n    newName: ${host}/converge/proxy\n    newTag: 1.0.0 # pinned below\r\n`,
      'data/common.yaml': `profile::app::image: '${host}/converge/app'\nprofile::app::image_tag: '1.0.0'\n`,
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }

    const first = await check(dir, true);
    expect(first.errors).toEqual([]);
    expect(first.written).toBe(true);
    expect(first.updates.map((update) => [update.file, update.to])).toEqual([
      ['chart/values.yaml', `${host}/converge/web:1.0.1@${digests.web}`],
      ['data/common.yaml', `${host}/converge/app:1.0.1`],
      ['deploy/kustomization.yaml', `${host}/converge/proxy:1.0.1@${digests.proxy}`],
      ['grafana/values.yaml', `${host}/converge/grafana:1.0.1@${digests.grafana}`],
    ]);
    expect(first.unpinned).toEqual([
      { file: 'data/common.yaml', line: 1, image: `${host}/converge/app`, message: 'digests are not pinned in Hiera image + image_tag keys: there is no field for one' },
    ]);
    const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');
    expect(read('chart/values.yaml')).toBe(`web:\n  image:\n    repository: ${host}/converge/web\n    tag: 1.0.1@${digests.web}\n    pullPolicy: IfNotPresent\n`);
    expect(read('grafana/values.yaml')).toBe(`image:\n  registry: ${host}\n  repository: converge/grafana\n  tag: "1.0.1"\n  sha: "${digests.grafana!.slice(7)}"\n`);
    expect(read('deploy/kustomization.yaml')).toBe(
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nimages:\n  - name: proxy\n    newName: ${host}/converge/proxy\n    newTag: 1.0.1 # pinned below\r\n    digest: ${digests.proxy}\r\n`,
    );
    expect(read('data/common.yaml')).toBe(`profile::app::image: '${host}/converge/app'\nprofile::app::image_tag: '1.0.1'\n`);

    const second = await check(dir, true);
    expect(second.updates).toEqual([]);
    expect(second.written).toBe(false);
    expect(second.unpinned).toEqual([
      { file: 'data/common.yaml', line: 1, image: `${host}/converge/app`, message: 'digests are not pinned in Hiera image + image_tag keys: there is no field for one' },
    ]);
    expect(read('chart/values.yaml')).toContain(`tag: 1.0.1@${digests.web}`);
  });
});
