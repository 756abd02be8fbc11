import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

/** A database operator's cluster: `serverImage` is the image of the database server its controller runs. */
const CLUSTER = [
  'apiVersion: db.example.test/v1',
  'kind: LedgerDatacenter',
  'metadata:',
  '  name: east',
  'spec:',
  '  serverType: ledger',
  '  serverVersion: 4.1.2',
  '  serverImage: "registry.example.test/db/ledger-server:4.1.2"',
  '  replicas:',
  '    - name: archive',
  '      server_image: registry.example.test/db/ledger-archive:4.1.2',
  '    - name: spare',
  '      serverImage: registry.example.test/db/ledger-server',
  '    - name: local',
  '      serverImage: ledger-server:4.1.2',
  '  nodes:',
  '    osImage: registry.example.test/vm/node:1.0',
  '',
].join('\n');

describe("a custom resource's `serverImage`", () => {
  it('is reported when written as a complete reference, a path with a tag or digest, camelCase or snake_case', () => {
    expect(scan({ 'deploy/east.yaml': CLUSTER })).toEqual([
      ['deploy/east.yaml', 8, 'registry.example.test/db/ledger-server:4.1.2', 'kubernetes-image', null],
      ['deploy/east.yaml', 11, 'registry.example.test/db/ledger-archive:4.1.2', 'kubernetes-image', null],
    ]);
  });

  it("still names a virtual machine's image outside a custom resource", () => {
    const vars = ['server_image: registry.example.test/vm/server:22.04', 'vm_image: registry.example.test/vm/base:1.0', ''].join('\n');
    const pipeline = ['pool:', '  vmImage: ubuntu-22.04', 'steps:', '  - script: make test', ''].join('\n');
    expect(scan({ 'group_vars/all.yml': vars, 'azure-pipelines.yml': pipeline })).toEqual([]);
  });
});
