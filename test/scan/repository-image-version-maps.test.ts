import { describe, expect, it } from 'vitest';
import { scanTexts, updatedFirst } from '../support/scan-texts.js';

const DIGEST = `sha256:${'d'.repeat(64)}`;

const scan = (files: Record<string, string>) =>
  scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip, reference.spans.map((span) => [span.role, span.line])]);

const lines = (...text: string[]) => `${text.join('\n')}\n`;

/** A chart whose values write each component's image as a registry path, one name and a version. */
const VALUES = lines(
  'collector:',
  '  enabled: true',
  '  repository: registry.example.test/fleet',
  '  image: collector',
  '  version: v2.3.1',
  '  imagePullPolicy: IfNotPresent',
  '  imagePullSecrets: []',
  '  env: []',
  'controller:',
  '  repository: registry.example.test/fleet/core',
  '  image: controller',
  '  # empty: the templates use the chart appVersion',
  '  imagePullPolicy: IfNotPresent',
  'pinned:',
  '  repository: localhost:5000',
  '  image: relay',
  `  version: ${DIGEST}`,
  'manual:',
  '  repository: ""',
  '  image: licensed-agent',
  '  version: ""',
);

const CHART = lines('apiVersion: v2', 'name: fleet', 'version: 1.0.0', 'appVersion: "4.0.2"');
const HELPERS = lines(
  '{{- define "fleet.controllerImage" -}}',
  '{{ .Values.controller.repository }}/{{ .Values.controller.image }}:{{ .Values.controller.version | default .Chart.AppVersion }}',
  '{{- end }}',
);

