/**
 * templates/kubernetes/archpin-distributed.yaml: the manifests parse, every image is pinned by
 * digest and found by archpin's own scanner, the ports, probes and Redis address agree with the
 * archpin.json they carry, and each container's arguments are ones archpin accepts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseCliArgs } from '../../src/cli/args.js';
import { parseConfig } from '../../src/config/parse-config.js';
import { runArchpin } from '../support/run-cli.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FILE = 'templates/kubernetes/archpin-distributed.yaml';
const PINNED = /^[^@\s]+:[\w][\w.-]*@sha256:[0-9a-f]{64}$/;

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

  it('pins every image by digest, and archpin scan finds each one, none skipped', async () => {
    const images = [redis, scheduler, worker].flatMap((workload) => containers(workload).map((container) => container.image as string));
    expect(images.filter((image) => !PINNED.test(image))).toEqual([]);
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
