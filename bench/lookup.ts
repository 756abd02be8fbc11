// Request-count benchmark of `archpin check`: how many registry requests each image costs, cold
// (fresh cache directory), warm (the same cache directory again, within tagCacheTtl) and warm later (the same
// cache directory ten minutes on, when every tag is asked again), anonymous and with bearer token auth.
// Three kinds of image: 4-platform indexes of which policy requires two (linux/amd64, linux/arm64), the same
// with a held newest tag (arm64 only), and single-arch images (linux/amd64 required by a package rule).
// The CLI runs in-process against the real test registry behind the counting proxy.
// Usage: npm run bench:lookup [-- --profile dockerhub]   (needs docker-registry, htpasswd and openssl: scripts/ensure-registry.mjs)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startProxy, type TestProxy } from '../test/support/proxy.js';
import { startRegistry, type RegistryTarget, type TestRegistry } from '../test/support/registry.js';
import { runArchpin } from '../test/support/run-cli.js';
import { pushImage, pushIndex } from '../test/support/seed.js';
import { startTokenIssuer, type TokenIssuer } from '../test/support/token-issuer.js';

const REPOSITORIES = 30;
const TAGS = 10;
const NOW = Date.parse('2026-11-22T12:00:00Z');
const LATER = NOW + 10 * 60_000;
const PLATFORMS = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
  { os: 'linux', architecture: 'arm', variant: 'v7' },
  { os: 'linux', architecture: 's390x' },
] as const;
const KINDS = ['multi', 'held', 'single'] as const;
type Kind = (typeof KINDS)[number];

/** Repository r: every third single-arch, every third a multi-platform one whose newest tag is partial (held), the rest complete. */
const kindOf = (r: number): Kind => KINDS[r % 3]!;
const repoName = (r: number): string => `bench/${kindOf(r)}-${String(r).padStart(2, '0')}`;

type Digests = Map<string, string[]>;

async function seed(target: RegistryTarget): Promise<Digests> {
  const digests: Digests = new Map();
  await Promise.all(
    Array.from({ length: REPOSITORIES }, async (_, r) => {
      const repo = repoName(r);
      const list: string[] = [];
      if (kindOf(r) === 'single') {
        for (let t = 0; t < TAGS; t++) {
          list.push((await pushImage(target, repo, { ...PLATFORMS[0], mediaType: 'oci', label: `${repo}:1.${t}.0`, tag: `1.${t}.0` })).digest);
        }
        digests.set(repo, list);
        return;
      }
      const images = await Promise.all(PLATFORMS.map((platform) => pushImage(target, repo, { ...platform, mediaType: 'oci', label: repo })));
      for (let t = 0; t < TAGS; t++) {
        const tag = `1.${t}.0`;
        const entries = images.map((image) => ({ ...image, annotations: { 'org.opencontainers.image.version': tag } }));
        list.push((await pushIndex(target, repo, tag, entries, { mediaType: 'oci' })).digest);
      }
      // Mid-publication: the newest tag has arm64 only, so it is held and the one before is proposed.
      if (kindOf(r) === 'held') await pushIndex(target, repo, `1.${TAGS}.0`, [images[1]!], { mediaType: 'oci' });
      digests.set(repo, list);
    }),
  );
  return digests;
}