describe('images written as repository + image + version', () => {
  it('in chart values: repository/image:version at the repository, the appVersion where the version is left out, nothing where the repository is left empty', () => {
    const found = scan({ 'chart/Chart.yaml': CHART, 'chart/values.yaml': VALUES, 'chart/templates/_helpers.tpl': HELPERS }).filter(([file]) => file === 'chart/values.yaml');
    expect(found).toEqual([
      [
        'chart/values.yaml',
        3,
        'registry.example.test/fleet/collector:v2.3.1',
        'helm-values',
        null,
        [
          ['registry', 3],
          ['repository', 4],
          ['tag', 5],
        ],
      ],
      [
        'chart/values.yaml',
        10,
        'registry.example.test/fleet/core/controller:4.0.2',
        'helm-values',
        'templated',
        [
          ['registry', 10],
          ['repository', 11],
        ],
      ],
      [
        'chart/values.yaml',
        15,
        `localhost:5000/relay@${DIGEST}`,
        'helm-values',
        null,
        [
          ['registry', 15],
          ['repository', 16],
          ['digest', 17],
        ],
      ],
    ]);
  });

  it("in an operator's custom resource, with the version written", () => {
    const resource = lines(
      'apiVersion: fleet.example.test/v1',
      'kind: FleetAgent',
      'metadata:',
      '  name: agent',
      'spec:',
      '  repository: registry.example.test/fleet',
      '  image: agent',
      '  version: "7.1.0"',
      '  imagePullPolicy: IfNotPresent',
      '  exporter:',
      '    enabled: true',
      '    repository: registry.example.test/fleet/metrics',
      '    image: exporter',
      '    version: 1.0.0-slim',
    );
    expect(scan({ 'config/agent.yaml': resource })).toEqual([
      [
        'config/agent.yaml',
        6,
        'registry.example.test/fleet/agent:7.1.0',
        'kubernetes-image',
        null,
        [
          ['registry', 6],
          ['repository', 7],
          ['tag', 8],
        ],
      ],
      [
        'config/agent.yaml',
        12,
        'registry.example.test/fleet/metrics/exporter:1.0.0-slim',
        'kubernetes-image',
        null,
        [
          ['registry', 12],
          ['repository', 13],
          ['tag', 14],
        ],
      ],
    ]);
  });

  it('with a version written as a template, in a custom resource a role renders, parsed or read line by line: templated at the repository', () => {
    const parsed = lines(
      'apiVersion: fleet.example.test/v1',
      'kind: FleetPolicy',
      'metadata:',
      '  name: fleet',
      'spec:',
      '  agent:',
      '    image: agent',
      '    repository: registry.example.test/fleet',
      '    version: "{{ fleet_agent_version }}"',
      '  probe:',
      '    image: probe',
      '    repository: registry.example.test/fleet',
      '    version: v{{ fleet_probe_version }}',
    );
    // A Jinja statement keeps YAML from reading the file: its lines are read one by one.
    const template = lines(
      'apiVersion: fleet.example.test/v1',
      'kind: FleetPolicy',
      'metadata:',
      '  name: fleet',
      'spec:',
      '  agent:',
      '    image: agent',
      '    repository: registry.example.test/fleet',
      '    version: {{ fleet_agent_version }}',
      '{% if fleet_relay_enabled %}',
      '  relay:',
      '    image: relay',
      '    repository: registry.example.test/fleet',
      '    version: {{ fleet_relay_version }}',
      '{% endif %}',
      '  tagged:',
      '    image: collector',
      '    repository: registry.example.test/fleet',
      '    tag: v1.0.0',
      '    version: {{ fleet_relay_version }}',
    );
    expect(scan({ 'roles/fleet/templates/policy.yaml': parsed, 'roles/fleet/templates/policy-relay.yaml': template })).toEqual([
      [
        'roles/fleet/templates/policy-relay.yaml',
        8,
        'registry.example.test/fleet/agent:{{ fleet_agent_version }}',
        'kubernetes-image',
        'templated',
        [
          ['registry', 8],
          ['repository', 7],
          ['tag', 9],
        ],
      ],
      [
        'roles/fleet/templates/policy-relay.yaml',
        13,
        'registry.example.test/fleet/relay:{{ fleet_relay_version }}',
        'kubernetes-image',
        'templated',
        [
          ['registry', 13],
          ['repository', 12],
          ['tag', 14],
        ],
      ],
      // Beside a tag the map is not one of these: its image line takes the tag line, as before.
      [
        'roles/fleet/templates/policy-relay.yaml',
        17,
        'collector:v1.0.0',
        'kubernetes-image',
        null,
        [
          ['repository', 17],
          ['tag', 19],
        ],
      ],
      [
        'roles/fleet/templates/policy.yaml',
        8,
        'registry.example.test/fleet/agent:{{ fleet_agent_version }}',
        'kubernetes-image',
        'templated',
        [
          ['registry', 8],
          ['repository', 7],
          ['tag', 9],
        ],
      ],
      [
        'roles/fleet/templates/policy.yaml',
        12,
        'registry.example.test/fleet/probe:v{{ fleet_probe_version }}',
        'kubernetes-image',
        'templated',
        [
          ['registry', 12],
          ['repository', 11],
          ['tag', 13],
        ],
      ],
    ]);
  });

  it('is updated at the version, which takes the digest after the tag as a values tag does', () => {
    expect(updatedFirst('chart/values.yaml', VALUES, { tag: 'v2.4.0', digest: DIGEST }).text).toBe(VALUES.replace('v2.3.1', `v2.4.0@${DIGEST}`));
  });

  it('is not read without a registry host, with an image that is a path, or beside a tag', () => {
    const values = lines(
      'noHost:',
      '  repository: fleet',
      '  image: collector',
      '  version: v1.0.0',
      'pathImage:',
      '  repository: registry.example.test',
      '  image: fleet/collector',
      '  version: v1.0.0',
      'tagged:',
      '  repository: registry.example.test/fleet',
      '  image: collector',
      '  tag: v1.0.0',
      '  version: v9',
    );
    expect(scan({ 'other/values.yaml': values }).map(([, line, value, , skip]) => [line, value, skip])).toEqual([
      [3, 'collector', 'no-tag'],
      [7, 'fleet/collector', 'no-tag'],
      // The `repository` + `tag` reading, as before; the image beside it is a field of its own.
      [10, 'registry.example.test/fleet:v1.0.0', null],
      [11, 'collector', 'no-tag'],
    ]);
  });

  it('in values with the whole name in the repository and the image left empty for an override: the repository, with the tag the chart gives', () => {
    const values = lines(
      'mover:',
      '  repository: registry.example.test/fleet/mover',
      '  # the tag defaults to the chart appVersion',
      '  image: ""',
      'hostOnly:',
      '  repository: registry.example.test',
      '  image: ""',
      'versioned:',
      '  repository: registry.example.test/fleet/relay',
      '  image: ""',
      '  version: v1.0.0',
    );
    const release = lines(
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'metadata:',
      '  name: mover',
      'spec:',
      '  values:',
      '    sync:',
      '      repository: registry.example.test/fleet/mover',
      '      image: ""',
    );
    expect(scan({ 'other/values.yaml': values, 'cluster/release.yaml': release }).map(([file, line, value, , skip]) => [file, line, value, skip])).toEqual([
      ['cluster/release.yaml', 8, 'registry.example.test/fleet/mover', 'no-tag'],
      ['other/values.yaml', 2, 'registry.example.test/fleet/mover', 'no-tag'],
    ]);
  });
});

