import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

/** A custom resource that its operator renders into a deployment: names apart from versions, and some whole images. */
const monitor = [
  'apiVersion: ops.example.test/v1', // 1
  'kind: Monitor', // 2
  'metadata:', // 3
  '  name: main', // 4
  'spec:', // 5
  '  sidecarImage: busybox', // 6
  '  sidecarVersion: "1.36"', // 7
  '  agentImage: registry.example.test/team/agent', // 8
  '  uiImage: "{{ .Values.registry }}/team/ui"', // 9
  '  exporterImage: registry.example.test/team/exporter:0.9.1', // 10
  '  probeImage: registry.example.test/team/probe:${PROBE_TAG}', // 11
  '  helperImage: registry.example.test/team/helper', // 12
  '  helperImageTag: "2.0.3"', // 13
  '  image: registry.example.test/team/monitor', // 14
  '',
].join('\n');

describe("a custom resource's …Image fields", () => {
  it('count with a tag or digest written, in the value or by a sibling; a name alone counts only under `image`', () => {
    // Before, lines 6, 8 and 9 were reported too (`no-tag`, `no-tag`, `templated`).
    expect(scan({ 'deploy/monitor.yaml': monitor })).toEqual([
      ['deploy/monitor.yaml', 10, 'registry.example.test/team/exporter:0.9.1', 'kubernetes-image', null],
      ['deploy/monitor.yaml', 11, 'registry.example.test/team/probe:${PROBE_TAG}', 'kubernetes-image', 'templated'],
      ['deploy/monitor.yaml', 12, 'registry.example.test/team/helper:2.0.3', 'kubernetes-image', null],
      ['deploy/monitor.yaml', 14, 'registry.example.test/team/monitor', 'kubernetes-image', 'no-tag'],
    ]);
  });

  it('a built-in object is read as before', () => {
    const pod = ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: a', 'spec:', '  containers:', '    - name: a', '      image: busybox', ''].join('\n');
    expect(scan({ 'pod.yaml': pod })).toEqual([['pod.yaml', 8, 'busybox', 'kubernetes-container', 'no-tag']]);
  });
});
