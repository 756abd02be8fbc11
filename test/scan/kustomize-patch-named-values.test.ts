import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.line, reference.value, reference.kind, reference.skip]);

describe('named values in a kustomization inline patch', () => {
  it('an environment variable named for an image, with a tag or digest, is reported where the patch writes it, as in a manifest', () => {
    const kustomization = [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources:',
      '- ../operator',
      'patches:',
      '- patch: |-',
      '    apiVersion: apps/v1',
      '    kind: Deployment',
      '    metadata:',
      '      name: operator',
      '    spec:',
      '      template:',
      '        spec:',
      '          containers:',
      '          - name: manager',
      '            env:',
      '            - name: RELATED_IMAGE_STORE',
      '              value: registry.example.test/data/store:4.2.0',
      '            - name: RELATED_IMAGE_GATEWAY',
      '              value: registry.example.test/data/gateway',
      '            - name: PUSH_IMAGE',
      '              value: registry.example.test/data/out:1.0.0',
      '            - name: LOG_LEVEL',
      '              value: registry.example.test/data/level:1.0.0',
      '            image: registry.example.test/data/operator:4.2.0',
      '',
    ].join('\n');
    expect(scan({ 'deploy/kustomization.yaml': kustomization })).toEqual([
      [18, 'registry.example.test/data/store:4.2.0', 'kustomize-image', null],
      [25, 'registry.example.test/data/operator:4.2.0', 'kustomize-image', null],
    ]);
  });
});
