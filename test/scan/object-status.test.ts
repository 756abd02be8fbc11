import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.line, reference.value, reference.kind, reference.skip]);

describe('the status of a dumped object', () => {
  it('is what the cluster ran, not a reference: only the spec is read', () => {
    const pod = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: web-7d9c',
      'spec:',
      '  containers:',
      '  - name: web',
      '    image: registry.example.test/shop/web:2.1.0',
      'status:',
      '  phase: Running',
      '  containerStatuses:',
      '  - name: web',
      '    image: registry.example.test/shop/web:2.1.0',
      `    imageID: registry.example.test/shop/web@sha256:${'c'.repeat(64)}`,
      '  initContainerStatuses:',
      '  - name: migrate',
      '    image: registry.example.test/shop/migrate:2.1.0',
      '---',
      'apiVersion: example.test/v1',
      'kind: Release',
      'spec:',
      '  image: registry.example.test/shop/web:2.2.0',
      'status:',
      '  lastImage: registry.example.test/shop/web:2.1.0',
      '',
    ].join('\n');
    expect(scan({ 'testdata/pod.yaml': pod })).toEqual([
      [8, 'registry.example.test/shop/web:2.1.0', 'kubernetes-container', null],
      [22, 'registry.example.test/shop/web:2.2.0', 'kubernetes-image', null],
    ]);
  });
});

describe('images of virtual machines', () => {
  it('cloud_image, vm_image, osImage and bootImage name machine images, not containers; container_image still does', () => {
    const platforms = [
      'platforms:',
      '  - name: ubuntu24',
      '    cloud_image: ubuntu-2404',
      '    vm_image: debian-12',
      '    container_image: quay.io/example/tester:1.2',
      'nodeDefaults:',
      '  osImage: flatcar-4081',
      '  bootImage: talos-boot-v1.9',
      '',
    ].join('\n');
    expect(scan({ 'roles/app/molecule/default/molecule.yml': platforms })).toEqual([[5, 'quay.io/example/tester:1.2', 'yaml-image', null]]);
  });
});
