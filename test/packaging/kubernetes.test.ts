/**
 * templates/kubernetes/archpin-distributed.yaml: the manifests parse, Redis is pinned by digest and
 * archpin's own image is the tag a user builds, both found by archpin's scanner; the step the header
 * documents (`archpin check --write .`) pins that image by its index digest against a real registry;
 * the ports, probes and Redis address agree with the archpin.json they carry, and each container's
 * arguments are ones archpin accepts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseCliArgs } from '../../src/cli/args.js';
import { parseConfig } from '../../src/config/parse-config.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runArchpin } from '../support/run-cli.js';
import { pushImage, pushIndex } from '../support/seed.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FILE = 'templates/kubernetes/archpin-distributed.yaml';
const PINNED = /^[^@\s]+:[\w][\w.-]*@sha256:[0-9a-f]{64}$/;
/** archpin's own image: built by the user from the Dockerfile, pinned by `archpin check --write .` (see the file's header). */
const ARCHPIN_IMAGE = 'registry.example.com/tools/archpin:0.1.0';

type Json = Record<string, any>;

function loadAll(): Json[] {
  const documents = parseAllDocuments(readFileSync(path.join(ROOT, FILE), 'utf8'));
  if (!Array.isArray(documents)) throw new Error(`${FILE}: empty`);
  for (const document of documents) {
    expect(document.errors.map((error) => error.message)).toEqual([]);
    expect(document.warnings.map((warning) => warning.message)).toEqual([]);
  }
  return documents.map((document) => document.toJS() as Json);
}

describe(FILE, () => {
  const objects = loadAll();
  const find = (kind: string, name: string) => {
    const found = objects.filter((object) => object.kind === kind && object.metadata?.name === name);
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  const configMap = find('ConfigMap', 'archpin-config');
  const config = parseConfig(configMap.data['archpin.json'], `${FILE}: archpin-config`);
  const scheduler = find('Deployment', 'archpin-scheduler');
  const worker = find('Deployment', 'archpin-worker');
  const redis = find('StatefulSet', 'archpin-redis');
  const redisService = find('Service', 'archpin-redis');
  const webhooks = find('Service', 'archpin-webhooks');
  const containers = (workload: Json): Json[] => workload.spec.template.spec.containers;
  const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([key, value]) => labels[key] === value);

  it('holds Redis, one scheduler, three workers and the two Services, nothing else', () => {
    expect(objects.map((object) => `${object.apiVersion} ${object.kind} ${object.metadata.name}`)).toEqual([
      'v1 ConfigMap archpin-config',
      'v1 Service archpin-redis',
      'apps/v1 StatefulSet archpin-redis',
      'apps/v1 Deployment archpin-scheduler',
      'apps/v1 Deployment archpin-worker',
      'v1 Service archpin-webhooks',
    ]);
    expect([scheduler.spec.replicas, worker.spec.replicas, redis.spec.replicas]).toEqual([1, 3, 1]);
    for (const workload of [scheduler, worker, redis]) expect(matches(workload.spec.selector.matchLabels, workload.spec.template.metadata.labels)).toBe(true);
  });

  it('pins Redis by digest, leaves archpin to the tag the user builds, and archpin scan finds each one, none skipped', async () => {
    const images = [redis, scheduler, worker].flatMap((workload) => containers(workload).map((container) => container.image as string));
    expect(images.filter((image) => !PINNED.test(image))).toEqual([ARCHPIN_IMAGE, ARCHPIN_IMAGE]);
    expect(PINNED.test(containers(redis)[0]!.image)).toBe(true);
    const scanned = await runArchpin(['scan', path.join(ROOT, 'templates/kubernetes'), '--format', 'json']);
    expect(scanned.code).toBe(0);
    const references = (JSON.parse(scanned.stdout) as { references: Array<{ file: string; value: string; kind: string; skip: string | null }> }).references;
    expect(references.map(({ file, value, kind, skip }) => [file, value, kind, skip])).toEqual(images.map((image) => ['archpin-distributed.yaml', image, 'kubernetes-container', null]));
  });

  it('runs archpin serve with roles it accepts, on the config the ConfigMap mounts', () => {
    expect(config.serve?.queue?.redisUrl).toBeDefined();
    for (const [workload, role] of [
      [scheduler, 'scheduler'],
      [worker, 'worker'],
    ] as const) {
      const container = containers(workload)[0]!;
      const args = parseCliArgs(container.args);
      expect([args.command, args.role]).toEqual(['serve', role]);
      const mount = container.volumeMounts.find((volume: Json) => volume.name === 'config');
      expect(workload.spec.template.spec.volumes.find((volume: Json) => volume.name === 'config').configMap.name).toBe('archpin-config');
      expect(path.posix.join(mount.mountPath, 'archpin.json')).toBe(args.config);
      expect(container.envFrom).toEqual([{ secretRef: { name: 'archpin' } }]);
    }
  });

  it('probes /healthz and /readyz on the port serve.listen names; the webhook Service reaches it on every archpin replica', () => {
    const port = Number(/:(\d+)$/.exec(config.serve!.listen!)![1]);
    expect(port).toBe(8080);
    for (const workload of [scheduler, worker]) {
      const container = containers(workload)[0]!;
      expect(container.ports).toEqual([{ name: 'http', containerPort: port }]);
      expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(matches(webhooks.spec.selector, workload.spec.template.metadata.labels)).toBe(true);
    }
    expect(matches(webhooks.spec.selector, redis.spec.template.metadata.labels)).toBe(false);
    expect(webhooks.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http' }]);
  });

  it('points serve.queue.redisUrl at the Redis Service, which reaches the Redis container', () => {
    const url = new URL(config.serve!.queue!.redisUrl!);
    expect([url.protocol, url.hostname, Number(url.port)]).toEqual(['redis:', redisService.metadata.name, redisService.spec.ports[0].port]);
    expect(matches(redisService.spec.selector, redis.spec.template.metadata.labels)).toBe(true);
    const container = containers(redis)[0]!;
    expect(container.ports).toEqual([{ name: redisService.spec.ports[0].targetPort, containerPort: 6379 }]);
    // The append-only file on the volume: a Redis restart loses no queued job.
    expect(container.args).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    expect(container.volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }]);
  });
});

