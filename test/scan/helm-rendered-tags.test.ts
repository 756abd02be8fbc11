import { describe, expect, it } from 'vitest';
import { editsForReference } from '../../src/plan/edits-for-reference.js';
import { scanTexts } from '../support/scan-texts.js';

/** What the values files report: file, line, value, skip, detail. */
const scan = (files: Record<string, string>) =>
  scanTexts(files)
    .references.filter((reference) => /values\.yaml$/.test(reference.file))
    .map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail ?? null]);

const lines = (...text: string[]) => `${text.join('\n')}\n`;
const chart = (name: string, ...more: string[]) => lines('apiVersion: v2', `name: ${name}`, 'version: 1.0.0', ...more);

describe("Helm values with no tag: the tag the chart's own template lines render for that map", () => {
  it('a variable assigned before the line from appVersion and values, a helper given appVersion as a parameter, another map’s tag as the default', () => {
    const files = {
      'flavoured/Chart.yaml': chart('flavoured', 'appVersion: 2.4.0'),
      'flavoured/values.yaml': lines('flavor: slim', 'image:', '  repository: registry.example.test/team/app', '  tag: ""'),
      'flavoured/templates/_pod.tpl': lines(
        '{{- define "flavoured.pod" -}}',
        '{{- $fallback := printf "v%s-%s" .Chart.AppVersion .Values.flavor -}}',
        'containers:',
        '  - name: app',
        '    image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default $fallback }}"',
        '{{- end }}',
      ),
      'flavoured/templates/deployment.yaml': lines(
        'spec:',
        '  template:',
        '    metadata:',
        '      labels:',
        '        app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 }}',
        '    spec:',
        '      {{- include "flavoured.pod" . | nindent 6 }}',
      ),
      'operator/Chart.yaml': chart('operator', 'appVersion: "1.5.0"'),
      'operator/values.yaml': lines(
        'manager:',
        '  image:',
        '    registry: registry.example.test',
        '    repository: team/operator',
        'agent:',
        '  image:',
        '    repository: registry.example.test/team/agent',
        '    tag: 0.9.1',
      ),
      'operator/templates/_helpers.tpl': lines(
        '{{- define "operator.image" -}}',
        '{{- $fallback := index . 1 -}}',
        '{{- with index . 0 -}}',
        '{{- if .registry -}}{{ printf "%s/%s" .registry .repository }}{{- else -}}{{ .repository }}{{- end -}}',
        '{{- printf ":%s" (default $fallback .tag) -}}',
        '{{- end }}',
        '{{- end }}',
      ),
      'operator/templates/manager.yaml': lines('        image: {{ template "operator.image" (tuple .Values.manager.image $.Chart.AppVersion) }}'),
      'operator/templates/agent.yaml': lines('        image: {{ template "operator.image" (tuple .Values.agent.image "") }}'),
      'shared/Chart.yaml': chart('shared', 'appVersion: edge'),
      'shared/values.yaml': lines(
        'image:',
        '  repository: registry.example.test/team/server',
        '  tag: "3.1.0"',
        'sidecar:',
        '  image:',
        '    repository: registry.example.test/team/runner',
        '    tag: ""',
      ),
      'shared/templates/server.yaml': lines(
        '        - image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"',
        '        - image: "{{ .Values.sidecar.image.repository }}:{{ default .Values.image.tag .Values.sidecar.image.tag }}"',
      ),
      'shared/templates/worker.yaml': lines('        - image: "{{ .Values.sidecar.image.repository }}:{{ default .Values.image.tag .Values.sidecar.image.tag }}"'),
    };
    expect(scan(files)).toEqual([
      [
        'flavoured/values.yaml',
        3,
        'registry.example.test/team/app:v2.4.0-slim',
        'templated',
        "no tag here: the chart's templates render tag v2.4.0-slim (templates/_pod.tpl:5, with appVersion 2.4.0 of flavoured/Chart.yaml:4); not edited here, where a tag would override theirs",
      ],
      [
        'operator/values.yaml',
        4,
        'registry.example.test/team/operator:1.5.0',
        'templated',
        "no tag here: the chart's templates render tag 1.5.0 (templates/manager.yaml:1, with appVersion 1.5.0 of operator/Chart.yaml:4); not edited here, where a tag would override theirs",
      ],
      ['operator/values.yaml', 7, 'registry.example.test/team/agent:0.9.1', null, null],
      ['shared/values.yaml', 2, 'registry.example.test/team/server:3.1.0', null, null],
      [
        'shared/values.yaml',
        6,
        'registry.example.test/team/runner:3.1.0',
        'templated',
        "no tag here: the chart's templates render tag 3.1.0 (templates/server.yaml:2, templates/worker.yaml:1); not edited here, where a tag would override theirs",
      ],
    ]);
  });

  it('stays no-tag when a line cannot say: a variable set under a condition, appVersion missing, lines that render different tags, an image line that cannot be rendered', () => {
    const files = {
      'branch/Chart.yaml': chart('branch', 'appVersion: 1.0.0'),
      'branch/values.yaml': lines('image:', '  repository: registry.example.test/team/branch'),
      'branch/templates/pod.yaml': lines(
        '{{- $fallback := .Chart.AppVersion -}}',
        '{{- if .Values.edge }}{{ $fallback = "edge" }}{{ end -}}',
        '      image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default $fallback }}"',
      ),
      'unversioned/Chart.yaml': chart('unversioned'),
      'unversioned/values.yaml': lines('image:', '  repository: registry.example.test/team/unversioned', '  tag: ""'),
      'unversioned/templates/pod.yaml': lines('      image: {{ template "unversioned.image" (tuple .Values.image $.Chart.AppVersion) }}'),
      'unversioned/templates/_helpers.tpl': lines('{{- define "unversioned.image" -}}{{ (index . 0).repository }}:{{ default (index . 1) (index . 0).tag }}{{- end }}'),
      'split/Chart.yaml': chart('split', 'appVersion: 4.0.0'),
      'split/values.yaml': lines('image:', '  repository: registry.example.test/team/split'),
      'split/templates/a.yaml': lines('      image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default "stable" }}"'),
      'split/templates/b.yaml': lines('      image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default "edge" }}"'),
      'unknown/Chart.yaml': chart('unknown', 'appVersion: 4.0.0'),
      'unknown/values.yaml': lines('image:', '  repository: registry.example.test/team/unknown'),
      'unknown/templates/a.yaml': lines('      image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default "stable" }}"'),
      'unknown/templates/b.yaml': lines('      image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default (lookup "v1" "ConfigMap" "ns" "tags").data.app }}"'),
    };
    expect(scan(files)).toEqual([
      ['branch/values.yaml', 2, 'registry.example.test/team/branch', 'no-tag', null],
      ['split/values.yaml', 2, 'registry.example.test/team/split', 'no-tag', null],
      ['unknown/values.yaml', 2, 'registry.example.test/team/unknown', 'no-tag', null],
      ['unversioned/values.yaml', 2, 'registry.example.test/team/unversioned', 'no-tag', null],
    ]);
  });
});

