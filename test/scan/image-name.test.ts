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

  it('with a literal name whose tag alone is a variable is shown templated; a name that is a variable, or with none, is not read', () => {
    const cluster = (imageName: string) => ['apiVersion: db.example.test/v1', 'kind: Cluster', 'metadata:', '  name: books', 'spec:', `  imageName: ${imageName}`, ''].join('\n');
    expect(scan({ 'db/tagged.yaml': cluster('registry.example.test/team/pg:${PG_VERSION}'), 'db/defaulted.yaml': cluster('registry.example.test/team/pg:${PG_VERSION:=17.1}') })).toEqual([
      [6, 14, 'registry.example.test/team/pg:${PG_VERSION:=17.1}', 'kubernetes-image', 'templated'],
      [6, 14, 'registry.example.test/team/pg:${PG_VERSION}', 'kubernetes-image', 'templated'],
    ]);
    expect(scan({ 'db/named.yaml': cluster('${PG_REGISTRY}/pg:${PG_VERSION}'), 'db/word.yaml': cluster('pg:${PG_VERSION}') })).toEqual([]);
  });
});
