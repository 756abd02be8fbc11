import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { applyEdits } from '../../src/core/text-edit.js';
import { editsForReference } from '../../src/plan/edits-for-reference.js';
import { scanFiles } from '../../src/scan/scan-files.js';

const D1 = `sha256:${'d'.repeat(64)}`;

function scan(path: string, text: string) {
  const file = sourceFile(path, new Uint8Array(Buffer.from(text, 'latin1')));
  return scanFiles([file]).references.map((reference) => [reference.line, reference.column, reference.value, reference.kind, reference.skip]);
}

function spans(path: string, text: string) {
  const file = sourceFile(path, new Uint8Array(Buffer.from(text, 'latin1')));
  return scanFiles([file]).references.map((reference) => reference.spans.map((span) => [span.text, Buffer.from(file.bytes).toString('latin1', span.start, span.end)]));
}

describe('YAML written as text in a literal block scalar', () => {
  it('reads the images of a config map that carries a controller config', () => {
    const text = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: tuner-config',
      'data:',
      '  tuner.yaml: |',
      '    collectors:',
      '      - kind: Stdout',
      '        image: registry.example.test/tuner/collector:v0.9.1',
      '    runner:',
      '      image: "registry.example.test/tuner/runner:v0.9.1"',
      '      sidecarImage: registry.example.test/tuner/sidecar@sha256:' + 'a'.repeat(64),
      '',
    ].join('\n');
    expect(scan('deploy/tuner-config.yaml', text)).toEqual([
      [9, 16, 'registry.example.test/tuner/collector:v0.9.1', 'kubernetes-image', null],
      [11, 15, 'registry.example.test/tuner/runner:v0.9.1', 'kubernetes-image', null],
      [12, 21, `registry.example.test/tuner/sidecar@sha256:${'a'.repeat(64)}`, 'kubernetes-image', null],
    ]);
    for (const parts of spans('deploy/tuner-config.yaml', text)) for (const [expected, actual] of parts) expect(actual).toBe(expected);
  });

  it('reads a manifest a workflow step creates, with a bare name only as a container image', () => {
    const text = [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Workflow',
      'metadata:',
      '  generateName: make-job-',
      'spec:',
      '  entrypoint: main',
      '  templates:',
      '    - name: main',
      '      resource:',
      '        action: create',
      '        manifest: |',
      '          apiVersion: batch/v1',
      '          kind: Job',
      '          spec:',
      '            template:',
      '              spec:',
      '                containers:',
      '                  - name: work',
      '                    image: busybox',
      '                  - name: side',
      '                    image: docker.io/library/alpine:3.20',
      '    - name: after',
      '      container:',
      '        image: alpine:3.20',
      '',
    ].join('\n');
    expect(scan('flows/make-job.yaml', text)).toEqual([
      [19, 28, 'busybox', 'kubernetes-container', 'no-tag'],
      [21, 28, 'docker.io/library/alpine:3.20', 'kubernetes-container', null],
      [24, 16, 'alpine:3.20', 'kubernetes-image', null],
    ]);
  });

  it('reads a chart value written out as a config file, in the values kind', () => {
    const text = ['runtimeConfig: |', '  suggestions:', '    - algorithm: grid', '      image: ghcr.io/example/suggest-grid:v1.2.0', 'replicas: 1', ''].join('\r\n');
    expect(scan('charts/tuner/values.yaml', text)).toEqual([[4, 14, 'ghcr.io/example/suggest-grid:v1.2.0', 'helm-values', null]]);
  });

  it('reads the container of a function annotation', () => {
    const text = [
      'apiVersion: example.test/v1',
      'kind: LabelSetter',
      'metadata:',
      '  name: set-labels',
      '  annotations:',
      '    config.kubernetes.io/function: |-',
      '      container:',
      '        image: gcr.io/example-fns/set-labels:v0.2.0',
      'spec:',
      '  labels: {team: web}',
      '',
    ].join('\n');
    expect(scan('fn/set-labels.yaml', text)).toEqual([[8, 16, 'gcr.io/example-fns/set-labels:v0.2.0', 'kubernetes-image', null]]);
  });

  it('leaves out scripts, prose, folded blocks, templates and bare names outside containers', () => {
    const text = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: odds',
      'data:',
      '  make-pod.sh: |',
      '    cat <<EOF > pod.yaml',
      '    image: alpine:3.20',
      '    EOF',
      '  notes.txt: |',
      '    Set the image: alpine:3.20 is what we run',
      '  folded.yaml: >',
      '    image: alpine:3.20',
      '  injector.yaml: |',
      '    template:',
      '      image: "{{ .ProxyImage }}"',
      '    proxy:',
      '      image: proxyv2',
      '',
    ].join('\n');
    expect(scan('deploy/odds.yaml', text)).toEqual([]);
  });

  it('keeps a name written out whose tag is one template action, templated; names built with actions stay out', () => {
    const text = [
      'initContainers: |',
      '  - name: wait-db',
      '    image: registry.example.test/tools/waiter:2.1.0',
      '  - name: schema',
      '    image: registry.example.test/ledger/schema-runner:{{ .Values.image.schemaTag | default "stable" }}',
      '  - name: hub',
      '    image: "{{ .Values.hub }}/proxy:{{ .Values.tag }}"',
      '  - name: word',
      '    image: runner:{{ .Values.runnerTag }}',
      '  - name: suffixed',
      '    image: registry.example.test/ledger/cli:{{ .Values.cliTag }}-slim',
      'sidecars: |',
      '  - name: joined',
      '    image: "{{ .Values.registry }}/ledger/audit:{{ .Values.auditTag }}"',
      '',
    ].join('\n');
    expect(scan('charts/ledger/values.yaml', text)).toEqual([
      [3, 12, 'registry.example.test/tools/waiter:2.1.0', 'helm-values', null],
      [5, 12, 'registry.example.test/ledger/schema-runner:{{ .Values.image.schemaTag | default "stable" }}', 'helm-values', 'templated'],
    ]);
  });

  it('reports an image in a block beside the same image in the YAML around it', () => {
    const text = ['image: registry.example.test/app:1.0.0', 'extra: |', '  image: registry.example.test/app:1.0.0', ''].join('\n');
    expect(scan('values.yaml', text)).toEqual([
      [1, 8, 'registry.example.test/app:1.0.0', 'helm-values', null],
      [3, 10, 'registry.example.test/app:1.0.0', 'helm-values', null],
    ]);
  });
});

