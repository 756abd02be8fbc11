/** An OLM ClusterServiceVersion kept as a Jinja template, read line by line as YAML templates are. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

const csv = (kind: string) =>
  [
    'apiVersion: operators.coreos.com/v1alpha1', // 1
    `kind: ${kind}`, // 2
    'metadata:', // 3
    '  annotations:', // 4
    '    alm-examples: |-', // 5
    '      [{"apiVersion": "ledger.example.test/v1", "kind": "Ledger",', // 6
    '        "spec": {', // 7
    '          "image": "registry.example.test/team/ledger-worker:2.0.1"', // 8
    '        }}]', // 9
    '    containerImage: registry.example.test/team/ledger-operator:2.0.1', // 10
    '  name: ledger-operator.v2.0.1', // 11
    'spec:', // 12
    '  install:', // 13
    '    spec:', // 14
    '      deployments:', // 15
    '        - name: ledger-operator', // 16
    '          spec:', // 17
    '            template:', // 18
    '              spec:', // 19
    '                containers:', // 20
    '                  - name: operator', // 21
    '                    image: registry.example.test/team/ledger-operator:{{ ledger_operator_tag }}', // 22
    '  relatedImages:', // 23
    '    - name: worker', // 24
    '      image: registry.example.test/team/ledger-worker:2.0.1', // 25
    '',
  ].join('\n');

describe('a ClusterServiceVersion kept as a YAML template', () => {
  it('lists no image of its metadata.annotations (containerImage, alm-examples), as a ClusterServiceVersion read as YAML does not; its deployments and relatedImages are read', () => {
    expect(rows({ 'roles/ledger/templates/ledger.clusterserviceversion.yaml.j2': csv('ClusterServiceVersion') })).toEqual([
      ['roles/ledger/templates/ledger.clusterserviceversion.yaml.j2', 22, 'registry.example.test/team/ledger-operator:{{ ledger_operator_tag }}', 'yaml-template', 'templated'],
      ['roles/ledger/templates/ledger.clusterserviceversion.yaml.j2', 25, 'registry.example.test/team/ledger-worker:2.0.1', 'yaml-template', null],
    ]);
  });

  it('reads the annotations of another kind of object as before', () => {
    expect(rows({ 'roles/ledger/templates/ledger.yaml.j2': csv('LedgerDescription') }).map((row) => row[1])).toEqual([8, 10, 22, 25]);
  });
});
