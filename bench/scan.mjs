#!/usr/bin/env node
// Whole-process benchmark of `archpin scan` over generated trees.
// Usage: npm run bench:scan   (builds, generates trees under the OS temp dir, prints figures)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin/archpin.js');
const peakRss = path.join(root, 'bench/peak-rss.cjs');

let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (list) => list[Math.floor(random() * list.length)];
const images = ['nginx:1.25.3', 'docker:27.0.3-dind', 'postgres:16.2-alpine', 'ghcr.io/acme/api:2.4.1', 'registry.example.com:5000/team/worker:0.9.12', 'redis:7.2.4@sha256:' + 'ab'.repeat(32), 'quay.io/prometheus/node-exporter:v1.7.0'];
const noise = (lines) => Array.from({ length: lines }, (_, i) => `# line ${i} ${'lorem ipsum dolor sit amet '.repeat(2)}`).join('\n');

const generators = {
  deployment: (i) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${i}\n  labels: {app: app-${i}}\nspec:\n  replicas: 2\n  template:\n    spec:\n      initContainers:\n        - name: init\n          image: ${pick(images)}\n      containers:\n        - name: app\n          image: "${pick(images)}"\n          env:\n${Array.from({ length: 30 }, (_, k) => `            - name: VAR_${k}\n              value: "value-${k}"`).join('\n')}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: app-${i}\nspec:\n  ports: [{port: 80}]\n`,
  values: (i) => `replicaCount: 1\nimage:\n  repository: ghcr.io/acme/service-${i}\n  tag: "1.${i % 20}.0"\n  pullPolicy: IfNotPresent\n${noise(60).replace(/^# /gm, '# ')}\nresources: {}\n`,
  gitlab: () => `variables:\n  DOCKER_VERSION: "27.0.3"\nstages: [build, test]\nbuild:\n  stage: build\n  image: docker:\${DOCKER_VERSION}\n  services:\n    - docker:\${DOCKER_VERSION}-dind\n  script:\n    - docker build .\ntest:\n  image: ${pick(images)}\n  script: [make test]\n`,
  dockerfile: () => `ARG BASE=${pick(images)}\nFROM \${BASE} AS build\nRUN make\nFROM ${pick(images)}\nCOPY --from=build /out /out\n${noise(20)}\n`,
  puppet: (i) => `class profile::app${i} (\n  String $image = '${pick(images)}',\n) {\n  docker::run { 'app${i}':\n    image => '${pick(images)}',\n    ports => ['80:80'],\n  }\n}\n${noise(30)}\n`,
  nomad: (i) => `job "app${i}" {\n  group "g" {\n    task "t" {\n      driver = "docker"\n      config {\n        image = "${pick(images)}"\n      }\n    }\n  }\n}\n`,
  compose: () => `services:\n  web:\n    image: ${pick(images)}\n  db:\n    image: postgres:16.2\n`,
  plainYaml: (i) => `name: config-${i}\nsettings:\n${Array.from({ length: 80 }, (_, k) => `  key${k}: value ${k}`).join('\n')}\n`,
  code: (i) => `export function f${i}(x) {\n${Array.from({ length: 120 }, (_, k) => `  x = x + ${k}; // ${'x'.repeat(20)}`).join('\n')}\n  return x;\n}\n`,
  markdown: (i) => `# Doc ${i}\n\n${noise(100)}\n`,
};

function generate(dir, count, mix) {
  if (existsSync(path.join(dir, '.complete'))) return;
  rmSync(dir, { recursive: true, force: true });
  for (let i = 0; i < count; i++) {
    const kind = pick(mix);
    const sub = path.join(dir, `team${i % 40}`, `svc${i % 300}`);
    mkdirSync(sub, { recursive: true });
    const name = {
      deployment: `deploy-${i}.yaml`, values: `values-${i}.yaml`, gitlab: i % 2 ? '.gitlab-ci.yml' : `ci-${i}.gitlab-ci.yml`,
      dockerfile: `Dockerfile.${i}`, puppet: `m${i}.pp`, nomad: `job${i}.nomad`, compose: `docker-compose.${i}.yml`,
      plainYaml: `config-${i}.yaml`, code: `f${i}.js`, markdown: `doc${i}.md`,
    }[kind];
    writeFileSync(path.join(sub, name), generators[kind](i));
  }
  writeFileSync(path.join(dir, '.complete'), '');
}

function treeStats(dir) {
  let files = 0, bytes = 0;
  const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else if (e.isFile()) { files++; bytes += statSync(p).size; } } };
  walk(dir);
  return { files, bytes };
}

