/** Helm values {repository, tag} that the chart's templates write after a registry taken from another value. */
import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { applyEdits } from '../../src/core/text-edit.js';
import { editsForReference } from '../../src/plan/edits-for-reference.js';
import { scanFiles } from '../../src/scan/scan-files.js';
import { scanTexts } from '../support/scan-texts.js';

/** What the values files report (the templates' own image lines are read by the template rules). */
const scan = (files: Record<string, string>) =>
  scanTexts(files)
    .references.filter((reference) => !reference.file.includes('/templates/'))
    .map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail ?? null, reference.spans.map((span) => [span.role, span.text, span.line])]);

const lines = (...text: string[]) => `${text.join('\n')}\n`;

const chart = {
  'depot/Chart.yaml': lines('apiVersion: v2', 'name: depot', 'version: 0.4.0', 'appVersion: 2.4.0'),
  'depot/templates/api.yaml': lines(
    'spec:',
    '  containers:',
    '    - name: api',
    '      image: {{ .Values.global.imageRegistry }}/{{ .Values.api.image.repository }}:{{ .Values.api.image.tag | default .Chart.AppVersion }}',
    '    - name: web',
    '      image: "{{ .Values.global.imageRegistry }}/{{ .Values.web.image.repository }}:{{ .Values.web.image.tag }}"',
    '    - name: proxy',
    '      image: {{ .Values.global.imageRegistry | default .Values.proxy.image.registry }}/{{ .Values.proxy.image.repository }}:{{ .Values.proxy.image.tag }}',
    '    - name: cache',
    '      image: {{ .Values.cache.image.repository }}:{{ .Values.cache.image.tag }}',
  ),
};

const values = lines(
  'global:', // 1
  '  imageRegistry: registry.example.test/depot', // 2
  'api:', // 3
  '  image:', // 4
  '    repository: api-server', // 5
  '    tag: "2.4.0"', // 6
  'web:', // 7
  '  image:', // 8
  '    repository: web-ui', // 9
  '    tag: 1.9.3', // 10
  'proxy:', // 11
  '  image:', // 12
  '    registry: mirror.example.test', // 13
  '    repository: edge/proxy', // 14
  '    tag: 0.8.1', // 15
  'cache:', // 16
  '  image:', // 17
  '    repository: redis', // 18
  '    tag: 7.4.1', // 19
);

