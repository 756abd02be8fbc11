/** Values that look like images but that nothing pulls: a template of an updatecli manifest, push destinations given as named values, issue forms. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]);

const WATCH_TEMPLATE = [
  'name: Bump the shop images', // 1
  'scms:', // 2
  '  default:', // 3
  '    kind: github', // 4
  '    spec:', // 5
  '      owner: "{{ .scm.owner }}"', // 6
  '{{- if .scm.folder }}', // 7
  '      directory: "{{ .scm.folder }}"', // 8
  '{{- end }}', // 9
  'sources:', // 10
  '  cart:', // 11
  '    kind: dockerimage', // 12
  '    spec:', // 13
  '      image: "registry.example.test/shop/cart"', // 14
  '      tagfilter: "^2\\\\."', // 15
  '  web:', // 16
  '    kind: dockerdigest', // 17
  '    spec:', // 18
  '      image: registry.example.test/shop/web', // 19
  '      tag: "{{ .web.tag }}"', // 20
  'targets:', // 21
  '  values:', // 22
  '    kind: yaml', // 23
  '    spec:', // 24
  '      file: chart/values.yaml', // 25
  '      key: $.cart.tag', // 26
  '',
].join('\n');

const HELM_LIKE_TEMPLATE = [
  'sources:', // 1
  '{{- range .Values.images }}', // 2
  '  - image: {{ . }}', // 3
  '{{- end }}', // 4
  'worker:', // 5
  '  image: registry.example.test/shop/worker:1.4.0', // 6
  '',
].join('\n');

const BUILD_RUN = [
  'apiVersion: tekton.dev/v1', // 1
  'kind: PipelineRun', // 2
  'metadata:', // 3
  '  name: shop-build', // 4
  'spec:', // 5
  '  params:', // 6
  '  - name: output-image', // 7
  '    value: registry.example.test/shop/cart:pr-build', // 8
  '  - name: IMAGE_DESTINATION', // 9
  '    value: registry.example.test/shop/disk:latest', // 10
  '  - name: pushImage', // 11
  '    value: registry.example.test/shop/web:next', // 12
  '  - name: builder-image', // 13
  '    value: registry.example.test/tools/builder:3.2.0', // 14
  '  pipelineRef:', // 15
  '    name: build', // 16
  '',
].join('\n');

const STEP_RUNS_OUTPUT = [
  'apiVersion: tekton.dev/v1', // 1
  'kind: Task', // 2
  'metadata:', // 3
  '  name: check', // 4
  'spec:', // 5
  '  params:', // 6
  '  - name: output-image', // 7
  '    default: registry.example.test/shop/cart:2.0.1', // 8
  '  steps:', // 9
  '  - name: check', // 10
  '    image: $(params.output-image)', // 11
  '',
].join('\n');

const OPERATOR = [
  'apiVersion: apps/v1', // 1
  'kind: Deployment', // 2
  'metadata:', // 3
  '  name: builder-operator', // 4
  'spec:', // 5
  '  template:', // 6
  '    spec:', // 7
  '      containers:', // 8
  '      - name: manager', // 9
  '        image: registry.example.test/ops/manager:0.9.1', // 10
  '        env:', // 11
  '        - name: OUTPUT_IMAGE', // 12
  '          value: registry.example.test/shop/bundle:latest', // 13
  '        - name: RELATED_IMAGE_AGENT', // 14
  '          value: registry.example.test/ops/agent:0.9.1', // 15
  '',
].join('\n');

const ISSUE_FORM = [
  'name: Bug report', // 1
  'description: Something does not work', // 2
  'body:', // 3
  '  - type: textarea', // 4
  '    id: manifest', // 5
  '    attributes:', // 6
  '      label: Manifest', // 7
  '      placeholder: |', // 8
  '        containers:', // 9
  '          - name: web', // 10
  '            image: registry.example.test/shop/web:1.0.0', // 11
  '      value: |', // 12
  '        image: registry.example.test/shop/cart:2.0.0', // 13
  '',
].join('\n');

describe('an updatecli manifest written as a template names images to watch', () => {
  it('nothing in it is reported, as in a manifest that parses', () => {
    expect(scan({ 'updatecli/updatecli.d/shop.yaml': WATCH_TEMPLATE })).toEqual([]);
  });

  it('a template that is not YAML without its action lines is still read line by line', () => {
    expect(scan({ 'deploy/images.yaml': HELM_LIKE_TEMPLATE })).toEqual([['deploy/images.yaml', 6, 'registry.example.test/shop/worker:1.4.0', null]]);
  });
});

describe('a named value that says where something is pushed is not an image to pull', () => {
  it('run parameters named output, destination or push are left out; other image parameters stay', () => {
    expect(scan({ '.tekton/shop-build.yaml': BUILD_RUN })).toEqual([['.tekton/shop-build.yaml', 14, 'registry.example.test/tools/builder:3.2.0', null]]);
  });

  it('a parameter that a step runs as its image is an image whatever its name', () => {
    expect(scan({ 'tasks/check.yaml': STEP_RUNS_OUTPUT })).toEqual([['tasks/check.yaml', 8, 'registry.example.test/shop/cart:2.0.1', null]]);
  });

  it('an environment variable named for an output is left out; one naming an image the operator runs stays', () => {
    expect(scan({ 'config/manager.yaml': OPERATOR })).toEqual([
      ['config/manager.yaml', 10, 'registry.example.test/ops/manager:0.9.1', null],
      ['config/manager.yaml', 15, 'registry.example.test/ops/agent:0.9.1', null],
    ]);
  });

  it('the same names are read the same way in a manifest read line by line', () => {
    const broken = BUILD_RUN.replace('    name: build', '    name: {{PIPELINE}}');
    expect(scan({ 'samples/shop-build.yaml': broken })).toEqual([['samples/shop-build.yaml', 14, 'registry.example.test/tools/builder:3.2.0', null]]);
  });
});

describe('issue and discussion forms are text for whoever reports', () => {
  it('an example in a form field is not read; the same text elsewhere is', () => {
    expect(
      scan({
        '.github/ISSUE_TEMPLATE/bug_report.yml': ISSUE_FORM,
        '.gitea/ISSUE_TEMPLATE/bug.yaml': ISSUE_FORM,
        '.github/DISCUSSION_TEMPLATE/ideas.yml': ISSUE_FORM,
        'docs/examples/form.yml': ISSUE_FORM,
      }),
    ).toEqual([
      ['docs/examples/form.yml', 11, 'registry.example.test/shop/web:1.0.0', null],
      ['docs/examples/form.yml', 13, 'registry.example.test/shop/cart:2.0.0', null],
    ]);
  });
});