describe(`${FILE}: the documented pin step`, () => {
  let registry: TestRegistry;
  let work: string;
  beforeAll(async () => {
    registry = await startRegistry();
    work = mkdtempSync(path.join(os.tmpdir(), 'archpin-k8s-template-'));
  }, 120_000);
  afterAll(async () => {
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('archpin check --write . pins the image the user built and pushed by its index digest, and a second check proposes nothing', async () => {
    const platforms = [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ];
    const children = [];
    for (const platform of platforms) children.push(await pushImage(registry, 'tools/archpin', { ...platform, mediaType: 'oci', label: `archpin ${platform.architecture}` }));
    const index = await pushIndex(registry, 'tools/archpin', '0.1.0', children, { mediaType: 'oci' });
    const built = `${registry.host}/tools/archpin:0.1.0`;
    const original = readFileSync(path.join(ROOT, FILE), 'utf8');
    const edited = original.replaceAll(ARCHPIN_IMAGE, built);
    const file = path.join(work, 'archpin-distributed.yaml');
    writeFileSync(file, edited);
    // Redis stays as the template pins it; Docker Hub is a closed loopback port here, never the public host.
    const config = { platforms: ['linux/amd64', 'linux/arm64'], mirrors: { 'docker.io': 'http://127.0.0.1:9' }, packageRules: [{ matchImages: ['docker.io/library/redis'], enabled: false }] };
    writeFileSync(path.join(work, 'archpin.json'), JSON.stringify(config));
    const cache = path.join(work, 'cache');
    const first = await runArchpin(['check', '--write', '.', '--format', 'json', '--cache-dir', cache], { cwd: work });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report.errors).toEqual([]);
    expect(report.updates.map((update: any) => [update.file, update.line, update.from, update.to, update.updateType])).toEqual(
      [119, 182].map((line) => ['archpin-distributed.yaml', line, built, `${built}@${index.digest}`, 'pin']),
    );
    expect(report.written).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(edited.replaceAll(`image: ${built}\n`, `image: ${built}@${index.digest}\n`));
    const second = await runArchpin(['check', '--write', '.', '--format', 'json', '--cache-dir', cache], { cwd: work });
    expect(second.code).toBe(0);
    expect([JSON.parse(second.stdout).updates, JSON.parse(second.stdout).written]).toEqual([[], false]);
  });
});
