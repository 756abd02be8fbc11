import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../../src/core/source-file.js';
import { EMPTY_CONTEXT } from '../../../src/scan/extractor.js';
import { kubernetesExtractor } from '../../../src/scan/extractors/kubernetes/kubernetes.js';
import { project, readExpected, scanFixtures } from './yaml-image-fixtures.js';

const ROOT = new URL('../../../fixtures/kubernetes/', import.meta.url).pathname;

function run(path: string, text: string) {
  const file = sourceFile(path, Buffer.from(text, 'utf8'));
  return {
    claims: kubernetesExtractor.claims(file, EMPTY_CONTEXT),
    ...kubernetesExtractor.extract(file, EMPTY_CONTEXT),
  };
}

describe('kubernetes extractor', () => {
  it('matches the fixtures', () => {
    const scanned = scanFixtures(ROOT);
    const expected = readExpected(ROOT);
    expect(scanned.references).toEqual(expected.references);
    expect(scanned.problems).toEqual(expected.problems);
  });

  it('claims the fixture manifests, including CRDs and the broken Helm template', () => {
    const { claimedBy } = scanFixtures(ROOT);
    expect(
      Object.entries(claimedBy)
        .filter(([, name]) => name !== 'kubernetes')
        .map(([path]) => path),
    ).toEqual([]);
    expect(Object.keys(claimedBy)).toHaveLength(18);
  });

  it('does not claim YAML without apiVersion and kind, or files that are neither YAML nor JSON', () => {
    expect(run('values.yaml', 'image:\n  repository: nginx\n  tag: 1.25.3\n').claims).toBe(false);
    expect(run('Chart.yaml', 'apiVersion: v2\nname: shop\nversion: 1.0.0\n').claims).toBe(false);
    expect(run('pod.txt', 'apiVersion: v1\nkind: Pod\n').claims).toBe(false);
    expect(run('pod.YML', 'apiVersion: v1\nkind: Pod\n').claims).toBe(true);
    // A Kubernetes object in JSON is claimed (JSON is YAML); a tool manifest of the same shape is not read at all.
    expect(run('pod.json', '{"apiVersion": "v1", "kind": "Pod"}').claims).toBe(true);
    expect(run('package.json', '{"apiVersion": "v1", "kind": "Pod"}').claims).toBe(false);
  });

  it('claims a file whose second document is the manifest', () => {
    expect(run('mixed.yaml', '# notes\nfoo: bar\n---\napiVersion: v1\nkind: Pod\n').claims).toBe(true);
  });

  it('skips a CustomResourceDefinition inside a List', () => {
    const text = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- apiVersion: apiextensions.k8s.io/v1',
      '  kind: CustomResourceDefinition',
      '  spec: {image: {type: string, default: "nginx:1.0"}}',
      '- apiVersion: v1',
      '  kind: Pod',
      '  spec: {containers: [{name: a, image: "nginx:1.27.0"}]}',
      '',
    ].join('\n');
    expect(run('list.yaml', text).references.map(project)).toEqual([
      { line: 9, column: 41, value: 'nginx:1.27.0', kind: 'kubernetes-container', skip: null, image: 'docker.io/library/nginx:1.27.0', spans: [['reference', 'nginx:1.27.0', 9, 41]] },
    ]);
  });

  it('claims a file that is one CustomResourceDefinition and reads nothing in it; a definition beside other documents is read as before', () => {
    const definition = [
      'apiVersion: apiextensions.k8s.io/v1',
      'kind: CustomResourceDefinition',
      'metadata: {name: gadgets.example.com}',
      'spec:',
      '  versions:',
      '  - name: v1',
      '    schema:',
      '      openAPIV3Schema:',
      '        properties:',
      '          image: {type: string, default: "nginx:1.0"}',
      '',
    ].join('\n');
    const pod = 'apiVersion: v1\nkind: Pod\nspec: {containers: [{name: a, image: "nginx:1.27.0"}]}\n';
    for (const text of [definition, `# generated\n---\n${definition}`]) expect([run('crd.yaml', text).claims, run('crd.yaml', text).references]).toEqual([true, []]);
    const both = run('bundle.yaml', `${definition}---\n${pod}`);
    expect([both.claims, both.references.map((reference) => [reference.line, reference.value])]).toEqual([true, [[14, 'nginx:1.27.0']]]);
  });

  it('reports an invalid image string but not numbers, booleans or URLs', () => {
    const text = 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: Nginx:Latest\n  - image: 3\n  - image: false\n  - image: https://example.com/x\n';
    expect(run('pod.yaml', text).references.map(project)).toEqual([
      { line: 5, column: 12, value: 'Nginx:Latest', kind: 'kubernetes-container', skip: 'invalid-reference', image: null, spans: [['reference', 'Nginx:Latest', 5, 12]] },
    ]);
  });

  it('records byte offsets after a BOM and across multi-byte characters', () => {
    const text = '\ufeffapiVersion: v1\r\nkind: Pod\r\nmetadata: {name: "é"}\r\nspec: {containers: [{name: "é", image: nginx:1.27.0}]}\r\n';
    const bytes = Buffer.from(text, 'utf8');
    const [reference] = kubernetesExtractor.extract(sourceFile('pod.yaml', bytes), EMPTY_CONTEXT).references;
    const span = reference!.spans[0]!;
    expect([reference!.line, reference!.column]).toEqual([4, 40]);
    expect(bytes.subarray(span.start, span.end).toString('utf8')).toBe('nginx:1.27.0');
  });

  it('survives an alias bomb without expanding it', () => {
    const lines = ['apiVersion: v1', 'kind: ConfigMap', 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 30; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    lines.push('spec: {image: "busybox:1.36.1"}', '');
    const result = run('bomb.yaml', lines.join('\n'));
    expect(result.references.map((reference) => reference.value)).toEqual(['busybox:1.36.1']);
    expect(result.problems).toEqual([]);
  });

  it('reads a broken Helm template line by line without reporting a parse problem', () => {
    const text =
      'apiVersion: v1\nkind: Pod\n{{- with .Values.pod }}\nmetadata:\n  annotations:\n    notes: |\n      image: example/notes:1.0\n\n      {{ .notes }}\nspec:\n  containers:\n    - image: "example/app:{{ .tag }}"\n      name: app\n    - name: side\n      image: "nginx:1.27\\u002e0"\n  sidecarImage: nginx:1.27.0 # comment\n{{- end }}\n';
    const result = run('templates/pod.yaml', text);
    expect(result.claims).toBe(true);
    expect(result.problems).toEqual([]);
    expect(result.references.map(project)).toEqual([
      { line: 12, column: 15, value: 'example/app:{{ .tag }}', kind: 'kubernetes-container', skip: 'templated', image: null, spans: [['reference', 'example/app:{{ .tag }}', 12, 15]] },
      {
        line: 15,
        column: 15,
        value: 'nginx:1.27.0',
        kind: 'kubernetes-container',
        skip: 'unsupported-quoting',
        image: 'docker.io/library/nginx:1.27.0',
        spans: [['reference', 'nginx:1.27\\u002e0', 15, 15]],
      },
      { line: 16, column: 17, value: 'nginx:1.27.0', kind: 'kubernetes-image', skip: null, image: 'docker.io/library/nginx:1.27.0', spans: [['reference', 'nginx:1.27.0', 16, 17]] },
    ]);
  });

  it('reads the default of a Tekton parameter that a step runs as its image, whatever the parameter is called', () => {
    const task = [
      'apiVersion: tekton.dev/v1',
      'kind: Task',
      'metadata:',
      '  name: fetch',
      'spec:',
      '  params:',
      '    - name: fetcher',
      '      default: "registry.example.test/tools/fetch:2.4.1"',
      '    - name: runtime',
      '      default: node',
      '    - name: flags',
      '      default: "--quiet"',
      '    - name: unused',
      '      default: busybox',
      '    - name: checker',
      '      description: given by each run',
      '  steps:',
      '    - name: get',
      '      image: $(params.fetcher)',
      '    - name: build',
      '      image: "$(params.runtime)"',
      '    - name: check',
      '      image: $(params.checker)',
      '  sidecars:',
      '    - name: cache',
      '      image: $(inputs.params.fetcher)',
      '',
    ].join('\n');
    // The defaults are the images, reported and updated where they are written; a use passes its default on, and
    // only the use of a parameter without a default (a run must give it) is left, templated.
    expect(run('tasks/fetch.yaml', task).references.map((r) => [r.line, r.value, r.skip])).toEqual([
      [8, 'registry.example.test/tools/fetch:2.4.1', null],
      [10, 'node', 'no-tag'],
      [23, '$(params.checker)', 'templated'],
    ]);
    // Outside Tekton, a parameter is only an image when its name says so, and the uses stay.
    const other = task.replace('tekton.dev/v1', 'example.test/v1');
    expect(run('tasks/other.yaml', other).references.map((r) => [r.line, r.value])).toEqual([
      [19, '$(params.fetcher)'],
      [21, '$(params.runtime)'],
      [23, '$(params.checker)'],
      [26, '$(inputs.params.fetcher)'],
    ]);
  });

  it('a value that a PipelineRun gives a parameter its embedded steps run as their image is the image; the uses pass it on', () => {
    const pipelineRun = [
      'apiVersion: tekton.dev/v1', // 1
      'kind: PipelineRun', // 2
      'metadata:', // 3
      '  name: checks', // 4
      'spec:', // 5
      '  params:', // 6
      '    - name: runner', // 7
      '      value: "registry.example.test/ci/runner:1.8.1@sha256:' + 'd'.repeat(64) + '"', // 8
      '    - name: revision', // 9
      '      value: main', // 10
      '  pipelineSpec:', // 11
      '    tasks:', // 12
      '      - name: lint', // 13
      '        taskSpec:', // 14
      '          steps:', // 15
      '            - name: lint', // 16
      '              image: $(params.runner)', // 17
      '            - name: report', // 18
      '              image: "$(params.reporter)"', // 19
      '      - name: unit', // 20
      '        taskSpec:', // 21
      '          steps:', // 22
      '            - name: unit', // 23
      '              image: $(params.runner)', // 24
      '',
    ].join('\n');
    expect(run('.tekton/checks.yaml', pipelineRun).references.map((r) => [r.line, r.value, r.skip])).toEqual([
      [8, `registry.example.test/ci/runner:1.8.1@sha256:${'d'.repeat(64)}`, null],
      [19, '$(params.reporter)', 'templated'],
    ]);
  });

  it('reads the buildpacks builder of a Skaffold artifact, in profiles too', () => {
    const config = [
      'apiVersion: skaffold/v4beta11',
      'kind: Config',
      'build:',
      '  artifacts:',
      '    - image: web-app',
      '      buildpacks:',
      '        builder: registry.example.test/buildpacks/builder:v2',
      '        runImage: registry.example.test/buildpacks/run:v2',
      'profiles:',
      '  - name: ci',
      '    build:',
      '      artifacts:',
      '        - image: web-app',
      '          buildpacks:',
      '            builder: "registry.example.test/buildpacks/builder:v3"',
      '',
    ].join('\n');
    expect(run('skaffold.yaml', config).references.map((r) => [r.line, r.column, r.value, r.skip])).toEqual([
      [7, 18, 'registry.example.test/buildpacks/builder:v2', null],
      [8, 19, 'registry.example.test/buildpacks/run:v2', null],
      [15, 23, 'registry.example.test/buildpacks/builder:v3', null],
    ]);
  });

  it('does not take a Compute Engine disk image for a container image', () => {
    const vm = [
      'apiVersion: compute.example.test/v1',
      'kind: Instance',
      'spec:',
      '  sourceImage: projects/debian-cloud/global/images/family/debian-12',
      '  agentImage: registry.example.test/agent:1.0',
      '',
    ].join('\n');
    expect(run('vm.yaml', vm).references.map((r) => [r.line, r.value])).toEqual([[5, 'registry.example.test/agent:1.0']]);
  });
});
