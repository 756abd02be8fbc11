import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const DIGEST = `sha256:${'b'.repeat(64)}`;

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

/** An operator's configuration object naming the images its controller starts in snake_case fields. */
const CONFIGURATION = [
  'apiVersion: db.example.test/v1',
  'kind: OperatorConfiguration',
  'metadata:',
  '  name: db-operator',
  'configuration:',
  '  docker_image: registry.example.test/db/engine-16:3.2-p1',
  '  workers: 8',
  '  backup:',
  '    logical_backup_docker_image: "registry.example.test/db/logical-backup:v1.9.0"',
  '    logical_backup_schedule: "30 00 * * *"',
  '  pooler:',
  `    connection_pooler_image: "registry.example.test/db/pooler@${DIGEST}"`,
  '    sidecar_image: busybox',
  '    default_image: alpine:3.20',
  '    bootstrap_image: registry.example.test/db/bootstrap',
  '    proxy_image: ${PROXY_IMAGE}',
  '  machines:',
  '    cloud_image: registry.example.test/vm/disk:1.0',
  '',
].join('\n');

describe("a custom resource's snake_case image fields", () => {
  it('are reported when written as a complete reference, a path with a tag or digest', () => {
    expect(scan({ 'deploy/operator.yaml': CONFIGURATION })).toEqual([
      ['deploy/operator.yaml', 6, 'registry.example.test/db/engine-16:3.2-p1', 'kubernetes-image', null],
      ['deploy/operator.yaml', 9, 'registry.example.test/db/logical-backup:v1.9.0', 'kubernetes-image', null],
      ['deploy/operator.yaml', 12, `registry.example.test/db/pooler@${DIGEST}`, 'kubernetes-image', null],
    ]);
  });

  it("are not read in Kubernetes' own objects, whose fields are camelCase", () => {
    const deployment = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      '  annotations:',
      '    example.test/previous_image: registry.example.test/team/web:1.0.0',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: web',
      '          image: registry.example.test/team/web:1.1.0',
      '',
    ].join('\n');
    expect(scan({ 'deploy/web.yaml': deployment })).toEqual([['deploy/web.yaml', 12, 'registry.example.test/team/web:1.1.0', 'kubernetes-container', null]]);
  });

  it('are left out under a definition schema and an object status, as other image fields are', () => {
    const status = 'apiVersion: db.example.test/v1\nkind: Cluster\nmetadata:\n  name: main\nstatus:\n  running_image: registry.example.test/db/engine-16:3.2-p1\n';
    expect(scan({ 'deploy/cluster.yaml': status })).toEqual([]);
  });
});
