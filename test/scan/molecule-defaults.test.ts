import { describe, expect, it } from 'vitest';
import { dependenciesOf, type Proposal } from '../../src/core/dependency.js';
import { sourceFile } from '../../src/core/source-file.js';
import { planUpdates } from '../../src/plan/plan-updates.js';
import { scanSources, verifyEdits } from '../../src/pipeline/pipeline.js';

const D1 = `sha256:${'d'.repeat(64)}`;

const proposal = (tag: string, digest: string): Proposal => ({ tag, digest, updateType: 'minor', platforms: ['linux/amd64'], fromPlatforms: ['linux/amd64'] });

function scan(files: Record<string, string>) {
  return scanSources(Object.entries(files).map(([path, text]) => sourceFile(path, new Uint8Array(Buffer.from(text)))));
}

/** A Molecule scenario whose platforms take their images from the environment, with defaults. */
const SCENARIO = [
  'driver:', // 1
  '  name: docker', // 2
  'platforms:', // 3
  '  - name: primary', // 4
  '    image: "registry.example.test/test/${TEST_DISTRO:-debian12}-systemd:2.0.1"', // 5
  '    pre_build_image: true', // 6
  '  - name: secondary', // 7
  '    image: ${SECONDARY_IMAGE:-registry.example.test/test/alma9-systemd:1.4.0}', // 8
  '  - name: tertiary', // 9
  '    image: registry.example.test/test/${OTHER_DISTRO}-systemd:2.0.1', // 10
  '',
].join('\n');

describe('Molecule scenarios: ${VAR:-default} in a platform image', () => {
  it('reads each default as Molecule runs it when the environment sets nothing; a variable without one stays templated', () => {
    const scanned = scan({ 'roles/web/molecule/default/molecule.yml': SCENARIO, 'roles/web/ci/molecule.yml': SCENARIO });
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.column, reference.value, reference.skip, reference.detail ?? null])).toEqual([
      ['roles/web/ci/molecule.yml', 5, 13, 'registry.example.test/test/${TEST_DISTRO:-debian12}-systemd:2.0.1', 'templated', null],
      ['roles/web/ci/molecule.yml', 8, 12, '${SECONDARY_IMAGE:-registry.example.test/test/alma9-systemd:1.4.0}', 'templated', null],
      ['roles/web/ci/molecule.yml', 10, 12, 'registry.example.test/test/${OTHER_DISTRO}-systemd:2.0.1', 'templated', null],
      ['roles/web/molecule/default/molecule.yml', 5, 13, 'registry.example.test/test/debian12-systemd:2.0.1', null, 'default of ${TEST_DISTRO}; the environment may set another value'],
      ['roles/web/molecule/default/molecule.yml', 8, 12, 'registry.example.test/test/alma9-systemd:1.4.0', null, 'default of ${SECONDARY_IMAGE}; the environment may set another value'],
      ['roles/web/molecule/default/molecule.yml', 10, 12, 'registry.example.test/test/${OTHER_DISTRO}-systemd:2.0.1', 'templated', null],
    ]);
  });

  it('a new tag and a pin are written in the literal characters; the default in the name stays; the re-scan finds them', () => {
    const scanned = scan({ 'molecule/default/molecule.yml': SCENARIO });
    const byValue = new Map(dependenciesOf(scanned.references).map((dependency) => [`${dependency.location.repository}:${dependency.tag}`, dependency]));
    const plan = planUpdates([
      { dependency: byValue.get('test/debian12-systemd:2.0.1')!, update: proposal('2.1.0', D1), held: [], error: null },
      { dependency: byValue.get('test/alma9-systemd:1.4.0')!, update: proposal('1.5.0', D1), held: [], error: null },
    ]);
    expect(plan.failures).toEqual([]);
    expect(plan.fileEdits.map((file) => file.edits.map((edit) => [edit.expected, edit.replacement]))).toEqual([
      [
        ['registry.example.test/test/${TEST_DISTRO:-debian12}-systemd:2.0.1', `registry.example.test/test/\${TEST_DISTRO:-debian12}-systemd:2.1.0@${D1}`],
        ['registry.example.test/test/alma9-systemd:1.4.0', `registry.example.test/test/alma9-systemd:1.5.0@${D1}`],
      ],
    ]);
    const outcomes = verifyEdits(plan.fileEdits, scanned);
    expect(outcomes.map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([
      ['molecule/default/molecule.yml', SCENARIO.replace('-systemd:2.0.1"', `-systemd:2.1.0@${D1}"`).replace('alma9-systemd:1.4.0', `alma9-systemd:1.5.0@${D1}`)],
    ]);
  });

  it('a default that uses another variable is left as written: Molecule ends a default at its first closing brace', () => {
    const scanned = scan({ 'molecule/default/molecule.yml': ['platforms:', '  - name: nested', '    image: registry.example.test/test/alma9-systemd:${TEST_TAG:-${BASE_TAG:-1.4.0}}', ''].join('\n') });
    expect(scanned.references.map((reference) => [reference.line, reference.value, reference.skip, reference.detail ?? null])).toEqual([
      [3, 'registry.example.test/test/alma9-systemd:${TEST_TAG:-${BASE_TAG:-1.4.0}}', 'templated', null],
    ]);
  });
});
