import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

/** What the values files report (the templates' own image lines are read by the template rules, as before). */
const scan = (files: Record<string, string>) =>
  scanTexts(files)
    .references.filter((reference) => !reference.file.includes('/templates/'))
    .map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail ?? null, reference.spans.map((span) => [span.role, span.text, span.line])]);

const lines = (...text: string[]) => `${text.join('\n')}\n`;

const ledgerChart = {
  'charts/ledger/Chart.yaml': lines('apiVersion: v2', 'name: ledger', 'version: 1.0.0', 'appVersion: 4.2.0'),
  'charts/ledger/templates/_helpers.tpl': lines(
    '{{- define "ledger.registry" -}}',
    '{{- $zone := default "north" .network.zone -}}',
    '{{- $mode := default "" .mirrorMode -}}',
    '{{- if .registry -}}',
    '{{- .registry -}}',
    '{{- else if eq $zone "south" -}}',
    'south.registry.example.test',
    '{{- else if and (eq $mode "on") (not .network.private) -}}',
    'mirror.registry.example.test',
    '{{- else -}}',
    'registry.example.test/ledger',
    '{{- end -}}',
    '{{- end -}}',
    '',
    '{{/* The image of a component: its own repository, or the registry and its name. */}}',
    '{{- define "ledger.image" -}}',
    '{{- if .image.repository -}}',
    '{{ .image.repository }}:{{ .image.tag }}',
    '{{- else -}}',
    '{{ include "ledger.registry" .root }}/{{ .image.name }}:{{ .image.tag }}',
    '{{- end -}}',
    '{{- end -}}',
  ),
  'charts/ledger/templates/server.yaml': lines('spec:', '  containers:', '    - name: server', '      image: {{ include "ledger.image" (dict "root" .Values "image" .Values.server.image) | quote }}'),
};

