import { describe, expect, it } from 'vitest';
import { dependenciesOf, type Proposal } from '../../src/core/dependency.js';
import { sourceFile } from '../../src/core/source-file.js';
import { scanSources, verifyEdits } from '../../src/pipeline/pipeline.js';
import { planUpdates } from '../../src/plan/plan-updates.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D0 = `sha256:${'0'.repeat(64)}`;

/** An Argo CD Application that sets images of a kustomize source, and a Flux Kustomization that does the same. */
const application = [
  'apiVersion: argoproj.io/v1alpha1',
  'kind: Application',
  'metadata:',
  '  name: shop',
  'spec:',
  '  source:',
  '    repoURL: https://git.example.test/shop.git',
  '    path: overlays/prod',
  '    kustomize:',
  '      images:',
  '        - registry.example.test/shop/front:2.4.1',
  '        - "api=registry.example.test/shop/api:1.10.0"',
  `        - cache=registry.example.test/shop/cache@${D0}`,
  '        - worker=registry.example.test/shop/worker',
  '        - queue=*:3.2.0',
  '        - "{{ .image }}"',
  '---',
  'apiVersion: argoproj.io/v1alpha1',
  'kind: ApplicationSet',
  'metadata:',
  '  name: tools',
  'spec:',
  '  template:',
  '    spec:',
  '      sources:',
  '        - repoURL: https://git.example.test/tools.git',
  '          kustomize:',
  '            images: [registry.example.test/tools/cli:0.9.3]',
  '',
].join('\n');

const flux = [
  'apiVersion: kustomize.toolkit.fluxcd.io/v1',
  'kind: Kustomization',
  'metadata:',
  '  name: apps',
  'spec:',
  '  path: ./apps',
  '  images:',
  '    - name: shop-front',
  '      newName: registry.example.test/shop/front',
  '      newTag: 2.4.1',
  '',
].join('\n');

const files = { 'argocd/shop.yaml': application, 'clusters/prod/apps.yaml': flux };
const scanned = scanSources(Object.entries(files).map(([name, text]) => sourceFile(name, new Uint8Array(Buffer.from(text)))));

describe('kustomize image settings of GitOps resources', () => {
  it('reports each Argo CD kustomize.images string (the image after name=) and each Flux spec.images entry where it is written', () => {
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.column, reference.value, reference.kind, reference.skip, reference.detail ?? null])).toEqual([
      ['argocd/shop.yaml', 11, 11, 'registry.example.test/shop/front:2.4.1', 'kustomize-image', null, null],
      ['argocd/shop.yaml', 12, 16, 'registry.example.test/shop/api:1.10.0', 'kustomize-image', null, 'kustomize image for api'],
      ['argocd/shop.yaml', 13, 17, `registry.example.test/shop/cache@${D0}`, 'kustomize-image', null, 'kustomize image for cache'],
      ['argocd/shop.yaml', 14, 18, 'registry.example.test/shop/worker', 'kustomize-image', 'no-tag', 'kustomize image for worker'],
      ['argocd/shop.yaml', 16, 12, '{{ .image }}', 'kustomize-image', 'templated', null],
      ['argocd/shop.yaml', 28, 22, 'registry.example.test/tools/cli:0.9.3', 'kustomize-image', null, null],
      ['clusters/prod/apps.yaml', 9, 16, 'registry.example.test/shop/front:2.4.1', 'kustomize-image', null, null],
    ]);
    expect(scanned.problems).toEqual([]);
  });

  it('updates the tag inside the string (no digest added there: kustomize would read name:tag as the name), a written digest in place, and the Flux entry with a digest line', () => {
    const proposal = (tag: string | null): Proposal => ({ tag, digest: D1, updateType: 'minor', platforms: ['linux/amd64'], fromPlatforms: ['linux/amd64'] });
    const byName = new Map(dependenciesOf(scanned.references).map((dependency) => [`${dependency.location.repository}:${dependency.tag ?? ''}`, dependency]));
    const plan = planUpdates([
      { dependency: byName.get('shop/api:1.10.0')!, update: proposal('1.11.0'), held: [], error: null },
      { dependency: byName.get('shop/cache:')!, update: proposal(null), held: [], error: null },
      { dependency: byName.get('shop/front:2.4.1')!, update: proposal('2.5.0'), held: [], error: null },
      { dependency: byName.get('tools/cli:0.9.3')!, update: proposal('0.10'), held: [], error: null },
    ]);
    expect(plan.failures).toEqual([]);
    expect(verifyEdits(plan.fileEdits, scanned).map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([
      ['argocd/shop.yaml', application.replace('front:2.4.1', 'front:2.5.0').replace('shop/api:1.10.0', 'shop/api:1.11.0').replace(`cache@${D0}`, `cache@${D1}`).replace('cli:0.9.3', 'cli:0.10')],
      ['clusters/prod/apps.yaml', flux.replace('newTag: 2.4.1', `newTag: 2.5.0\n      digest: ${D1}`)],
    ]);
  });
});
