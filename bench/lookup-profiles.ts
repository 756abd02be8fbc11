// `npm run bench:lookup -- --profile dockerhub`: `archpin check` on 50 Docker Hub images through the
// quota-counting Docker Hub double (pulls as the double counts them, cold and warm, with and without the Hub
// tags API), then the same 50 images through the double of every other registry kind: requests per image.
// The CLI runs in-process; the doubles front the real test registry (docker-registry) on 127.0.0.1.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDockerHub, type DockerHubDouble } from '../test/support/dockerhub-double.js';
import { KIND_BEHAVIOURS, startKindDouble } from '../test/support/registry-kinds.js';
import { startRegistry, type TestRegistry } from '../test/support/registry.js';
import { runArchpin } from '../test/support/run-cli.js';
import { createTokenCache } from '../src/lookup/token-cache.js';
import { pushImage, pushIndex } from '../test/support/seed.js';

const IMAGES = 50;
const TAGS = 10;
const NOW = Date.parse('2026-11-22T12:00:00Z');

interface Seeded {
  readonly repo: string;
  readonly digests: Record<string, string>;
  /** The linux/amd64 image every tag's index lists. */
  readonly amd64: string;
}

/** Repositories whose tag 1.8.0 moved once (an earlier index was pushed under it first); audit pins the earlier one. */
const MOVED = 10;

async function seed(registry: TestRegistry): Promise<Seeded[]> {
  const seeded: Seeded[] = [];
  for (let r = 0; r < IMAGES; r++) {
    const repo = `bench/svc-${String(r).padStart(2, '0')}`;
    const images = await Promise.all(
      [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64', variant: 'v8' },
      ].map((platform) => pushImage(registry, repo, { ...platform, mediaType: 'oci' })),
    );
    const digests: Record<string, string> = {};
    for (let t = 0; t < TAGS; t++) {
      const tag = `1.${t}.0`;
      if (t === TAGS - 2 && r < MOVED) {
        const early = images.map((image) => ({ ...image, annotations: { 'org.opencontainers.image.version': `${tag}-early` } }));
        digests[`${tag}-early`] = (await pushIndex(registry, repo, tag, early, { mediaType: 'oci' })).digest;
      }
      const entries = images.map((image) => ({ ...image, annotations: { 'org.opencontainers.image.version': tag } }));
      digests[tag] = (await pushIndex(registry, repo, tag, entries, { mediaType: 'oci' })).digest;
    }
    // Every fifth repository is mid-publication: its newest tag has arm64 only.
    if (r % 5 === 0) digests[`1.${TAGS}.0`] = (await pushIndex(registry, repo, `1.${TAGS}.0`, [images[1]!], { mediaType: 'oci' })).digest;
    seeded.push({ repo, digests, amd64: images[0]!.digest });
  }
  return seeded;
}

/** 20 pinned two versions back (update), 20 pinned at the newest (nothing to do), 10 by tag at the newest (pin). */
function writeTree(dir: string, prefix: string, seeded: readonly Seeded[]): number {
  const newest = `1.${TAGS - 1}.0`;
  const lines = seeded.map(({ repo, digests }, i) => {
    const name = `${prefix}${repo}`;
    if (i < 20) return `${name}:1.${TAGS - 3}.0@${digests[`1.${TAGS - 3}.0`]}`;
    if (i < 40) return `${name}:${newest}@${digests[newest]}`;
    return `${name}:${newest}`;
  });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, '.gitlab-ci.yml'), lines.map((image, i) => `job-${i}:\n  image: ${image}\n  script: [make]\n`).join('\n'));
  return 30;
}

/**
 * audit's own tree: the 40 pins of writeTree, 10 pins of a tag that has moved on since (`1.8.0` of the first 10
 * repositories) and 10 pins of one platform's image of the newest tag's index (linux/amd64, repositories 10-19).
 */
function writeAuditTree(dir: string, seeded: readonly Seeded[]): void {
  const newest = `1.${TAGS - 1}.0`;
  const moved = `1.${TAGS - 2}.0`;
  const lines = seeded.flatMap(({ repo, digests, amd64 }, i) => [
    ...(i < 20 ? [`${repo}:1.${TAGS - 3}.0@${digests[`1.${TAGS - 3}.0`]}`] : i < 40 ? [`${repo}:${newest}@${digests[newest]}`] : []),
    ...(i < MOVED ? [`${repo}:${moved}@${digests[`${moved}-early`]}`] : []),
    ...(i >= 10 && i < 20 ? [`${repo}:${newest}@${amd64}`] : []),
  ]);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, '.gitlab-ci.yml'), lines.map((image, i) => `job-${i}:\n  image: ${image}\n  script: [make]\n`).join('\n'));
}

