/** Images an operator's container passes to its program as flags (`--postgres-image=…`): the workloads it starts. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

const DIGEST = 'sha256:' + 'a1'.repeat(32);

const OPERATOR = [
  'apiVersion: apps/v1', // 1
  'kind: Deployment', // 2
  'metadata:', // 3
  '  name: ledger-operator', // 4
  'spec:', // 5
  '  template:', // 6
  '    spec:', // 7
  '      containers:', // 8
  '        - name: manager', // 9
  '          image: registry.example.test/team/ledger-operator:3.0.1', // 10
  '          command:', // 11
  '            - /manager', // 12
  '            - --relay-image=registry.example.test/team/relay:2.4.0', // 13
  '          args:', // 14
  '            - --leader-elect', // 15
  '            - --metrics-bind-address=:8443', // 16
  `            - --store-image=registry.example.test/db/store@${DIGEST}`, // 17
  '            - "--sidecarImage=registry.example.test/team/sidecar:1.2"', // 18
  '            - --image-tag=2.4.0', // 19
  '            - --image-registry=registry.example.test:5000', // 20
  '            - --output-image=registry.example.test/team/bundle:1.0', // 21
  '            - --worker-image=registry.example.test/team/worker', // 22
  '            - --probe-image=$(PROBE_IMAGE)', // 23
  '',
].join('\n');

describe("a container's flag that names an image", () => {
  it('is reported after the = when it is a complete reference with a tag or digest', () => {
    expect(scan({ 'config/manager/manager.yaml': OPERATOR })).toEqual([
      ['config/manager/manager.yaml', 10, 'registry.example.test/team/ledger-operator:3.0.1', 'kubernetes-container', null],
      ['config/manager/manager.yaml', 13, 'registry.example.test/team/relay:2.4.0', 'kubernetes-image', null],
      ['config/manager/manager.yaml', 17, `registry.example.test/db/store@${DIGEST}`, 'kubernetes-image', null],
      ['config/manager/manager.yaml', 18, 'registry.example.test/team/sidecar:1.2', 'kubernetes-image', null],
    ]);
  });

  it('is edited where it is written, the flag kept', () => {
    const reference = scanTexts({ 'config/manager/manager.yaml': OPERATOR }).references.find((found) => found.line === 13);
    expect(reference?.spans.map((span) => [span.role, span.line, span.column, span.text])).toEqual([['reference', 13, 29, 'registry.example.test/team/relay:2.4.0']]);
  });

  it('is not read outside a container, as a custom resource setting', () => {
    const resource = ['apiVersion: example.test/v1', 'kind: Ledger', 'metadata:', '  name: main', 'spec:', '  args:', '    - --relay-image=registry.example.test/team/relay:2.4.0', ''].join('\n');
    expect(scan({ 'config/samples/ledger.yaml': resource })).toEqual([]);
  });
});
