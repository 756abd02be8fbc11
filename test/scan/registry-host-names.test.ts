import { describe, expect, it } from 'vitest';
import { isRegistryHostAlone } from '../../src/core/image-ref.js';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

/** An example Deployment whose first container names only the user's registry, beside names that are images. */
const DEPLOYMENT = [
  'apiVersion: apps/v1', // 1
  'kind: Deployment', // 2
  'metadata: {name: web}', // 3
  'spec:', // 4
  '  template:', // 5
  '    spec:', // 6
  '      containers:', // 7
  '        - name: web', // 8
  '          image: registry.example.test', // 9
  '        - name: proxy', // 10
  '          image: registry.example.test/team/proxy', // 11
  '        - name: cache', // 12
  '          image: localhost', // 13
  '        - name: shell', // 14
  '          image: busybox', // 15
  '        - name: edge', // 16
  '          image: mirror.example.test:1.4', // 17
  '',
].join('\n');

const COMPOSE = ['services:', '  app:', '    image: cr.example-corp.test', '  db:', '    image: postgres', ''].join('\n');

describe('a registry host written where an image goes', () => {
  it('is not listed: no registry serves a one-part name with a dot, as Docker Hub names have none', () => {
    expect(scan({ 'deploy/web.yaml': DEPLOYMENT, 'compose.yaml': COMPOSE })).toEqual([
      ['compose.yaml', 5, 'postgres', 'compose-service', 'no-tag'],
      ['deploy/web.yaml', 11, 'registry.example.test/team/proxy', 'kubernetes-container', 'no-tag'],
      ['deploy/web.yaml', 13, 'localhost', 'kubernetes-container', 'no-tag'],
      ['deploy/web.yaml', 15, 'busybox', 'kubernetes-container', 'no-tag'],
      ['deploy/web.yaml', 17, 'mirror.example.test:1.4', 'kubernetes-container', null],
    ]);
  });

  it('is a name of dotted host labels alone', () => {
    expect(
      ['registry.example.test', 'cr.example-corp.test', 'a.b', 'localhost', 'busybox', 'team/app', 'registry.example.test:5000', 'Registry.Example.test', 'web..test'].map(isRegistryHostAlone),
    ).toEqual([true, true, true, false, false, false, false, false, false]);
  });
});
