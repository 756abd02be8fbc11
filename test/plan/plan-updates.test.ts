import { describe, expect, it } from 'vitest';
import { dependenciesOf, type Dependency, type HeldUpdate, type LookupFailure, type Proposal } from '../../src/core/dependency.js';
import { sourceFile } from '../../src/core/source-file.js';
import { applyEdits } from '../../src/core/text-edit.js';
import { fileEditsOf, planUpdates } from '../../src/plan/plan-updates.js';
import { scanFiles } from '../../src/scan/scan-files.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const D3 = `sha256:${'3'.repeat(64)}`;
const D4 = `sha256:${'4'.repeat(64)}`;
const D5 = `sha256:${'5'.repeat(64)}`;
const D6 = `sha256:${'6'.repeat(64)}`;

const FILES: Record<string, string> = {
  'k8s/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: docker:27.0.3\n',
  'compose.yaml': `services:\n  web:\n    image: docker:27.0.3\n  dind:\n    image: "docker:27.0.3-dind@${D1}"\n  db:\n    image: postgres:16.1@${D6}\n`,
  '.gitlab-ci.yml': 'variables:\n  DOCKER_VERSION: "27.0"\nbuild:\n  image: docker:${DOCKER_VERSION}-dind\n  script: [make]\n',
};

/** The dependencies of the files above, by `repository:tag`. */
function dependencies(): Map<string, Dependency> {
  const references = scanFiles(Object.entries(FILES).map(([file, text]) => sourceFile(file, new Uint8Array(Buffer.from(text))))).references;
  return new Map(dependenciesOf(references).map((dependency) => [`${dependency.location.repository}:${dependency.tag}`, dependency]));
}

const proposal = (tag: string, digest: string, updateType: Proposal['updateType'] = 'minor'): Proposal => ({
  tag,
  digest,
  updateType,
  platforms: ['linux/amd64', 'linux/arm64/v8'],
  fromPlatforms: ['linux/amd64'],
});
const regression: HeldUpdate = {
  image: 'docker.io/library/docker',
  tag: '27.2.0-dind',
  digest: D4,
  reasons: [{ code: 'platform-regression', message: 'linux/arm64/v8 is in use and missing from 27.2.0-dind' }],
};
const unavailable: LookupFailure = { image: 'docker.io/library/postgres', tag: '16.1', code: 'registry-unavailable', message: 'the registry answered 503', retryable: true };
/** Where `text` starts in a file of FILES (the edits are byte offsets). */
const at = (file: string, text: string): number => Buffer.from(FILES[file]!).indexOf(text);