describe("Helm values with no tag whose comment gives the chart's appVersion", () => {
  it('is read when no template of the repository renders the map (a library chart writes the images), and not against a template that does', () => {
    const files = {
      'library/Chart.yaml': chart('library', 'appVersion: v5.2.0', 'dependencies:', '  - name: common', '    version: 4.0.0', '    repository: https://charts.example.test/'),
      'library/values.yaml': lines(
        'image:',
        '  repository: registry.example.test/team/library',
        '  # @default -- chart.appVersion',
        '  tag:',
        'sidecar:',
        '  image:',
        '    repository: registry.example.test/team/sidecar',
        '    # Overrides the image tag whose default is {{ printf "v%s" .Chart.AppVersion }}',
        '    tag: ""',
        'worker:',
        '  image:',
        '    repository: registry.example.test/team/worker',
        '    tag: ""',
      ),
      'library/templates/common.yaml': lines('{{- include "common.all" . }}'),
      'plain/Chart.yaml': chart('plain', 'appVersion: 2.0.0'),
      'plain/values.yaml': lines('job:', '  image:', '    repository: registry.example.test/team/job', '    # -- Overrides the image tag whose default is the chart appVersion', '    tag: null'),
      'plain/templates/job.yaml': lines('      image: "{{ .Values.job.image.repository }}:{{ .Values.job.image.tag }}"'),
      // The chart's own appVersion rule (a helper printing "v" and the version) is taken over the comment.
      'prefixed/Chart.yaml': chart('prefixed', 'appVersion: 0.7.0'),
      'prefixed/values.yaml': lines('image:', '  repository: registry.example.test/team/prefixed', '  ## Tag follows Chart.AppVersion by default', '  tag: ""'),
      'prefixed/templates/_helpers.tpl': lines(
        '{{- define "prefixed.tag" -}}',
        '{{- if .Values.image.tag }}',
        '{{- .Values.image.tag -}}',
        '{{- else }}',
        '{{- print "v" .Chart.AppVersion -}}',
        '{{- end }}',
        '{{- end }}',
      ),
      'prefixed/templates/deployment.yaml': lines('{{- $tag := include "prefixed.tag" . }}', '          image: {{ .Values.image.repository }}:{{ $tag }}'),
    };
    expect(scan(files)).toEqual([
      [
        'library/values.yaml',
        2,
        'registry.example.test/team/library:v5.2.0',
        'templated',
        "no tag here: its comment gives the chart's appVersion v5.2.0 (library/Chart.yaml:4); set there, not edited here",
      ],
      ['library/values.yaml', 7, 'registry.example.test/team/sidecar', 'no-tag', null],
      ['library/values.yaml', 12, 'registry.example.test/team/worker', 'no-tag', null],
      ['plain/values.yaml', 3, 'registry.example.test/team/job', 'no-tag', null],
      [
        'prefixed/values.yaml',
        2,
        'registry.example.test/team/prefixed:v0.7.0',
        'templated',
        `no tag here: the chart's templates use "v" + appVersion 0.7.0 (prefixed/Chart.yaml:4); set there, not edited here`,
      ],
    ]);
  });

  it('reads a comment that says the tag rewrites, overwrites or overrides Chart.AppVersion, the verb in any form, as naming that default', () => {
    const files = {
      'ledger/Chart.yaml': chart('ledger', 'appVersion: v3.8.1', 'dependencies:', '  - name: shared', '    version: 0.3.*', '    repository: oci://registry.example.test/charts'),
      'ledger/values.yaml': lines(
        'server:',
        '  image:',
        '    registry: ""',
        '    repository: team/ledger',
        '    tag: "" # rewrites Chart.AppVersion',
        'backup:',
        '  image:',
        '    repository: team/ledger-backup',
        '    # Image tag, overwrites appVersion',
        '    tag: ""',
        'migrate:',
        '  image:',
        '    repository: team/ledger-migrate',
        '    # override Chart.AppVersion',
        '    tag: ""',
        'probe:',
        '  image:',
        '    repository: team/ledger-probe',
        '    # Image tag',
        '    tag: ""',
      ),
      'ledger/templates/server.yaml': lines('          image: {{ include "shared.image" (dict "app" .Values.server "helm" .) }}'),
    };
    expect(scan(files)).toEqual([
      ['ledger/values.yaml', 4, 'team/ledger:v3.8.1', 'templated', "no tag here: its comment gives the chart's appVersion v3.8.1 (ledger/Chart.yaml:4); set there, not edited here"],
      ['ledger/values.yaml', 8, 'team/ledger-backup:v3.8.1', 'templated', "no tag here: its comment gives the chart's appVersion v3.8.1 (ledger/Chart.yaml:4); set there, not edited here"],
      ['ledger/values.yaml', 13, 'team/ledger-migrate:v3.8.1', 'templated', "no tag here: its comment gives the chart's appVersion v3.8.1 (ledger/Chart.yaml:4); set there, not edited here"],
      ['ledger/values.yaml', 18, 'team/ledger-probe', 'no-tag', null],
    ]);
  });
});

