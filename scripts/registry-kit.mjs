// What the demo's registry and the test suite's registry share: waiting for and stopping a
// `docker-registry` process, pushing blobs and manifests through the OCI distribution API, and
// building a one-file tar layer. Plain Node ESM so the demo runs without TypeScript; the tests
// import it too (types in registry-kit.d.mts).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export function sha256(bytes) {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function exited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Polls `GET /v2/` until it answers (200, or 401 with auth); 'port-in-use' when the process died on a taken port. */
export async function waitReady(url, child, logPath, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited(child)) {
      const log = readFileSync(logPath, 'utf8');
      if (/address already in use/i.test(log)) return 'port-in-use';
      throw new Error(`docker-registry exited (${child.exitCode ?? child.signalCode}):\n${log}`);
    }
    try {
      const response = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status === 200 || response.status === 401) return 'ready';
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`docker-registry did not answer on ${url} within ${timeoutMs} ms:\n${readFileSync(logPath, 'utf8')}`);
}

/** SIGTERM, then SIGKILL after 3 s; resolves once the process is gone. */
export async function stopChild(child) {
  if (exited(child)) return;
  const gone = new Promise((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await gone;
  clearTimeout(timer);
}

export async function expectStatus(response, expected, what) {
  if (response.status !== expected) {
    throw new Error(`${what}: expected HTTP ${expected}, got ${response.status}: ${await response.text()}`);
  }
  await response.arrayBuffer();
}

/** Request headers, with `target.authorization(repo, ['pull', 'push'])` when the target has one. */
async function headers(target, repo, extra = {}) {
  const authorization = await target.authorization?.(repo, ['pull', 'push']);
  return authorization === undefined ? extra : { ...extra, authorization };
}

/** Monolithic blob upload: POST /blobs/uploads/, then PUT ?digest=. */
export async function pushBlob(target, repo, bytes) {
  const digest = sha256(bytes);
  const start = await fetch(`${target.url}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers: await headers(target, repo) });
  const location = start.headers.get('location');
  await expectStatus(start, 202, `start blob upload to ${repo}`);
  if (location === null) throw new Error(`start blob upload to ${repo}: no Location header`);
  const uploadUrl = new URL(location, target.url);
  uploadUrl.searchParams.set('digest', digest);
  const put = await fetch(uploadUrl, {
    method: 'PUT',
    headers: await headers(target, repo, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.byteLength) }),
    body: new Uint8Array(bytes),
  });
  await expectStatus(put, 201, `finish blob upload ${digest} to ${repo}`);
  return { digest, size: bytes.byteLength };
}

/** PUT a manifest; the registry's Docker-Content-Digest must equal the hash of the bytes sent. */
export async function pushManifest(target, repo, ref, bytes, mediaType) {
  const body = typeof bytes === 'string' ? new Uint8Array(Buffer.from(bytes, 'utf8')) : new Uint8Array(bytes);
  const digest = sha256(body);
  const response = await fetch(`${target.url}/v2/${repo}/manifests/${ref}`, {
    method: 'PUT',
    headers: await headers(target, repo, { 'content-type': mediaType }),
    body,
  });
  const answered = response.headers.get('docker-content-digest');
  await expectStatus(response, 201, `push manifest ${repo}:${ref}`);
  if (answered !== digest) throw new Error(`push manifest ${repo}:${ref}: registry says ${answered}, bytes hash to ${digest}`);
  return digest;
}

export async function deleteManifest(target, repo, digest) {
  const response = await fetch(`${target.url}/v2/${repo}/manifests/${digest}`, { method: 'DELETE', headers: await headers(target, repo) });
  await expectStatus(response, 202, `delete manifest ${repo}@${digest}`);
}

/** A one-file POSIX tar archive (ustar), as the uncompressed content of a layer. */
export function tarFile(name, content) {
  const header = Buffer.alloc(512, 0);
  const field = (offset, length, value) => header.write(value, offset, Math.min(length, Buffer.byteLength(value)), 'latin1');
  const octal = (value, length) => `${value.toString(8).padStart(length - 1, '0')}\0`;
  field(0, 100, name);
  field(100, 8, octal(0o644, 8));
  field(108, 8, octal(0, 8));
  field(116, 8, octal(0, 8));
  field(124, 12, octal(content.byteLength, 12));
  field(136, 12, octal(0, 12));
  field(148, 8, '        ');
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  field(265, 32, 'root');
  field(297, 32, 'root');
  let sum = 0;
  for (const byte of header) sum += byte;
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  const padding = (512 - (content.byteLength % 512)) % 512;
  return Buffer.concat([header, Buffer.from(content), Buffer.alloc(padding + 1024, 0)]);
}
