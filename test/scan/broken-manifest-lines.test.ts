import { describe, expect, it } from 'vitest';
import { dependenciesOf, type Proposal } from '../../src/core/dependency.js';
import { sourceFile } from '../../src/core/source-file.js';
import { scanSources, verifyEdits } from '../../src/pipeline/pipeline.js';
import { planUpdates } from '../../src/plan/plan-updates.js';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.column, reference.value, reference.kind, reference.skip]);

/** A run sample with values to fill in before applying it: `{{REPO_URL}}` makes it no YAML at all. */
const sample = [
  'apiVersion: tekton.dev/v1',
  'kind: PipelineRun',
  'metadata:',
  '  name: audit-run',
  'spec:',
  '  pipelineRef:',
  '    name: audit',
  '  params:',
  '    # Fill in before applying.',
  '    - name: repo-url',
  '      value: {{REPO_URL}}',
  '    - name: scanner-image',
  '      value: registry.example.test/audit/scanner:2.3.1 # the scanner build',
  '    - name: runtime-image',
  "      value: 'python:3.12-slim'",
  '    - name: report-image',
  '      value: {{REPORT_IMAGE}}',
  '    - value: node:22-alpine',
  '      name: node-image',
  '    - name: fail-on-image-drift',
  '      value: false',
  '    - name: base-image',
  '      value: debian',
  '',
].join('\n');

describe('named values of a manifest that is no YAML until its placeholders are filled in', () => {
  it('reports the image parameters written in full, on their own lines, and no parse problem', () => {
    const result = scanTexts({ 'task/audit/samples/run.yaml': sample });
    expect(result.references.map((reference) => [reference.line, reference.column, reference.value, reference.skip])).toEqual([
      [13, 14, 'registry.example.test/audit/scanner:2.3.1', null],
      [15, 15, 'python:3.12-slim', null],
      [18, 14, 'node:22-alpine', null],
    ]);
    expect(result.problems).toEqual([]);
  });

  it('edits only the literal text: the spans hold exactly the value (CRLF kept)', () => {
    const text = sample.replaceAll('\n', '\r\n');
    const references = scanTexts({ 'run.yaml': text }).references;
    expect(references.map((reference) => reference.spans.map((span) => [span.text, text.slice(span.start, span.end), span.quote ?? null]))).toEqual([
      [['registry.example.test/audit/scanner:2.3.1', 'registry.example.test/audit/scanner:2.3.1', null]],
      [['python:3.12-slim', 'python:3.12-slim', "'"]],
      [['node:22-alpine', 'node:22-alpine', null]],
    ]);
  });

  it('a parameter a step runs as its image keeps its default, a bare name too, and its use passes it on; its value from a placeholder is not read', () => {
    const task = [
      'apiVersion: tekton.dev/v1beta1',
      'kind: Task',
      'metadata:',
      '  name: package',
      'spec:',
      '  params:',
      '    - name: toolchain',
      '      default: golang',
      '    - name: target',
      '      default: {{TARGET}}',
      '  steps:',
      '    - name: build',
      '      image: $(params.toolchain)',
      '      script: |',
      '        - name: not-an-image',
      '          value: alpine:3.21',
      '    - name: ship',
      '      image: $(params.target)',
      '',
    ].join('\n');
    // The use of the defaulted parameter passes its default on; the other parameter's default is a placeholder, so its use stays.
    expect(scan({ 'task/package/package.yaml': task })).toEqual([
      ['task/package/package.yaml', 8, 16, 'golang', 'kubernetes-image', 'no-tag'],
      ['task/package/package.yaml', 18, 14, '$(params.target)', 'kubernetes-image', 'templated'],
    ]);
  });
});