describe('Helm values with no tag: an image line that calls a helper reading the map', () => {
  it('renders through the helpers the line includes, each of its lines agreeing', () => {
    const files = {
      'split/Chart.yaml': chart('split', 'appVersion: 6.1.0'),
      'split/values.yaml': lines(
        'global:',
        '  image:',
        '    registry: ""',
        'server:',
        '  image:',
        '    registry: registry.example.test',
        '    repository: team/server',
        '    tag: null',
        'reader: {}',
        'writer: {}',
      ),
      'split/templates/_helpers.tpl': lines(
        '{{- define "split.image" -}}',
        '{{- $registry := coalesce .global.registry .component.registry .server.registry -}}',
        '{{- $tag := coalesce .component.tag .server.tag .defaultVersion | toString -}}',
        '{{- printf "%s/%s:%s" $registry (coalesce .component.repository .server.repository) $tag -}}',
        '{{- end -}}',
        '{{- define "split.readerImage" -}}',
        '{{- include "split.image" (dict "server" .Values.server.image "component" (.Values.reader.image | default dict) "global" .Values.global.image "defaultVersion" .Chart.AppVersion) -}}',
        '{{- end -}}',
        '{{- define "split.writerImage" -}}',
        '{{- include "split.image" (dict "server" .Values.server.image "component" (.Values.writer.image | default dict) "global" .Values.global.image "defaultVersion" .Chart.AppVersion) -}}',
        '{{- end -}}',
      ),
      'split/templates/reader.yaml': lines('          image: {{ include "split.readerImage" . }}'),
      'split/templates/writer.yaml': lines('          image: {{ include "split.writerImage" . }}'),
    };
    expect(scan(files)).toEqual([
      [
        'split/values.yaml',
        7,
        'registry.example.test/team/server:6.1.0',
        'templated',
        "no tag here: the chart's templates render tag 6.1.0 (templates/reader.yaml:1, templates/writer.yaml:1, with appVersion 6.1.0 of split/Chart.yaml:4); not edited here, where a tag would override theirs",
      ],
    ]);
  });
});

