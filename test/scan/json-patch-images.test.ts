import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

describe('JSON patches written as YAML', () => {
  it('reads the value an add or replace operation writes to an image field, and nothing else of the patch', () => {
    const patch = [
      '# Run the scan step with the licensed scanner image.', // 1
      '- op: replace', // 2
      '  path: /spec/steps/0/image', // 3
      '  value: registry.example.test/scan/licensed:2025.3', // 4
      '- op: replace', // 5
      '  path: /metadata/name', // 6
      '  value: scan-licensed', // 7
      '- op: add', // 8
      '  path: /spec/template/spec/containers/1/image', // 9
      "  value: 'busybox:1.36.1'", // 10
      '- op: replace', // 11
      '  path: /spec/template/spec/containers/0/imagePullPolicy', // 12
      '  value: Always', // 13
      '- op: test', // 14
      '  path: /spec/steps/1/image', // 15
      '  value: registry.example.test/scan/free:1.0', // 16
      '',
    ].join('\n');
    const kustomization = ['resources:', '  - ../base', 'patches:', '  - path: patch.yaml', '    target:', '      kind: Task', ''].join('\n');
    expect(
      scanTexts({ 'overlays/licensed/patch.yaml': patch, 'overlays/licensed/kustomization.yaml': kustomization }).references.map((reference) => [
        reference.file,
        reference.line,
        reference.column,
        reference.value,
        reference.kind,
        reference.skip,
      ]),
    ).toEqual([
      ['overlays/licensed/patch.yaml', 4, 10, 'registry.example.test/scan/licensed:2025.3', 'yaml-image', null],
      ['overlays/licensed/patch.yaml', 10, 11, 'busybox:1.36.1', 'yaml-image', null],
    ]);
  });
});

