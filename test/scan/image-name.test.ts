import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.line, reference.column, reference.value, reference.kind, reference.skip]);

describe('imageName of a custom resource', () => {
  it('is the image an operator runs when written in full; a bare word is not', () => {
    const cluster = [
      'apiVersion: postgresql.cnpg.io/v1',
      'kind: Cluster',
      'metadata:',
      '  name: keycloak-db',
      'spec:',
      '  instances: 1',
      '  imageName: ghcr.io/cloudnative-pg/postgresql:17.5',
      '---',
      'apiVersion: example.test/v1',
      'kind: Build',
      'spec:',
      '  imageName: web',
      '',
    ].join('\n');
    expect(scan({ 'examples/db/cluster.yaml': cluster })).toEqual([[7, 14, 'ghcr.io/cloudnative-pg/postgresql:17.5', 'kubernetes-image', null]]);
  });
});