describe('a map of image parts under any key, in YAML carried as text', () => {
  const values = [
    'operator:', // 1
    '  overrides: |', // 2
    '    images:', // 3
    '      - name: alert-relay', // 4
    '        repository: registry.example.test/mirror/alert-relay', // 5
    '        tag: v0.32.1', // 6
    '      - name: conntrack', // 7
    '        registry: registry.example.test', // 8
    '        repository: mirror/conntrack', // 9
    '        tag: "3.23.3"', // 10
    '        targetVersion: ">= 1.35"', // 11
    '      - name: apiserver', // 12
    '        repository: registry.example.test/mirror/apiserver', // 13
    '      - repository: registry.example.test/mirror/pause', // 14
    '        tag: "3.10"', // 15
    '    proxies:', // 16
    '      edge:', // 17
    '        repository: registry.example.test/mirror/edge-proxy', // 18
    '        tag: 1.4.0', // 19
    '  componentOverrides: |', // 20
    '    components:', // 21
    '      - name: store', // 22
    '        overrides: |', // 23
    '          images:', // 24
    '            - name: wrapper', // 25
    '              repository: registry.example.test/mirror/store-wrapper', // 26
    '              tag: "v0.6.2"', // 27
    '', // 28
  ].join('\n');

  it('reads each map with a tag line, a list entry and a nested block too, as the parsed file would; one without a tag is not an image', () => {
    expect(scan('charts/garden/values.yaml', values)).toEqual([
      [5, 21, 'registry.example.test/mirror/alert-relay:v0.32.1', 'helm-values', null],
      [9, 21, 'registry.example.test/mirror/conntrack:3.23.3', 'helm-values', null],
      [14, 21, 'registry.example.test/mirror/pause:3.10', 'helm-values', null],
      [18, 21, 'registry.example.test/mirror/edge-proxy:1.4.0', 'helm-values', null],
      [26, 27, 'registry.example.test/mirror/store-wrapper:v0.6.2', 'helm-values', null],
    ]);
    for (const parts of spans('charts/garden/values.yaml', values)) for (const [expected, actual] of parts) expect(actual).toBe(expected);
  });

  it('is updated in the tag line where the map writes it, the digest after the tag', () => {
    const file = sourceFile('charts/garden/values.yaml', new Uint8Array(Buffer.from(values)));
    const [relay] = scanFiles([file]).references;
    const plan = editsForReference(relay!, { tag: 'v0.33.0', digest: D1 });
    expect(plan.ok && Buffer.from(applyEdits(file.bytes, plan.edits)).toString()).toBe(values.replace('tag: v0.32.1', `tag: v0.33.0@${D1}`));
  });

  it('leaves out a map whose repository is no image: a chart source, a URL', () => {
    const text = ['sources: |', '  - name: charts', '    repository: https://charts.example.test/stable', '    tag: main', ''].join('\n');
    expect(scan('charts/garden/values.yaml', text)).toEqual([]);
  });
});