describe('JSON patches written inline in a kustomization', () => {
  it('reads the image value of an add or replace operation, in YAML or JSON, where it is written', () => {
    const kustomization = [
      'apiVersion: kustomize.config.k8s.io/v1beta1', // 1
      'kind: Kustomization', // 2
      'resources:', // 3
      '  - ../../base', // 4
      'patches:', // 5
      '  - patch: |-', // 6
      '      - op: replace', // 7
      '        path: /spec/template/spec/containers/0/image', // 8
      '        value: registry.example.test/shop/cart:2.4.1', // 9
      '      - op: replace', // 10
      '        path: /spec/replicas', // 11
      '        value: 3', // 12
      '    target:', // 13
      '      kind: Deployment', // 14
      '  - patch: |', // 15
      '      [{"op": "add", "path": "/spec/template/spec/initContainers/1/image", "value": "busybox:1.36.1"},', // 16
      '       {"op": "test", "path": "/spec/template/spec/containers/0/image", "value": "busybox:1.35.0"}]', // 17
      '    target:', // 18
      '      kind: StatefulSet', // 19
      'patchesJson6902:', // 20
      '  - target:', // 21
      '      group: example.test', // 22
      '      kind: Rollout', // 23
      '    patch: |-', // 24
      '      - op: replace', // 25
      '        path: /spec/template/spec/containers/0/image', // 26
      "        value: 'registry.example.test/shop/cart:blue'", // 27
      '      - op: add', // 28
      '        path: /spec/template/spec/containers/-', // 29
      '        value:', // 30
      '          name: sidecar', // 31
      '          image: registry.example.test/shop/proxy:1.2.0', // 32
      '      - op: replace', // 33
      '        path: /spec/template/spec/containers/0/imagePullPolicy', // 34
      '        value: Always', // 35
      '',
    ].join('\n');
    const found = scanTexts({ 'overlays/blue/kustomization.yaml': kustomization }).references.map((reference) => [
      reference.line,
      reference.column,
      reference.value,
      reference.kind,
      reference.skip,
      reference.detail,
    ]);
    expect(found).toEqual([
      [9, 16, 'registry.example.test/shop/cart:2.4.1', 'kustomize-image', null, 'inline patch'],
      [16, 86, 'busybox:1.36.1', 'kustomize-image', null, 'inline patch'],
      [27, 17, 'registry.example.test/shop/cart:blue', 'kustomize-image', null, 'inline patch'],
      [32, 18, 'registry.example.test/shop/proxy:1.2.0', 'kustomize-image', null, 'inline patch'],
    ]);
  });

  it("reads an environment variable named for an image that an operation adds to a container's env, with a complete reference", () => {
    const kustomization = [
      'resources:', // 1
      '- manager.yaml', // 2
      'patches:', // 3
      '- patch: |-', // 4
      '    - op: add', // 5
      '      path: /spec/template/spec/containers/0/env/-', // 6
      '      value:', // 7
      '        name: RELATED_IMAGE_WORKER', // 8
      '        value: registry.example.test/team/worker:2.1.0', // 9
      '  target:', // 10
      '    kind: Deployment', // 11
      '- patch: |-', // 12
      '    - op: replace', // 13
      '      path: /spec/template/spec/containers/0/env', // 14
      '      value:', // 15
      '        - name: SCANNER_IMAGE', // 16
      `          value: registry.example.test/team/scanner@sha256:${'d'.repeat(64)}`, // 17
      '        - name: SIDECAR_IMAGE', // 18
      '          value: busybox', // 19
      '        - name: LOG_LEVEL', // 20
      '          value: registry.example.test/team/not-an-image-name:1.0', // 21
      '        - name: BASE_IMAGE_ID', // 22
      `          value: sha256:${'e'.repeat(64)}`, // 23
      '    - op: remove', // 24
      '      path: /spec/template/spec/containers/0/env/0', // 25
      '  target:', // 26
      '    kind: Deployment', // 27
      '',
    ].join('\n');
    const manager = ['apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: manager', ''].join('\n');
    const patchFile = ['- op: add', '  path: /spec/template/spec/initContainers/0/env/-', '  value: {name: MIGRATOR_IMAGE, value: "registry.example.test/team/migrator:3.0"}', ''].join('\n');
    expect(
      scanTexts({ 'config/manager/kustomization.yaml': kustomization, 'config/manager/manager.yaml': manager, 'config/patches/migrator.yaml': patchFile }).references.map((reference) => [
        reference.file,
        reference.line,
        reference.value,
        reference.kind,
        reference.skip,
      ]),
    ).toEqual([
      ['config/manager/kustomization.yaml', 9, 'registry.example.test/team/worker:2.1.0', 'kustomize-image', null],
      ['config/manager/kustomization.yaml', 17, `registry.example.test/team/scanner@sha256:${'d'.repeat(64)}`, 'kustomize-image', null],
      ['config/patches/migrator.yaml', 3, 'registry.example.test/team/migrator:3.0', 'yaml-image', null],
    ]);
  });
});

describe('JSON patches carried in other YAML', () => {
  it('reads a patch carried under a patch key of a task, as a patch file is; a list under that key that is not all operations is not one', () => {
    const tasks = [
      '- name: Point the relay at the new image', // 1
      '  kubernetes.core.k8s_json_patch:', // 2
      '    kind: Deployment', // 3
      '    name: relay', // 4
      '    patch:', // 5
      '      - op: replace', // 6
      '        path: /spec/template/spec/containers/0/image', // 7
      '        value: registry.example.test/edge/relay:3.1.0', // 8
      '      - op: add', // 9
      '        path: /metadata/labels/tier', // 10
      '        value: edge', // 11
      '- name: Not a patch', // 12
      '  vars:', // 13
      '    patch:', // 14
      '      - path: /spec/template/spec/containers/0/image', // 15
      '        value: registry.example.test/edge/relay:9.9.9', // 16
      '',
    ].join('\n');
    expect(scanTexts({ 'roles/relay/tasks/main.yml': tasks }).references.map((reference) => [reference.file, reference.line, reference.column, reference.value, reference.skip])).toEqual([
      ['roles/relay/tasks/main.yml', 8, 16, 'registry.example.test/edge/relay:3.1.0', null],
    ]);
  });
});
