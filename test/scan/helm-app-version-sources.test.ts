import { describe, expect, it } from 'vitest';
import { isCandidatePath } from '../../src/scan/candidate-path.js';
import { scanTexts } from '../support/scan-texts.js';

/** What the values files report (the templates' own image lines are read by the template rules, as before). */
const scan = (files: Record<string, string>) =>
  scanTexts(files)
    .references.filter((reference) => /values\.yaml$/.test(reference.file))
    .map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail ?? null]);

const lines = (...text: string[]) => `${text.join('\n')}\n`;
const chart = (name: string, appVersion: string, ...more: string[]) => lines('apiVersion: v2', `name: ${name}`, 'version: 1.0.0', `appVersion: ${appVersion}`, ...more);
const repositoryOnly = (repository: string) => lines('image:', `  repository: ${repository}`, '  tag: ""');

describe('Helm appVersion defaults: more ways to write them, and whose appVersion', () => {
  it('coalesce .Values.image.tag .Chart.AppVersion, with printf "v%s", an if/else on the tag, and default in either order', () => {
    const files = {
      'plain/Chart.yaml': chart('plain', '1.2.3'),
      'plain/values.yaml': repositoryOnly('example.test/plain'),
      'plain/templates/deployment.yaml': lines('          image: "{{ .Values.image.repository }}:{{ coalesce .Values.image.tag .Values.global.tag .Chart.AppVersion }}"'),
      'printed/Chart.yaml': chart('printed', '2.0.0'),
      'printed/values.yaml': repositoryOnly('example.test/printed'),
      'printed/templates/_helpers.tpl': lines('{{- define "printed.tag" -}}', '{{- coalesce .Values.image.tag (printf "v%s" .Chart.AppVersion) -}}', '{{- end -}}'),
      // A version compared, not written: it says nothing about the tag's text.
      'printed/templates/daemonset.yaml': lines('{{- if semverCompare ">=2.0.0-0" (coalesce .Values.image.tag .Chart.AppVersion) }}', '      args: [--new-flags]', '{{- end }}'),
      'branch/Chart.yaml': chart('branch', '"0.9.1"'),
      'branch/values.yaml': repositoryOnly('example.test/branch'),
      'branch/templates/pod.yaml': lines('      image: {{ .Values.image.repository }}:{{ if .Values.image.tag }}{{ .Values.image.tag }}{{ else }}release-{{ .Chart.AppVersion }}{{ end }}'),
      'ordered/Chart.yaml': chart('ordered', '5.5.0'),
      'ordered/values.yaml': repositoryOnly('example.test/ordered'),
      'ordered/templates/pod.yaml': lines('      image: {{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}'),
    };
    expect(scan(files)).toEqual([
      [
        'branch/values.yaml',
        2,
        'example.test/branch:release-0.9.1',
        'templated',
        `no tag here: the chart's templates use "release-" + appVersion 0.9.1 (branch/Chart.yaml:4); set there, not edited here`,
      ],
      ['ordered/values.yaml', 2, 'example.test/ordered:5.5.0', 'templated', `no tag here: the chart's templates use appVersion 5.5.0 (ordered/Chart.yaml:4); set there, not edited here`],
      ['plain/values.yaml', 2, 'example.test/plain:1.2.3', 'templated', `no tag here: the chart's templates use appVersion 1.2.3 (plain/Chart.yaml:4); set there, not edited here`],
      ['printed/values.yaml', 2, 'example.test/printed:v2.0.0', 'templated', `no tag here: the chart's templates use "v" + appVersion 2.0.0 (printed/Chart.yaml:4); set there, not edited here`],
    ]);
  });

  it("values under a dependency's key take the subchart's appVersion and templates; a dependency not in the repository leaves the tag unknown", () => {
    const files = {
      'deploy/Chart.yaml': chart(
        'deploy',
        'v3.0.0',
        'dependencies:',
        '  - name: cache',
        '    version: 1.4.0',
        '    repository: https://charts.example.test/',
        '  - name: crds',
        '    version: 0.0.0',
        '  - name: proxy',
        '    alias: edge',
        '    version: 2.0.0',
        '    repository: https://charts.example.test/',
      ),
      'deploy/templates/_helpers.tpl': lines('{{- define "deploy.tag" -}}{{ .Values.image.tag | default .Chart.AppVersion }}{{- end -}}'),
      'deploy/values.yaml': lines(
        'image:',
        '  repository: example.test/deploy',
        'cache:',
        '  image:',
        '    repository: example.test/cache',
        'edge:',
        '  image:',
        '    repository: example.test/proxy',
        'crds:',
        '  job:',
        '    image:',
        '      repository: example.test/kubectl',
        '      tag: ""',
      ),
      'deploy/charts/crds/Chart.yaml': lines('apiVersion: v2', 'name: crds', 'version: 0.0.0'),
      'deploy/charts/cache/Chart.yaml': chart('cache', '7.2.0'),
      'deploy/charts/cache/templates/_tag.tpl': lines('{{- define "cache.tag" -}}{{ default (printf "r%s" .Chart.AppVersion) .Values.image.tag }}{{- end -}}'),
      // A chart of apiVersion v1 lists its dependencies in requirements.yaml.
      'legacy/Chart.yaml': lines('apiVersion: v1', 'name: legacy', 'version: 0.2.0', 'appVersion: 1.9.0'),
      'legacy/requirements.yaml': lines('dependencies:', '  - name: queue', '    version: 3.1.0', '    repository: https://charts.example.test/'),
      'legacy/templates/deployment.yaml': lines('      image: {{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}'),
      'legacy/values.yaml': lines('image:', '  repository: example.test/legacy', 'queue:', '  image:', '    repository: example.test/queue'),
      'tools/Chart.yaml': chart('tools', '0.4.0'),
      'tools/values.yaml': repositoryOnly('example.test/tools'),
      'tools/templates/job.yaml': lines('      image: {{ .Values.image.repository }}:{{ .Values.image.tag | default (print "tools-" .Chart.AppVersion) }}'),
    };
    expect(scan(files)).toEqual([
      ['deploy/values.yaml', 2, 'example.test/deploy:v3.0.0', 'templated', `no tag here: the chart's templates use appVersion v3.0.0 (deploy/Chart.yaml:4); set there, not edited here`],
      // The subchart's own appVersion and the text its templates write before it, not the parent's.
      [
        'deploy/values.yaml',
        5,
        'example.test/cache:r7.2.0',
        'templated',
        `no tag here: the chart's templates use "r" + appVersion 7.2.0 (deploy/charts/cache/Chart.yaml:4); set there, not edited here`,
      ],
      ['deploy/values.yaml', 8, 'example.test/proxy', 'no-tag', 'no tag here: the proxy chart (a dependency of deploy/Chart.yaml, not in this repository) decides it'],
      ['deploy/values.yaml', 12, 'example.test/kubectl', 'no-tag', 'no tag here: the crds chart (a dependency of deploy/Chart.yaml, deploy/charts/crds/, with no appVersion) decides it'],
      ['legacy/values.yaml', 2, 'example.test/legacy:1.9.0', 'templated', `no tag here: the chart's templates use appVersion 1.9.0 (legacy/Chart.yaml:4); set there, not edited here`],
      ['legacy/values.yaml', 5, 'example.test/queue', 'no-tag', 'no tag here: the queue chart (a dependency of legacy/Chart.yaml, not in this repository) decides it'],
      ['tools/values.yaml', 2, 'example.test/tools:tools-0.4.0', 'templated', `no tag here: the chart's templates use "tools-" + appVersion 0.4.0 (tools/Chart.yaml:4); set there, not edited here`],
    ]);
  });
});

