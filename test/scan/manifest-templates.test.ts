/** Kubernetes manifests kept as `.tmpl` / `.tpl` files that a deploy script fills in, and the `__TAG__` placeholders it replaces. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

const job = [
  'apiVersion: batch/v1', // 1
  'kind: Job', // 2
  'metadata:', // 3
  '  name: __JOB_NAME__', // 4
  'spec:', // 5
  '  template:', // 6
  '    spec:', // 7
  '      containers:', // 8
  '        - name: migrate', // 9
  '          image: registry.example.test/team/api:__IMAGE_TAG__', // 10
  '        - name: proxy', // 11
  '          image: registry.example.test/team/proxy:1.4.0', // 12
  '',
].join('\n');

const canary = ['apiVersion: apps/v1', 'kind: Deployment', 'spec:', '  template:', '    spec:', '      containers:', '        - image: registry.example.test/team/api:__IMAGE_TAG__-next', ''].join(
  '\n',
);

const pod = (image: string) => ['apiVersion: v1', 'kind: Pod', 'spec:', '  containers:', `    - image: ${image}`, ''].join('\n');

describe('a Kubernetes manifest kept as a template without .yaml in its name', () => {
  it('is read line by line as a YAML template; a tag between double underscores is templated', () => {
    expect(
      rows({
        'kubernetes/job-production.tmpl': job,
        'kubernetes/canary.tpl': canary,
        'deploy/pod.yaml': pod('registry.example.test/team/web:__WEB_TAG__'),
      }),
    ).toEqual([
      ['deploy/pod.yaml', 5, 'registry.example.test/team/web:__WEB_TAG__', 'kubernetes-container', 'templated'],
      ['kubernetes/canary.tpl', 7, 'registry.example.test/team/api:__IMAGE_TAG__-next', 'yaml-template', 'templated'],
      ['kubernetes/job-production.tmpl', 10, 'registry.example.test/team/api:__IMAGE_TAG__', 'yaml-template', 'templated'],
      ['kubernetes/job-production.tmpl', 12, 'registry.example.test/team/proxy:1.4.0', 'yaml-template', null],
    ]);
  });

  it('is not a template of other text, a Go template library, a helper or a file under templates/', () => {
    expect(
      rows({
        'ops/notes.tmpl': ['image: registry.example.test/team/notes:1.0.0', ''].join('\n'),
        'ops/library.tpl': ['{{ define "pod" }}', pod('registry.example.test/team/lib:1.0.0'), '{{ end }}', ''].join('\n'),
        'ops/_pod.tpl': pod('registry.example.test/team/helper:1.0.0'),
        'deploy/templates/pod.tmpl': pod('registry.example.test/team/chart:1.0.0'),
      }),
    ).toEqual([]);
  });
});

describe("a chart's partial named as YAML", () => {
  const partial = [
    '{{- define "store.volume" }}', // 1
    'apiVersion: apps/v1', // 2
    'kind: Deployment', // 3
    'spec:', // 4
    '  template:', // 5
    '    spec:', // 6
    '      containers:', // 7
    '        - name: volume', // 8
    '          image: {{ required "registry" .Values.global.registry }}/team/volume:{{ .Values.volumeTag | default "stable" }}', // 9
    '        - name: tool', // 10
    '          image: registry.example.test/team/tool:2.0.1', // 11
    '{{- end }}', // 12
    '',
  ].join('\n');

  it("is the chart's, read as its helpers are: a line with a literal part of its own is templated, not dropped as a yaml-template's", () => {
    expect(
      rows({
        'charts/store/Chart.yaml': ['apiVersion: v2', 'name: store', 'version: 1.0.0', ''].join('\n'),
        'charts/store/values.yaml': ['global: {}', ''].join('\n'),
        'charts/store/templates/volumes/_volume-deployment.yaml.tpl': partial,
        'ops/volume-deployment.yaml.tpl': partial,
      }),
    ).toEqual([
      [
        'charts/store/templates/volumes/_volume-deployment.yaml.tpl',
        9,
        '{{ required "registry" .Values.global.registry }}/team/volume:{{ .Values.volumeTag | default "stable" }}',
        'helm-values',
        'templated',
      ],
      ['charts/store/templates/volumes/_volume-deployment.yaml.tpl', 11, 'registry.example.test/team/tool:2.0.1', 'helm-values', null],
      ['ops/volume-deployment.yaml.tpl', 11, 'registry.example.test/team/tool:2.0.1', 'yaml-template', null],
    ]);
  });
});
describe('a tag between double underscores in lower case', () => {
  it('is the same placeholder, as the whole tag or a part of it between - or .: the image is listed templated', () => {
    const compose = [
      'services:', // 1
      '  store:', // 2
      '    image: registry.example.test/team/store:__version__', // 3
      '  queue:', // 4
      '    image: registry.example.test/team/queue:__release_tag__-slim', // 5
      '  cache:', // 6
      '    image: registry.example.test/team/cache:7.2.__patch__', // 7
      '',
    ].join('\n');
    expect(rows({ 'ci/compose.test.yml': compose, 'deploy/pod.yaml': pod('registry.example.test/team/web:__build__') })).toEqual([
      ['ci/compose.test.yml', 3, 'registry.example.test/team/store:__version__', 'compose-service', 'templated'],
      ['ci/compose.test.yml', 5, 'registry.example.test/team/queue:__release_tag__-slim', 'compose-service', 'templated'],
      ['ci/compose.test.yml', 7, 'registry.example.test/team/cache:7.2.__patch__', 'compose-service', 'templated'],
      ['deploy/pod.yaml', 5, 'registry.example.test/team/web:__build__', 'kubernetes-container', 'templated'],
    ]);
  });

  it('is a tag like any other when the underscores run into other characters of the same part', () => {
    expect(
      rows({
        'deploy/a.yaml': pod('registry.example.test/team/api:v1__rc__2'),
        'deploy/b.yaml': pod('registry.example.test/team/web:_internal_'),
      }),
    ).toEqual([
      ['deploy/a.yaml', 5, 'registry.example.test/team/api:v1__rc__2', 'kubernetes-container', null],
      ['deploy/b.yaml', 5, 'registry.example.test/team/web:_internal_', 'kubernetes-container', null],
    ]);
  });
});

describe('a tag that is only a name in capitals with underscores', () => {
  it('is a placeholder a script fills in: the image is listed templated', () => {
    expect(
      rows({
        'examples/db.yaml': pod('registry.example.test/team/db:DB_VERSION'),
        'examples/compose.yaml': ['services:', '  cache:', '    image: registry.example.test/team/cache:CACHE_IMAGE_TAG', ''].join('\n'),
      }),
    ).toEqual([
      ['examples/compose.yaml', 3, 'registry.example.test/team/cache:CACHE_IMAGE_TAG', 'compose-service', 'templated'],
      ['examples/db.yaml', 5, 'registry.example.test/team/db:DB_VERSION', 'kubernetes-container', 'templated'],
    ]);
  });

  it('is a tag like any other when it has other characters or no underscore', () => {
    expect(
      rows({
        'deploy/a.yaml': pod('registry.example.test/team/store:RELEASE.2025-01-02T03-04-05Z'),
        'deploy/b.yaml': pod('registry.example.test/team/web:V4'),
        'deploy/c.yaml': pod('registry.example.test/team/api:Build_7'),
      }),
    ).toEqual([
      ['deploy/a.yaml', 5, 'registry.example.test/team/store:RELEASE.2025-01-02T03-04-05Z', 'kubernetes-container', null],
      ['deploy/b.yaml', 5, 'registry.example.test/team/web:V4', 'kubernetes-container', null],
      ['deploy/c.yaml', 5, 'registry.example.test/team/api:Build_7', 'kubernetes-container', null],
    ]);
  });
});

describe('a Kubernetes manifest kept as a Jinja template with no other extension', () => {
  /** An Ansible role's manifest that a `kubernetes.core.k8s` task renders with `template:`. */
  const directory = [
    '---', // 1
    '{% if ldap_namespace_create %}', // 2
    'apiVersion: v1', // 3
    'kind: Namespace', // 4
    'metadata:', // 5
    '  name: {{ ldap_namespace }}', // 6
    '{% endif %}', // 7
    '---', // 8
    'kind: Deployment', // 9
    'apiVersion: apps/v1', // 10
    'metadata:', // 11
    '  name: directory', // 12
    'spec:', // 13
    '  template:', // 14
    '    spec:', // 15
    '      containers:', // 16
    '        - name: directory', // 17
    '          image: registry.example.test/team/directory:2.6.1', // 18
    '        - name: exporter', // 19
    '          image: registry.example.test/team/exporter:{{ exporter_tag }}', // 20
    '        - name: relay', // 21
    '          image: "{{ relay_image }}"', // 22
    '',
  ].join('\n');
  const same = (name: string) => [
    [name, 18, 'registry.example.test/team/directory:2.6.1', 'yaml-template', null],
    [name, 20, 'registry.example.test/team/exporter:{{ exporter_tag }}', 'yaml-template', 'templated'],
  ];

  it('is read as the same text named .yaml.j2 is, for .j2, .jinja and .jinja2', () => {
    expect(
      rows({
        'roles/directory/templates/install-directory.j2': directory,
        'roles/directory/templates/operator.jinja': directory,
        'roles/directory/templates/deployment.jinja2': directory,
        'roles/directory/templates/directory.yaml.j2': directory,
      }),
    ).toEqual([
      ...same('roles/directory/templates/deployment.jinja2'),
      ...same('roles/directory/templates/directory.yaml.j2'),
      ...same('roles/directory/templates/install-directory.j2'),
      ...same('roles/directory/templates/operator.jinja'),
    ]);
  });

  it('is not a Jinja template of other text: a config, a task list, keys that are no object (apiVersion and kind in two documents), a script', () => {
    const tasks = [
      '- name: Apply the directory',
      '  kubernetes.core.k8s:',
      '    definition:',
      '      apiVersion: v1',
      '      kind: Pod',
      '      spec:',
      '        containers:',
      '          - image: registry.example.test/team/task:1.0.0',
      '',
    ].join('\n');
    const apart = ['apiVersion: v1', 'image: registry.example.test/team/apart:1.0.0', '---', 'kind: Settings', ''].join('\n');
    expect(
      rows({
        'roles/directory/templates/settings.j2': ['directory:', '  image: registry.example.test/team/settings:1.0.0', ''].join('\n'),
        'roles/directory/templates/apply.j2': tasks,
        'roles/directory/templates/apart.j2': apart,
        'roles/directory/templates/apply.sh.j2': ['kubectl apply -f - <<EOF', directory, 'EOF', ''].join('\n'),
      }),
    ).toEqual([]);
  });
});
