#!/usr/bin/env node
// What hostile inputs cost: peak memory and wall time of `archpin scan` and `archpin graph` (the
// built CLI, one process each) on oversized, dense, deep and reference-heavy files, and of matching
// polynomial patterns.
// Usage: npm run bench:hostile [-- NAME-PART]   (builds, generates inputs under the OS temp dir, prints a table)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin/archpin.js');
const preload = path.join(root, 'bench/peak-rss.cjs');
const work = mkdtempSync(path.join(os.tmpdir(), 'archpin-bench-hostile-'));

function valuesFile(bytes) {
  const parts = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const block = `svc${i}:\n  enabled: true\n  image:\n    repository: ghcr.io/acme/service-${i}\n    tag: "1.${i % 20}.0"\n  resources: {limits: {cpu: 100m, memory: 128Mi}}\n  env: [a, b, c]\n`;
    parts.push(block);
    size += block.length;
  }
  return parts.join('');
}
const referenceList = (count) =>
  `services:\n  web:\n    image: alpine:3.18\nlist:\n${Array.from({ length: count }, (_, i) => `  - image: registry.example.com/team/app-${i}:1.0.${i % 100}\n`).join('')}`;
const fromLines = (count) => Array.from({ length: count }, (_, i) => `FROM registry.example.com/team/app-${i}:1.0.${i % 100}\n`).join('');
const MiB = 1024 * 1024;
const nested = (name, times) => `"${`\${${name}}`.repeat(times)}"`;
const variableBomb = () =>
  `variables:\n  A: ${nested('B', 200)}\n  B: ${nested('C', 200)}\n  C: ${nested('D', 200)}\n  D: ${nested('E', 200)}\n  E: registry.example.com/x\nbuild:\n  script:\n    - docker push $A:1\n`;
const manyJobs = (globals, jobs) =>
  `variables:\n${Array.from({ length: globals }, (_, i) => `  V${i}: v${i}\n`).join('')}${Array.from({ length: jobs }, (_, i) => `j${i}:\n  variables: {W: w}\n  script: [docker push $CI_REGISTRY_IMAGE/j${i}:1]\n`).join('')}`;

const globalsAndJobs = (globals, jobs) =>
  `variables:\n${Array.from({ length: globals }, (_, i) => `  V${i}: v${i}\n`).join('')}${Array.from({ length: jobs }, (_, i) => `j${i}:\n  image: alpine:3.${i % 20}\n  script: [x]\n`).join('')}`;
// Argo Workflows templates that pass an image input on to each other: a ring, and layers that each call every
// template of the layer below (fan-out ** depth paths from a use back to its callers).
const argoTemplate = (name, calls, image) =>
  `  - name: ${name}\n    inputs:\n      parameters:\n      - name: image\n${
    calls.length > 0
      ? `    steps:\n${calls.map((call) => `    - - name: to-${call}\n        template: ${call}\n        arguments:\n          parameters:\n          - name: image\n            value: "{{inputs.parameters.image}}"\n`).join('')}`
      : ''
  }${image ? '    container:\n      image: "{{inputs.parameters.image}}"\n' : ''}`;
const argoFlow = (templates) => `apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: x\nspec:\n  entrypoint: t0\n  templates:\n${templates.join('')}`;
const argoRing = (count) => argoFlow(Array.from({ length: count }, (_, i) => argoTemplate(`t${i}`, [`t${(i + 1) % count}`], true)));
const argoLayers = (width, depth) =>
  argoFlow([
    argoTemplate('t0', [], true),
    ...Array.from({ length: depth }, (_, layer) =>
      Array.from({ length: width }, (_, i) => argoTemplate(`l${layer + 1}-${i}`, layer === 0 ? ['t0'] : Array.from({ length: width }, (_, j) => `l${layer}-${j}`), false)),
    ).flat(),
  ]);

// Templates extending every template of the level below (8 wide, 10 deep) and jobs extending the top level.
const extendsLevels = () =>
  `${Array.from({ length: 10 }, (_, level) =>
    Array.from(
      { length: 8 },
      (_, i) => `.l${level}-${i}:\n  variables:\n    V${level}_${i}: x\n${level > 0 ? `  extends: [${Array.from({ length: 8 }, (_, j) => `.l${level - 1}-${j}`).join(', ')}]\n` : ''}`,
    ).join(''),
  ).join('')}${Array.from({ length: 50 }, (_, j) => `job${j}:\n  extends: [${Array.from({ length: 8 }, (_, k) => `.l9-${k}`).join(', ')}]\n  image: "alpine:$V0_0"\n  script: [x]\n`).join('')}`;

