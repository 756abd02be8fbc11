// CI: `archpin audit .` on archpin's own tree (the Dockerfile's base image, pinned by digest).
// Exit 3 (an unsafe pin) or any reference left unpinned fails. Where the registry cannot be
// reached (a CI machine without access to Docker Hub), the pins cannot be gated: that is
// printed as such, and only then does a lookup error not fail the step.
//
// CI talks to loopback only: unless ARCHPIN_SELF_AUDIT_ONLINE=1, Docker Hub is replaced by a
// mirror on a closed loopback port, so the audit checks every pin's form and reports the
// registry as unreachable instead of reaching out to a public host.
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
if (process.env.ARCHPIN_SELF_AUDIT_ONLINE !== '1') {
  const own = JSON.parse(readFileSync(path.join(root, '.archpin.json'), 'utf8'));
  const port = await closedLoopbackPort();
  delete own.$schema;
  own.mirrors = { ...own.mirrors, 'docker.io': `http://127.0.0.1:${port}` };
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
const pinned = report.references.length - unpinned.length;
if (unpinned.length > 0 || result.status === 3) process.exit(1);
if (result.status === 1) {
  const unreachable = report.errors.filter((error) => ['registry-unreachable', 'registry-network', 'registry-timeout'].includes(error.code));
  for (const error of report.errors) console.error(`${error.image ?? error.file}  ${error.code}  ${error.message}`);
  if (unreachable.length !== report.errors.length) process.exit(1);
  console.log(`archpin audit: ${pinned} references pinned by digest; the registry could not be reached, so the pins were not gated here`);
  process.exit(0);
}
console.log(`archpin audit: all ${pinned} pinned references pass the gate`);