describe("a chart's Chart.yaml", () => {
  const chart = [
    'apiVersion: v2',
    'name: web',
    'version: 1.4.0',
    'appVersion: 2.4.0',
    'annotations:',
    '  example.test/category: web',
    '  artifacthub.io/images: |',
    '    - name: web',
    '      image: registry.example.test/team/web:2.4.0',
    '    - name: proxy',
    '      image: registry.example.test/team/proxy:1.9.2',
    '  images: |',
    '    - name: web',
    '      image: registry.example.test/team/web:2.4.0',
    'example.test/images: |',
    '  - name: web',
    '    image: registry.example.test/team/web:2.4.0',
    '',
  ].join('\n');
  const values = ['image:', '  repository: registry.example.test/team/web', '  tag: 2.4.0', 'proxy:', '  config: |', '    sidecar:', '      image: registry.example.test/team/proxy:1.9.2', ''].join(
    '\n',
  );

  it('is metadata that nothing pulls: its annotations are not reported (nor one written at the top), while the values the chart runs are', () => {
    const files = [sourceFile('charts/web/Chart.yaml', new Uint8Array(Buffer.from(chart, 'latin1'))), sourceFile('charts/web/values.yaml', new Uint8Array(Buffer.from(values, 'latin1')))];
    expect(scanFiles(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip])).toEqual([
      ['charts/web/values.yaml', 2, 'registry.example.test/team/web:2.4.0', 'helm-values', null],
      ['charts/web/values.yaml', 7, 'registry.example.test/team/proxy:1.9.2', 'helm-values', null],
    ]);
  });

  it('is read as any YAML under another name', () => {
    expect(scan('catalog/web.yaml', chart)).toEqual([
      [9, 14, 'registry.example.test/team/web:2.4.0', 'yaml-image', null],
      [11, 14, 'registry.example.test/team/proxy:1.9.2', 'yaml-image', null],
      [14, 14, 'registry.example.test/team/web:2.4.0', 'yaml-image', null],
      [17, 12, 'registry.example.test/team/web:2.4.0', 'yaml-image', null],
    ]);
  });
});

