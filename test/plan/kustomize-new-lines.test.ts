import { describe, expect, it } from 'vitest';
import { dependenciesOf, type Proposal } from '../../src/core/dependency.js';
import { sourceFile } from '../../src/core/source-file.js';
import { planUpdates } from '../../src/plan/plan-updates.js';
import { scanSources, verifyEdits } from '../../src/pipeline/pipeline.js';

const D1 = `sha256:${'a'.repeat(64)}`;
const D2 = `sha256:${'b'.repeat(64)}`;

const DEPLOYMENT = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: probe',
  'spec:',
  '  template:',
  '    spec:',
  '      containers:',
  '        - name: exporter',
  '          image: registry.example.test/upstream/exporter:v1.8.2',
  '        - name: shell',
  '          image: registry.example.test/upstream/shell:3',
  '',
].join('\n');

const KUSTOMIZATION = [
  'resources:',
  '  - probe.yaml',
  'images:',
  '  - name: registry.example.test/upstream/exporter',
  '    newName: registry.example.test/mirror/exporter',
  '  - name: registry.example.test/upstream/shell',
  '    newName: registry.example.test/mirror/shell',
  '  - name: registry.example.test/upstream/relay',
  '    newTag: 0.4.1',
  '',
].join('\n');

const proposal = (tag: string, digest: string, tagOnly = false): Proposal => ({
  tag,
  digest,
  updateType: 'minor',
  platforms: ['linux/amd64'],
  fromPlatforms: ['linux/amd64'],
  ...(tagOnly ? { tagOnly: true as const } : {}),
});

function scan(files: Record<string, string>) {
  return scanSources(Object.entries(files).map(([path, text]) => sourceFile(path, new Uint8Array(Buffer.from(text)))));
}

describe('kustomize entries written with new lines', () => {
  const scanned = scan({ 'deploy/probe.yaml': DEPLOYMENT, 'deploy/kustomization.yaml': KUSTOMIZATION });
  const byName = new Map(dependenciesOf(scanned.references).map((dependency) => [dependency.location.repository, dependency]));

  it('a newName entry that keeps its resources’ tag gets newTag and digest lines after newName; each entry of the file is pinned in one change', () => {
    const plan = planUpdates([
      { dependency: byName.get('mirror/exporter')!, update: proposal('v1.8.2', D1), held: [], error: null },
      { dependency: byName.get('mirror/shell')!, update: proposal('3', D2), held: [], error: null },
      { dependency: byName.get('upstream/relay')!, update: proposal('0.4.1', D1), held: [], error: null },
    ]);
    expect(plan.failures).toEqual([]);
    const outcomes = verifyEdits(plan.fileEdits, scanned);
    expect(outcomes.map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([
      [
        'deploy/kustomization.yaml',
        KUSTOMIZATION.replace('mirror/exporter\n', `mirror/exporter\n    newTag: v1.8.2\n    digest: ${D1}\n`)
          .replace('mirror/shell\n', `mirror/shell\n    newTag: "3"\n    digest: ${D2}\n`)
          .replace('0.4.1\n', `0.4.1\n    digest: ${D1}\n`),
      ],
    ]);
  });

  it('a new tag alone is a newTag line; an entry below the new line is still found where it now is', () => {
    const plan = planUpdates([
      { dependency: byName.get('mirror/exporter')!, update: proposal('v1.9.0', D1, true), held: [], error: null },
      { dependency: byName.get('mirror/shell')!, update: proposal('3.1', D2, true), held: [], error: null },
    ]);
    expect(plan.failures).toEqual([]);
    const outcomes = verifyEdits(plan.fileEdits, scanned);
    expect(outcomes.map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([
      ['deploy/kustomization.yaml', KUSTOMIZATION.replace('mirror/exporter\n', 'mirror/exporter\n    newTag: v1.9.0\n').replace('mirror/shell\n', 'mirror/shell\n    newTag: "3.1"\n')],
    ]);
  });
});
