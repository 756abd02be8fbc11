import { describe, expect, it } from 'vitest';
import type { DependencyResult, Proposal } from '../../src/core/dependency.js';
import { dependenciesOf } from '../../src/core/dependency.js';
import { sourceFile } from '../../src/core/source-file.js';
import { scanSources, verifyEdits } from '../../src/pipeline/pipeline.js';
import { groupChanges } from '../../src/plan/change-groups.js';
import { planUpdates } from '../../src/plan/plan-updates.js';

const file = (path: string, lines: readonly string[]) => sourceFile(path, Buffer.from(lines.join('\n'), 'utf8'));
const DIGEST = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

const files = () => [
  file('.gitlab-ci.yml', [
    'include: [ci/revision.yml, ci/packages.yml]', // 1
    'ubuntu:', // 2
    '  image: registry.example.test/builder/ubuntu-24.04:${BUILDER_REVISION}', // 3
    '  script: [make package]', // 4
    'debian:', // 5
    '  image: registry.example.test/builder/debian-12:${BUILDER_REVISION}', // 6
    '  script: [make package]', // 7
    '',
  ]),
  file('ci/revision.yml', ['variables:', '  BUILDER_REVISION: "5.65.0"', '']),
  file('ci/packages.yml', ['alma:', '  image: registry.example.test/builder/alma-9:${BUILDER_REVISION}', '  script: [make rpm]', '']),
];

const proposal = (tag: string, digest: string): Proposal => ({ tag, digest, updateType: 'minor', platforms: ['linux/amd64'], fromPlatforms: ['linux/amd64'], tagOnly: true });

/** The scan's dependencies, each with the proposal `offers` gives its image (none: no new tag passes the gate). */
function results(scanned: ReturnType<typeof scanSources>, offers: Record<string, Proposal | null>): DependencyResult[] {
  return dependenciesOf(scanned.references).map((dependency) => ({ dependency, update: offers[dependency.location.repository] ?? null, held: [], error: null }));
}

