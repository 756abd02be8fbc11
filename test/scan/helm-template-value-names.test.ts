import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const DIGEST = `sha256:${'d'.repeat(64)}`;

/** What the scan reports: file, line, value, skip, detail. */
const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail ?? null]);

const lines = (...text: string[]) => `${text.join('\n')}\n`;

const deployment = (...images: string[]) =>
  lines('spec:', '  template:', '    spec:', '      containers:', ...images.flatMap((image, index) => [`        - name: c${index}`, `          image: ${image}`]));

describe('Helm images that a template writes from values fields named for an image', () => {
  it('are reported where the values write the name, with the tag the templates render; the template line passes them on (a one-word name is not one)', () => {
    const files = {
      'relay/Chart.yaml': lines('apiVersion: v2', 'name: relay', 'version: 1.0.0', 'appVersion: 2.4.0'),
      'relay/values.yaml': lines(
        'relay:',
        '  name: relay',
        '  imageName: registry.example.test/team/relay',
        '  # Overrides the image tag whose default is the chart appVersion.',
        '  imageTag: ""',
        'probe:',
        '  probeImageRepository: registry.example.test/team/probe',
        '  probeImageTag: 1.3.0',
        'sidecar:',
        '  containerRegistry: registry.example.test/team',
        '  imageName: agent',
        '  imageTag: 7.5.0',
      ),
      'relay/templates/deployment.yaml': deployment(
        '"{{ .Values.relay.imageName }}:{{ .Values.relay.imageTag | default (printf "v%s" .Chart.AppVersion) }}"',
        '"{{ .Values.probe.probeImageRepository }}:{{ .Values.probe.probeImageTag }}"',
        '"{{ .Values.sidecar.containerRegistry }}/{{ .Values.sidecar.imageName }}:{{ .Values.sidecar.imageTag }}"',
      ),
    };
    expect(scan(files)).toEqual([
      ['relay/templates/deployment.yaml', 10, 'registry.example.test/team/agent:7.5.0', 'templated', "rendered from the chart's defaults: relay/values.yaml; set there, not edited here"],
      [
        'relay/values.yaml',
        3,
        'registry.example.test/team/relay:v2.4.0',
        'templated',
        "no tag here: the chart's templates render tag v2.4.0 (templates/deployment.yaml:6, with appVersion 2.4.0 of relay/Chart.yaml:4); not edited here, where a tag would override theirs",
      ],
      ['relay/values.yaml', 7, 'registry.example.test/team/probe:1.3.0', null, null],
    ]);
  });

  it('is the default a template writes whole when the values set no other', () => {
    const files = {
      'gate/Chart.yaml': lines('apiVersion: v2', 'name: gate', 'version: 1.0.0', 'appVersion: 1.0.0'),
      'gate/values.yaml': lines('gate:', '  proxy:', '    enabled: true', '    # image: registry.example.test/team/proxy:v0.0.2', 'auth:', '  image: registry.example.test/team/auth:3.0.1'),
      'gate/templates/deployment.yaml': deployment(
        '"{{ default "registry.example.test/team/proxy:v0.0.2" .Values.gate.proxy.image }}"',
        `"{{ .Values.auth.image | default "registry.example.test/team/auth@${DIGEST}" }}"`,
      ),
    };
    expect(scan(files)).toEqual([
      [
        'gate/templates/deployment.yaml',
        6,
        'registry.example.test/team/proxy:v0.0.2',
        'templated',
        "the template's default registry.example.test/team/proxy:v0.0.2, used where the chart's values (gate/values.yaml) set no other image",
      ],
      ['gate/values.yaml', 6, 'registry.example.test/team/auth:3.0.1', null, null],
    ]);
  });
});
