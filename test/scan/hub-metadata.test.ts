import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => {
  const result = scanTexts(files);
  return { references: result.references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]), problems: result.problems };
};

/** A package's page on the hub: the images it lists are shown and scanned there, not run. */
const PACKAGE = [
  'version: 0.4.2',
  'name: ledger-policy',
  'displayName: Ledger policy',
  'createdAt: "2025-03-01T10:00:00Z"',
  'description: Checks that ledger workloads run as a non-root user',
  'containersImages:',
  '  - name: policy',
  '    image: registry.example.test/policies/ledger:v0.4.2',
  '  - name: runner',
  '    image: registry.example.test/policies/runner:1.1',
  '',
].join('\n');

/** A repository's record on the hub, with the same list written by its owner. */
const REPOSITORY = [
  'repositoryID: 00000000-0000-0000-0000-000000000000',
  'owners:',
  '  - name: ledger-team',
  '    email: team@example.test',
  'containersImages:',
  '  - name: ledger',
  '    image: registry.example.test/team/ledger:3.0',
  '',
].join('\n');

describe("Artifact Hub's metadata files", () => {
  it('are not read: their `containersImages` name images for the hub to show and scan, under each spelling', () => {
    expect(
      scan({
        'policies/ledger/artifacthub-pkg.yml': PACKAGE,
        'policies/runner/artifacthub-pkg.yaml': PACKAGE,
        'artifacthub-repo.yml': REPOSITORY,
        'charts/ledger/artifacthub-repo.yaml': REPOSITORY,
      }),
    ).toEqual({ references: [], problems: [] });
  });

  it('are told by their name: the same list in another file is read as before', () => {
    expect(scan({ 'policies/ledger/images.yml': PACKAGE }).references).toEqual([
      ['policies/ledger/images.yml', 8, 'registry.example.test/policies/ledger:v0.4.2', null],
      ['policies/ledger/images.yml', 10, 'registry.example.test/policies/runner:1.1', null],
    ]);
  });
});