const cases = [
  { name: '16 MB values.yaml, default config', files: { 'values.yaml': () => valuesFile(16_000_000) } },
  { name: '31 MB values.yaml, default config', files: { 'values.yaml': () => valuesFile(31_000_000) } },
  { name: '16 MB values.yaml, maxFileSize 16 MiB', config: { maxFileSize: 16 * MiB }, files: { 'values.yaml': () => valuesFile(16_000_000) } },
  { name: '1.4 MB values.yaml (just under the node budget: parsed)', files: { 'values.yaml': () => valuesFile(1_400_000) } },
  { name: '250k-reference compose.yml (13.6 MB), maxFileSize 16 MiB', config: { maxFileSize: 16 * MiB }, files: { 'compose.yml': () => referenceList(250_000) } },
  { name: '250k-reference Dockerfile (12 MB), maxFileSize 16 MiB', config: { maxFileSize: 16 * MiB }, files: { Dockerfile: () => fromLines(250_000) } },
  { name: '16 MiB Dockerfile (330k FROM lines), maxFileSize 16 MiB', config: { maxFileSize: 16 * MiB }, files: { Dockerfile: () => fromLines(330_000) } },
  { name: '160k references in 8 files (under the per-file budget)', files: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`f${i}.Dockerfile`, () => fromLines(20_000)])) },
  { name: 'YAML flow nesting 1,000,000 deep (2 MB)', files: { 'deep.yml': () => `image: ${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}\n` } },
  { name: '.gitlab-ci.yml, 10,000 globals x 10,000 jobs (560 KB)', files: { '.gitlab-ci.yml': () => globalsAndJobs(10_000, 10_000) } },
  { name: '.gitlab-ci.yml of 13 KB: 50 jobs extending templates 8 wide, 10 deep', files: { '.gitlab-ci.yml': extendsLevels } },
  {
    name: '.gitlab-ci.yml including 5,000 files one by one',
    files: Object.fromEntries([
      ['.gitlab-ci.yml', () => `include:\n${Array.from({ length: 5_000 }, (_, i) => `  - local: /ci/f${i}.yml\n`).join('')}job:\n  image: alpine:3.$V\n  script: [x]\n`],
      ...Array.from({ length: 5_000 }, (_, i) => [`ci/f${i}.yml`, () => `.t${i}:\n  variables:\n    V${i}: "1"\n`]),
    ]),
  },
  { name: 'Argo Workflow, 3,000 templates calling each other in a ring (0.9 MB)', files: { 'flow.yaml': () => argoRing(3_000) } },
  { name: 'Argo Workflow, 5 layers of 30 templates each calling all 30 below', files: { 'flow.yaml': () => argoLayers(30, 5) } },
  // archpin graph over one project's chain files
  { name: 'graph: CI variables nested 200 times over, 4 deep', command: 'graph', files: { '.gitlab-ci.yml': () => variableBomb() } },
  { name: 'graph: .gitlab-ci.yml just under the node budget, 4,000 globals x 20,000 jobs', command: 'graph', files: { '.gitlab-ci.yml': () => manyJobs(4_000, 20_000) } },
  { name: 'graph: 8 MiB Dockerfile (170k FROM lines)', command: 'graph', files: { Dockerfile: () => fromLines(170_000).slice(0, 8 * MiB) } },
];

// `node bench/hostile.mjs graph` runs only the cases whose name contains "graph"
const only = process.argv[2];
const rows = [];
for (const [index, testCase] of cases.entries()) {
  if (only && !testCase.name.includes(only)) continue;
  const directory = path.join(work, `case-${index}`);
  mkdirSync(directory, { recursive: true });
  for (const [name, make] of Object.entries(testCase.files)) {
    mkdirSync(path.dirname(path.join(directory, name)), { recursive: true });
    writeFileSync(path.join(directory, name), make());
  }
  if (testCase.config) writeFileSync(path.join(directory, 'archpin.json'), JSON.stringify(testCase.config));
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['--require', preload, bin, testCase.command ?? 'scan', '.', '--format', 'json'], { cwd: directory, encoding: 'utf8', maxBuffer: 1024 * MiB });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peak = Number(/PEAK_RSS_KB (\d+)/.exec(run.stderr)?.[1] ?? NaN) / 1024;
  let outcome = `exit ${run.status}`;
  try {
    const report = JSON.parse(run.stdout);
    if (testCase.command === 'graph') {
      const codes = [...new Set(report.problems.map((problem) => problem.code))].join(',');
      outcome = `${report.projects.reduce((sum, project) => sum + project.publishes.length, 0)} publishes${codes ? `, ${codes}` : ''}`;
    } else {
      const codes = [...new Set(report.errors.map((error) => error.code))].join(',');
      outcome = `${report.references.length} refs${codes ? `, ${codes}` : ''}`;
    }
  } catch {
    outcome += ` ${run.stderr.split('\n').find((line) => line.trim() !== '') ?? ''}`;
  }
  rows.push([testCase.name, `${peak.toFixed(0)} MB`, `${seconds.toFixed(1)} s`, outcome]);
  rmSync(directory, { recursive: true, force: true });
  console.error(`done: ${testCase.name}`);
}

// polynomial patterns: what a backtracking regex would take hours for, matched by the glob automaton
const { compileGlob } = await import(path.join(root, 'dist/core/glob.js'));
for (const stars of [10, 24]) {
  const glob = compileGlob(`${'*a'.repeat(stars)}*b`, { starCrossesSlash: true });
  const key = `docker.io/${'a'.repeat(4000)}`;
  const started = process.hrtime.bigint();
  const matched = glob.matches(key);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  rows.push([`pattern with ${stars} stars vs a 4,010-character image`, '-', `${(seconds * 1000).toFixed(1)} ms`, matched ? 'match' : 'no match']);
}

rmSync(work, { recursive: true, force: true });
const widths = [0, 1, 2, 3].map((column) => Math.max(...[['INPUT', 'PEAK RSS', 'TIME', 'OUTCOME'], ...rows].map((row) => row[column].length)));
for (const row of [['INPUT', 'PEAK RSS', 'TIME', 'OUTCOME'], ...rows])
  console.log(
    row
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd(),
  );
console.log(`\nNode ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)}`);