describe('Helm values image: {name, tag} under a registry the chart templates choose', () => {
  it('renders the registry helper with the default values and edits the tag where it is written', () => {
    const values = lines(
      'registry:',
      'mirrorMode: "on"',
      'network:',
      '  zone:',
      '  private: false',
      'server:',
      '  image:',
      '    name: ledger-server',
      '    tag: 4.2.0',
      '    digest: ""',
      '    repository:',
      'worker:',
      '  image:',
      '    name: ledger-worker',
      '    tag: "4.2.1"',
      'backup:',
      '  image:',
      '    repository: registry.example.test/tools/backup',
      '    name: backup',
      '    tag: 2.0.0',
    );
    const detail = `registry mirror.registry.example.test: what the chart's template "ledger.registry" (templates/_helpers.tpl:1) renders with the default values`;
    expect(scan({ ...ledgerChart, 'charts/ledger/values.yaml': values })).toEqual([
      [
        'charts/ledger/values.yaml',
        8,
        'mirror.registry.example.test/ledger-server:4.2.0',
        null,
        detail,
        [
          ['repository', 'ledger-server', 8],
          ['tag', '4.2.0', 9],
          ['digest', '', 10],
        ],
      ],
      [
        'charts/ledger/values.yaml',
        14,
        'mirror.registry.example.test/ledger-worker:4.2.1',
        null,
        detail,
        [
          ['repository', 'ledger-worker', 14],
          ['tag', '4.2.1', 15],
        ],
      ],
      // Its own repository is the whole name in this chart (the helper writes it with the tag only).
      [
        'charts/ledger/values.yaml',
        18,
        'registry.example.test/tools/backup:2.0.0',
        null,
        null,
        [
          ['repository', 'registry.example.test/tools/backup', 18],
          ['tag', '2.0.0', 20],
        ],
      ],
    ]);
  });

  it('another values file of the chart is rendered over the defaults; a value set there is the registry', () => {
    const values = lines('registry:', 'mirrorMode: ""', 'network:', '  zone: south', 'server:', '  image:', '    name: ledger-server', '    tag: 4.2.0');
    const staging = lines('network:', '  zone: north', 'server:', '  image:', '    name: ledger-server', '    tag: 4.3.0-rc.1');
    const production = lines('registry: prod.example.test:5000/books', 'server:', '  image:', '    name: ledger-server', '    tag: 4.2.0');
    const found = scan({ ...ledgerChart, 'charts/ledger/values.yaml': values, 'charts/ledger/values-staging.yaml': staging, 'charts/ledger/values-production.yaml': production });
    expect(found.map(([file, line, value, skip]) => [file, line, value, skip])).toEqual([
      ['charts/ledger/values-production.yaml', 4, 'prod.example.test:5000/books/ledger-server:4.2.0', null],
      ['charts/ledger/values-staging.yaml', 5, 'registry.example.test/ledger/ledger-server:4.3.0-rc.1', null],
      ['charts/ledger/values.yaml', 7, 'south.registry.example.test/ledger-server:4.2.0', null],
    ]);
  });

  it('a registry written inline with a default, or chosen by an if on the value, in the template that writes the image', () => {
    const files = {
      'inline/Chart.yaml': lines('apiVersion: v2', 'name: inline', 'version: 0.1.0', 'appVersion: "1.0"'),
      'inline/values.yaml': lines('registry: ""', 'image:', '  name: team/inline-app', '  tag: 1.0.3'),
      'inline/templates/deployment.yaml': lines(
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        '        - name: app',
        '          image: "{{ .Values.registry | default "registry.example.test" }}/{{ .Values.image.name }}:{{ .Values.image.tag }}"',
      ),
      'guarded/Chart.yaml': lines('apiVersion: v2', 'name: guarded', 'version: 0.1.0', 'appVersion: "2.0"'),
      'guarded/values.yaml': lines('global:', '  registry:', 'sidecar:', '  image:', '    name: guard-sidecar', '    tag: 2.0.1'),
      'guarded/templates/deployment.yaml': lines(
        '{{- $registry := "mirror.example.test:5000/team" -}}',
        '{{- if .Values.global.registry }}{{ $registry = .Values.global.registry }}{{ end }}',
        'spec:',
        '  containers:',
        '    - name: sidecar',
        '      image: {{ $registry }}/{{ .Values.sidecar.image.name }}:{{ .Values.sidecar.image.tag }}',
        '{{- with .Values.sidecar.resources }}',
        '      resources: {{ toYaml . | nindent 8 }}',
        '{{- end }}',
      ),
    };
    expect(scan(files)).toEqual([
      [
        'guarded/values.yaml',
        5,
        'mirror.example.test:5000/team/guard-sidecar:2.0.1',
        null,
        "registry mirror.example.test:5000/team: what the chart's templates/deployment.yaml:6 renders with the default values",
        [
          ['repository', 'guard-sidecar', 5],
          ['tag', '2.0.1', 6],
        ],
      ],
      [
        'inline/values.yaml',
        3,
        'registry.example.test/team/inline-app:1.0.3',
        null,
        "registry registry.example.test: what the chart's templates/deployment.yaml:6 renders with the default values",
        [
          ['repository', 'team/inline-app', 3],
          ['tag', '1.0.3', 4],
        ],
      ],
    ]);
  });

  it('a registry the templates choose in a way not worked out is shown templated, naming the template and why', () => {
    const files = {
      'probe/Chart.yaml': lines('apiVersion: v2', 'name: probe', 'version: 0.1.0', 'appVersion: "3.1"'),
      'probe/values.yaml': lines('registry:', 'image:', '  name: probe-agent', '  tag: 3.1.4'),
      'probe/templates/_helpers.tpl': lines(
        '{{- define "probe.registry" -}}',
        '{{- if semverCompare ">=1.30" .Capabilities.KubeVersion.Version -}}',
        'registry.example.test',
        '{{- else -}}',
        'legacy.example.test',
        '{{- end -}}',
        '{{- end -}}',
      ),
      'probe/templates/daemonset.yaml': lines('      image: {{ include "probe.registry" . }}/{{ .Values.image.name }}:{{ .Values.image.tag }}'),
    };
    expect(scan(files)).toEqual([
      [
        'probe/values.yaml',
        3,
        'probe-agent:3.1.4',
        'templated',
        `the registry comes from the chart's template "probe.registry" (templates/_helpers.tpl:1), not worked out: it uses function semverCompare`,
        [
          ['repository', 'probe-agent', 3],
          ['tag', '3.1.4', 4],
        ],
      ],
    ]);
  });
});

