import { describe, expect, it } from 'vitest';
import { dependenciesOf, type Proposal } from '../../src/core/dependency.js';
import { sourceFile } from '../../src/core/source-file.js';
import { planUpdates } from '../../src/plan/plan-updates.js';
import { scanSources, verifyEdits } from '../../src/pipeline/pipeline.js';

const D1 = `sha256:${'a'.repeat(64)}`;
const D2 = `sha256:${'b'.repeat(64)}`;

/** A pipeline whose versions live in an included file; the root only uses them. */
const FILES: Record<string, string> = {
  '.gitlab-ci.yml': [
    'include:', // 1
    '  - local: ci/versions.yml', // 2
    'build:', // 3
    '  image: docker:${DOCKER_VERSION}', // 4
    '  services:', // 5
    '    - docker:${DOCKER_VERSION}-dind', // 6
    '  script: [docker build .]', // 7
    'docs:', // 8
    '  image: python:${PYTHON_VERSION}-slim', // 9
    '  script: [make docs]', // 10
    '',
  ].join('\n'),
  'ci/versions.yml': ['# One place for the versions the jobs share.', 'variables:', '  DOCKER_VERSION: 27.0.3', "  PYTHON_VERSION: '3.12'", ''].join('\n'),
};

const proposal = (tag: string, digest: string): Proposal => ({ tag, digest, updateType: 'minor', platforms: ['linux/amd64'], fromPlatforms: ['linux/amd64'] });

function scan(files: Record<string, string>) {
  return scanSources(Object.entries(files).map(([path, text]) => sourceFile(path, new Uint8Array(Buffer.from(text)))));
}

