import { describe, expect, it } from 'vitest';
import { hasDigestPlaceholder } from '../../src/core/image-ref.js';
import { scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

describe('A reference whose digest is written as a placeholder', () => {
  it('tells a placeholder digest from a digest and from text that is no reference', () => {
    expect(
      [
        'registry.example.test/ops/agent@sha256:<update_agent_SHA_value>',
        'registry.example.test/ops/agent:2.1@sha256:<agent-2.1 digest>',
        'registry.example.test/ops/agent@<agent_digest>',
        'registry.example.test/ops/agent@sha256:AGENT_DIGEST',
        'registry.example.test/ops/agent@IMAGE_DIGEST',
        'registry.example.test/ops/agent@sha256:${AGENT_DIGEST}',
        '${REGISTRY}/agent@sha256:<agent_SHA>',
        `registry.example.test/ops/agent@sha256:${'d'.repeat(64)}`,
        'registry.example.test/ops/agent@sha256:abc',
        'registry.example.test/ops/agent@sha256:<>',
        'registry.example.test/Ops/agent@sha256:<agent_SHA>',
        'registry.example.test/ops/agent',
      ].map(hasDigestPlaceholder),
    ).toEqual([true, false, true, true, true, true, true, false, false, false, false, false]);
  });

  it("is templated in an OLM related-images list and a CSV's related images, at each line as written (the CSV's annotation is not read)", () => {
    const related = [
      '- name: server',
      '  image: registry.example.test/dbs/server@sha256:<update_server_SHA_value>',
      '- name: server-backup',
      '  image: registry.example.test/dbs/server@sha256:<update_server-backup_SHA_value>',
      '- name: proxy',
      `  image: registry.example.test/dbs/proxy@sha256:${'e'.repeat(64)}`,
      '',
    ].join('\n');
    const csv = [
      'apiVersion: operators.coreos.com/v1alpha1',
      'kind: ClusterServiceVersion',
      'metadata:',
      '  name: db-operator.v1.4.0',
      '  annotations:',
      '    containerImage: registry.example.test/dbs/operator@sha256:<update_operator_SHA_value>',
      'spec:',
      '  relatedImages:',
      '    - name: operator',
      '      image: registry.example.test/dbs/operator@sha256:OPERATOR_DIGEST',
      '    - name: exporter',
      '      image: registry.example.test/dbs/exporter:0.9.1',
      '',
    ].join('\n');
    expect(rows({ 'olm/bundle.related.yaml': related, 'olm/manifests/db-operator.csv.yaml': csv })).toEqual([
      ['olm/bundle.related.yaml', 2, 'registry.example.test/dbs/server@sha256:<update_server_SHA_value>', 'yaml-image', 'templated'],
      ['olm/bundle.related.yaml', 4, 'registry.example.test/dbs/server@sha256:<update_server-backup_SHA_value>', 'yaml-image', 'templated'],
      ['olm/bundle.related.yaml', 6, `registry.example.test/dbs/proxy@sha256:${'e'.repeat(64)}`, 'yaml-image', null],
      ['olm/manifests/db-operator.csv.yaml', 10, 'registry.example.test/dbs/operator@sha256:OPERATOR_DIGEST', 'kubernetes-image', 'templated'],
      ['olm/manifests/db-operator.csv.yaml', 12, 'registry.example.test/dbs/exporter:0.9.1', 'kubernetes-image', null],
    ]);
  });

  it('is templated in a Dockerfile and a compose file too', () => {
    const dockerfile = ['FROM registry.example.test/base/runtime:3.2@sha256:<runtime_digest> AS run', 'FROM registry.example.test/base/builder@sha256:BUILDER_DIGEST', ''].join('\n');
    const compose = ['services:', '  web:', '    image: registry.example.test/shop/web@sha256:<web_SHA_value>', ''].join('\n');
    expect(rows({ Dockerfile: dockerfile, 'compose.yaml': compose })).toEqual([
      ['Dockerfile', 1, 'registry.example.test/base/runtime:3.2@sha256:<runtime_digest>', 'dockerfile-from', 'templated'],
      ['Dockerfile', 2, 'registry.example.test/base/builder@sha256:BUILDER_DIGEST', 'dockerfile-from', 'templated'],
      ['compose.yaml', 3, 'registry.example.test/shop/web@sha256:<web_SHA_value>', 'compose-service', 'templated'],
    ]);
  });
});