describe('Helm values image: {name, tag} joined in one printf', () => {
  it('printf "%s/%s:%s" with the registry from a helper or from the image\'s repository; a helper that includes itself is not worked out', () => {
    const files = {
      'formatted/Chart.yaml': lines('apiVersion: v2', 'name: formatted', 'version: 0.1.0', 'appVersion: "1.1"'),
      'formatted/values.yaml': lines('global:', '  registry:', 'image:', '  name: fmt-app', '  tag: 1.1.2'),
      'formatted/templates/_helpers.tpl': lines('{{- define "fmt.registry" -}}', '{{- .Values.global.registry | default "registry.example.test/fmt" -}}', '{{- end -}}'),
      'formatted/templates/pod.yaml': lines('      image: {{ printf "%s/%s:%s" (include "fmt.registry" .) .Values.image.name .Values.image.tag | quote }}'),
      'pair/Chart.yaml': lines('apiVersion: v2', 'name: pair', 'version: 0.1.0', 'appVersion: "1.1"'),
      'pair/values.yaml': lines('image:', '  repository: registry.example.test/pair', '  name: pair-app', '  tag: 1.1.3'),
      'pair/templates/pod.yaml': lines('      image: {{ printf "%s/%s:%s" .Values.image.repository .Values.image.name .Values.image.tag }}'),
      'loop/Chart.yaml': lines('apiVersion: v2', 'name: loop', 'version: 0.1.0', 'appVersion: "1.1"'),
      'loop/values.yaml': lines('image:', '  name: loop-app', '  tag: 1.1.4'),
      'loop/templates/_helpers.tpl': lines('{{- define "loop.registry" -}}{{ include "loop.registry" . }}{{- end -}}'),
      'loop/templates/pod.yaml': lines('      image: {{ include "loop.registry" . }}/{{ .Values.image.name }}:{{ .Values.image.tag }}'),
    };
    expect(scan(files).map(([file, line, value, skip, detail]) => [file, line, value, skip, detail])).toEqual([
      [
        'formatted/values.yaml',
        4,
        'registry.example.test/fmt/fmt-app:1.1.2',
        null,
        `registry registry.example.test/fmt: what the chart's template "fmt.registry" (templates/_helpers.tpl:1) renders with the default values`,
      ],
      [
        'loop/values.yaml',
        2,
        'loop-app:1.1.4',
        'templated',
        `the registry comes from the chart's template "loop.registry" (templates/_helpers.tpl:1), not worked out: it uses templates included 32 deep`,
      ],
      ['pair/values.yaml', 2, 'registry.example.test/pair/pair-app:1.1.3', null, 'the chart joins repository and name'],
    ]);
  });
});