describe('Helm appVersion defaults with a flavour after the version', () => {
  it('printf "%s-alpine", printf "%s-%s" with a values flavour, and appVersion written as the tag followed by one', () => {
    const files = {
      'literal/Chart.yaml': chart('literal', '3.1.0'),
      'literal/values.yaml': repositoryOnly('example.test/literal'),
      'literal/templates/pod.yaml': lines('      image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default (printf "%s-alpine" .Chart.AppVersion) }}"'),
      'valued/Chart.yaml': chart('valued', '4.0.2'),
      'valued/values.yaml': lines('image:', '  repository: example.test/valued', '  tag: ""', 'variant:', '  flavor: bookworm'),
      'valued/templates/pod.yaml': lines('      image: {{ .Values.image.repository }}:{{ .Values.image.tag | default (printf "%s-%s" .Chart.AppVersion .Values.variant.flavor) }}'),
      'written/Chart.yaml': chart('written', '1.8.0'),
      'written/values.yaml': lines('image:', '  repository: example.test/written', '  tag: ""', 'flavor: slim'),
      'written/templates/pod.yaml': lines('      image: "{{ .Values.image.repository }}:{{ .Chart.AppVersion }}-{{ .Values.flavor }}"'),
      // The flavour is not a plain value of the chart's values: which tag runs is not known.
      'unknown/Chart.yaml': chart('unknown', '2.2.2'),
      'unknown/values.yaml': repositoryOnly('example.test/unknown'),
      'unknown/templates/pod.yaml': lines('      image: {{ .Values.image.repository }}:{{ .Values.image.tag | default (printf "%s-%s" .Chart.AppVersion .Values.flavor) }}'),
    };
    expect(scan(files)).toEqual([
      [
        'literal/values.yaml',
        2,
        'example.test/literal:3.1.0-alpine',
        'templated',
        `no tag here: the chart's templates use appVersion + "-alpine" 3.1.0 (literal/Chart.yaml:4); set there, not edited here`,
      ],
      ['unknown/values.yaml', 2, 'example.test/unknown', 'no-tag', null],
      [
        'valued/values.yaml',
        2,
        'example.test/valued:4.0.2-bookworm',
        'templated',
        `no tag here: the chart's templates use appVersion + "-bookworm" 4.0.2 (valued/Chart.yaml:4); set there, not edited here`,
      ],
      [
        'written/values.yaml',
        2,
        'example.test/written:1.8.0-slim',
        'templated',
        `no tag here: the chart's templates use appVersion + "-slim" 1.8.0 (written/Chart.yaml:4); set there, not edited here`,
      ],
    ]);
  });

  it("a helper that writes the whole image with one printf, appVersion and a values flavour after the format's colon", () => {
    const helper = (format: string, ...after: string[]) =>
      lines(
        '{{- define "shop.image" -}}',
        '{{- if .Values.image.tag -}}',
        '{{- printf "%s/%s:%s" .Values.image.registry .Values.image.repository .Values.image.tag -}}',
        '{{- else -}}',
        `{{- printf "${format}" (default "mirror.example.test" .Values.image.registry) .Values.image.repository .Chart.AppVersion ${after.join(' ')} -}}`,
        '{{- end -}}',
        '{{- end -}}',
      );
    const values = lines('image:', '  registry: registry.example.test', '  repository: team/shop', '  variant: fpm', '  tag:');
    const pod = lines('      image: {{ include "shop.image" . }}');
    const files = {
      'flavoured/Chart.yaml': chart('flavoured', '5.2.0'),
      'flavoured/values.yaml': values,
      'flavoured/templates/_helpers.tpl': helper('%s/%s:v%s-%s', '.Values.image.variant'),
      'flavoured/templates/pod.yaml': pod,
      'plain/Chart.yaml': chart('plain', '5.2.0'),
      'plain/values.yaml': values,
      'plain/templates/_helpers.tpl': helper('%s/%s:%s'),
      'plain/templates/pod.yaml': pod,
      // Text after the flavour, a version that is not the tag, a flavour that is not a values path: not read.
      'trailing/Chart.yaml': chart('trailing', '5.2.0'),
      'trailing/values.yaml': values,
      'trailing/templates/_helpers.tpl': helper('%s/%s:%s-%s-extra', '.Values.image.variant'),
      'labelled/Chart.yaml': chart('labelled', '5.2.0'),
      'labelled/values.yaml': values,
      'labelled/templates/_helpers.tpl': lines('{{- define "shop.version" -}}', '{{ printf "%s-%s" .Chart.Name .Chart.AppVersion }}', '{{- end -}}'),
      'computed/Chart.yaml': chart('computed', '5.2.0'),
      'computed/values.yaml': values,
      'computed/templates/_helpers.tpl': helper('%s/%s:%s-%s', '(lower .Values.image.variant)'),
    };
    expect(scan(files)).toEqual([
      ['computed/values.yaml', 3, 'registry.example.test/team/shop', 'no-tag', null],
      [
        'flavoured/values.yaml',
        3,
        'registry.example.test/team/shop:v5.2.0-fpm',
        'templated',
        `no tag here: the chart's templates use "v" + appVersion + "-fpm" 5.2.0 (flavoured/Chart.yaml:4); set there, not edited here`,
      ],
      ['labelled/values.yaml', 3, 'registry.example.test/team/shop', 'no-tag', null],
      ['plain/values.yaml', 3, 'registry.example.test/team/shop:5.2.0', 'templated', `no tag here: the chart's templates use appVersion 5.2.0 (plain/Chart.yaml:4); set there, not edited here`],
      ['trailing/values.yaml', 3, 'registry.example.test/team/shop', 'no-tag', null],
    ]);
  });

  it('a flavour that an if on it switches on: appVersion and the flavour when it is set, appVersion alone when it is empty', () => {
    const helper = lines(
      '{{- define "app.tag" -}}',
      '{{- if .Values.image.tagLabel -}}',
      '  {{- default (printf "%s-%s" .Chart.AppVersion .Values.image.tagLabel) .Values.image.tag -}}',
      '{{- else -}}',
      '  {{- default .Chart.AppVersion .Values.image.tag -}}',
      '{{- end -}}',
      '{{- end -}}',
    );
    const pod = lines('      image: "{{ .Values.image.repository }}:{{ include "app.tag" . }}"');
    const files = {
      'labelled/Chart.yaml': chart('labelled', '2.5.0'),
      'labelled/values.yaml': lines('image:', '  repository: example.test/labelled', '  tag: ""', '  tagLabel: temurin'),
      'labelled/templates/_helpers.tpl': helper,
      'labelled/templates/pod.yaml': pod,
      'plain/Chart.yaml': chart('plain', '2.5.0'),
      'plain/values.yaml': lines('image:', '  repository: example.test/plain', '  tag: ""', '  tagLabel: ""'),
      'plain/templates/_helpers.tpl': helper,
      'plain/templates/pod.yaml': pod,
    };
    expect(scan(files)).toEqual([
      [
        'labelled/values.yaml',
        2,
        'example.test/labelled:2.5.0-temurin',
        'templated',
        `no tag here: the chart's templates use appVersion + "-temurin" 2.5.0 (labelled/Chart.yaml:4); set there, not edited here`,
      ],
      ['plain/values.yaml', 2, 'example.test/plain:2.5.0', 'templated', `no tag here: the chart's templates use appVersion 2.5.0 (plain/Chart.yaml:4); set there, not edited here`],
    ]);
  });

  it('a helper kept in a folder under templates/ (one per component), as Helm loads it too', () => {
    const files = {
      'autoscaler/Chart.yaml': chart('autoscaler', '1.4.2'),
      'autoscaler/values.yaml': lines('scaler:', '  image:', '    repository: example.test/autoscaler/scaler', '    tag:'),
      'autoscaler/templates/scaler/_helpers.tpl': lines(
        '{{- define "autoscaler.scaler.image" -}}',
        '{{- printf "%s:%s" .Values.scaler.image.repository (default .Chart.AppVersion .Values.scaler.image.tag) }}',
        '{{- end }}',
      ),
      'autoscaler/templates/scaler/deployment.yaml': lines('          image: {{ include "autoscaler.scaler.image" . }}'),
    };
    // A walk of the tree reads the files it takes as candidates: the helper is one.
    expect(isCandidatePath('autoscaler/templates/scaler/_helpers.tpl')).toBe(true);
    const walked = Object.fromEntries(Object.entries(files).filter(([path]) => isCandidatePath(path)));
    expect(scan(walked)).toEqual([
      [
        'autoscaler/values.yaml',
        3,
        'example.test/autoscaler/scaler:1.4.2',
        'templated',
        `no tag here: the chart's templates use appVersion 1.4.2 (autoscaler/Chart.yaml:4); set there, not edited here`,
      ],
    ]);
  });

  it('a helper that merges a map with the tag set to appVersion into each image map (Sprig merge, mergeOverwrite), through a dict field holding the root context', () => {
    const imageMap = (repository: string) => ['  image:', '    registry: ""', `    repository: ${repository}`, '    tag: ""', '    digest: ""'];
    const files = {
      'tracer/Chart.yaml': chart('tracer', '3.1.0'),
      'tracer/values.yaml': lines(
        'collector:',
        ...imageMap('example.test/collector'),
        'pruner:',
        ...imageMap('example.test/pruner'),
        'reporter:',
        '  image:',
        '    repository: example.test/reporter',
        '    tag: 0.9.2',
      ),
      'tracer/templates/_helpers.tpl': lines(
        '{{- define "tracer.renderImage" -}}',
        '{{- $image := merge .imageRoot (dict "tag" .context.Chart.AppVersion) -}}',
        '{{- printf "%s:%s" $image.repository $image.tag -}}',
        '{{- end -}}',
        '{{- define "tracer.collector.image" -}}',
        '{{- include "tracer.renderImage" (dict "imageRoot" .Values.collector.image "context" $) -}}',
        '{{- end -}}',
      ),
      'relay/Chart.yaml': chart('relay', '0.4.0'),
      'relay/values.yaml': repositoryOnly('example.test/relay'),
      'relay/templates/_helpers.tpl': lines(
        '{{- define "relay.image" -}}',
        '{{- with mergeOverwrite (dict "tag" (printf "v%s" $.Chart.AppVersion)) .Values.image }}{{ .repository }}:{{ .tag }}{{ end }}',
        '{{- end -}}',
      ),
      // A map merged in that sets another field says nothing about the tag.
      'labels/Chart.yaml': chart('labels', '2.2.0'),
      'labels/values.yaml': repositoryOnly('example.test/labels'),
      'labels/templates/_helpers.tpl': lines('{{- $labels := merge (dict "app" .Chart.Name "version" .Chart.AppVersion) .Values.labels -}}'),
    };
    expect(scan(files)).toEqual([
      ['labels/values.yaml', 2, 'example.test/labels', 'no-tag', null],
      ['relay/values.yaml', 2, 'example.test/relay:v0.4.0', 'templated', `no tag here: the chart's templates use "v" + appVersion 0.4.0 (relay/Chart.yaml:4); set there, not edited here`],
      ['tracer/values.yaml', 4, 'example.test/collector:3.1.0', 'templated', `no tag here: the chart's templates use appVersion 3.1.0 (tracer/Chart.yaml:4); set there, not edited here`],
      ['tracer/values.yaml', 10, 'example.test/pruner:3.1.0', 'templated', `no tag here: the chart's templates use appVersion 3.1.0 (tracer/Chart.yaml:4); set there, not edited here`],
      ['tracer/values.yaml', 15, 'example.test/reporter:0.9.2', null, null],
    ]);
  });

  it("a values file of the chart's ci/ folder, installed over the chart's values, takes the tag they take; a ci/ folder of no chart does not", () => {
    const files = {
      'relay/Chart.yaml': chart('relay', '4.1.0'),
      'relay/values.yaml': repositoryOnly('registry.example.test/team/relay'),
      'relay/templates/deployment.yaml': lines('          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"'),
      'relay/ci/smoke-values.yaml': lines('image:', '  pullPolicy: Never', '  repository: team/relay'),
      'ops/ci/values.yaml': lines('image:', '  repository: team/relay'),
    };
    const note = `no tag here: the chart's templates use appVersion 4.1.0 (relay/Chart.yaml:4); set there, not edited here`;
    expect(scan(files)).toEqual([
      ['ops/ci/values.yaml', 2, 'team/relay', 'no-tag', null],
      ['relay/ci/smoke-values.yaml', 3, 'team/relay:4.1.0', 'templated', note],
      ['relay/values.yaml', 2, 'registry.example.test/team/relay:4.1.0', 'templated', note],
    ]);
  });

  it('is read from a Chart.yaml that writes the key in another case (AppVersion:), as Helm decodes it; the key written exactly so wins', () => {
    const files = {
      'ledger/Chart.yaml': lines('apiVersion: v2', 'Name: ledger', 'version: 0.1.0', 'AppVersion: "v2.6.0"'),
      'ledger/values.yaml': lines('migration:', '  image:', '    registry: registry.example.test/team', '    repository: ledger-migrate', '    tag: ""'),
      'ledger/templates/job.yaml': lines(
        '          image: "{{ .Values.migration.image.registry }}/{{ .Values.migration.image.repository }}:{{ .Values.migration.image.tag | default .Chart.AppVersion }}"',
        '          image: registry.example.test/tools/{{ .Chart.Name }}-probe:{{ .Chart.AppVersion }}',
      ),
      'vault/Chart.yaml': lines('apiVersion: v2', 'name: vault', 'version: 0.2.0', 'AppVersion: "9.9.9"', 'appVersion: "1.3.0"'),
      'vault/values.yaml': repositoryOnly('registry.example.test/team/vault'),
      'vault/templates/deployment.yaml': lines('          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"'),
    };
    expect(scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip])).toEqual([
      ['ledger/templates/job.yaml', 2, 'registry.example.test/tools/ledger-probe:v2.6.0', 'templated'],
      ['ledger/values.yaml', 4, 'registry.example.test/team/ledger-migrate:v2.6.0', 'templated'],
      ['vault/values.yaml', 2, 'registry.example.test/team/vault:1.3.0', 'templated'],
    ]);
  });
});

