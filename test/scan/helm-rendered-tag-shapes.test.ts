import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

/** What the values files report: file, line, value, skip. */
const scan = (files: Record<string, string>) =>
  scanTexts(files)
    .references.filter((reference) => /values\.yaml$/.test(reference.file))
    .map((reference) => [reference.file, reference.line, reference.value, reference.skip]);

const lines = (...text: string[]) => `${text.join('\n')}\n`;
const chart = (name: string, ...more: string[]) => lines('apiVersion: v2', `name: ${name}`, 'version: 1.0.0', ...more);

describe("Helm values with no tag whose chart's templates render it in other shapes", () => {
  it('a subchart whose image line calls a helper of a library chart its parent takes from a folder of the repository', () => {
    const files = {
      'charts/mesh-lib/Chart.yaml': chart('mesh-lib', 'type: library'),
      'charts/mesh-lib/templates/_image.tpl': lines(
        '{{- define "mesh-lib.registry" }}',
        '{{- if ne (len (dig "mesh" "image" "registry" "" .global)) 0 }}',
        '{{- print .global.mesh.image.registry "/" }}',
        '{{- else if ne (len .image.registry) 0 }}',
        '{{- print .image.registry "/" }}',
        '{{- end }}',
        '{{- end }}',
        '{{- define "mesh-lib.image" -}}',
        '{{- $registry := include "mesh-lib.registry" . }}',
        '{{- $tag := .image.tag | toString }}',
        '{{- if eq (substr 0 7 $tag) "sha256:" }}',
        '{{- printf "%s%s@%s" $registry .image.repository $tag | quote }}',
        '{{- else if .appVersion }}',
        '{{- $version := .appVersion }}',
        '{{- if and (hasKey . "hardened") (dig "restricted" false .global) }}',
        '{{- $version = printf "hardened-%s" $version }}',
        '{{- end }}',
        '{{- printf "%s%s:%s" $registry .image.repository (default $version $tag) | quote }}',
        '{{- else }}',
        '{{- printf "%s%s" $registry .image.repository | quote }}',
        '{{- end }}',
        '{{- end }}',
      ),
      'charts/mesh/Chart.yaml': chart(
        'mesh',
        'appVersion: 0.1.0',
        'dependencies:',
        '  - name: mesh-lib',
        '    repository: file://../mesh-lib',
        '  - name: relay',
        '    repository: file://./charts/relay',
      ),
      'charts/mesh/values.yaml': lines('global:', '  mesh: {}'),
      'charts/mesh/charts/relay/Chart.yaml': chart('relay', 'appVersion: "2.7.1"'),
      'charts/mesh/charts/relay/values.yaml': lines(
        'image:',
        '  registry: registry.example.test',
        '  repository: team/relay',
        '  tag: ""',
        'probe:',
        '  image:',
        '    registry: ""',
        '    repository: team/probe',
        '    tag: ""',
      ),
      'charts/mesh/charts/relay/templates/deployment.yaml': lines(
        'spec:',
        '  containers:',
        '    - name: relay',
        '      image: {{ template "mesh-lib.image" (dict "appVersion" $.Chart.AppVersion "image" .Values.image "global" .Values.global "hardened" true) }}',
        '    - name: probe',
        '      image: {{ template "mesh-lib.image" (dict "image" .Values.probe.image "global" .Values.global) }}',
      ),
    };
    expect(scan(files)).toEqual([
      ['charts/mesh/charts/relay/values.yaml', 3, 'registry.example.test/team/relay:2.7.1', 'templated'],
      ['charts/mesh/charts/relay/values.yaml', 8, 'team/probe', 'no-tag'],
    ]);
    // Without the library chart in the repository, the helper is not known: the name stays as written.
    const { 'charts/mesh-lib/templates/_image.tpl': _library, ...alone } = files;
    expect(scan(alone)).toEqual([
      ['charts/mesh/charts/relay/values.yaml', 3, 'registry.example.test/team/relay', 'no-tag'],
      ['charts/mesh/charts/relay/values.yaml', 8, 'team/probe', 'no-tag'],
    ]);
  });

  it('a version that the values write as a template and the chart renders with `tpl`', () => {
    const files = {
      'gateway/Chart.yaml': chart('gateway', 'appVersion: "4.2.0"'),
      'gateway/values.yaml': lines(
        'api:',
        '  imageRepository: registry.example.test/team/gateway-api',
        'version: "{{ .Chart.AppVersion }}"',
        'image:',
        '  repository: registry.example.test/team/gateway',
        '  tag: "{{ .Chart.AppVersion }}-slim"',
      ),
      'gateway/templates/deployment.yaml': lines(
        'spec:',
        '  containers:',
        '    - name: api',
        '      image: {{ .Values.api.imageRepository }}:{{ tpl .Values.version . }}',
        '    - name: gateway',
        '      image: "{{ .Values.image.repository }}:{{ tpl .Values.image.tag . }}"',
      ),
    };
    expect(scan(files)).toEqual([
      ['gateway/values.yaml', 2, 'registry.example.test/team/gateway-api:4.2.0', 'templated'],
      ['gateway/values.yaml', 5, 'registry.example.test/team/gateway:4.2.0-slim', 'templated'],
    ]);
  });

  it('an image a `with` block of its values map writes from its fields (`.image`, `.version` or appVersion)', () => {
    const files = {
      'search/Chart.yaml': chart('search', 'appVersion: 3.3.0'),
      'search/values.yaml': lines(
        'cluster:',
        '  node:',
        '    image: registry.example.test/team/search',
        '    version: ""',
        '  helper:',
        '    image: registry.example.test/team/helper',
        '    version: "1.9"',
      ),
      'search/templates/cluster.yaml': lines(
        'spec:',
        '  {{- with .Values.cluster.node }}',
        '  node:',
        '    image: {{ .image }}:{{ default $.Chart.AppVersion .version }}',
        '  {{- end }}',
        '  {{- with .Values.cluster.helper }}',
        '  helper:',
        '    {{- omit . "image" | toYaml | nindent 4 }}',
        '    image: {{ .image }}:{{ .version }}',
        '  {{- end }}',
      ),
    };
    expect(scan(files)).toEqual([
      ['search/values.yaml', 3, 'registry.example.test/team/search:3.3.0', 'templated'],
      ['search/values.yaml', 6, 'registry.example.test/team/helper:1.9', 'templated'],
    ]);
    // Under a `range` the dot is each item, not the map: nothing is worked out.
    const ranged = {
      ...files,
      'search/templates/cluster.yaml': files['search/templates/cluster.yaml']
        .replace('{{- with .Values.cluster.node }}', '{{- range .Values.pools }}{{- with .Values.cluster.node }}')
        .replace('  {{- end }}\n  {{- with', '  {{- end }}{{- end }}\n  {{- with'),
    };
    expect(scan(ranged)[0]).toEqual(['search/values.yaml', 3, 'registry.example.test/team/search', 'no-tag']);
  });

  it('a name the templates write with the digest of its values alone when the tag is empty', () => {
    const digest = `sha256:${'c'.repeat(64)}`;
    const files = {
      'mirror/Chart.yaml': chart('mirror', 'appVersion: 1.0.0'),
      'mirror/values.yaml': lines('database:', '  image:', '    repository: registry.example.test/team/vuln-db', '    tag: ""', `    sha: ${digest}`),
      'mirror/templates/deployment.yaml': lines(
        '      image: "{{ .Values.database.image.repository }}{{ if .Values.database.image.tag }}:{{ .Values.database.image.tag }}{{ else }}@{{ .Values.database.image.sha }}{{ end }}"',
      ),
    };
    expect(scan(files)).toEqual([['mirror/values.yaml', 3, `registry.example.test/team/vuln-db@${digest}`, 'templated']]);
  });
});