describe('Helm values {repository, tag} whose registry the templates write before them from another value', () => {
  it('takes the registry the templates write before the repository, and keeps a map with its own registry, or written alone, as it was', () => {
    const registry = (where: string) => `registry registry.example.test/depot: ${where}, not edited here`;
    // Before, lines 5 and 9 were reported as the Docker Hub names api-server:2.4.0 and web-ui:1.9.3.
    expect(scan({ ...chart, 'depot/values.yaml': values })).toEqual([
      [
        'depot/values.yaml',
        5,
        'registry.example.test/depot/api-server:2.4.0',
        null,
        registry('templates/api.yaml:4'),
        [
          ['repository', 'api-server', 5],
          ['tag', '2.4.0', 6],
        ],
      ],
      [
        'depot/values.yaml',
        9,
        'registry.example.test/depot/web-ui:1.9.3',
        null,
        registry('templates/api.yaml:6'),
        [
          ['repository', 'web-ui', 9],
          ['tag', '1.9.3', 10],
        ],
      ],
      [
        'depot/values.yaml',
        14,
        'mirror.example.test/edge/proxy:0.8.1',
        null,
        null,
        [
          ['registry', 'mirror.example.test', 13],
          ['repository', 'edge/proxy', 14],
          ['tag', '0.8.1', 15],
        ],
      ],
      [
        'depot/values.yaml',
        18,
        'redis:7.4.1',
        null,
        null,
        [
          ['repository', 'redis', 18],
          ['tag', '7.4.1', 19],
        ],
      ],
    ]);
  });

  it('an empty registry value puts nothing before the repository: the name stands alone', () => {
    const empty = values.replace('imageRegistry: registry.example.test/depot', 'imageRegistry: ""');
    expect(scan({ ...chart, 'depot/values.yaml': empty }).map(([, line, value, skip, detail]) => [line, value, skip, detail])).toEqual([
      [5, 'api-server:2.4.0', null, null],
      [9, 'web-ui:1.9.3', null, null],
      [14, 'mirror.example.test/edge/proxy:0.8.1', null, null],
      [18, 'redis:7.4.1', null, null],
    ]);
  });

  it('a chart whose Chart.yaml sets no appVersion joins the parts too, with a value of the same map before the name', () => {
    const files = {
      'shelf/Chart.yaml': lines('apiVersion: v1', 'name: shelf', 'version: 1.0.0'),
      'shelf/templates/deploy.yaml': lines('spec:', '  containers:', '    - image: {{ .Values.image.owner }}/{{ .Values.image.repository }}:{{ .Values.image.tag }}'),
      'shelf/values.yaml': lines('image:', '  owner: team', '  repository: shelf', '  tag: "2.1"'),
    };
    expect(scan(files)).toEqual([
      [
        'shelf/values.yaml',
        3,
        'team/shelf:2.1',
        null,
        'registry team: templates/deploy.yaml:3, not edited here',
        [
          ['repository', 'shelf', 3],
          ['tag', '2.1', 4],
        ],
      ],
    ]);
  });

  it("a values file of the chart's ci/ folder is read over the chart's defaults", () => {
    const ci = lines('web:', '  image:', '    repository: web-ui-next', '    tag: 2.0.0-rc.1');
    expect(scan({ ...chart, 'depot/values.yaml': values, 'depot/ci/web-values.yaml': ci }).filter(([file]) => file === 'depot/ci/web-values.yaml')).toEqual([
      [
        'depot/ci/web-values.yaml',
        3,
        'registry.example.test/depot/web-ui-next:2.0.0-rc.1',
        null,
        'registry registry.example.test/depot: templates/api.yaml:6, not edited here',
        [
          ['repository', 'web-ui-next', 3],
          ['tag', '2.0.0-rc.1', 4],
        ],
      ],
    ]);
  });

  it('an update writes only the tag and its pin, byte for byte, and a re-scan reads the new image with the registry', () => {
    const files = { ...chart, 'depot/values.yaml': values };
    const found = scanFiles(Object.entries(files).map(([path, text]) => sourceFile(path, Buffer.from(text, 'utf8')))).references.find(
      (reference) => reference.file === 'depot/values.yaml' && reference.line === 5,
    );
    if (!found) throw new Error('no reference at line 5');
    const digest = `sha256:${'b'.repeat(64)}`;
    const plan = editsForReference(found, { tag: '2.5.0', digest });
    if (!plan.ok) throw new Error(plan.reason);
    const edited = Buffer.from(applyEdits(Buffer.from(values, 'utf8'), plan.edits)).toString('utf8');
    // No digest field: the pin goes into the tag, as for any such map.
    expect(edited).toBe(values.replace('tag: "2.4.0"', `tag: "2.5.0@${digest}"`));
    expect(scan({ ...chart, 'depot/values.yaml': edited })[0]?.[2]).toBe(`registry.example.test/depot/api-server:2.5.0@${digest}`);
  });

  it('a registry the reading cannot render leaves the image templated, with the template and what stopped it', () => {
    const unknown = {
      ...chart,
      'depot/templates/api.yaml': chart['depot/templates/api.yaml'].replace('{{ .Values.global.imageRegistry }}/{{ .Values.api', '{{ lookup "v1" "ConfigMap" "depot" "mirror" }}/{{ .Values.api'),
    };
    const [api] = scan({ ...unknown, 'depot/values.yaml': values });
    expect(api?.slice(1, 4)).toEqual([5, 'api-server:2.4.0', 'templated']);
    expect(api?.[4]).toMatch(/^the registry comes from templates\/api\.yaml:4, not worked out: uses /);
  });

  it('a registry written through `tpl` of a value that holds no template is that value, and the default after it applies', () => {
    const relay = {
      'relay/Chart.yaml': lines('apiVersion: v2', 'name: relay', 'version: 1.2.0', 'appVersion: 3.1.0'),
      'relay/templates/_helpers.tpl': lines('{{- define "relay.version" -}}', '{{ .Values.image.tag | default (printf "v%s" .Chart.AppVersion) }}', '{{- end -}}'),
      'relay/templates/deployment.yaml': lines(
        'spec:',
        '  containers:',
        '    - name: relay',
        '      image: "{{ tpl .Values.image.registry $ | default (tpl .Values.global.imageRegistry $) | default "registry.example.test" }}/{{ .Values.image.repository }}:{{ include "relay.version" . }}"',
      ),
    };
    const relayValues = (global: string) => lines('global:', `  imageRegistry: ${global}`, 'image:', '  registry: ""', '  repository: team/relay', '  tag: ""');
    expect(scan({ ...relay, 'relay/values.yaml': relayValues('""') }).map(([, line, value, skip]) => [line, value, skip])).toEqual([[5, 'registry.example.test/team/relay:v3.1.0', 'templated']]);
    // A value that is itself a template is rendered by `tpl` with what it is given (`$`, the chart's values).
    const mirrored = lines('mirror: mirror.example.test', relayValues('"{{ .Values.mirror }}"'));
    const [templated] = scan({ ...relay, 'relay/values.yaml': mirrored });
    expect(templated?.slice(1, 4)).toEqual([6, 'mirror.example.test/team/relay:v3.1.0', 'templated']);
  });
});