interface HubRow {
  readonly label: string;
  readonly command: 'check' | 'audit';
  readonly pulls: number;
  readonly head: number;
  readonly tagsList: number;
  readonly api: number;
  readonly token: number;
  readonly updates: number;
  readonly held: number;
  readonly remaining: string;
}

async function hubRun(label: string, hub: DockerHubDouble, dir: string, cache: string, config: string, command: 'check' | 'audit' = 'check'): Promise<HubRow> {
  hub.reset();
  const run = await runArchpin([command, dir, '--format', 'json', '--cache-dir', cache, '--config', config], { now: NOW });
  const parsed = JSON.parse(run.stdout) as {
    updates?: unknown[];
    blocked?: unknown[];
    audit?: unknown[];
    errors: unknown[];
    registries: Array<{ rateLimit: { limit: number; remaining: number } | null }>;
  };
  // audit: "updates" are the unsafe pins (each with its fix), "held" is not reported.
  const report = { ...parsed, updates: parsed.updates ?? parsed.audit ?? [], blocked: parsed.blocked ?? [] };
  if (report.errors.length > 0) throw new Error(`${label}: errors ${JSON.stringify(report.errors).slice(0, 500)}`);
  const rate = report.registries[0]?.rateLimit;
  return {
    label,
    command,
    pulls: hub.pulls,
    head: hub.count('HEAD', /\/manifests\//),
    tagsList: hub.count('GET', /\/tags\/list/),
    api: hub.apiRequests,
    token: hub.tokenRequests,
    updates: report.updates.length,
    held: report.blocked.length,
    remaining: rate ? `${rate.remaining}/${rate.limit}` : '-',
  };
}

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const format = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [format(header), format(widths.map((w) => '-'.repeat(w))), ...rows.map(format)].join('\n');
}