describe('YAML in a literal block of a manifest that does not parse', () => {
  /** The outer document breaks on the quotes of `args`; the Job it creates is plain YAML text. */
  const workflow = [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Workflow',
    'metadata:',
    '  annotations:',
    '    note: |',
    '      main: fails without rights to create jobs',
    '      image: this line is prose',
    'spec:',
    '  templates:',
    '  - name: create',
    '    resource:',
    '      manifest: |',
    '        apiVersion: batch/v1',
    '        kind: Job',
    '        spec:',
    '          template:',
    '            spec:',
    '              containers:',
    '              - name: count',
    '                image: python:3.13-alpine',
    '              - name: bare',
    '                image: busybox',
    '  - name: tally',
    '    script:',
    '      image: alpine:3.21',
    '      source: "for i in `seq {{inputs.parameters.n}}`"; do echo; done',
    '      env: |',
    '        image: ghcr.io/example/not-yaml-here:1',
    '        echo done',
    '',
  ].join('\n');

  it('reads the image lines of the manifest body (a bare name as a container image) and none of prose or script blocks', () => {
    expect(scan({ 'examples/jobs.yaml': workflow })).toEqual([
      ['examples/jobs.yaml', 20, 24, 'python:3.13-alpine', 'kubernetes-container', null],
      ['examples/jobs.yaml', 22, 24, 'busybox', 'kubernetes-container', 'no-tag'],
      ['examples/jobs.yaml', 25, 14, 'alpine:3.21', 'kubernetes-image', null],
    ]);
  });

  it('a list item written as a block scalar is text too: a script whose heredoc writes `image: $ref` names no image', () => {
    const daemonSet = [
      'apiVersion: apps/v1',
      'kind: DaemonSet',
      'metadata:',
      '  name: warm-cache',
      'spec:',
      '  template:',
      '    spec:',
      '      initContainers:',
      '      - name: pull-list',
      '        image: {{ .Values.toolsImage | default "registry.example.test/tools/kubectl:1.30.2" }}',
      '        args:',
      '          - |',
      '            for ref in ${refs}; do',
      '            cat - <<EOM',
      '              - name: "warm-${n}"',
      '                image: $ref',
      '                image: registry.example.test/not/read:1.0',
      '              - name: WARM_IMAGE',
      '                value: registry.example.test/not/read:2.0',
      '            EOM',
      '            done',
      '          - >-',
      '            image: registry.example.test/not/read:3.0',
      '          - |',
      '            containers:',
      '              - name: sidecar',
      '                image: registry.example.test/team/sidecar:0.4.0',
      '              - name: bare',
      '                image: bare-name',
      '      - name: notes',
      '        image: registry.example.test/tools/notes:2.2.0',
      '        command: |',
      '          echo start',
      '          - |',
      '            echo nested',
      '          image: registry.example.test/not/read:4.0',
      '      containers:',
      '      - name: idle',
      '        image: registry.example.test/base/pause:3.10',
      '',
    ].join('\n');
    expect(scan({ 'deploy/warm-cache.yaml': daemonSet })).toEqual([
      ['deploy/warm-cache.yaml', 10, 16, '{{ .Values.toolsImage | default "registry.example.test/tools/kubectl:1.30.2" }}', 'kubernetes-container', 'templated'],
      ['deploy/warm-cache.yaml', 27, 24, 'registry.example.test/team/sidecar:0.4.0', 'kubernetes-container', null],
      ['deploy/warm-cache.yaml', 29, 24, 'bare-name', 'kubernetes-container', 'no-tag'],
      ['deploy/warm-cache.yaml', 31, 16, 'registry.example.test/tools/notes:2.2.0', 'kubernetes-container', null],
      ['deploy/warm-cache.yaml', 39, 16, 'registry.example.test/base/pause:3.10', 'kubernetes-container', null],
    ]);
  });

  it('in a document that parses, a manifest body holding {{=…}} expressions is read line by line', () => {
    const template = [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: WorkflowTemplate',
      'metadata:',
      '  name: make-pod',
      'spec:',
      '  templates:',
      '    - name: make',
      '      resource:',
      '        action: create',
      '        manifest: |',
      '          apiVersion: v1',
      '          kind: Pod',
      '          spec:',
      '            containers:',
      "            - name: 'say'",
      '              image: docker/whalesay',
      '              sidecarImage: {{=inputs.parameters.sidecar}}',
      '              ports:',
      '              - containerPort: {{=asInt(inputs.parameters.port)}}',
      '        helper: |',
      '          {{- if .x }}',
      '          image: nginx:1.27',
      '          {{- end }}',
      '',
    ].join('\n');
    expect(scan({ 'test/e2e/make-pod.yaml': template })).toEqual([['test/e2e/make-pod.yaml', 16, 22, 'docker/whalesay', 'kubernetes-container', 'no-tag']]);
  });
});