describe('images written as repository + image + tag', () => {
  const VALUES_WITH_TAG = lines(
    'federation:',
    '  controller:',
    '    repository: teamhub',
    '    image: federator',
    '    tag: v0.8.1',
    '    imagePullPolicy: IfNotPresent',
    '    env: {}',
    '  hooks:',
    '    repository: registry.example.test/tools',
    '    image: kubectl',
    '    tag: 1.31.2',
    '  job:',
    '    registry: registry.example.test',
    '    repository: tools',
    '    image: kubectl',
    '    tag: 1.31.2',
    '  pathImage:',
    '    repository: teamhub',
    '    image: tools/kubectl',
    '    tag: 1.31.2',
    '  deepRepository:',
    '    repository: teamhub/tools',
    '    image: kubectl',
    '    tag: 1.31.2',
    'initContainer:',
    '  image: busybox',
    '  tag: 1.36.1',
  );

  it('in chart values and a HelmRelease: repository/image:tag at the repository, edited at the tag', () => {
    const release = lines(
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'metadata:',
      '  name: federation',
      'spec:',
      '  values:',
      '    webhook:',
      '      repository: teamhub',
      '      image: federator',
      '      tag: v0.8.1',
    );
    expect(scan({ 'charts/federation/values.yaml': VALUES_WITH_TAG, 'cluster/release.yaml': release }).map(([file, line, value, kind, skip, spans]) => [file, line, value, kind, skip, spans])).toEqual(
      [
        [
          'charts/federation/values.yaml',
          3,
          'teamhub/federator:v0.8.1',
          'helm-values',
          null,
          [
            ['registry', 3],
            ['repository', 4],
            ['tag', 5],
          ],
        ],
        [
          'charts/federation/values.yaml',
          9,
          'registry.example.test/tools/kubectl:1.31.2',
          'helm-values',
          null,
          [
            ['registry', 9],
            ['repository', 10],
            ['tag', 11],
          ],
        ],
        [
          'charts/federation/values.yaml',
          14,
          'registry.example.test/tools/kubectl:1.31.2',
          'helm-values',
          null,
          [
            ['registry', 13],
            ['registry', 14],
            ['repository', 15],
            ['tag', 16],
          ],
        ],
        // An image that is a path, or a repository of two components with no registry host: the repository + tag reading, as before.
        [
          'charts/federation/values.yaml',
          18,
          'teamhub:1.31.2',
          'helm-values',
          null,
          [
            ['repository', 18],
            ['tag', 20],
          ],
        ],
        ['charts/federation/values.yaml', 19, 'tools/kubectl', 'helm-values', 'no-tag', [['reference', 19]]],
        [
          'charts/federation/values.yaml',
          22,
          'teamhub/tools:1.31.2',
          'helm-values',
          null,
          [
            ['repository', 22],
            ['tag', 24],
          ],
        ],
        ['charts/federation/values.yaml', 23, 'kubectl', 'helm-values', 'no-tag', [['reference', 23]]],
        [
          'charts/federation/values.yaml',
          26,
          'busybox:1.36.1',
          'helm-values',
          null,
          [
            ['repository', 26],
            ['tag', 27],
          ],
        ],
        [
          'cluster/release.yaml',
          8,
          'teamhub/federator:v0.8.1',
          'helm-values',
          null,
          [
            ['registry', 8],
            ['repository', 9],
            ['tag', 10],
          ],
        ],
      ],
    );
  });

  it('is updated at the tag, which takes the digest after it', () => {
    expect(updatedFirst('charts/federation/values.yaml', VALUES_WITH_TAG, { tag: 'v0.9.0', digest: DIGEST }).text).toBe(VALUES_WITH_TAG.replace('tag: v0.8.1', `tag: v0.9.0@${DIGEST}`));
  });
});
