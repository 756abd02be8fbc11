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

describe('an object as the API server returned it', () => {
  const meta = (name: string) => `"name":"${name}","namespace":"shop","uid":"4f6c1d2e-0a1b-4c3d-9e8f-7a6b5c4d3e2f","resourceVersion":"18342","creationTimestamp":"2025-03-02T10:15:00Z"`;
  const pod = (name: string, image: string) =>
    `{"kind":"Pod","apiVersion":"v1","metadata":{${meta(name)}},"spec":{"containers":[{"name":"web","image":"${image}"}]},"status":{"containerStatuses":[{"name":"web","image":"${image}","imageID":"${image}"}]}}`;

  it('is a record of what ran: nothing in it is read, in a test store, a List, a JSON dump or a document of its own', () => {
    const store = ['"k8s:Pod:{}":', `  - ${pod('web-1', 'registry.example.test/shop/web:2.1.0')}`, `  - ${pod('web-2', 'registry.example.test/shop/web:2.0.9')}`, ''].join('\n');
    const list = [
      'apiVersion: v1',
      'kind: List',
      'metadata:',
      '  resourceVersion: ""',
      'items:',
      '- apiVersion: apps/v1',
      '  kind: Deployment',
      '  metadata:',
      '    name: api',
      '    uid: 9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
      '    resourceVersion: "77120"',
      '    creationTimestamp: 2025-03-01T08:00:00Z',
      '    annotations:',
      '      kubectl.kubernetes.io/last-applied-configuration: |',
      '        {"apiVersion":"apps/v1","kind":"Deployment","spec":{"template":{"spec":{"containers":[{"name":"api","image":"registry.example.test/shop/api:3.4.0"}]}}}}',
      '  spec:',
      '    template:',
      '      spec:',
      '        containers:',
      '        - name: api',
      '          image: registry.example.test/shop/api:3.4.0',
      '',
    ].join('\n');
    expect(
      scan({
        'pkg/store/testdata/pods.yaml': store,
        'docs/examples/deployments.yaml': list,
        'ui/examples/pod.json': `${pod('web-3', 'registry.example.test/shop/web:2.1.0')}\n`,
      }),
    ).toEqual([]);
  });

  it('takes the three fields together: a manifest with one or two of them is read as before', () => {
    const manifest = (metadata: string[], image: string) =>
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: api',
        ...metadata.map((line) => `  ${line}`),
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        '      - name: api',
        `        image: ${image}`,
        '',
      ].join('\n');
    expect(
      scan({
        'deploy/generated.yaml': manifest(['creationTimestamp: null'], 'registry.example.test/shop/api:3.4.0'),
        'deploy/exported.yaml': manifest(['resourceVersion: "77120"', 'creationTimestamp: 2025-03-01T08:00:00Z'], 'registry.example.test/shop/api:3.4.1'),
        'deploy/owned.yaml': manifest(['uid: 9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b', 'resourceVersion: ""', 'creationTimestamp: 2025-03-01T08:00:00Z'], 'registry.example.test/shop/api:3.4.2'),
      }),
    ).toEqual([
      [12, 'registry.example.test/shop/api:3.4.1', 'kubernetes-container', null],
      [11, 'registry.example.test/shop/api:3.4.0', 'kubernetes-container', null],
      [13, 'registry.example.test/shop/api:3.4.2', 'kubernetes-container', null],
    ]);
  });

  it('is known by its lines in a file that does not parse, document by document', () => {
    // A dump saved with a script pasted in at the wrong indentation: YAML cannot read it, its image lines are read one by one.
    const deployment = (metadata: string[], image: string) =>
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  annotations:',
        '    deployment.kubernetes.io/revision: "12"',
        ...metadata.map((line) => `  ${line}`),
        '  name: ledger',
        'spec:',
        '  template:',
        '    spec:',
        '      initContainers:',
        '      - name: seed',
        '        image: registry.example.test/shop/seed:1.2.0',
        '        command:',
        '        - /bin/sh',
        '        - -c',
        '        - |',
        '          echo seeding',
        'echo pasted at the margin',
        '      containers:',
        '      - name: ledger',
        `        image: ${image}`,
        '',
      ].join('\n');
    const record = ['creationTimestamp: "2025-03-01T08:00:00Z"', 'resourceVersion: "77120"', 'uid: 9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b'];
    expect(
      scan({
        'tmp/ledger.deploy.yaml': deployment(record, 'registry.example.test/shop/ledger:4.0.1'),
        'tmp/two.yaml': `${deployment(record, 'registry.example.test/shop/ledger:4.0.2')}---\n${deployment(['creationTimestamp: null'], 'registry.example.test/shop/ledger:4.0.3')}`,
        'tmp/fresh.yaml': deployment(['resourceVersion: ""', 'creationTimestamp: "2025-03-01T08:00:00Z"', 'uid: 9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b'], 'registry.example.test/shop/ledger:4.0.4'),
      }),
    ).toEqual([
      [15, 'registry.example.test/shop/seed:1.2.0', 'kubernetes-container', null],
      [24, 'registry.example.test/shop/ledger:4.0.4', 'kubernetes-container', null],
      [38, 'registry.example.test/shop/seed:1.2.0', 'kubernetes-container', null],
      [47, 'registry.example.test/shop/ledger:4.0.3', 'kubernetes-container', null],
    ]);
  });
});

describe('an object whose owner reference has no uid', () => {
  const statefulSet = (owner: string, image: string) =>
    [
      '{',
      '  "kind": "StatefulSet",',
      '  "apiVersion": "apps/v1",',
      '  "metadata": {',
      '    "name": "ledger-store",',
      '    "creationTimestamp": null,',
      `    "ownerReferences": [${owner}]`,
      '  },',
      '  "spec": {',
      '    "template": {',
      '      "spec": {',
      `        "containers": [{"name": "store", "image": "${image}"}]`,
      '      }',
      '    }',
      '  },',
      '  "status": {"replicas": 0}',
      '}',
      '',
    ].join('\n');

  it('is what a controller builds, kept as a test expectation: nothing in it is read, in JSON or YAML', () => {
    const job = [
      'apiVersion: batch/v1',
      'kind: Job',
      'metadata:',
      '  name: ledger-migrate',
      '  ownerReferences:',
      '  - apiVersion: ledger.example.test/v1',
      '    kind: Ledger',
      '    name: main',
      '    controller: true',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '      - name: migrate',
      '        image: registry.example.test/ledger/migrate:1.4.0',
      '',
    ].join('\n');
    expect(
      scan({
        'internal/ledger/expected/store.json': statefulSet('{"apiVersion": "", "kind": "", "name": "main", "uid": "", "controller": true}', 'registry.example.test/ledger/store:1.4.0'),
        'internal/ledger/expected/migrate.yaml': job,
      }),
    ).toEqual([]);
  });

  it('is read as before when every owner names its uid, or when it names no owner', () => {
    expect(
      scan({
        'deploy/store-owned.json': statefulSet(
          '{"apiVersion": "ledger.example.test/v1", "kind": "Ledger", "name": "main", "uid": "4f6c1d2e-0a1b-4c3d-9e8f-7a6b5c4d3e2f"}',
          'registry.example.test/ledger/store:1.4.1',
        ),
        'deploy/store.json': statefulSet('', 'registry.example.test/ledger/store:1.4.2'),
      }),
    ).toEqual([
      [12, 'registry.example.test/ledger/store:1.4.1', 'kubernetes-container', null],
      [12, 'registry.example.test/ledger/store:1.4.2', 'kubernetes-container', null],
    ]);
  });
});