describe('a literal that is the tag of several images', () => {
  it('is reported updatable, each image naming the literal it shares', () => {
    const scanned = scanSources(files());
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.skip, reference.detail, reference.shared])).toEqual([
      [
        '.gitlab-ci.yml',
        3,
        null,
        'job ubuntu; resolved through $BUILDER_REVISION (ci/revision.yml:2); $BUILDER_REVISION (ci/revision.yml:2) is the tag of 3 images: it moves only when all of them have the same new tag',
        {
          key: 'ci/revision.yml#32',
          variable: '$BUILDER_REVISION (ci/revision.yml:2)',
          uses: [
            'registry.example.test/builder/ubuntu-24.04:5.65.0 (.gitlab-ci.yml:3)',
            'registry.example.test/builder/debian-12:5.65.0 (.gitlab-ci.yml:6)',
            'registry.example.test/builder/alma-9:5.65.0 (ci/packages.yml:2)',
          ],
        },
      ],
      [
        '.gitlab-ci.yml',
        6,
        null,
        'job debian; resolved through $BUILDER_REVISION (ci/revision.yml:2); $BUILDER_REVISION (ci/revision.yml:2) is the tag of 3 images: it moves only when all of them have the same new tag',
        expect.objectContaining({ key: 'ci/revision.yml#32' }),
      ],
      [
        'ci/packages.yml',
        2,
        null,
        'job alma; resolved through $BUILDER_REVISION (ci/revision.yml:2); $BUILDER_REVISION (ci/revision.yml:2) is the tag of 3 images: it moves only when all of them have the same new tag',
        expect.objectContaining({ key: 'ci/revision.yml#32' }),
      ],
    ]);
  });

  it('moves when every image has the same new tag: one change listing all of them, verified across every file', () => {
    const scanned = scanSources(files());
    const same = proposal('5.66.0', DIGEST(1));
    const plan = planUpdates(results(scanned, { 'builder/ubuntu-24.04': same, 'builder/debian-12': proposal('5.66.0', DIGEST(2)), 'builder/alma-9': proposal('5.66.0', DIGEST(3)) }));
    expect(plan.held).toEqual([]);
    expect(plan.updates.map((update) => [update.file, update.line, update.to, update.group])).toEqual([
      ['.gitlab-ci.yml', 3, 'registry.example.test/builder/ubuntu-24.04:5.66.0', 'BUILDER_REVISION'],
      ['.gitlab-ci.yml', 6, 'registry.example.test/builder/debian-12:5.66.0', 'BUILDER_REVISION'],
      ['ci/packages.yml', 2, 'registry.example.test/builder/alma-9:5.66.0', 'BUILDER_REVISION'],
    ]);
    const changes = groupChanges(plan.updates, plan.held, { branchPrefix: 'archpin/', groupNameFor: () => null });
    expect(changes.map((change) => [change.branch, change.displayName, change.images])).toEqual([
      ['archpin/builder_revision', 'BUILDER_REVISION', ['registry.example.test/builder/alma-9', 'registry.example.test/builder/debian-12', 'registry.example.test/builder/ubuntu-24.04']],
    ]);
    const verified = verifyEdits(changes[0]!.fileEdits, scanned);
    // Only the literal's file changes; the files with the images are re-scanned with it (a failure there would fail it too).
    expect(changes[0]!.fileEdits.map((edit) => [edit.file, edit.edits.length, edit.linked])).toEqual([
      ['.gitlab-ci.yml', 0, ['ci/revision.yml']],
      ['ci/packages.yml', 0, ['ci/revision.yml']],
      ['ci/revision.yml', 3, ['.gitlab-ci.yml', 'ci/packages.yml']],
    ]);
    expect(verified.map((outcome) => (outcome.ok ? [outcome.file, Buffer.from(outcome.bytes).toString()] : [outcome.file, outcome.reason]))).toEqual([
      ['ci/revision.yml', 'variables:\n  BUILDER_REVISION: "5.66.0"\n'],
    ]);
  });

  it('holds every image, naming the one that blocks, when one has no such tag or another one', () => {
    const scanned = scanSources(files());
    const missing = planUpdates(results(scanned, { 'builder/ubuntu-24.04': proposal('5.66.0', DIGEST(1)), 'builder/debian-12': null, 'builder/alma-9': proposal('5.66.0', DIGEST(3)) }));
    expect(missing.updates).toEqual([]);
    const because =
      '$BUILDER_REVISION (ci/revision.yml:2) is the tag of 3 images and moves only when every one has the same new tag (5.66.0) passing the gate: registry.example.test/builder/debian-12:5.65.0 (.gitlab-ci.yml:6) has no new tag that passes the gate';
    expect(missing.held.map((item) => [item.image, item.tag, item.reasons])).toEqual([
      ['registry.example.test/builder/ubuntu-24.04', '5.66.0', [{ code: 'shared-literal', message: because }]],
      ['registry.example.test/builder/alma-9', '5.66.0', [{ code: 'shared-literal', message: because }]],
    ]);
    const apart = planUpdates(
      results(scanned, { 'builder/ubuntu-24.04': proposal('5.66.0', DIGEST(1)), 'builder/debian-12': proposal('5.66.0', DIGEST(2)), 'builder/alma-9': proposal('5.67.0', DIGEST(3)) }),
    );
    expect(apart.updates).toEqual([]);
    expect(apart.held.map((item) => item.reasons[0]!.message)).toEqual([
      '$BUILDER_REVISION (ci/revision.yml:2) is the tag of 3 images and moves only when every one has the same new tag (5.66.0) passing the gate: registry.example.test/builder/alma-9:5.65.0 (ci/packages.yml:2) would go to registry.example.test/builder/alma-9:5.67.0',
      '$BUILDER_REVISION (ci/revision.yml:2) is the tag of 3 images and moves only when every one has the same new tag (5.66.0) passing the gate: registry.example.test/builder/alma-9:5.65.0 (ci/packages.yml:2) would go to registry.example.test/builder/alma-9:5.67.0',
      '$BUILDER_REVISION (ci/revision.yml:2) is the tag of 3 images and moves only when every one has the same new tag (5.66.0) passing the gate: registry.example.test/builder/alma-9:5.65.0 (ci/packages.yml:2) would go to registry.example.test/builder/alma-9:5.67.0',
    ]);
    // Every image moves it, to different tags: each is to be looked up again, going past none of the others' choices.
    expect(apart.shared?.map((outcome) => [outcome.status, outcome.literals, [...(outcome.ceilings ?? new Map())].map(([reference, tags]) => [reference.line, tags])])).toEqual([
      [
        'retry',
        ['5.66.0', '5.67.0'],
        [
          [3, ['5.66.0', '5.67.0']],
          [6, ['5.66.0', '5.67.0']],
          [2, ['5.66.0', '5.67.0']],
        ],
      ],
    ]);
    // One image without an update: no tag can be common to all of them, so nothing is looked up again.
    expect(missing.shared?.map((outcome) => [outcome.status, outcome.ceilings])).toEqual([['held', undefined]]);
  });

  it('sharedLiterals "hold": the literal is never edited, even when every image has the same new tag', () => {
    const scanned = scanSources(files());
    const plan = planUpdates(
      results(scanned, { 'builder/ubuntu-24.04': proposal('5.66.0', DIGEST(1)), 'builder/debian-12': proposal('5.66.0', DIGEST(2)), 'builder/alma-9': proposal('5.66.0', DIGEST(3)) }),
      {
        mode: 'hold',
      },
    );
    expect(plan.updates).toEqual([]);
    expect(plan.held.map((item) => [item.image, item.tag, item.reasons[0]!.code])).toEqual([
      ['registry.example.test/builder/ubuntu-24.04', '5.66.0', 'shared-literal'],
      ['registry.example.test/builder/debian-12', '5.66.0', 'shared-literal'],
      ['registry.example.test/builder/alma-9', '5.66.0', 'shared-literal'],
    ]);
  });
});