describe('Helm values image: {name, tag}: each values map takes the registry of the templates that name it', () => {
  it('two images with registries of their own; a map no template joins keeps the plain reading', () => {
    const files = {
      'split/Chart.yaml': lines('apiVersion: v2', 'name: split', 'version: 0.1.0', 'appVersion: "1.0"'),
      'split/values.yaml': lines(
        'global:',
        '  registry:',
        'app:',
        '  image:',
        '    name: split-app',
        '    tag: 1.0.1',
        'tools:',
        '  registry:',
        '  image:',
        '    name: split-tools',
        '    tag: 0.3.0',
        'extra:',
        '  image:',
        '    name: example/extra',
        '    tag: 2.2.2',
      ),
      'split/templates/app.yaml': lines('      image: {{ .Values.global.registry | default "registry.example.test" }}/{{ .Values.app.image.name }}:{{ .Values.app.image.tag }}'),
      'split/templates/tools.yaml': lines('      image: {{ .Values.tools.registry | default "tools.example.test:5000" }}/{{ .Values.tools.image.name }}:{{ .Values.tools.image.tag }}'),
    };
    expect(scan(files).map(([file, line, value, skip]) => [file, line, value, skip])).toEqual([
      ['split/values.yaml', 5, 'registry.example.test/split-app:1.0.1', null],
      ['split/values.yaml', 10, 'tools.example.test:5000/split-tools:0.3.0', null],
      ['split/values.yaml', 14, 'example/extra:2.2.2', null],
    ]);
  });
});

describe('Helm values image: {repository, name, tag} that the chart joins', () => {
  it('is repository/name:tag when a template writes {{ repository }}/{{ name }}; the repository is the whole name otherwise', () => {
    const files = {
      'pipes/Chart.yaml': lines('apiVersion: v2', 'name: pipes', 'version: 0.1.0', 'appVersion: "2.4.0"'),
      'pipes/values.yaml': lines('image:', '  name: pipes-worker', '  tag: 2.4.0', '  repository: registry.example.test/pipes'),
      'pipes/templates/_pod.tpl': lines('    image: "{{ .Values.image.repository }}/{{ .Values.image.name }}:{{ .Values.image.tag | default .Chart.AppVersion }}"'),
      'whole/Chart.yaml': lines('apiVersion: v2', 'name: whole', 'version: 0.1.0', 'appVersion: "2.4.0"'),
      'whole/values.yaml': lines('image:', '  name: whole-worker', '  tag: 2.4.0', '  repository: registry.example.test/pipes/whole-worker'),
      'whole/templates/_pod.tpl': lines('    image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"', '    name: {{ .Values.image.name }}'),
    };
    expect(scan(files)).toEqual([
      [
        'pipes/values.yaml',
        4,
        'registry.example.test/pipes/pipes-worker:2.4.0',
        null,
        'the chart joins repository and name',
        [
          ['registry', 'registry.example.test/pipes', 4],
          ['repository', 'pipes-worker', 2],
          ['tag', '2.4.0', 3],
        ],
      ],
      [
        'whole/values.yaml',
        4,
        'registry.example.test/pipes/whole-worker:2.4.0',
        null,
        null,
        [
          ['repository', 'registry.example.test/pipes/whole-worker', 4],
          ['tag', '2.4.0', 3],
        ],
      ],
    ]);
  });

  it("a chart's templates of anyone's making cost one pass: runs of spaces, actions never closed, thousands of joins", () => {
    const chart = (templates: Record<string, string>) => ({
      'charts/spill/Chart.yaml': lines('apiVersion: v2', 'name: spill', 'version: 1.0.0', 'appVersion: 2.0.0'),
      'charts/spill/values.yaml': lines('tool:', '  image:', '    name: spill', '    tag: 2.0.1'),
      ...Object.fromEntries(Object.entries(templates).map(([name, text]) => [`charts/spill/templates/${name}`, text])),
    });
    const join = '      image: {{ .Values.registry | default "registry.example.test" }}/{{ .Values.tool.image.name }}:{{ .Values.tool.image.tag }}';
    // A join after a line of spaces and an action never closed (each once took time cubic or quadratic in their length).
    const spaces = chart({
      'a.yaml': lines(join),
      'b.tpl': `{{ define "x" }}${' '.repeat(200_000)}x{{`,
      'c.yaml': lines(`{{${' '.repeat(200_000)}`, '.name'),
    });
    expect(scan(spaces)).toEqual([
      [
        'charts/spill/values.yaml',
        3,
        'registry.example.test/spill:2.0.1',
        null,
        "registry registry.example.test: what the chart's templates/a.yaml:1 renders with the default values",
        [
          ['repository', 'spill', 3],
          ['tag', '2.0.1', 4],
        ],
      ],
    ]);
    // 20,000 joins in one file, each rendering the file up to itself (the registry a variable set at the top): the chart's
    // one budget runs out, and says so.
    const throughVariable = '      image: {{ $registry }}/{{ .Values.tool.image.name }}:{{ .Values.tool.image.tag }}';
    const many = scan(chart({ 'many.yaml': lines('{{- $registry := .Values.registry | default "registry.example.test" }}', ...Array.from({ length: 20_000 }, () => throughVariable)) }));
    expect(many).toEqual([
      [
        'charts/spill/values.yaml',
        3,
        'spill:2.0.1',
        'templated',
        "the registry comes from the chart's templates/many.yaml:259, not worked out: it uses more than 200000 template steps",
        [
          ['repository', 'spill', 3],
          ['tag', '2.0.1', 4],
        ],
      ],
    ]);
    // The same joins with the registry written beside each name are worked out each on its own, in one pass.
    const alone = scan(chart({ 'many.yaml': lines(...Array.from({ length: 20_000 }, () => join)) }));
    expect(alone.map((entry) => [entry[2], entry[3]])).toEqual([['registry.example.test/spill:2.0.1', null]]);
  });
});