function measure(label, dir) {
  const { files, bytes } = treeStats(dir);
  const runs = [];
  for (let r = 0; r < 3; r++) {
    // Wall time around the whole process; peak RSS from the process itself (bench/peak-rss.cjs,
    // preloaded, prints process.resourceUsage().maxRSS at exit), so no `time` binary is needed.
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, ['-r', peakRss, bin, 'scan', dir, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const kb = Number(/PEAK_RSS_KB (\d+)/.exec(result.stderr)?.[1]);
    if (!Number.isFinite(kb)) throw new Error(`no peak RSS from the scan: ${result.stderr.slice(0, 500)}`);
    const references = JSON.parse(result.stdout).references.length;
    runs.push({ seconds, kb, references });
  }
  runs.sort((a, b) => a.seconds - b.seconds);
  const best = runs[0];
  const mb = bytes / 1e6;
  console.log(`${label}: ${files} files, ${mb.toFixed(1)} MB, ${best.references} references`);
  console.log(`  wall ${best.seconds.toFixed(2)} s (best of 3; all: ${runs.map((r) => r.seconds.toFixed(2)).join(', ')}), ${(files / best.seconds).toFixed(0)} files/s, ${(mb / best.seconds).toFixed(1)} MB/s, peak RSS ${(Math.max(...runs.map((r) => r.kb)) / 1024).toFixed(0)} MB`);
}

const base = path.join(os.tmpdir(), 'archpin-bench-scan');
const allKinds = ['deployment', 'values', 'gitlab', 'dockerfile', 'puppet', 'nomad', 'compose', 'plainYaml', 'plainYaml', 'code', 'code', 'code', 'code', 'code', 'markdown', 'markdown', 'markdown', 'markdown'];
generate(path.join(base, 'large-20000'), 20000, allKinds);
// A realistic 400-file, ~5 MB repository: manifests, values, CI, Dockerfiles, Puppet, plus two
// operator bundles (CRDs with large schemas, then the operator's Deployment), the way they ship.
generate(path.join(base, 'small-400'), 398, ['deployment', 'values', 'gitlab', 'dockerfile', 'puppet', 'plainYaml', 'plainYaml']);
const crd = (i) => `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets${i}.example.com\nspec:\n  group: example.com\n  names: {kind: Widget${i}, plural: widgets${i}}\n  versions:\n    - name: v1\n      schema:\n        openAPIV3Schema:\n          type: object\n          properties:\n${Array.from({ length: 120 }, (_, k) => `            field${k}:\n              description: The image pull policy or container image for component ${k} of the widget.\n              type: string`).join('\n')}\n`;
for (const name of ['operator-a.yaml', 'operator-b.yaml']) {
  const file = path.join(base, 'small-400', name);
  if (!existsSync(file)) writeFileSync(file, [...Array.from({ length: 125 }, (_, i) => crd(i)), generators.deployment(0)].join('---\n'));
}
// The worst case, on its own: 2,500 Deployments in one 3.7 MB file, every document holding images.
const worst = path.join(base, 'worst-case');
mkdirSync(worst, { recursive: true });
if (!existsSync(path.join(worst, 'all-deployments.yaml'))) writeFileSync(path.join(worst, 'all-deployments.yaml'), Array.from({ length: 2500 }, (_, i) => generators.deployment(i)).join('---\n'));
// Real-shaped trees (generated, in our own words): a Helm chart repository with templates, a large
// Puppet control repository with Hiera data, a GitLab CI monorepo that includes its CI files.
const write = (file, text) => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
};
function generateOnce(dir, build) {
  if (existsSync(path.join(dir, '.complete'))) return;
  rmSync(dir, { recursive: true, force: true });
  build(dir);
  writeFileSync(path.join(dir, '.complete'), '');
}
const docComments = (n, what) => Array.from({ length: n }, (_, k) => `## @param ${what}.option${k} Option ${k} of the ${what}: how it is set and what it changes`).join('\n');
generateOnce(path.join(base, 'helm-charts'), (dir) => {
  for (let c = 0; c < 160; c++) {
    const chart = path.join(dir, 'charts', `app${c}`);
    write(path.join(chart, 'Chart.yaml'), `apiVersion: v2\nname: app${c}\nversion: 1.${c}.0\ndependencies:\n  - name: common\n    repository: oci://registry.example.com/charts\n    version: 2.x.x\n`);
    write(path.join(chart, 'values.yaml'), `${docComments(40, 'image')}\nimage:\n  registry: docker.io\n  repository: acme/app${c}\n  tag: 3.${c % 9}.1-debian-12-r${c}\n  pullPolicy: IfNotPresent\nmetrics:\n  image:\n    registry: docker.io\n    repository: acme/exporter\n    tag: 0.${c % 30}.0\nconfiguration: |\n  {{- if .Values.metrics.enabled }}\n  metrics_port: {{ .Values.metrics.port }}\n  {{- end }}\n${docComments(200, 'app')}\n${Array.from({ length: 200 }, (_, k) => `option${k}: ${k}`).join('\n')}\n`);
    for (const kind of ['deployment', 'statefulset', 'cronjob', 'job-migrate', 'daemonset-agent']) {
      write(path.join(chart, 'templates', `${kind}.yaml`), `{{- if .Values.${kind.replace(/-/g, '')}.enabled }}\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include "common.names.fullname" . }}\n  labels: {{- include "common.labels.standard" . | nindent 4 }}\nspec:\n  replicas: {{ .Values.replicaCount }}\n  template:\n    spec:\n      {{- include "app.imagePullSecrets" . | nindent 6 }}\n      containers:\n        - name: app\n          image: {{ include "app.image" . }}\n          env:\n${Array.from({ length: 60 }, (_, k) => `            - name: SETTING_${k}\n              value: {{ .Values.settings.s${k} | quote }}`).join('\n')}\n          {{- if .Values.resources }}\n          resources: {{- toYaml .Values.resources | nindent 12 }}\n          {{- end }}\n{{- end }}\n`);
    }
    for (const kind of ['service', 'configmap', 'ingress', 'serviceaccount', 'pdb', 'networkpolicy', 'hpa', 'role', 'rolebinding']) {
      write(path.join(chart, 'templates', `${kind}.yaml`), `apiVersion: v1\nkind: ${kind}\nmetadata:\n  name: {{ template "common.names.fullname" . }}\n  namespace: {{ .Release.Namespace | quote }}\n{{- with .Values.${kind}.annotations }}\n  annotations: {{- toYaml . | nindent 4 }}\n{{- end }}\nspec:\n${Array.from({ length: 40 }, (_, k) => `  key${k}: {{ .Values.${kind}.key${k} }}`).join('\n')}\n`);
    }
    write(path.join(chart, 'templates', '_helpers.tpl'), `{{- define "app.image" -}}\n{{ include "common.images.image" (dict "imageRoot" .Values.image "global" .Values.global) }}\n{{- end -}}\n`);
    write(path.join(chart, 'README.md'), `# app${c}\n\n${docComments(80, 'readme')}\n`);
  }
});
generateOnce(path.join(base, 'puppet-control'), (dir) => {
  for (let m = 0; m < 300; m++) {
    for (let k = 0; k < 10; k++) {
      const withImage = k === 0;
      write(path.join(dir, 'site', `profile${m}`, 'manifests', `part${k}.pp`), `# @summary Part ${k} of profile ${m}\nclass profile${m}::part${k} (\n  String $version = '2.${m % 17}.${k}',\n  String $ensure = 'present',\n${withImage ? `  String $image = 'registry.example.com/ops/service${m}',\n` : ''}) {\n${withImage ? `  docker::run { 'service${m}':\n    image   => "\${image}:\${version}",\n    ports   => ['8080:8080'],\n    env     => ['MODE=production'],\n  }\n` : ''}  file { '/etc/profile${m}/part${k}.conf':\n    ensure  => file,\n    content => template('profile${m}/part${k}.conf.erb'),\n  }\n${Array.from({ length: 30 }, (_, j) => `  package { 'pkg${m}-${k}-${j}': ensure => $ensure }`).join('\n')}\n}\n`);
    }
    write(path.join(dir, 'data', 'roles', `role${m}.yaml`), `---\nprofile${m}::part0::version: '2.${m % 17}.4'\nprofile${m}::part0::image: 'registry.example.com/ops/service${m}'\nprofile${m}::monitoring::exporter_image: 'prom/node-exporter:v1.${m % 9}.0'\n${Array.from({ length: 60 }, (_, j) => `profile${m}::setting${j}: value${j}`).join('\n')}\n`);
    write(path.join(dir, 'data', 'nodes', `node${m}.example.com.yaml`), `---\nclasses:\n  - role::role${m}\n${Array.from({ length: 20 }, (_, j) => `profile${m}::node_setting${j}: ${j}`).join('\n')}\n`);
  }
  write(path.join(dir, 'hiera.yaml'), `---\nversion: 5\nhierarchy:\n  - name: nodes\n    path: nodes/%{trusted.certname}.yaml\n  - name: roles\n    glob: roles/*.yaml\n`);
});
generateOnce(path.join(base, 'gitlab-monorepo'), (dir) => {
  const services = 250;
  write(path.join(dir, '.gitlab-ci.yml'), `include:\n  - local: ci/variables.yml\n  - local: ci/templates/*.yml\n${Array.from({ length: services }, (_, s) => `  - local: services/svc${s}/ci.yml`).join('\n')}\nstages: [build, test, deploy]\ndefault:\n  image: ruby:\${RUBY_VERSION}-alpine\n`);
  write(path.join(dir, 'ci', 'variables.yml'), `variables:\n  RUBY_VERSION: "3.3.6"\n  GO_VERSION: "1.23.3"\n  DOCKER_VERSION: "27.3.1"\n  MIRROR: registry.example.com/mirror\n  BUILDER: "\${MIRROR}/builder:2024.11"\n`);
  for (const t of ['build', 'test', 'deploy', 'lint']) write(path.join(dir, 'ci', 'templates', `${t}.yml`), `.${t}:\n  stage: ${t === 'lint' ? 'test' : t}\n  image: golang:\${GO_VERSION}\n  services:\n    - name: docker:\${DOCKER_VERSION}-dind\n      alias: docker\n  script:\n    - make ${t}\n`);
  for (let s = 0; s < services; s++) {
    write(path.join(dir, 'services', `svc${s}`, 'ci.yml'), `svc${s}:build:\n  extends: .build\n  variables:\n    SERVICE: svc${s}\nsvc${s}:test:\n  extends: .test\n  image: \${BUILDER}\nsvc${s}:deploy:\n  extends: .deploy\n  image: alpine/helm:3.16.${s % 4}\n`);
    write(path.join(dir, 'services', `svc${s}`, 'Dockerfile'), `# syntax=docker/dockerfile:1.11\nARG GO_VERSION=1.23.3\nFROM golang:\${GO_VERSION} AS build\nRUN go build ./...\nFROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /out /app\n`);
    for (let f = 0; f < 12; f++) write(path.join(dir, 'services', `svc${s}`, 'src', `f${f}.go`), `package svc${s}\n\n${Array.from({ length: 80 }, (_, k) => `// line ${k} of a source file that the scan never reads`).join('\n')}\n`);
  }
});

// A GitOps repository of rendered manifests written as JSON, one object per file, as `kubectl … -o json` or a
// jsonnet/CUE export leaves them: 250 CustomResourceDefinitions with large schemas beside 250 Deployments.
generateOnce(path.join(base, 'gitops-json'), (dir) => {
  const schema = (k) => ({ type: 'object', description: `Settings of component ${k}: the image it runs, its pull policy and its resources.`, properties: Object.fromEntries(Array.from({ length: 40 }, (_, f) => [`field${f}`, { type: 'string', description: `Field ${f} of component ${k}.` }])) });
  for (let i = 0; i < 250; i++) {
    const definition = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `gadgets${i}.example.com` },
      spec: { group: 'example.com', names: { kind: `Gadget${i}`, plural: `gadgets${i}` }, versions: [{ name: 'v1', schema: { openAPIV3Schema: { type: 'object', properties: Object.fromEntries(Array.from({ length: 30 }, (_, k) => [`component${k}`, schema(k)])) } } }] },
    };
    write(path.join(dir, 'manifests', `app${i % 25}`, `customresourcedefinition-gadgets${i}.json`), JSON.stringify(definition, null, 2));
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `app-${i}` }, spec: { template: { spec: { containers: [{ name: 'app', image: pick(images), env: Array.from({ length: 20 }, (_, k) => ({ name: `VAR_${k}`, value: `value-${k}` })) }] } } } };
    write(path.join(dir, 'manifests', `app${i % 25}`, `deployment-app-${i}.json`), JSON.stringify(deployment, null, 2));
  }
});

execFileSync(process.execPath, [bin, '--version']);
measure('20,000-file tree', path.join(base, 'large-20000'));
measure('400-file tree', path.join(base, 'small-400'));
measure('worst case (one file, 2,500 Deployments)', worst);
measure('Helm chart repository (160 charts, templates)', path.join(base, 'helm-charts'));
measure('Puppet control repository (3,000 manifests, Hiera data)', path.join(base, 'puppet-control'));
measure('GitLab CI monorepo (250 services, include: local)', path.join(base, 'gitlab-monorepo'));
measure('GitOps JSON manifests (250 CRDs, 250 Deployments)', path.join(base, 'gitops-json'));
// Trees of your own (e.g. whole public repositories checked out by hand), measured the same way:
//   ARCHPIN_BENCH_TREES=/path/one:/path/two npm run bench:scan
for (const extra of (process.env.ARCHPIN_BENCH_TREES ?? '').split(':').filter(Boolean)) measure(path.basename(extra), extra);