describe('planUpdates', () => {
  const byName = dependencies();
  const plan = planUpdates([
    { dependency: byName.get('library/docker:27.0.3')!, update: proposal('27.1.1', D2), held: [regression], error: null },
    { dependency: byName.get('library/docker:27.0.3-dind')!, update: proposal('27.1.1-dind', D3), held: [regression, { ...regression, tag: '27.3.0-dind', digest: D5 }], error: null },
    // The template keeps `-dind` after the variable: 27.1 does not fit it.
    { dependency: byName.get('library/docker:27.0-dind')!, update: proposal('27.1', D5), held: [], error: null },
    // Already what the proposal says: nothing to write.
    { dependency: byName.get('library/postgres:16.1')!, update: proposal('16.1', D6, 'digest'), held: [], error: unavailable },
  ]);

  it('gives one update per reference, sorted by file and line, with its edits and what a re-scan must find', () => {
    expect(plan.updates.map((update) => [update.file, update.line, update.from, update.to, update.tag, update.updateType, update.digest, update.pinned])).toEqual([
      ['compose.yaml', 3, 'docker:27.0.3', `docker:27.1.1@${D2}`, '27.1.1', 'minor', D2, true],
      ['compose.yaml', 5, `docker:27.0.3-dind@${D1}`, `docker:27.1.1-dind@${D3}`, '27.1.1-dind', 'minor', D3, true],
      ['k8s/deploy.yaml', 8, 'docker:27.0.3', `docker:27.1.1@${D2}`, '27.1.1', 'minor', D2, true],
    ]);
    const [web, dind, deploy] = plan.updates;
    expect(web!.image).toBe('docker.io/library/docker');
    expect(web!.platforms).toEqual(['linux/amd64', 'linux/arm64/v8']);
    expect(web!.fromPlatforms).toEqual(['linux/amd64']);
    expect(web!.edits).toEqual([{ start: at('compose.yaml', 'docker:27.0.3\n'), end: at('compose.yaml', 'docker:27.0.3\n') + 13, expected: 'docker:27.0.3', replacement: `docker:27.1.1@${D2}` }]);
    expect(dind!.edits).toEqual([
      { start: at('compose.yaml', 'docker:27.0.3-dind'), end: at('compose.yaml', 'docker:27.0.3-dind') + 90, expected: `docker:27.0.3-dind@${D1}`, replacement: `docker:27.1.1-dind@${D3}` },
    ]);
    expect(deploy!.edits).toEqual([{ start: at('k8s/deploy.yaml', 'docker:27.0.3'), end: at('k8s/deploy.yaml', 'docker:27.0.3') + 13, expected: 'docker:27.0.3', replacement: `docker:27.1.1@${D2}` }]);
    expect(dind!.expected).toEqual({
      kind: 'compose-service',
      line: 5,
      image: { registry: 'docker.io', repository: 'library/docker', tag: '27.1.1-dind', digest: D3 },
    });
    expect(deploy!.expected).toEqual({
      kind: 'kubernetes-container',
      line: 8,
      image: { registry: 'docker.io', repository: 'library/docker', tag: '27.1.1', digest: D2 },
    });
  });

  it('gathers the edits per file, files in path order, and they write exactly the new references', () => {
    expect(plan.fileEdits.map((file) => [file.file, file.edits.length, file.expected.map((expected) => expected.line)])).toEqual([
      ['compose.yaml', 2, [3, 5]],
      ['k8s/deploy.yaml', 1, [8]],
    ]);
    const written = (index: number) => Buffer.from(applyEdits(Buffer.from(FILES[plan.fileEdits[index]!.file]!), plan.fileEdits[index]!.edits)).toString();
    expect(written(0)).toBe(`services:\n  web:\n    image: docker:27.1.1@${D2}\n  dind:\n    image: "docker:27.1.1-dind@${D3}"\n  db:\n    image: postgres:16.1@${D6}\n`);
    expect(written(1)).toBe(FILES['k8s/deploy.yaml']!.replace('docker:27.0.3', `docker:27.1.1@${D2}`));
    expect(fileEditsOf([])).toEqual([]);
    expect(fileEditsOf([plan.updates[2]!, plan.updates[0]!]).map((file) => file.file)).toEqual(['compose.yaml', 'k8s/deploy.yaml']);
  });

  it('keeps each held version once, lookup errors as they came, and a reference it cannot edit as a plan failure', () => {
    expect(plan.held).toEqual([regression, { ...regression, tag: '27.3.0-dind', digest: D5 }]);
    expect(plan.errors).toEqual([unavailable]);
    expect(plan.failures).toEqual([
      { file: '.gitlab-ci.yml', line: 4, image: 'docker.io/library/docker', code: 'plan-failed', message: 'new reference docker:27.1 does not fit the template docker:${DOCKER_VERSION}-dind' },
    ]);
    expect(plan.unpinned).toEqual([]);
  });

  it('plans nothing from results without an update', () => {
    const empty = planUpdates([{ dependency: dependencies().get('library/docker:27.0.3')!, update: null, held: [], error: null }]);
    expect(empty).toEqual({ updates: [], unpinned: [], fileEdits: [], held: [], errors: [], failures: [] });
  });
});