describe('Helm values with an empty tag and a digest: the tag the chart writes before that digest', () => {
  const hex = (digit: string) => digit.repeat(64);
  const files = {
    'relay/Chart.yaml': chart('relay', 'appVersion: "3.2.0"'),
    'relay/values.yaml': lines(
      'controller:',
      '  image:',
      '    repository: registry.example.test/team/relay-controller',
      '    tag: ""',
      `    sha: "${hex('a')}"`,
      'worker:',
      '  image:',
      '    repository: registry.example.test/team/relay-worker',
      '    tag: ""',
      `    digest: "sha256:${hex('b')}"`,
      'pinned:',
      '  image:',
      '    repository: registry.example.test/team/relay-pinned',
      '    tag: ""',
      `    sha: "${hex('c')}"`,
    ),
    'relay/templates/controller.yaml': lines(
      '        - name: controller',
      '          image: "{{ .Values.controller.image.repository }}:{{ .Values.controller.image.tag | default .Chart.AppVersion }}{{ if .Values.controller.image.sha }}@sha256:{{ .Values.controller.image.sha }}{{ end }}"',
      '          env:',
      '            - name: RELAY_WORKER_IMAGE',
      '              value: "{{ .Values.worker.image.repository }}:{{ .Values.worker.image.tag | default (printf "v%s" .Chart.AppVersion) }}@{{ .Values.worker.image.digest }}"',
    ),
    // The digest takes the tag's place when it is set: the image run is the name and the digest alone.
    'relay/templates/pinned.yaml': lines(
      '          image: "{{ .Values.pinned.image.repository }}{{ if .Values.pinned.image.sha }}@sha256:{{ .Values.pinned.image.sha }}{{ else }}:{{ .Values.pinned.image.tag | default .Chart.AppVersion }}{{ end }}"',
    ),
  };

  it('is shown as the templates render it, tag and digest, and stays an update target', () => {
    expect(scan(files)).toEqual([
      [
        'relay/values.yaml',
        3,
        `registry.example.test/team/relay-controller:3.2.0@sha256:${hex('a')}`,
        null,
        "the chart's templates render tag 3.2.0 before the digest (templates/controller.yaml:2, with appVersion 3.2.0 of relay/Chart.yaml:4); the digest is updated here, the tag is not",
      ],
      [
        'relay/values.yaml',
        8,
        `registry.example.test/team/relay-worker:v3.2.0@sha256:${hex('b')}`,
        null,
        "the chart's templates render tag v3.2.0 before the digest (templates/controller.yaml:5, with appVersion 3.2.0 of relay/Chart.yaml:4); the digest is updated here, the tag is not",
      ],
      ['relay/values.yaml', 13, `registry.example.test/team/relay-pinned@sha256:${hex('c')}`, null, null],
    ]);
  });

  it('updates the digest field for the same tag, and holds an update to another tag: the empty tag stays empty', () => {
    const [controller, worker] = scanTexts(files).references.filter((reference) => reference.file === 'relay/values.yaml');
    const same = controller ? editsForReference(controller, { tag: '3.2.0', digest: `sha256:${hex('d')}` }) : null;
    const at = files['relay/values.yaml'].indexOf(hex('a'));
    expect(same).toEqual({
      ok: true,
      edits: [{ start: at, end: at + 64, expected: hex('a'), replacement: hex('d') }],
      value: `registry.example.test/team/relay-controller:3.2.0@sha256:${hex('d')}`,
      pinned: true,
    });
    const reason = "the tag is the chart's (templates/controller.yaml:5, with appVersion 3.2.0 of relay/Chart.yaml:4): a tag written here would override it; change it there, with the digest";
    expect(worker ? editsForReference(worker, { tag: 'v3.3.0', digest: `sha256:${hex('d')}` }) : null).toEqual({ ok: false, reason, hold: 'outside-variable' });
  });
});

