// Request-count benchmark of `archpin check`: how many registry requests each image costs, cold
// (fresh cache directory) and warm (the same cache directory again), anonymous and with bearer
// token auth. The CLI runs in-process against the real test registry behind the counting proxy.
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
const PLATFORMS = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
] as const;

type Digests = Map<string, string[]>;

async function seed(target: RegistryTarget): Promise<Digests> {
  const digests: Digests = new Map();
  await Promise.all(
    Array.from({ length: REPOSITORIES }, async (_, r) => {
      const repo = `bench/svc-${String(r).padStart(2, '0')}`;
      const images = await Promise.all(PLATFORMS.map((platform) => pushImage(target, repo, { ...platform, mediaType: 'oci' })));
      const list: string[] = [];
      for (let t = 0; t < TAGS; t++) {
        const tag = `1.${t}.0`;
        const entries = images.map((image) => ({ ...image, annotations: { 'org.opencontainers.image.version': tag } }));
        list.push((await pushIndex(target, repo, tag, entries, { mediaType: 'oci' })).digest);
      }
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

interface Row {
  readonly label: string;
  readonly tags: number;
  readonly head: number;
  readonly get: number;
  readonly blob: number;
  readonly token: number;
  readonly updates: number;
  readonly code: number;
}

async function measure(label: string, proxy: TestProxy, issuer: TokenIssuer | null, dir: string, cache: string, env: Record<string, string>, configFile: string | null): Promise<Row> {
  proxy.reset();
  issuer?.reset();
  const args = ['check', dir, '--format', 'json', '--cache-dir', cache, ...(configFile === null ? [] : ['--config', configFile])];
  const run = await runArchpin(args, { env });
  const report = JSON.parse(run.stdout) as { updates: unknown[]; errors: unknown[] };
  if (report.errors.length > 0) throw new Error(`${label}: errors ${JSON.stringify(report.errors)}`);
  const manifests = /\/manifests\//;
  return {
    label,
    tags: proxy.count('GET', /\/tags\/list/),
    head: proxy.count('HEAD', manifests),
    get: proxy.count('GET', manifests),
    blob: proxy.count('GET', /\/blobs\//),
    token: issuer?.requests.length ?? 0,
    updates: report.updates.length,
    code: run.code,
  };
}

function table(rows: readonly Row[]): string {
  const per = (n: number): string => (n / REPOSITORIES).toFixed(2);
  const header = ['run', 'tags/list', 'manifest HEAD', 'manifest GET', 'blob GET', 'token', 'per image (excl. token)', 'updates', 'exit'];
  const lines = rows.map((row) => [
    row.label,
    `${row.tags} (${per(row.tags)})`,
    `${row.head} (${per(row.head)})`,
    `${row.get} (${per(row.get)})`,
    `${row.blob} (${per(row.blob)})`,
    `${row.token} (${per(row.token)})`,
    per(row.tags + row.head + row.get + row.blob),
    String(row.updates),
    String(row.code),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i]!.length)));
  const format = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [format(header), format(widths.map((w) => '-'.repeat(w))), ...lines.map(format)].join('\n');
}

async function scenario(name: string, registry: TestRegistry, issuer: TokenIssuer | null, work: string): Promise<Row[]> {
  const proxy = await startProxy({ target: registry.url });
  try {
    const digests = await seed({ url: proxy.url, authorization: registry.authorization });
    const dir = path.join(work, `${name}-tree`);
    writeTree(dir, proxy.host, digests);
    let configFile: string | null = null;
    const env: Record<string, string> = {};
    if (issuer !== null) {
      configFile = path.join(work, `${name}-config.json`);
      writeFileSync(configFile, JSON.stringify({ registries: { [proxy.host]: { username: 'bot', passwordEnv: 'BENCH_REGISTRY_PASSWORD' } } }));
      env['BENCH_REGISTRY_PASSWORD'] = 'bench-secret';
    }
    const cache = path.join(work, `${name}-cache`);
    const cold = await measure(`${name} cold`, proxy, issuer, dir, cache, env, configFile);
    const warm = await measure(`${name} warm`, proxy, issuer, dir, cache, env, configFile);
    return [cold, warm];
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
  process.stdout.write(`${REPOSITORIES} images (${REPOSITORIES / 2} pinned by digest, ${REPOSITORIES / 2} by tag), ${TAGS} tags each; figures are totals (per image)\n\n${table(rows)}\n`);
}

// `-- --profile dockerhub`: the Docker Hub pull-quota benchmark and requests per registry kind (lookup-profiles.ts).
const profileFlag = process.argv.indexOf('--profile');
if (profileFlag !== -1) {
  const { runProfileBench } = await import('./lookup-profiles.js');
  await runProfileBench(process.argv[profileFlag + 1] ?? '');
} else {
  await main();
}
