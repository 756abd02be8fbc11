import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => {
  const result = scanTexts(files);
  return { references: result.references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]), problems: result.problems };
};

/** An operator's bundle: the page the catalog shows (annotations), and what OLM installs and mirrors (spec). */
const BUNDLE = [
  'apiVersion: operators.coreos.com/v1alpha1',
  'kind: ClusterServiceVersion',
  'metadata:',
  '  name: ledger-operator.v2.3.0',
  '  annotations:',
  '    capabilities: Basic Install',
  '    containerImage: registry.example.test/ledger/operator:2.3.0',
  '    alm-examples: |-',
  '      [',
  '        {',
  '          "apiVersion": "ledger.example.test/v1",',
  '          "kind": "Ledger",',
  '          "metadata": {"name": "sample"},',
  '          "spec": {"image": "registry.example.test/ledger/book:1.4"}',
  '        }',
  '      ]',
  'spec:',
  '  displayName: Ledger operator',
  '  install:',
  '    strategy: deployment',
  '    spec:',
  '      deployments:',
  '        - name: ledger-operator',
  '          spec:',
  '            template:',
  '              spec:',
  '                containers:',
  '                  - name: manager',
  '                    image: registry.example.test/ledger/operator:2.3.0',
  '                    env:',
  '                      - name: RELATED_IMAGE_BOOK',
  '                        value: registry.example.test/ledger/book:1.4',
  '  relatedImages:',
  '    - name: book',
  '      image: registry.example.test/ledger/book:1.4',
  '',
].join('\n');

describe("A ClusterServiceVersion's annotations", () => {
  it('are not read: `containerImage` and the samples of `alm-examples` are for the catalog to show; the deployments and related images are', () => {
    expect(scan({ 'bundle/manifests/ledger-operator.clusterserviceversion.yaml': BUNDLE })).toEqual({
      references: [
        ['bundle/manifests/ledger-operator.clusterserviceversion.yaml', 29, 'registry.example.test/ledger/operator:2.3.0', null],
        ['bundle/manifests/ledger-operator.clusterserviceversion.yaml', 32, 'registry.example.test/ledger/book:1.4', null],
        ['bundle/manifests/ledger-operator.clusterserviceversion.yaml', 35, 'registry.example.test/ledger/book:1.4', null],
      ],
      problems: [],
    });
  });

  it('are told by the kind: the same annotations on another custom resource are read as before', () => {
    const other = BUNDLE.replace('apiVersion: operators.coreos.com/v1alpha1\nkind: ClusterServiceVersion', 'apiVersion: ledger.example.test/v1\nkind: LedgerRelease');
    expect(scan({ 'deploy/ledger-release.yaml': other }).references.filter((reference) => (reference[1] as number) < 17)).toEqual([
      ['deploy/ledger-release.yaml', 7, 'registry.example.test/ledger/operator:2.3.0', null],
      ['deploy/ledger-release.yaml', 14, 'registry.example.test/ledger/book:1.4', null],
    ]);
  });
});