describe('Helm values {repository, tag} whose repository starts with its own slash, written right after a registry value', () => {
  const csi = {
    'volumes/Chart.yaml': lines('apiVersion: v2', 'name: volumes', 'version: 1.0.0', 'appVersion: 4.1.0'),
    'volumes/templates/controller.yaml': lines(
      'spec:',
      '  containers:',
      '    - name: provisioner',
      '{{- if hasPrefix "/" .Values.image.provisioner.repository }}',
      '      image: "{{ .Values.image.baseRepo }}{{ .Values.image.provisioner.repository }}:{{ .Values.image.provisioner.tag }}"',
      '{{- else }}',
      '      image: "{{ .Values.image.provisioner.repository }}:{{ .Values.image.provisioner.tag }}"',
      '{{- end }}',
      '    - name: plugin',
      '      image: "{{ .Values.image.plugin.repository }}:{{ .Values.image.plugin.tag }}"',
      '    - name: probe',
      '      image: "{{ .Values.image.baseRepo }}/{{ .Values.image.probe.repository }}:{{ .Values.image.probe.tag }}"',
    ),
  };
  const csiValues = lines(
    'image:', // 1
    '  baseRepo: registry.example.test', // 2
    '  provisioner:', // 3
    '    repository: /storage/provisioner', // 4
    '    tag: v6.3.0', // 5
    '  plugin:', // 6
    '    repository: registry.example.test/storage/plugin', // 7
    '    tag: v4.1.0', // 8
    '  probe:', // 9
    '    repository: /storage/probe', // 10
    '    tag: v2.19.0', // 11
  );

  it('joins the registry value to the repository without another slash; a repository that no template writes so stays unread', () => {
    // Before, line 4 was not reported: `/storage/provisioner` alone is no image name.
    expect(scan({ ...csi, 'volumes/values.yaml': csiValues })).toEqual([
      [
        'volumes/values.yaml',
        4,
        'registry.example.test/storage/provisioner:v6.3.0',
        null,
        'registry registry.example.test: templates/controller.yaml:5, not edited here',
        [
          ['repository', '/storage/provisioner', 4],
          ['tag', 'v6.3.0', 5],
        ],
      ],
      [
        'volumes/values.yaml',
        7,
        'registry.example.test/storage/plugin:v4.1.0',
        null,
        null,
        [
          ['repository', 'registry.example.test/storage/plugin', 7],
          ['tag', 'v4.1.0', 8],
        ],
      ],
    ]);
  });
});

describe('Helm values {repository, tag: ""} whose registry and tag a helper of the chart writes', () => {
  const helpers = {
    'depot/Chart.yaml': lines('apiVersion: v2', 'name: depot', 'version: 0.4.0', 'appVersion: 2.4.0'),
    'depot/templates/_helpers.tpl': lines(
      '{{- define "depot.workerImage" -}}',
      '{{- $registry := .Values.global.imageRegistry -}}',
      '{{- $tag := .Values.worker.image.tag | default .Values.global.imageTag -}}',
      '{{- printf "%s/%s:%s" $registry .Values.worker.image.repository $tag }}',
      '{{- end }}',
      '{{- define "depot.image" -}}',
      '{{- $registry := .registry | default .global.imageRegistry -}}',
      '{{- printf "%s/%s:%s" $registry .repository (.tag | default .global.imageTag) }}',
      '{{- end }}',
    ),
    'depot/templates/worker.yaml': lines(
      'spec:',
      '  containers:',
      '    - name: worker',
      '      image: {{ include "depot.workerImage" . }}',
      '    - name: sync',
      '      image: {{ include "depot.image" (dict "repository" .Values.sync.image.repository "tag" .Values.sync.image.tag "global" .Values.global) }}',
    ),
  };
  const values = lines(
    'global:', // 1
    '  imageRegistry: registry.example.test/depot', // 2
    '  imageTag: 2.4.1', // 3
    'worker:', // 4
    '  image:', // 5
    '    repository: worker', // 6
    '    tag: ""', // 7
    'sync:', // 8
    '  image:', // 9
    '    repository: sync', // 10
    '    tag: ""', // 11
  );

  it('shows the image the helper renders, registry and tag, held templated (before, the Docker Hub names worker and sync, no-tag)', () => {
    expect(scan({ ...helpers, 'depot/values.yaml': values }).map(([, line, value, skip, detail]) => [line, value, skip, detail])).toEqual([
      [
        6,
        'registry.example.test/depot/worker:2.4.1',
        'templated',
        "no tag here: the chart's templates render registry registry.example.test/depot and tag 2.4.1 (templates/worker.yaml:4); not edited here, where a tag would override theirs",
      ],
      [
        10,
        'registry.example.test/depot/sync:2.4.1',
        'templated',
        "no tag here: the chart's templates render registry registry.example.test/depot and tag 2.4.1 (templates/worker.yaml:6); not edited here, where a tag would override theirs",
      ],
    ]);
  });
});
