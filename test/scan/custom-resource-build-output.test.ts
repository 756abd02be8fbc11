import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

/** A connector cluster that its operator builds an image for, with plugins added to a base it names. */
const CONNECT = [
  'apiVersion: stream.example.test/v1',
  'kind: ConnectCluster',
  'metadata:',
  '  name: ledger-connect',
  'spec:',
  '  replicas: 2',
  '  image: registry.example.test/stream/connect-base:3.9.0',
  '  build:',
  '    output:',
  '      type: docker',
  '      image: registry.example.test/team/ledger-connect:24h',
  '      pushSecret: ledger-push',
  '    plugins:',
  '      - name: file-sink',
  '',
].join('\n');

/** A build object: the source, the strategy, and where the result is pushed. */
const BUILD = [
  'apiVersion: build.example.test/v1',
  'kind: Build',
  'metadata:',
  '  name: ledger',
  'spec:',
  '  source:',
  '    git:',
  '      url: https://git.example.test/team/ledger',
  '  strategy:',
  '    name: buildkit',
  '  output:',
  '    image: registry.example.test/team/ledger:latest',
  '',
].join('\n');

describe("a custom resource's build output", () => {
  it('is where its controller pushes the image it builds, and is not reported; the other images of the object are', () => {
    expect(scan({ 'deploy/connect.yaml': CONNECT, 'deploy/build.yaml': BUILD })).toEqual([['deploy/connect.yaml', 7, 'registry.example.test/stream/connect-base:3.9.0', 'kubernetes-image', null]]);
  });

  it('is told by the `output` key: the same map under another key is read as before', () => {
    const other = CONNECT.replace('    output:', '    runner:');
    expect(scan({ 'deploy/connect.yaml': other })).toEqual([
      ['deploy/connect.yaml', 7, 'registry.example.test/stream/connect-base:3.9.0', 'kubernetes-image', null],
      ['deploy/connect.yaml', 11, 'registry.example.test/team/ledger-connect:24h', 'kubernetes-image', null],
    ]);
  });
});
