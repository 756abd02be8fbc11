import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../../src/core/source-file.js';
import { EMPTY_CONTEXT } from '../../../src/scan/extractor.js';
import { kustomizeExtractor } from '../../../src/scan/extractors/kustomize/kustomize.js';
import { project, readExpected, scanFixtures } from './yaml-image-fixtures.js';

const ROOT = new URL('../../../fixtures/kustomize/', import.meta.url).pathname;

function run(path: string, text: string) {
  const file = sourceFile(path, Buffer.from(text, 'utf8'));
  return { claims: kustomizeExtractor.claims(file, EMPTY_CONTEXT), ...kustomizeExtractor.extract(file, EMPTY_CONTEXT) };
}

describe('kustomize extractor', () => {
  it('matches the fixtures', () => {
    const scanned = scanFixtures(ROOT);
    const expected = readExpected(ROOT);
    expect(scanned.references).toEqual(expected.references);
    expect(scanned.problems).toEqual(expected.problems);
  });

  it('claims kustomization files by name or by kind, and nothing else', () => {
    const { claimedBy } = scanFixtures(ROOT);
    expect(claimedBy).toEqual({
      'base/deployment.yaml': 'kubernetes',
      'base/kustomization.yaml': 'kustomize',
      'components/monitoring/Kustomization': 'kustomize',
      'components/monitoring/servicemonitor.yaml': 'kubernetes',
      'overlays/prod/kustomization.yaml': 'kustomize',
      'overlays/staging/kustomization.yml': 'kustomize',
    });
    expect(run('deploy/images.yaml', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n').claims).toBe(true);
    expect(run('deploy/kustomization.json', '{}').claims).toBe(false);
    expect(run('deploy/app.yaml', 'apiVersion: v1\nkind: Kustomization\n').claims).toBe(false);
  });

  it('keeps the tag as written when YAML reads it as a number, and records where a digest line would go', () => {
    const { references } = run('kustomization.yaml', 'images:\n- name: app\n  newName: ghcr.io/acme/app\n  newTag: 2.10\n');
    expect(references.map(project)).toEqual([
      {
        line: 3,
        column: 12,
        value: 'ghcr.io/acme/app:2.10',
        kind: 'kustomize-image',
        skip: null,
        image: 'ghcr.io/acme/app:2.10',
        spans: [
          ['repository', 'ghcr.io/acme/app', 3, 12],
          ['tag', '2.10', 4, 11],
          ['digest', '', 4, 15],
        ],
      },
    ]);
  });

  it('reports parse problems and still reads the other documents', () => {
    const result = run('kustomization.yaml', 'images:\n- name: a\n  newTag: "1.0\n---\nimages:\n- name: b\n  newTag: "2.0"\n');
    expect(result.references.map((reference) => reference.value)).toEqual(['b:2.0']);
    expect(result.problems.map((problem) => [problem.line, problem.code])).toEqual([[3, 'parse-error']]);
  });
});