/** Every repository referenced once or more: even ones pinned at 1.3.0, odd ones by tag at 1.5.0; a third also in a second file. */
function writeTree(dir: string, host: string, digests: Digests): void {
  const refs = [...digests.keys()].map((repo, i) => (i % 2 === 0 ? `${host}/${repo}:1.3.0@${digests.get(repo)![3]}` : `${host}/${repo}:1.5.0`));
  const deployments = refs
    .slice(0, 12)
    .map((image, i) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc-${i}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ${image}\n`);
  mkdirSync(path.join(dir, 'k8s'), { recursive: true });
  deployments.forEach((text, i) => writeFileSync(path.join(dir, 'k8s', `svc-${i}.yaml`), text));
  writeFileSync(
    path.join(dir, 'docker-compose.yml'),
    `services:\n${refs
      .slice(12, 22)
      .map((image, i) => `  svc${i}:\n    image: ${image}\n`)
      .join('')}`,
  );
  writeFileSync(
    path.join(dir, '.gitlab-ci.yml'),
    refs
      .slice(22)
      .map((image, i) => `job-${i}:\n  image: ${image}\n  script: [make]\n`)
      .join('\n'),
  );
  writeFileSync(
    path.join(dir, 'Dockerfile'),
    refs
      .filter((_, i) => i % 3 === 0)
      .map((image) => `FROM ${image}\nRUN true\n`)
      .join(''),
  );
}

interface Counts {
  readonly tags: number;
  readonly head: number;
  readonly get: number;
  readonly blob: number;
}

interface Row {
  readonly label: string;
  readonly all: Counts;
  readonly byKind: Record<Kind, Counts>;
  readonly token: number;
  readonly updates: number;
  readonly held: number;
  readonly code: number;
}

function counts(proxy: TestProxy, prefix: string): Counts {
  const escaped = prefix.replace(/[/-]/g, (c) => `\\${c}`);
  return {
    tags: proxy.count('GET', new RegExp(`^/v2/${escaped}.*/tags/list`)),
    head: proxy.count('HEAD', new RegExp(`^/v2/${escaped}.*/manifests/`)),
    get: proxy.count('GET', new RegExp(`^/v2/${escaped}.*/manifests/`)),
    blob: proxy.count('GET', new RegExp(`^/v2/${escaped}.*/blobs/`)),
  };
}

async function measure(label: string, proxy: TestProxy, issuer: TokenIssuer | null, dir: string, cache: string, env: Record<string, string>, configFile: string, now: number): Promise<Row> {
  proxy.reset();
  issuer?.reset();
  const args = ['check', dir, '--format', 'json', '--cache-dir', cache, '--config', configFile];
  const run = await runArchpin(args, { env, now });
  const report = JSON.parse(run.stdout) as { updates: unknown[]; blocked: unknown[]; errors: unknown[] };
  if (report.errors.length > 0) throw new Error(`${label}: errors ${JSON.stringify(report.errors)}`);
  const byKind = Object.fromEntries(KINDS.map((kind) => [kind, counts(proxy, `bench/${kind}-`)])) as Record<Kind, Counts>;
  return { label, all: counts(proxy, 'bench/'), byKind, token: issuer?.requests.length ?? 0, updates: report.updates.length, held: report.blocked.length, code: run.code };
}

function format(header: readonly string[], lines: readonly (readonly string[])[]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i]!.length)));
  const one = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [one(header), one(widths.map((w) => '-'.repeat(w))), ...lines.map(one)].join('\n');
}

const total = (c: Counts): number => c.tags + c.head + c.get + c.blob;

function table(rows: readonly Row[]): string {
  const per = (n: number, of = REPOSITORIES): string => (n / of).toFixed(2);
  return format(
    ['run', 'tags/list', 'manifest HEAD', 'manifest GET', 'blob GET', 'token', 'per image (excl. token)', 'updates', 'held', 'exit'],
    rows.map((row) => [
      row.label,
      `${row.all.tags} (${per(row.all.tags)})`,
      `${row.all.head} (${per(row.all.head)})`,
      `${row.all.get} (${per(row.all.get)})`,
      `${row.all.blob} (${per(row.all.blob)})`,
      `${row.token} (${per(row.token)})`,
      per(total(row.all)),
      String(row.updates),
      String(row.held),
      String(row.code),
    ]),
  );
}

function kindTable(rows: readonly Row[]): string {
  const perKind = REPOSITORIES / KINDS.length;
  const cell = (c: Counts): string => `${(total(c) / perKind).toFixed(2)} (${(c.get / perKind).toFixed(2)} GET, ${(c.blob / perKind).toFixed(2)} blob, ${(c.head / perKind).toFixed(2)} HEAD)`;
  return format(
    ['run', ...KINDS.map((kind) => `${kind} (${perKind} images)`)],
    rows.map((row) => [row.label, ...KINDS.map((kind) => cell(row.byKind[kind]))]),
  );
}

async function scenario(name: string, registry: TestRegistry, issuer: TokenIssuer | null, work: string): Promise<Row[]> {
  const proxy = await startProxy({ target: registry.url });
  try {
    const digests = await seed({ url: proxy.url, authorization: registry.authorization });
    const dir = path.join(work, `${name}-tree`);
    writeTree(dir, proxy.host, digests);
    const configFile = path.join(work, `${name}-config.json`);
    const env: Record<string, string> = {};
    const config: Record<string, unknown> = {
      platforms: ['linux/amd64', 'linux/arm64'],
      packageRules: [{ matchImages: [`${proxy.host}/bench/single-*`], platforms: ['linux/amd64'] }],
    };
    if (issuer !== null) {
      config['registries'] = { [proxy.host]: { username: 'bot', passwordEnv: 'BENCH_REGISTRY_PASSWORD' } };
      env['BENCH_REGISTRY_PASSWORD'] = 'bench-secret';
    }
    writeFileSync(configFile, JSON.stringify(config));
    const cache = path.join(work, `${name}-cache`);
    const cold = await measure(`${name} cold`, proxy, issuer, dir, cache, env, configFile, NOW);
    const warm = await measure(`${name} warm`, proxy, issuer, dir, cache, env, configFile, NOW);
    const later = await measure(`${name} warm, 10 min later`, proxy, issuer, dir, cache, env, configFile, LATER);
    return [cold, warm, later];
  } finally {
    await proxy.stop();
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'archpin-bench-lookup-'));
  const rows: Row[] = [];
  const anonymous = await startRegistry();
  try {
    rows.push(...(await scenario('anonymous', anonymous, null, work)));
  } finally {
    await anonymous.stop();
  }
  const issuer = await startTokenIssuer({ users: [{ username: 'bot', password: 'bench-secret' }] });
  const tokenRegistry = await startRegistry({ auth: 'token', token: issuer });
  try {
    rows.push(...(await scenario('token', tokenRegistry, issuer, work)));
  } finally {
    await tokenRegistry.stop();
    await issuer.stop();
    rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(
    `${REPOSITORIES} images (${REPOSITORIES / 2} pinned by digest, ${REPOSITORIES / 2} by tag), ${TAGS} tags each: ${REPOSITORIES / 3} 4-platform indexes, ` +
      `${REPOSITORIES / 3} of them with a held newest tag (arm64 only), ${REPOSITORIES / 3} single-arch images; required platforms linux/amd64 + linux/arm64 ` +
      `(single-arch: linux/amd64). Warm runs within tagCacheTtl (5 minutes); "later" 10 minutes on. Figures are totals (per image)\n\n${table(rows)}\n\n` +
      `Requests per image by kind: total (manifest GET, blob GET, manifest HEAD); tag lists are one per image\n\n${kindTable(rows)}\n`,
  );
}

// `-- --profile dockerhub`: the Docker Hub pull-quota benchmark and requests per registry kind (lookup-profiles.ts).
const profileFlag = process.argv.indexOf('--profile');
if (profileFlag !== -1) {
  const { runProfileBench } = await import('./lookup-profiles.js');
  await runProfileBench(process.argv[profileFlag + 1] ?? '');
} else {
  await main();
}
