// `archpin check --write` twice on whole repositories, against registries on 127.0.0.1: every registry the
// tree names gets a real docker-registry of its own (the config's `mirrors` send it there), seeded with each
// referenced tag and one newer patch tag, each a two-platform index. The first run writes what it proposes;
// the second must propose nothing and write nothing, and a third `check` without --write must agree.
// Prints, per repository: references, what the first run proposed (by update type), whether it wrote and
// whether the bytes changed, errors, and the same for the second run; the last line is one JSON object.
//
// With --revisions, a tag ending in a Bitnami-style revision (`7.2.4-debian-12-r0`) gets `-r9` as its newer tag
// instead, and the config carries a `regex:` versioning rule for docker.io/bitnami/* (major, minor, patch, the
// compatibility text and the revision), so the revision has to move for the run to converge.
//
// Usage: npm run bench:converge -- [--revisions] [--verbose] DIR [DIR...]   (each DIR is copied to a temporary directory first)
// (needs docker-registry: scripts/ensure-registry.mjs installs it)
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startRegistry, type TestRegistry } from '../test/support/registry.js';
import { pushImage, pushIndex, type ImageDescriptor } from '../test/support/seed.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin/archpin.js');
const PLATFORMS = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
] as const;

interface Reference {
  file: string;
  line: number;
  value: string;
  skip: string | null;
  image: { registry: string; repository: string; tag: string | null; digest: string | null } | null;
}
interface CheckReport {
  references: Reference[];
  updates: Array<{ file: string; line: number; from: string; to: string; updateType: string }>;
  written: boolean;
  errors: Array<{ code: string; message: string }>;
  held?: unknown[];
}

