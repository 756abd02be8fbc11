import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const DIGEST = `sha256:${'c'.repeat(64)}`;

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

const packageObject = (kind: string, name: string, source: string, apiVersion = 'pkg.crossplane.io/v1') =>
  [`apiVersion: ${apiVersion}`, `kind: ${kind}`, 'metadata:', `  name: ${name}`, 'spec:', `  package: ${source}`, '  packagePullPolicy: IfNotPresent', ''].join('\n');

describe("a Crossplane package's spec.package", () => {
  it('is the OCI image Crossplane pulls for a Provider, a Configuration or a Function, in a file that names no image otherwise', () => {
    expect(
      scan({
        'platform/providers/storage.yaml': packageObject('Provider', 'provider-storage', 'registry.example.test/platform/provider-storage:v1.4.0'),
        'platform/configuration.yaml': [
          packageObject('Configuration', 'team-platform', `registry.example.test/platform/configuration-team@${DIGEST}`),
          '---',
          packageObject('Function', 'function-patch', 'registry.example.test/platform/function-patch:v0.9.2', 'pkg.crossplane.io/v1beta1'),
        ].join('\n'),
      }),
    ).toEqual([
      ['platform/configuration.yaml', 6, `registry.example.test/platform/configuration-team@${DIGEST}`, 'kubernetes-image', null],
      ['platform/configuration.yaml', 15, 'registry.example.test/platform/function-patch:v0.9.2', 'kubernetes-image', null],
      ['platform/providers/storage.yaml', 6, 'registry.example.test/platform/provider-storage:v1.4.0', 'kubernetes-image', null],
    ]);
  });

  it("is not read in another group's objects, nor in other kinds of the package group", () => {
    expect(
      scan({
        'platform/other-group.yaml': packageObject('Provider', 'provider-storage', 'registry.example.test/platform/provider-storage:v1.4.0', 'packages.example.test/v1'),
        'platform/lock.yaml': packageObject('Lock', 'lock', 'registry.example.test/platform/provider-storage:v1.4.0', 'pkg.crossplane.io/v1beta1'),
      }),
    ).toEqual([]);
  });
});