describe('edits of a variable defined in an included file', () => {
  const scanned = scan(FILES);
  const byTag = new Map(dependenciesOf(scanned.references).map((dependency) => [`${dependency.location.repository}:${dependency.tag}`, dependency]));

  it('reports the references as updatable, with the variable span in the file that defines it', () => {
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail])).toEqual([
      ['.gitlab-ci.yml', 4, 'docker:27.0.3', null, 'job build; resolved through $DOCKER_VERSION (ci/versions.yml:3)'],
      ['.gitlab-ci.yml', 6, 'docker:27.0.3-dind', null, 'job build; resolved through $DOCKER_VERSION (ci/versions.yml:3)'],
      ['.gitlab-ci.yml', 9, 'python:3.12-slim', null, 'job docs; resolved through $PYTHON_VERSION (ci/versions.yml:4)'],
    ]);
  });

  it('edits the literal where it lives and the pin after the template, and verifies both files together', () => {
    const plan = planUpdates([
      { dependency: byTag.get('library/docker:27.0.3')!, update: proposal('27.1.1', D1), held: [], error: null },
      { dependency: byTag.get('library/docker:27.0.3-dind')!, update: proposal('27.1.1-dind', D2), held: [], error: null },
      { dependency: byTag.get('library/python:3.12-slim')!, update: { ...proposal('3.13-slim', D1), tagOnly: true }, held: [], error: null },
    ]);
    expect(plan.failures).toEqual([]);
    expect(
      plan.fileEdits.map((file) => [file.file, file.edits.map((edit) => [edit.file ?? file.file, edit.expected, edit.replacement]), file.expected.map((expected) => expected.line), file.linked]),
    ).toEqual([
      [
        '.gitlab-ci.yml',
        [
          ['.gitlab-ci.yml', 'docker:${DOCKER_VERSION}', `docker:\${DOCKER_VERSION}@${D1}`],
          ['.gitlab-ci.yml', 'docker:${DOCKER_VERSION}-dind', `docker:\${DOCKER_VERSION}-dind@${D2}`],
        ],
        [4, 6, 9],
        ['ci/versions.yml'],
      ],
      [
        'ci/versions.yml',
        [
          ['ci/versions.yml', '27.0.3', '27.1.1'],
          ['ci/versions.yml', '27.0.3', '27.1.1'],
          ['ci/versions.yml', '3.12', '3.13'],
        ],
        [],
        ['.gitlab-ci.yml'],
      ],
    ]);
    const outcomes = verifyEdits(plan.fileEdits, scanned);
    expect(outcomes.map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([
      ['.gitlab-ci.yml', FILES['.gitlab-ci.yml']!.replace('docker:${DOCKER_VERSION}\n', `docker:\${DOCKER_VERSION}@${D1}\n`).replace('${DOCKER_VERSION}-dind', `\${DOCKER_VERSION}-dind@${D2}`)],
      ['ci/versions.yml', FILES['ci/versions.yml']!.replace('27.0.3', '27.1.1').replace("'3.12'", "'3.13'")],
    ]);
  });

  it('checks the file that holds the reference without writing it when only the literal changes', () => {
    const plan = planUpdates([{ dependency: byTag.get('library/python:3.12-slim')!, update: { ...proposal('3.13-slim', D1), tagOnly: true }, held: [], error: null }]);
    expect(plan.fileEdits.map((file) => [file.file, file.edits.length, file.expected.map((expected) => expected.line), file.linked])).toEqual([
      ['.gitlab-ci.yml', 0, [9], ['ci/versions.yml']],
      ['ci/versions.yml', 1, [], ['.gitlab-ci.yml']],
    ]);
    // Only the file that changes is in the answer.
    expect(verifyEdits(plan.fileEdits, scanned).map((outcome) => [outcome.file, outcome.ok])).toEqual([['ci/versions.yml', true]]);
  });

  it('fails both files, each saying why, when the edited literal no longer gives the expected reference', () => {
    const plan = planUpdates([{ dependency: byTag.get('library/python:3.12-slim')!, update: { ...proposal('3.13-slim', D1), tagOnly: true }, held: [], error: null }]);
    // The root now overrides the variable in the job: the edit in ci/versions.yml no longer reaches the image.
    const changed = scan({ ...FILES, '.gitlab-ci.yml': FILES['.gitlab-ci.yml']!.replace('  script: [make docs]', "  variables: {PYTHON_VERSION: '3.12'}\n  script: [make docs]") });
    const rescanned = { ...scanned, rescan: changed.rescan, files: changed.files };
    expect(verifyEdits(plan.fileEdits, rescanned).map((outcome) => [outcome.file, outcome.ok ? 'ok' : outcome.reason])).toEqual([
      ['.gitlab-ci.yml', 're-scan did not find docker.io/library/python:3.13-slim on line 9'],
      ['ci/versions.yml', 'not changed: it goes with .gitlab-ci.yml, where re-scan did not find docker.io/library/python:3.13-slim on line 9'],
    ]);
  });

  it('fails a change whose literal also moves a reference it does not update', () => {
    // Both images take the version from one literal, but only one of them is in the change.
    const plan = planUpdates([{ dependency: byTag.get('library/docker:27.0.3')!, update: { ...proposal('27.1.1', D1), tagOnly: true }, held: [], error: null }]);
    expect(verifyEdits(plan.fileEdits, scanned).map((outcome) => [outcome.file, outcome.ok ? 'ok' : outcome.reason])).toEqual([
      ['.gitlab-ci.yml', 'the edit also changes a reference it does not update (line 6: docker:27.1.1-dind)'],
      ['ci/versions.yml', 'not changed: it goes with .gitlab-ci.yml, where the edit also changes a reference it does not update (line 6: docker:27.1.1-dind)'],
    ]);
  });

  it('edits the characters of a variable built from other variables where they are written, and pins after the template', () => {
    const nested = scan({
      '.gitlab-ci.yml': ['include: ci/images.yml', 'variables:', '  MIRROR: registry.example.test/mirror', 'build:', '  image: $BUILDER', '  script: [make]', ''].join('\n'),
      'ci/images.yml': ['variables:', '  BASE: "${MIRROR}/debian"', '  BUILDER: "${BASE}:bookworm-20241111"', ''].join('\n'),
    });
    expect(nested.references.map((reference) => [reference.value, reference.skip, reference.spans.map((span) => [span.file ?? reference.file, span.role, span.text])])).toEqual([
      [
        'registry.example.test/mirror/debian:bookworm-20241111',
        null,
        [
          ['.gitlab-ci.yml', 'template', '$BUILDER'],
          ['.gitlab-ci.yml', 'variable', 'registry.example.test/mirror'],
          ['ci/images.yml', 'variable', '${BASE}:bookworm-20241111'],
          ['ci/images.yml', 'variable', '${MIRROR}/debian'],
        ],
      ],
    ]);
    const [dependency] = dependenciesOf(nested.references);
    const plan = planUpdates([{ dependency: dependency!, update: proposal('bookworm-20250110', D1), held: [], error: null }]);
    expect(plan.failures).toEqual([]);
    expect(verifyEdits(plan.fileEdits, nested).map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([
      ['.gitlab-ci.yml', `include: ci/images.yml\nvariables:\n  MIRROR: registry.example.test/mirror\nbuild:\n  image: $BUILDER@${D1}\n  script: [make]\n`],
      ['ci/images.yml', 'variables:\n  BASE: "${MIRROR}/debian"\n  BUILDER: "${BASE}:bookworm-20250110"\n'],
    ]);
  });
});