describe('updates of a placeholder sample and of a buildx driver option', () => {
  const D1 = `sha256:${'1'.repeat(64)}`;
  const proposal = (tag: string): Proposal => ({ tag, digest: D1, updateType: 'minor', platforms: ['linux/amd64'], fromPlatforms: ['linux/amd64'] });
  const files = {
    'samples/run.yaml': sample,
    '.github/workflows/ci.yml':
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@v3\n        with:\n          driver-opts: |\n            network=host\n            image=moby/buildkit:v0.18.2\n',
  };
  const scanned = scanSources(Object.entries(files).map(([name, text]) => sourceFile(name, new Uint8Array(Buffer.from(text)))));

  it('edit exactly the literal characters, placeholders and other lines untouched, verified by a re-scan', () => {
    const byName = new Map(dependenciesOf(scanned.references).map((dependency) => [`${dependency.location.repository}:${dependency.tag}`, dependency]));
    const plan = planUpdates([
      { dependency: byName.get('library/python:3.12-slim')!, update: proposal('3.13-slim'), held: [], error: null },
      { dependency: byName.get('moby/buildkit:v0.18.2')!, update: proposal('v0.19.0'), held: [], error: null },
    ]);
    expect(plan.failures).toEqual([]);
    expect(verifyEdits(plan.fileEdits, scanned).map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([
      ['.github/workflows/ci.yml', files['.github/workflows/ci.yml'].replace('moby/buildkit:v0.18.2', `moby/buildkit:v0.19.0@${D1}`)],
      ['samples/run.yaml', sample.replace("'python:3.12-slim'", `'python:3.13-slim@${D1}'`)],
    ]);
  });
});

describe('a manifest whose indentation is broken, written indented or as list items', () => {
  it('its image lines are read line by line beside the parse problem, wherever apiVersion and kind stand', () => {
    const listed = [
      'items:',
      '  - apiVersion: v1',
      '    kind: Pod',
      '    spec:',
      '      containers:',
      '      - name: cache',
      '        image: registry.example.test/cache:7.2',
      '       command: [serve]',
      '',
    ].join('\n');
    const indented = ['  apiVersion: v1', '  kind: Pod', '  spec:', '    containers:', '    - name: web', '      image: registry.example.test/web:2.0.1', '   extra: [', ''].join('\n');
    const result = scanTexts({ 'deploy/listed.yaml': listed, 'deploy/indented.yaml': indented });
    expect(result.references.map((reference) => [reference.file, reference.line, reference.column, reference.value, reference.kind, reference.skip])).toEqual([
      ['deploy/indented.yaml', 6, 14, 'registry.example.test/web:2.0.1', 'kubernetes-container', null],
      ['deploy/listed.yaml', 7, 16, 'registry.example.test/cache:7.2', 'kubernetes-container', null],
    ]);
    expect(result.problems.map((problem) => [problem.file, problem.line, problem.code])).toEqual([
      ['deploy/indented.yaml', 7, 'parse-error'],
      ['deploy/listed.yaml', 8, 'parse-error'],
    ]);
  });

  it('a broken YAML file that names no apiVersion and kind is not read as a manifest', () => {
    const result = scanTexts({ 'settings.yaml': ['service:', '  image: registry.example.test/web:2.0.1', ' port: [', ''].join('\n') });
    expect(result.references.filter((reference) => reference.kind.startsWith('kubernetes'))).toEqual([]);
  });
});

/** A custom resource whose host is filled in before applying it (`@STORE_HOST@` is no YAML): image names with tag siblings. */
const store = [
  'apiVersion: example.test/v1', // 1
  'kind: Store', // 2
  'metadata:', // 3
  '  name: shop', // 4
  'spec:', // 5
  '  route: @STORE_HOST@', // 6
  '  dbImage: registry.example.test/db', // 7
  '  dbImageTag: "10"', // 8
  '  workers:', // 9
  '  - image: registry.example.test/worker', // 10
  '    name: a', // 11
  '  - name: b', // 12
  '    image: registry.example.test/worker', // 13
  '    image_tag: 2.1', // 14
  '  cacheImage: registry.example.test/cache', // 15
  '  cacheImageTag: "{{ cache_tag }}"', // 16
  '',
].join('\n');

describe('image names completed by a tag sibling in a manifest read line by line', () => {
  it('puts a bare name and the literal tag of its own map together, edited in both places; another item or a templated tag does not complete it', () => {
    const scanned = scanTexts({ 'deploy/store.yaml': store });
    expect(scanned.references.map((reference) => [reference.line, reference.value, reference.skip, reference.spans.map((span) => [span.role, span.line, span.text])])).toEqual([
      [
        7,
        'registry.example.test/db:10',
        null,
        [
          ['repository', 7, 'registry.example.test/db'],
          ['tag', 8, '10'],
        ],
      ],
      [10, 'registry.example.test/worker', 'no-tag', [['reference', 10, 'registry.example.test/worker']]],
      [
        13,
        'registry.example.test/worker:2.1',
        null,
        [
          ['repository', 13, 'registry.example.test/worker'],
          ['tag', 14, '2.1'],
        ],
      ],
      [15, 'registry.example.test/cache', 'no-tag', [['reference', 15, 'registry.example.test/cache']]],
    ]);
    expect(scanned.problems).toEqual([]);
  });
});