describe('Helm appVersion defaults: a map whose own image line defaults its tag otherwise', () => {
  it('keeps no tag when its template line defaults the tag to something else, while the map whose line takes appVersion gets it', () => {
    const files = {
      'probe/Chart.yaml': chart('probe', '0.7.1'),
      'probe/values.yaml': lines(
        'image:', // 1
        '  repository: registry.example.test/team/probe', // 2
        '  tag: ""', // 3
        'reloader:', // 4
        '  image:', // 5
        '    repository: registry.example.test/tools/kubectl', // 6
        '    tag: ""', // 7
      ),
      'probe/templates/daemonset.yaml': lines(
        '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"',
        '          image: {{ .Values.reloader.image.repository }}:{{ .Values.reloader.image.tag | default (printf "%s.%s" .Capabilities.KubeVersion.Major .Capabilities.KubeVersion.Minor) }}',
      ),
    };
    expect(scan(files)).toEqual([
      ['probe/values.yaml', 2, 'registry.example.test/team/probe:0.7.1', 'templated', `no tag here: the chart's templates use appVersion 0.7.1 (probe/Chart.yaml:4); set there, not edited here`],
      ['probe/values.yaml', 6, 'registry.example.test/tools/kubectl', 'no-tag', null],
    ]);
  });
});