export async function runProfileBench(profile: string): Promise<void> {
  if (profile !== 'dockerhub') throw new Error(`unknown --profile ${profile} (known: dockerhub)`);
  const work = mkdtempSync(path.join(os.tmpdir(), 'archpin-bench-profiles-'));
  const registry = await startRegistry();
  const hub = await startDockerHub({ upstream: registry.url, quota: 1000, now: NOW });
  try {
    const seeded = await seed(registry);
    const dir = path.join(work, 'hub-tree');
    const proposed = writeTree(dir, '', seeded);
    const withApi = path.join(work, 'hub-config.json');
    writeFileSync(withApi, JSON.stringify({ mirrors: { 'docker.io': hub.registryUrl }, registries: { 'docker.io': { hubApiUrl: hub.apiUrl } } }));
    const rows: HubRow[] = [];
    rows.push(await hubRun('tags API, cold', hub, dir, path.join(work, 'cache-api'), withApi));
    rows.push(await hubRun('tags API, warm', hub, dir, path.join(work, 'cache-api'), withApi));
    rows.push(await hubRun('audit, tags API, cold', hub, dir, path.join(work, 'cache-audit'), withApi, 'audit'));
    rows.push(await hubRun('audit, tags API, warm', hub, dir, path.join(work, 'cache-audit'), withApi, 'audit'));
    const auditDir = path.join(work, 'hub-audit-tree');
    writeAuditTree(auditDir, seeded);
    rows.push(await hubRun('audit +moved +one-platform, cold', hub, auditDir, path.join(work, 'cache-audit-more'), withApi, 'audit'));
    rows.push(await hubRun('audit +moved +one-platform, warm', hub, auditDir, path.join(work, 'cache-audit-more'), withApi, 'audit'));
    hub.apiDown = true;
    rows.push(await hubRun('registry only (API down), cold', hub, dir, path.join(work, 'cache-noapi'), withApi));
    rows.push(await hubRun('registry only (API down), warm', hub, dir, path.join(work, 'cache-noapi'), withApi));
    rows.push(await hubRun('audit, registry only, cold', hub, dir, path.join(work, 'cache-audit-noapi'), withApi, 'audit'));
    rows.push(await hubRun('audit +moved +one-platform, registry only, cold', hub, auditDir, path.join(work, 'cache-audit-more-noapi'), withApi, 'audit'));
    hub.apiDown = false;
    const per = (n: number): string => `${n} (${(n / IMAGES).toFixed(2)})`;
    process.stdout.write(
      `Docker Hub double: ${IMAGES} images (20 pinned two versions back, 20 pinned at the newest, 10 unpinned at the newest; every fifth has an arm64-only newest tag), ${TAGS} tags each; ${proposed} updates expected.\n` +
        `Pulls are manifest GETs answered 200, counted by the double; totals (per image). audit judges the 40 pins (all safe), so its "updates" column counts unsafe pins; "audit +moved +one-platform" judges those 40 and 20 more (all safe): 10 pins of a tag that has moved on since, 10 pins of the linux/amd64 image of the newest tag's index.\n\n` +
        `${table(
          ['run', 'pulls', 'pulls per proposed', 'manifest HEAD', 'tags/list', 'Hub API', 'token', 'updates', 'held', 'quota left'],
          rows.map((row) => [
            row.label,
            per(row.pulls),
            row.command === 'audit' ? '-' : (row.pulls / Math.max(1, row.updates)).toFixed(2),
            per(row.head),
            per(row.tagsList),
            String(row.api),
            String(row.token),
            String(row.updates),
            String(row.held),
            row.remaining,
          ]),
        )}\n\n`,
    );

    const kindRows: string[][] = [];
    for (const kind of Object.values(KIND_BEHAVIOURS)) {
      // Anonymous everywhere, so that the figures compare the kinds' paging and challenges, not credentials.
      const behaviour = { ...kind, anonymousToken: true };
      const double = await startKindDouble(behaviour, { upstream: registry.url });
      try {
        const prefix = `${double.host}/${behaviour.prefix === undefined ? '' : `${behaviour.prefix}/`}`;
        const kindDir = path.join(work, `${behaviour.kind}-tree`);
        writeTree(kindDir, prefix, seeded);
        const config = path.join(work, `${behaviour.kind}-config.json`);
        writeFileSync(config, JSON.stringify({ registries: { [double.host]: { kind: behaviour.kind } } }));
        const cache = path.join(work, `${behaviour.kind}-cache`);
        // The warm run shares the cold run's token cache, as serve's sessions do in one process.
        const tokens = createTokenCache();
        for (const label of ['cold', 'warm']) {
          double.reset();
          const run = await runArchpin(['check', kindDir, '--format', 'json', '--cache-dir', cache, '--config', config], { now: NOW, tokens });
          const report = JSON.parse(run.stdout) as { updates: unknown[]; errors: unknown[] };
          if (report.errors.length > 0) throw new Error(`${behaviour.kind}: errors ${JSON.stringify(report.errors).slice(0, 500)}`);
          const count = (method: string, pattern: RegExp): number => double.requests.filter((r) => r.method === method && pattern.test(r.path)).length;
          const all = double.requests.length + double.tokenRequests.length;
          kindRows.push([
            `${behaviour.kind} ${label}`,
            (all / IMAGES).toFixed(2),
            (count('GET', /\/tags\/list$/) / IMAGES).toFixed(2),
            (count('HEAD', /\/manifests\//) / IMAGES).toFixed(2),
            (count('GET', /\/manifests\//) / IMAGES).toFixed(2),
            (count('GET', /\/blobs\//) / IMAGES).toFixed(2),
            String(double.tokenRequests.length),
            String(double.requests.filter((r) => r.status === 401).length),
            String(report.updates.length),
          ]);
        }
      } finally {
        await double.stop();
      }
    }
    process.stdout.write(
      `The same ${IMAGES} images through each registry kind's double (anonymous; tag pages of 10 where the kind pages; the warm run in the same process as the cold one, sharing its bearer tokens as serve's sessions do), per image:\n\n` +
        `${table(['kind, run', 'requests', 'tags/list', 'manifest HEAD', 'manifest GET', 'blob GET', 'token (total)', '401 (total)', 'updates'], kindRows)}\n`,
    );
  } finally {
    await hub.stop();
    await registry.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
