#!/usr/bin/env node
// Whole-process benchmark of `archpin graph DIR --format json` over a generated tree of checkouts.
// Usage: npm run bench:graph [-- PROJECTS]   (default 2000; builds, generates under the OS temp dir, prints figures)
//
// The tree is a realistic group: 1 base image, 20 language images built on it with multi-stage,
// ARG-built FROM lines, 80 tool images, the rest applications FROM a language image with a
// `COPY --from=` of a tool, half of them with a `.gitlab-deps` list, every project with a CI file
// pushing its image (kaniko, docker build/push, buildah, podman in turn). Nothing is looked up.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin/archpin.js');
const projects = Number(process.argv[2] ?? 2000);
if (!Number.isInteger(projects) || projects < 200) throw new Error(`the number of projects must be an integer of at least 200, not ${process.argv[2]}`);
const REGISTRY = 'registry.example.com';
const LANGUAGES = 20;
const TOOLS = 80;

const ci = (i, tag) =>
  [
    `build:\n  image: gcr.io/kaniko-project/executor:debug\n  script:\n    - /kaniko/executor --context . --destination "$CI_REGISTRY_IMAGE:${tag}"\n`,
    `variables:\n  IMAGE: $CI_REGISTRY_IMAGE:${tag}\nbuild:\n  script:\n    - docker build -t $IMAGE .\n    - docker push $IMAGE\n`,
    `build:\n  script:\n    - buildah bud -t $CI_REGISTRY_IMAGE:${tag} .\n    - buildah push $CI_REGISTRY_IMAGE:${tag}\n`,
    `build:\n  script:\n    - podman build -t local .\n    - podman push local $CI_REGISTRY_IMAGE:${tag}\n`,
  ][i % 4];

function write(dir, files) {
  for (const [name, text] of Object.entries(files)) {
    const full = path.join(dir, name);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
}

function generate(dir) {
  if (existsSync(path.join(dir, '.complete'))) return;
  rmSync(dir, { recursive: true, force: true });
  write(path.join(dir, 'platform/base'), { Dockerfile: 'FROM scratch\nCOPY rootfs /\n', '.gitlab-ci.yml': ci(0, '1') });
  for (let i = 0; i < LANGUAGES; i++) {
    write(path.join(dir, `platform/lang-${i}`), {
      Dockerfile: `ARG REGISTRY=${REGISTRY}\nARG BASE_TAG=1\nFROM \${REGISTRY}/platform/base:\${BASE_TAG} AS build\nRUN make lang-${i}\nFROM build AS final\nRUN strip /usr/local/bin/*\n`,
      '.gitlab-ci.yml': ci(i, '1'),
    });
  }
  for (let i = 0; i < TOOLS; i++) {
    write(path.join(dir, `tools/tool-${i}`), { Containerfile: `FROM ${REGISTRY}/platform/base:1\nCOPY tool /bin/tool-${i}\n`, '.gitlab-ci.yml': ci(i + 1, '1') });
  }
  const apps = projects - 1 - LANGUAGES - TOOLS;
  for (let i = 0; i < apps; i++) {
    const files = {
      'docker/Dockerfile': `FROM --platform=$BUILDPLATFORM ${REGISTRY}/tools/tool-${i % TOOLS}:1 AS tools\nFROM ${REGISTRY}/platform/lang-${i % LANGUAGES}:1\nCOPY --from=tools /bin/tool-${i % TOOLS} /bin/\nCOPY . /app\n`,
      '.gitlab-ci.yml': ci(i + 2, 'latest').replace('--context .', '--context . --dockerfile docker/Dockerfile'),
      'README.md': `# app ${i}\n`,
    };
    if (i % 2 === 0) files['.gitlab-deps'] = `# built on\nplatform/lang-${i % LANGUAGES}\ntools/tool-${i % TOOLS}\n`;
    write(path.join(dir, `apps/team-${i % 50}/app-${i}`), files);
  }
  writeFileSync(path.join(dir, '.complete'), '');
}

const spawnBuild = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
if (spawnBuild.status !== 0) process.exit(spawnBuild.status ?? 1);
const dir = path.join(os.tmpdir(), `archpin-bench-graph-${projects}`);
const started = performance.now();
generate(dir);
console.log(`tree: ${projects} projects in ${dir} (generated or reused in ${((performance.now() - started) / 1000).toFixed(1)} s)`);

const runs = [];
for (let i = 0; i < 3; i++) {
  // Wall time around the whole process; its peak RSS from the preload (no `time` binary needed).
  const start = performance.now();
  const result = spawnSync(process.execPath, ['--require', path.join(root, 'bench/process-usage.cjs'), bin, 'graph', dir, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = (performance.now() - start) / 1000;
  if (result.status !== 0) throw new Error(`archpin graph exited ${result.status}: ${result.stderr}`);
  const usage = /PROCESS_USAGE (\{.*\})/.exec(result.stderr);
  if (!usage) throw new Error(`archpin graph printed no usage line: ${result.stderr}`);
  const kb = JSON.parse(usage[1]).maxRssKb;
  const graph = JSON.parse(result.stdout);
  runs.push({ seconds, kb, nodes: graph.projects.length, edges: graph.edges.length, order: graph.order.length, problems: graph.problems.length });
}
const best = runs.reduce((a, b) => (a.seconds <= b.seconds ? a : b));
console.log(`graph: ${best.nodes} projects, ${best.edges} edges, ${best.order} in build order, ${best.problems} problems`);
console.log(
  `  wall ${best.seconds.toFixed(2)} s (best of 3; all: ${runs.map((run) => run.seconds.toFixed(2)).join(', ')}), ${(projects / best.seconds).toFixed(0)} projects/s, peak RSS ${(Math.max(...runs.map((run) => run.kb)) / 1024).toFixed(0)} MB`,
);