function archpin(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

/** One hash over every regular file's path and bytes (what `written` claims changed or not). */
function treeHash(dir: string): string {
  const hash = createHash('sha256');
  const walk = (at: string): void => {
    for (const name of readdirSync(at).sort()) {
      const full = path.join(at, name);
      const stat = statSync(full, { throwIfNoEntry: false });
      if (stat?.isDirectory()) walk(full);
      else if (stat?.isFile()) hash.update(`${path.relative(dir, full)}\0`).update(readFileSync(full));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

/** `7.2.4-debian-12-r0` → `7.2.5-debian-12-r0`: the first version number's last part plus one; null without one. */
function newerPatch(tag: string): string | null {
  const match = /^(v?)(\d+(?:\.\d+)*)(.*)$/.exec(tag);
  if (!match) return null;
  const numbers = match[2]!.split('.').map(Number);
  numbers[numbers.length - 1]! += 1;
  return `${match[1]}${numbers.join('.')}${match[3]}`;
}

/** `7.2.4-debian-12-r0` → `7.2.4-debian-12-r9`; null when the tag has no revision. */
function newerRevision(tag: string): string | null {
  const match = /^(.*-r)(\d+)$/.exec(tag);
  return match ? `${match[1]}${Number(match[2]) + 9}` : null;
}

// `12-debian-12-r50` (os-shell) has no minor or patch: both groups are optional.
const REVISION_VERSIONING = 'regex:^(?<major>\\d+)(?:\\.(?<minor>\\d+))?(?:\\.(?<patch>\\d+))?-(?<compatibility>.+)-r(?<revision>\\d+)$';

const counts = (values: string[]): Record<string, number> => values.reduce<Record<string, number>>((all, value) => ({ ...all, [value]: (all[value] ?? 0) + 1 }), {});

const revisions = process.argv.includes('--revisions');
const verbose = process.argv.includes('--verbose');
const dirs = process.argv.slice(2).filter((arg) => !['--', '--revisions', '--verbose'].includes(arg));
if (dirs.length === 0) {
  console.error('usage: npm run bench:converge -- DIR [DIR...]');
  process.exit(2);
}
const work = mkdtempSync(path.join(os.tmpdir(), 'archpin-bench-converge-'));
const registries = new Map<string, TestRegistry>();
const summary: Record<string, unknown>[] = [];
let failed = false;
try {
  for (const source of dirs) {
    const name = path.basename(path.resolve(source));
    const tree = path.join(work, name);
    cpSync(source, tree, { recursive: true, filter: (from) => path.basename(from) !== '.git' });
    const scan = JSON.parse((await archpin(['scan', tree, '--format', 'json'])).stdout) as { references: Reference[] };
    const usable = scan.references.filter((reference) => reference.skip === null && reference.image !== null);
    const tags = new Map<string, Set<string>>();
    for (const { image } of usable) {
      if (image!.tag === null) continue;
      const key = `${image!.registry}/${image!.repository}`;
      const set = tags.get(key) ?? new Set<string>();
      set.add(image!.tag);
      const newer = revisions ? (newerRevision(image!.tag) ?? newerPatch(image!.tag)) : newerPatch(image!.tag);
      if (newer !== null) set.add(newer);
      tags.set(key, set);
    }
    let pushed = 0;
    for (const [key, set] of tags) {
      const registryName = key.slice(0, key.indexOf('/'));
      const repository = key.slice(registryName.length + 1);
      let registry = registries.get(registryName);
      if (registry === undefined) {
        registry = await startRegistry();
        registries.set(registryName, registry);
      }
      for (const tag of set) {
        const children: ImageDescriptor[] = [];
        for (const platform of PLATFORMS) children.push(await pushImage(registry, repository, { ...platform, mediaType: 'oci', label: `${key}:${tag}` }));
        await pushIndex(registry, repository, tag, children, { mediaType: 'oci' });
        pushed++;
      }
    }
    const config = path.join(work, `${name}.archpin.json`);
    const mirrors = Object.fromEntries([...registries].map(([host, registry]) => [host, registry.url]));
    const rules = revisions ? [{ matchImages: ['docker.io/bitnami/*'], versioning: REVISION_VERSIONING }] : [];
    writeFileSync(config, JSON.stringify({ platforms: ['linux/amd64', 'linux/arm64'], mirrors, packageRules: rules }));
    const cache = path.join(work, `${name}.cache`);
    const check = async (write: boolean) => {
      const before = treeHash(tree);
      const run = await archpin(['check', tree, ...(write ? ['--write'] : []), '--config', config, '--cache-dir', cache, '--format', 'json']);
      const report = JSON.parse(run.stdout) as CheckReport;
      return { run, report, changed: treeHash(tree) !== before };
    };
    const first = await check(true);
    if (verbose) {
      for (const type of new Set(first.report.updates.map((update) => update.updateType))) {
        const examples = first.report.updates.filter((update) => update.updateType === type).slice(0, 5);
        for (const update of examples) console.error(`  ${type}: ${update.file}:${update.line} ${update.from} → ${update.to}`);
      }
    }
    const second = await check(true);
    const third = await check(false);
    const row = {
      repository: name,
      references: first.report.references.length,
      usable: usable.length,
      tagsSeeded: pushed,
      first: {
        seconds: Number((first.run.ms / 1000).toFixed(1)),
        exit: first.run.code,
        proposed: first.report.updates.length,
        byType: counts(first.report.updates.map((update) => update.updateType)),
        written: first.report.written,
        bytesChanged: first.changed,
        errors: counts(first.report.errors.map((error) => error.code)),
      },
      second: { exit: second.run.code, proposed: second.report.updates.length, written: second.report.written, bytesChanged: second.changed, errors: second.report.errors.length },
      checkAfter: { proposed: third.report.updates.length },
    };
    const converged = row.second.proposed === 0 && !row.second.written && !row.second.bytesChanged && row.checkAfter.proposed === 0 && row.first.written === row.first.bytesChanged;
    if (!converged) {
      failed = true;
      for (const update of second.report.updates) console.error(`  still proposed: ${update.file}:${update.line} ${update.from} → ${update.to} (${update.updateType})`);
    }
    console.log(
      `${name}: ${row.references} references (${row.usable} looked up, ${pushed} tags seeded); first --write: ${row.first.proposed} proposed ${JSON.stringify(row.first.byType)}, written ${row.first.written}, bytes changed ${row.first.bytesChanged}, errors ${JSON.stringify(row.first.errors)}, ${row.first.seconds} s; second --write: ${row.second.proposed} proposed, written ${row.second.written}, bytes changed ${row.second.bytesChanged}; check after: ${row.checkAfter.proposed} proposed — ${converged ? 'converged' : 'NOT CONVERGED'}`,
    );
    summary.push({ ...row, converged });
  }
} finally {
  await Promise.all([...registries.values()].map((registry) => registry.stop()));
  rmSync(work, { recursive: true, force: true });
}
console.log(JSON.stringify({ repositories: summary }));
process.exit(failed ? 1 : 0);
