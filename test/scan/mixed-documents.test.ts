/** A file of several YAML documents, only some of them Kubernetes objects: the others are other YAML. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const patch = [
  '---', // 1
  'machine:', // 2
  '  install:', // 3
  '    disk: /dev/sda', // 4
  '    image: registry.example.test/os/installer:v1.9.2', // 5
  '  kubelet:', // 6
  '    image: registry.example.test/os/kubelet:v1.31.4', // 7
  '---', // 8
  'apiVersion: v1alpha1', // 9
  'kind: WatchdogTimerConfig', // 10
  'device: /dev/watchdog0', // 11
  '---', // 12
  'apiVersion: v1', // 13
  'kind: Pod', // 14
  'metadata:', // 15
  '  name: probe', // 16
  'spec:', // 17
  '  containers:', // 18
  '    - name: probe', // 19
  '      image: registry.example.test/tools/probe:0.4.1', // 20
  '',
].join('\n');

const objects = [
  'apiVersion: v1', // 1
  'kind: Pod', // 2
  'metadata:', // 3
  '  name: web', // 4
  'spec:', // 5
  '  containers:', // 6
  '    - name: web', // 7
  '      image: registry.example.test/team/web:2.0.1', // 8
  '---', // 9
  'kind: Pod', // 10
  'spec:', // 11
  '  containers:', // 12
  '    - name: web', // 13
  '      image: registry.example.test/team/web-patch:2.0.2', // 14
  '',
].join('\n');

describe('a file of YAML documents, some of them Kubernetes objects', () => {
  it('reads the documents with neither apiVersion nor kind as other YAML, and the objects as objects', () => {
    const scanned = scanTexts({ 'talos/patches/node.yaml': patch, 'deploy/web.yaml': objects });
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip])).toEqual([
      ['deploy/web.yaml', 8, 'registry.example.test/team/web:2.0.1', 'kubernetes-container', null],
      ['talos/patches/node.yaml', 5, 'registry.example.test/os/installer:v1.9.2', 'yaml-image', null],
      ['talos/patches/node.yaml', 7, 'registry.example.test/os/kubelet:v1.31.4', 'yaml-image', null],
      ['talos/patches/node.yaml', 20, 'registry.example.test/tools/probe:0.4.1', 'kubernetes-container', null],
    ]);
  });
});