describe('a Workflow kept in a ConfigMap for an Argo Events Sensor to create', () => {
  it('reads a bare name as the image of a template container, script or sidecar', () => {
    const text = [
      'apiVersion: v1', // 1
      'kind: ConfigMap', // 2
      'metadata:', // 3
      '  name: flow-store', // 4
      'data:', // 5
      '  flow: |-', // 6
      '    apiVersion: argoproj.io/v1alpha1', // 7
      '    kind: Workflow', // 8
      '    spec:', // 9
      '      entrypoint: say', // 10
      '      templates:', // 11
      '      - name: say', // 12
      '        container:', // 13
      '          image: busybox', // 14
      '          command: [echo]', // 15
      '      - name: count', // 16
      '        script:', // 17
      '          image: python', // 18
      '          source: print(1)', // 19
      '        sidecars:', // 20
      '        - name: cache', // 21
      '          image: redis', // 22
      '        metadata:', // 23
      '          image: proxyv2', // 24
      '',
    ].join('\n');
    expect(scan('flows/flow-store.yaml', text)).toEqual([
      [14, 18, 'busybox', 'kubernetes-image', 'no-tag'],
      [18, 18, 'python', 'kubernetes-image', 'no-tag'],
      [22, 18, 'redis', 'kubernetes-image', 'no-tag'],
    ]);
  });
});

describe('a compose file an Ansible task writes as text, with Jinja statement lines', () => {
  const task = [
    '- name: Relay | Write the compose file', // 1
    '  ansible.builtin.copy:', // 2
    '    dest: /srv/relay/docker-compose.yml', // 3
    '    mode: "0640"', // 4
    '    content: |', // 5
    '      services:', // 6
    '        relay:', // 7
    '          image: registry.example.test/team/relay:2.4.1', // 8
    '          environment:', // 9
    `            RELAY_ZONE: "{{ relay_zone | default('UTC') }}"`, // 10
    '      {% if relay_token is defined %}', // 11
    '            RELAY_TOKEN: "{{ relay_token }}"', // 12
    '            RELAY_GREETING: |', // 13
    '      {% raw %}', // 14
    '              {{ .Name }} moved to its new version', // 15
    '              image: registry.example.test/team/greeting-text:9.9', // 16
    '      {% endraw %}', // 17
    '      {% endif %}', // 18
    '      {# the sidecar only where the relay is public #}', // 19
    '      {%- if relay_public | default(false) %}', // 20
    '        sidecar:', // 21
    '          image: "registry.example.test/team/relay-sidecar:0.7.0"', // 22
    '      {% endif %}', // 23
    '        worker:', // 24
    '          image: "{{ relay_worker_image }}"', // 25
    '', // 26
  ].join('\n');

  it('reads its images with the statement lines stepped over; text in a nested block and a template value are not images', () => {
    expect(scan('playbooks/tasks/relay.yml', task)).toEqual([
      [8, 18, 'registry.example.test/team/relay:2.4.1', 'yaml-image', null],
      [22, 19, 'registry.example.test/team/relay-sidecar:0.7.0', 'yaml-image', null],
    ]);
    for (const parts of spans('playbooks/tasks/relay.yml', task)) for (const [expected, actual] of parts) expect(actual).toBe(expected);
  });

  it('is updated where the image is written, the statement lines kept', () => {
    const file = sourceFile('playbooks/tasks/relay.yml', new Uint8Array(Buffer.from(task)));
    const [relay] = scanFiles([file]).references;
    const plan = editsForReference(relay!, { tag: '2.5.0', digest: D1 });
    expect(plan.ok && Buffer.from(applyEdits(file.bytes, plan.edits)).toString()).toBe(task.replace('relay:2.4.1', `relay:2.5.0@${D1}`));
  });

  it('is read only when the text is a compose file: another manifest with statement lines is left out', () => {
    const job = [
      '- name: Write the job',
      '  ansible.builtin.copy:',
      '    dest: /srv/jobs/job.yaml',
      '    content: |',
      '      apiVersion: batch/v1',
      '      kind: Job',
      '      spec:',
      '        template:',
      '          spec:',
      '            containers:',
      '      {% for name in job_names %}',
      '              - name: "{{ name }}"',
      '                image: registry.example.test/team/job:1.0.0',
      '      {% endfor %}',
      '',
    ].join('\n');
    expect(scan('playbooks/tasks/job.yml', job)).toEqual([]);
  });
});