describe('Helm values with no tag: a container or env entry a template builds as a dict', () => {
  it('renders the image a `set … "image"` or an image-named `dict "name" … "value"` is given', () => {
    const files = {
      'gate/Chart.yaml': chart('gate', 'appVersion: "4.1.0"'),
      'gate/values.yaml': lines(
        'release: "4.0.2"',
        'image:',
        '  repository: registry.example.test/team/gate',
        '  tag: ""',
        'runnerImage:',
        '  repository: registry.example.test/team/gate-runner',
        '  tag: ""',
      ),
      'gate/ci/smoke-values.yaml': lines('image:', '  repository: registry.example.test/mirror/gate'),
      'gate/templates/_helpers.tpl': lines(
        '{{- define "gate.image" -}}',
        '{{ printf "%s:%s" .Values.image.repository (default .Values.release .Values.image.tag) }}',
        '{{- end -}}',
        '{{- define "gate.runnerImage" -}}',
        '{{- $repository := default "registry.example.test/team/runner" .Values.runnerImage.repository -}}',
        '{{ printf "%s:%s" $repository (default .Values.release .Values.runnerImage.tag) }}',
        '{{- end -}}',
      ),
      'gate/templates/deployment.yaml': lines(
        '{{- $container := dict "name" "gate" }}',
        '{{- $_ := set $container "image" (include "gate.image" .) }}',
        '{{- $env := list (dict "name" "GATE_RUNNER_IMAGE" "value" (include "gate.runnerImage" .)) }}',
        '{{- $_ := set $container "env" $env }}',
        'spec:',
        '  containers:',
        '    {{- list $container | toYaml | nindent 4 }}',
      ),
    };
    const detail = (tag: string, line: number) => `no tag here: the chart's templates render tag ${tag} (templates/deployment.yaml:${line}); not edited here, where a tag would override theirs`;
    expect(scan(files)).toEqual([
      ['gate/ci/smoke-values.yaml', 2, 'registry.example.test/mirror/gate:4.0.2', 'templated', detail('4.0.2', 2)],
      ['gate/values.yaml', 3, 'registry.example.test/team/gate:4.0.2', 'templated', detail('4.0.2', 2)],
      ['gate/values.yaml', 6, 'registry.example.test/team/gate-runner:4.0.2', 'templated', detail('4.0.2', 3)],
    ]);
  });
});

