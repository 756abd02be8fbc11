import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

describe('manifests kept under a values file name', () => {
  it('a values.yaml whose every document is a Kubernetes object is read as manifests: env entries and flags that name images too', () => {
    const rendered = [
      '# written by the e2e make target',
      '---',
      'apiVersion: v1',
      'kind: ServiceAccount',
      'metadata:',
      '  name: relay',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: relay',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: relay',
      '          image: "registry.example.test/net/relay:1.4.0"',
      '          args:',
      '            - --sidecar-image=registry.example.test/net/sidecar:2.0.1',
      '          env:',
      '            - name: WORKER_IMAGE',
      '              value: registry.example.test/net/worker:3.1.0',
      '',
    ].join('\n');
    expect(scan({ 'test/e2e/data/relay/values.yaml': rendered })).toEqual([
      ['test/e2e/data/relay/values.yaml', 17, 'registry.example.test/net/relay:1.4.0', 'kubernetes-container', null],
      ['test/e2e/data/relay/values.yaml', 19, 'registry.example.test/net/sidecar:2.0.1', 'kubernetes-image', null],
      ['test/e2e/data/relay/values.yaml', 22, 'registry.example.test/net/worker:3.1.0', 'kubernetes-image', null],
    ]);
  });

  it('a values file with a document that is no object, or objects without metadata, stays chart values', () => {
    const mixed = ['apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: relay', '---', 'relay:', '  image:', '    repository: registry.example.test/net/relay', '    tag: 1.4.0', ''].join(
      '\n',
    );
    // A chart's own settings may be called apiVersion and kind (a chart that renders either a Deployment or a DaemonSet).
    const settings = ['apiVersion: apps/v1', 'kind: DaemonSet', 'image:', '  repository: registry.example.test/net/agent', '  tag: 2.2.0', ''].join('\n');
    expect(scan({ 'deploy/relay-values.yaml': mixed, 'charts/agent/values.yaml': settings })).toEqual([
      ['charts/agent/values.yaml', 4, 'registry.example.test/net/agent:2.2.0', 'helm-values', null],
      ['deploy/relay-values.yaml', 8, 'registry.example.test/net/relay:1.4.0', 'helm-values', null],
    ]);
  });
});
