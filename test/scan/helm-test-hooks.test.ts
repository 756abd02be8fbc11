import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

/** What a scan reports: file, line, value, kind, skip. */
const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

const lines = (...text: string[]) => `${text.join('\n')}\n`;

/** A test Pod written as a chart's template: quoted actions (the file parses) or bare ones (it does not). */
const testPod = (hook: string, image: string, quoted = true) =>
  lines(
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    quoted ? `  name: '{{ include "relay.fullname" . }}-test-connection'` : '  name: {{ include "relay.fullname" . }}-test-connection',
    '  annotations:',
    `    ${hook}`,
    'spec:',
    '  containers:',
    '    - name: probe',
    `      image: ${image}`,
    `      args: ['{{ include "relay.fullname" . }}:{{ .Values.service.port }}']`,
    '  restartPolicy: Never',
  );

const chart = {
  'relay/Chart.yaml': lines('apiVersion: v2', 'name: relay', 'version: 1.0.0'),
  'relay/values.yaml': lines('service:', '  port: 8080'),
};

describe('Helm test hooks in a chart folder outside its templates', () => {
  it('are never rendered by Helm: nothing in them is reported, whatever the form of the hook annotation', () => {
    const files = {
      ...chart,
      'relay/tests/test-connection.yaml': testPod('"helm.sh/hook": test', 'registry.example.test/tools/probe:1.2.0'),
      'relay/tests/test-legacy.yaml': testPod('helm.sh/hook: test-success', 'registry.example.test/tools/probe:1.2.0'),
      'relay/tests/test-bare.yaml': testPod("'helm.sh/hook': pre-upgrade, test", 'registry.example.test/tools/probe:1.2.0', false),
      'relay/tests/test-untagged.yaml': testPod('helm.sh/hook: test', 'probe-tools'),
    };
    expect(scan(files)).toEqual([]);
  });

  it('are read under templates/ (helm test runs them), without the hook, without template actions, and outside any chart', () => {
    const files = {
      ...chart,
      'relay/templates/tests/test-connection.yaml': testPod('"helm.sh/hook": test', 'registry.example.test/tools/probe:1.2.0'),
      'relay/tests/seed-job.yaml': testPod('helm.sh/hook: post-install', 'registry.example.test/tools/seed:2.0.1'),
      'relay/tests/plain-pod.yaml': lines(
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        '  name: relay-test-connection',
        '  annotations:',
        '    helm.sh/hook: test',
        'spec:',
        '  containers:',
        '    - name: probe',
        '      image: registry.example.test/tools/plain:1.0.0',
      ),
      'deploy/test-connection.yaml': testPod('"helm.sh/hook": test', 'registry.example.test/tools/outside:3.1.0'),
    };
    expect(scan(files)).toEqual([
      ['deploy/test-connection.yaml', 10, 'registry.example.test/tools/outside:3.1.0', 'kubernetes-container', null],
      ['relay/templates/tests/test-connection.yaml', 10, 'registry.example.test/tools/probe:1.2.0', 'kubernetes-container', null],
      ['relay/tests/plain-pod.yaml', 10, 'registry.example.test/tools/plain:1.0.0', 'kubernetes-container', null],
      ['relay/tests/seed-job.yaml', 10, 'registry.example.test/tools/seed:2.0.1', 'kubernetes-container', null],
    ]);
  });
});