describe('Helm values with no tag: a container argument that passes the image to the program', () => {
  it('renders the image a flag named for an image is given, and leaves a flag that passes the name alone as it is', () => {
    const files = {
      'vault-keeper/Chart.yaml': chart('vault-keeper', 'appVersion: v2.3.0'),
      'vault-keeper/values.yaml': lines(
        'operator:',
        '  image:',
        '    repository: registry.example.test/keeper/operator',
        'snapshotter:',
        '  image:',
        '    repository: registry.example.test/keeper/snapshotter',
        'pruner:',
        '  image:',
        '    repository: registry.example.test/keeper/pruner',
      ),
      'vault-keeper/templates/_helpers.tpl': lines(
        '{{- define "keeper.image" -}}',
        '{{- $image := index . 0 -}}',
        '{{- printf "%s:%s" $image.repository (default (index . 1) $image.tag) -}}',
        '{{- end -}}',
      ),
      'vault-keeper/templates/deployment.yaml': lines(
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        '        - name: operator',
        '          image: "{{ template "keeper.image" (tuple .Values.operator.image $.Chart.AppVersion) }}"',
        '          args:',
        '            - --snapshotter-image={{ template "keeper.image" (tuple .Values.snapshotter.image $.Chart.AppVersion) }}',
        "            - '--pruner-image-repository={{ .Values.pruner.image.repository }}'",
        '            - --log-level=info',
      ),
    };
    const detail = (line: number) =>
      `no tag here: the chart's templates render tag v2.3.0 (templates/deployment.yaml:${line}, with appVersion v2.3.0 of vault-keeper/Chart.yaml:4); not edited here, where a tag would override theirs`;
    expect(scan(files)).toEqual([
      ['vault-keeper/values.yaml', 3, 'registry.example.test/keeper/operator:v2.3.0', 'templated', detail(6)],
      ['vault-keeper/values.yaml', 6, 'registry.example.test/keeper/snapshotter:v2.3.0', 'templated', detail(8)],
      ['vault-keeper/values.yaml', 9, 'registry.example.test/keeper/pruner', 'no-tag', null],
    ]);
  });
});

describe('Helm values with no tag: a helper given the values path as a list of keys', () => {
  it('renders the map the keys name, with the registry the helper writes before it; a key the map lacks gives no value', () => {
    const files = {
      'relay/Chart.yaml': chart('relay', 'appVersion: 4.2.0'),
      'relay/values.yaml': lines(
        'imageRegistry: registry.example.test',
        'relay:',
        '  api:',
        '    image:',
        '      repository: team/relay-api',
        '  worker:',
        '    image:',
        '      registry: mirror.example.test',
        '      repository: team/relay-worker',
        '  cleaner:',
        '    image:',
        '      repository: team/relay-cleaner',
      ),
      'relay/templates/_helpers.tpl': lines(
        '{{- define "relay.image" -}}',
        '{{- $dot := index . 0 }}',
        '{{- $group := index . 1 }}',
        '{{- $name := index . 2 }}',
        '{{- $registry := default $dot.Values.imageRegistry (index $dot.Values $group $name "image" "registry") -}}',
        '{{- $repository := index $dot.Values $group $name "image" "repository" -}}',
        '{{- $tag := default $dot.Chart.AppVersion (index $dot.Values $group $name "image" "tag") | toString -}}',
        '{{- printf "%s/%s:%s" $registry $repository $tag -}}',
        '{{- end -}}',
      ),
      'relay/templates/api.yaml': lines('          image: {{ include "relay.image" (list . "relay" "api") }}'),
      'relay/templates/worker.yaml': lines('          image: {{ include "relay.image" (list . "relay" "worker") }}'),
    };
    expect(scan(files)).toEqual([
      [
        'relay/values.yaml',
        5,
        'registry.example.test/team/relay-api:4.2.0',
        'templated',
        "no tag here: the chart's templates render registry registry.example.test and tag 4.2.0 (templates/api.yaml:1, with appVersion 4.2.0 of relay/Chart.yaml:4); not edited here, where a tag would override theirs",
      ],
      ['relay/values.yaml', 9, 'mirror.example.test/team/relay-worker:4.2.0', 'templated', "no tag here: the chart's templates use appVersion 4.2.0 (relay/Chart.yaml:4); set there, not edited here"],
      ['relay/values.yaml', 12, 'team/relay-cleaner:4.2.0', 'templated', "no tag here: the chart's templates use appVersion 4.2.0 (relay/Chart.yaml:4); set there, not edited here"],
    ]);
  });
});
