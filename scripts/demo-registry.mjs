// A throw-away CNCF distribution registry for `npm run demo`, listening on 127.0.0.1 only,
// with filesystem storage in a fresh temporary directory, and the Docker Hub incident seeded
// through the OCI distribution API:
//   27.0.3, 27.0.3-dind, 27.1.1, 27.1.1-dind  complete: linux/amd64, linux/arm64/v8, linux/arm/v6, linux/arm/v7
//   27.1.0-dind                               the exact 89-byte empty index Docker Hub serves first
//   27.2.0-dind                               linux/arm64/v8 only (amd64 has not landed yet)
// Plain Node ESM: the demo runs without TypeScript. Everything seeded is deterministic (layers
// are uncompressed tar, so no compressor can change a byte), and the digests are the same on
// every run and every machine.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, pushBlob, pushManifest, sha256, stopChild, tarFile, waitReady } from './registry-kit.mjs';

export const EMPTY_INDEX_BYTES = '{"manifests":[],"mediaType":"application\\/vnd.oci.image.index.v1+json","schemaVersion":2}';
export const EMPTY_INDEX_DIGEST = 'sha256:eb37f58646a901dc7727cf448cae36daaefaba79de33b5058dab79aa4c04aefb';
export const REPOSITORY = 'library/docker';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';
const IN_TOTO = 'application/vnd.in-toto+json';

const FULL = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
  { os: 'linux', architecture: 'arm', variant: 'v6' },
  { os: 'linux', architecture: 'arm', variant: 'v7' },
];

/** Tag → [created, platforms]; 27.1.0-dind is pushed separately as the empty index. */
const LAYOUT = [
  ['27.0.3', '2024-06-26T18:10:00Z', FULL],
  ['27.0.3-dind', '2024-06-26T18:20:00Z', FULL],
  ['27.1.1', '2024-07-24T09:10:00Z', FULL],
  ['27.1.1-dind', '2024-07-24T09:20:00Z', FULL],
  ['27.2.0-dind', '2024-08-27T20:30:00Z', [{ os: 'linux', architecture: 'arm64', variant: 'v8' }]],
];

/** `port` when it is free on 127.0.0.1 a moment ago (0: any free port), else null. */
async function freePort(port = 0) {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

function configYaml(dir, port) {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  formatter: text',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(join(dir, 'data'))}`,
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    'health:',
    '  storagedriver:',
    '    enabled: false',
    '',
  ].join('\n');
}

/**
 * Starts `docker-registry serve` on 127.0.0.1: on `preferredPort` when it is free, else on
 * any free port.
 * Returns { url, host, pid, dir, stop(), killNow() }: stop() is idempotent and removes the
 * directory; killNow() is the synchronous last resort for a process that is exiting.
 */
export async function startRegistry(preferredPort = 0) {
  const dir = await mkdtemp(join(tmpdir(), 'archpin-demo-registry-'));
  const logPath = join(dir, 'registry.log');
  const configPath = join(dir, 'config.yml');
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = (attempt === 0 && preferredPort !== 0 ? await freePort(preferredPort) : null) ?? (await freePort());
    if (port === null) continue;
    await writeFile(configPath, configYaml(dir, port));
    const logFd = openSync(logPath, 'w');
    const child = spawn('docker-registry', ['serve', configPath], { stdio: ['ignore', logFd, logFd], cwd: dir });
    closeSync(logFd);
    child.on('error', () => undefined);
    const host = `127.0.0.1:${port}`;
    const url = `http://${host}`;
    let outcome;
    try {
      outcome = await waitReady(url, child, logPath, 10_000);
    } catch (error) {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    if (outcome === 'port-in-use') continue;
    let stopped;
    return {
      url,
      host,
      pid: child.pid,
      dir,
      stop() {
        stopped ??= stopChild(child).then(() => rm(dir, { recursive: true, force: true }));
        return stopped;
      },
      killNow() {
        if (!exited(child)) child.kill('SIGKILL');
      },
    };
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error('could not start docker-registry: no free port on 127.0.0.1 after 5 attempts');
}

function platformString(platform) {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

async function pushImage(url, repo, platform, created, label) {
  const tar = tarFile('etc/demo-build', Buffer.from(`${repo} ${label} ${platformString(platform)}\n`));
  const config = Buffer.from(JSON.stringify({
    ...platform,
    created,
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['dockerd-entrypoint.sh'], Labels: { 'org.opencontainers.image.version': label } },
    rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
    history: [{ created, created_by: 'COPY demo-build /etc/demo-build' }],
  }));
  const configBlob = await pushBlob({ url }, repo, config);
  const layerBlob = await pushBlob({ url }, repo, tar);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, ...configBlob },
    layers: [{ mediaType: OCI_LAYER, ...layerBlob }],
  }));
  const digest = await pushManifest({ url }, repo, sha256(manifest), manifest, OCI_MANIFEST);
  return { mediaType: OCI_MANIFEST, digest, size: manifest.byteLength, platform };
}

/** A buildx-style attestation manifest for an index entry (platform unknown/unknown). */
async function pushAttestation(url, repo, subject) {
  const statement = Buffer.from(JSON.stringify({
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://slsa.dev/provenance/v0.2',
    subject: [{ name: `pkg:docker/${repo}`, digest: { sha256: subject.digest.slice('sha256:'.length) } }],
    predicate: { builder: { id: 'https://ci.example.com/demo-builder' }, buildType: 'https://mobyproject.org/buildkit@v1' },
  }));
  const config = Buffer.from(JSON.stringify({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [sha256(statement)] } }));
  const configBlob = await pushBlob({ url }, repo, config);
  const statementBlob = await pushBlob({ url }, repo, statement);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, ...configBlob },
    layers: [{ mediaType: IN_TOTO, ...statementBlob, annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' } }],
  }));
  const digest = await pushManifest({ url }, repo, sha256(manifest), manifest, OCI_MANIFEST);
  return {
    mediaType: OCI_MANIFEST,
    digest,
    size: manifest.byteLength,
    annotations: { 'vnd.docker.reference.digest': subject.digest, 'vnd.docker.reference.type': 'attestation-manifest' },
    platform: { architecture: 'unknown', os: 'unknown' },
  };
}

/**
 * Seeds the incident into `library/docker` and returns { repository, digests, platforms }:
 * the index digest and the runnable platforms per tag.
 */
export async function seedIncident(url) {
  const digests = {};
  const platforms = {};
  for (const [tag, created, layout] of LAYOUT) {
    const images = [];
    for (const platform of layout) images.push(await pushImage(url, REPOSITORY, platform, created, tag));
    const attestations = [];
    for (const image of images) attestations.push(await pushAttestation(url, REPOSITORY, image));
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [...images, ...attestations] }));
    digests[tag] = await pushManifest({ url }, REPOSITORY, tag, index, OCI_INDEX);
    platforms[tag] = layout.map(platformString);
  }
  digests['27.1.0-dind'] = await pushManifest({ url }, REPOSITORY, '27.1.0-dind', EMPTY_INDEX_BYTES, OCI_INDEX);
  platforms['27.1.0-dind'] = [];
  if (digests['27.1.0-dind'] !== EMPTY_INDEX_DIGEST) throw new Error(`the empty index hashed to ${digests['27.1.0-dind']}`);
  return { repository: REPOSITORY, digests, platforms };
}
