/** Helm values whose `repository` the chart's templates write before more of the name (`<repository>/<chart name>:<tag>`). */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) =>
  scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.kind, reference.value, reference.skip, reference.detail ?? null]);

const lines = (...text: string[]) => `${text.join('\n')}\n`;

/** An operator chart whose helper puts its own name after the values repository, and passes the repository alone to the operator. */
const chart = {
  'deploy/relay-operator/Chart.yaml': lines('apiVersion: v2', 'name: relay-operator', 'version: 0.3.0', 'appVersion: 1.4.2'),
  'deploy/relay-operator/templates/_helpers.tpl': lines(
    '{{- define "relay.image" -}}',
    '{{- printf "%s/%s:%s" .Values.image.repository .Chart.Name (.Values.image.tag | default .Chart.AppVersion) -}}',
    '{{- end }}',
  ),
  'deploy/relay-operator/templates/deployment.yaml': lines(
    'apiVersion: apps/v1', // 1
    'kind: Deployment', // 2
    'metadata:', // 3
    '  name: relay-operator', // 4
    'spec:', // 5
    '  template:', // 6
    '    spec:', // 7
    '      containers:', // 8
    '        - name: operator', // 9
    '          image: {{ include "relay.image" . }}', // 10
    '          env:', // 11
    '            - name: IMAGE_REPOSITORY', // 12
    '            - value: {{ .Values.image.repository }}', // 13
  ),
  'deploy/relay-operator/values.yaml': lines('image:', '  repository: registry.example.test/team', '  pullPolicy: IfNotPresent'),
  'deploy/relay-operator/values/mirror.yaml': lines('# Published to the mirror', 'image:', '  repository: mirror.example.test/team'),
  'deploy/relay-operator/ci/smoke-values.yaml': lines('image:', '  repository: ci.example.test/team', '  tag: ""'),
};

const rendered = (where = 'templates/deployment.yaml:10') =>
  `no tag here: the chart's templates render path /relay-operator after it and tag 1.4.2 (${where}, with appVersion 1.4.2 of deploy/relay-operator/Chart.yaml:4); not edited here, where a tag would override theirs`;

describe('a values repository that the chart writes before more of the image name', () => {
  it('is shown as the image the templates render, in values.yaml, in ci/ and in a values/ folder beside Chart.yaml', () => {
    // Before, the first two were shown as registry.example.test/team:1.4.2 and ci.example.test/team:1.4.2, and the
    // overlay as the image mirror.example.test/team, no-tag, of kind yaml-image.
    expect(scan(chart)).toEqual([
      ['deploy/relay-operator/ci/smoke-values.yaml', 2, 'helm-values', 'ci.example.test/team/relay-operator:1.4.2', 'templated', rendered()],
      ['deploy/relay-operator/values.yaml', 2, 'helm-values', 'registry.example.test/team/relay-operator:1.4.2', 'templated', rendered()],
      ['deploy/relay-operator/values/mirror.yaml', 3, 'helm-values', 'mirror.example.test/team/relay-operator:1.4.2', 'templated', rendered()],
    ]);
  });

  it('keeps the repository as the image, with the appVersion tag, when no line writes more path after it', () => {
    const plain = {
      ...chart,
      'deploy/relay-operator/templates/_helpers.tpl': lines(
        '{{- define "relay.image" -}}',
        '{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}',
        '{{- end }}',
      ),
    };
    expect(scan(plain).filter((reference) => reference[0] === 'deploy/relay-operator/values.yaml')).toEqual([
      [
        'deploy/relay-operator/values.yaml',
        2,
        'helm-values',
        'registry.example.test/team:1.4.2',
        'templated',
        "no tag here: the chart's templates use appVersion 1.4.2 (deploy/relay-operator/Chart.yaml:4); set there, not edited here",
      ],
    ]);
  });

  it('reads a values/ folder as the chart values only beside a Chart.yaml', () => {
    const loose = { 'tests/values/relay.yaml': lines('image:', '  repository: registry.example.test/team/relay', '  tag: 2.0.1') };
    expect(scan(loose)).toEqual([['tests/values/relay.yaml', 2, 'yaml-image', 'registry.example.test/team/relay:2.0.1', null, null]]);
  });
});