describe('Helm values image: {repository, name, tag} for a subchart', () => {
  it("a parent chart's values under a subchart's key are joined as the subchart's templates join them, reported at the repository", () => {
    const files = {
      'platform/Chart.yaml': lines('apiVersion: v2', 'name: platform', 'version: 1.0.0', 'appVersion: "3.0.0"', 'dependencies:', '  - name: agent-chart', '    version: 0.1.0'),
      'platform/values.yaml': lines(
        'agent-chart:',
        '  operator:',
        '    image:',
        '      repository: registry.example.test/platform',
        '      name: agent',
        '      tag: 3.0.0-rc.2',
        'other:',
        '  image:',
        '    repository: registry.example.test/platform/other',
        '    name: other',
        '    tag: 3.0.0',
      ),
      'platform/charts/agent-chart/Chart.yaml': lines('apiVersion: v2', 'name: agent-chart', 'version: 0.1.0', 'appVersion: "2.2.0"'),
      'platform/charts/agent-chart/values.yaml': lines('operator:', '  image:', '    repository: registry.example.test/team', '    name: agent', '    tag: 2.2.1'),
      'platform/charts/agent-chart/templates/deployment.yaml': lines(
        '        image: {{ .Values.operator.image.repository }}/{{ .Values.operator.image.name }}:{{ .Values.operator.image.tag | default .Chart.AppVersion }}',
      ),
    };
    expect(scan(files)).toEqual([
      [
        'platform/charts/agent-chart/values.yaml',
        3,
        'registry.example.test/team/agent:2.2.1',
        null,
        'the chart joins repository and name',
        [
          ['registry', 'registry.example.test/team', 3],
          ['repository', 'agent', 4],
          ['tag', '2.2.1', 5],
        ],
      ],
      [
        'platform/values.yaml',
        4,
        'registry.example.test/platform/agent:3.0.0-rc.2',
        null,
        'the chart joins repository and name',
        [
          ['registry', 'registry.example.test/platform', 4],
          ['repository', 'agent', 5],
          ['tag', '3.0.0-rc.2', 6],
        ],
      ],
      [
        'platform/values.yaml',
        9,
        'registry.example.test/platform/other:3.0.0',
        null,
        null,
        [
          ['repository', 'registry.example.test/platform/other', 9],
          ['tag', '3.0.0', 11],
        ],
      ],
    ]);
  });
});
