// CI: `archpin audit .` on archpin's own tree (the Dockerfile's base image, pinned by digest).
//
// Offline (the default; CI talks to loopback only): Docker Hub, both the registry and the Hub tags
// API, is replaced by a closed loopback port. That checks that every reference is pinned by
// digest and that audit reaches the registry for each pin and nothing else; it cannot gate the
// pins. The step says so and passes only when the registry being unreachable is the one thing
// audit reports; an unpinned reference, an unsafe pin or any other error fails it.
//
// ARCHPIN_SELF_AUDIT_ONLINE=1 (a machine that reaches Docker Hub): the real audit, whose exit code
// is the step's. A registry that cannot be reached then fails the step: nothing was gated.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A loopback port nothing listens on (bound, read and released). */
async function closedLoopbackPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const args = [path.join(root, 'bin', 'archpin.js'), 'audit', '.', '--format', 'json'];
const scratch = mkdtempSync(path.join(tmpdir(), 'archpin-self-audit-'));
const online = process.env.ARCHPIN_SELF_AUDIT_ONLINE === '1';
if (!online) {
  const own = JSON.parse(readFileSync(path.join(root, '.archpin.json'), 'utf8'));
  const port = await closedLoopbackPort();
  delete own.$schema;
  const closed = `http://127.0.0.1:${port}`;
  own.mirrors = { ...own.mirrors, 'docker.io': closed };
  // A mirror replaces the registry only; the Hub tags API has its own address.
  own.registries = { ...own.registries, 'docker.io': { ...own.registries?.['docker.io'], hubApiUrl: closed } };
  const file = path.join(scratch, 'archpin.json');
  writeFileSync(file, JSON.stringify(own));
  args.push('--config', file);
}
const result = spawnSync(process.execPath, args, {
  cwd: root,
  encoding: 'utf8',
  env: { ...process.env, ARCHPIN_CACHE_DIR: path.join(scratch, 'cache') },
});
rmSync(scratch, { recursive: true, force: true });
if (result.status !== 0 && result.status !== 1 && result.status !== 3) {
  process.stderr.write(result.stderr);
  process.exit(1);
}
const report = JSON.parse(result.stdout);
const unpinned = report.references.filter((reference) => reference.skip === null && !reference.image?.digest);
for (const reference of unpinned) console.error(`${reference.file}:${reference.line}  ${reference.value}  is not pinned by digest`);
for (const finding of report.audit) console.error(`${finding.file}:${finding.line}  ${finding.value}  ${finding.reason}: ${finding.message}`);
const pinned = report.references.filter((reference) => reference.image?.digest).length;
if (unpinned.length > 0 || result.status === 3) process.exit(1);
if (result.status === 1 && online) {
  for (const error of report.errors) console.error(`${error.image ?? error.host ?? error.file}  ${error.code}  ${error.message}`);
  console.error(`archpin audit: ${report.errors.length} error(s); the pins were not all gated`);
  process.exit(1);
}
if (result.status === 1) {
  const unreachable = report.errors.filter((error) => ['registry-unreachable', 'registry-network', 'registry-timeout'].includes(error.code));
  for (const error of report.errors) console.error(`${error.image ?? error.host ?? error.file}  ${error.code}  ${error.message}`);
  if (unreachable.length !== report.errors.length) process.exit(1);
  console.log(
    `archpin audit (offline): ${pinned} references pinned by digest, none unpinned; Docker Hub is not reachable from CI, so the pins were NOT gated here (ARCHPIN_SELF_AUDIT_ONLINE=1 on a machine that reaches it runs the real audit)`,
  );
  process.exit(0);
}
console.log(`archpin audit: all ${pinned} pinned references pass the gate`);
