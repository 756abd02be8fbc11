import { describe, expect, it } from 'vitest';
import { dependenciesOf, type Proposal } from '../../src/core/dependency.js';
import { sourceFile } from '../../src/core/source-file.js';
import { scanSources, verifyEdits } from '../../src/pipeline/pipeline.js';
import { planUpdates } from '../../src/plan/plan-updates.js';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.column, reference.value, reference.kind, reference.skip]);

/** A template a CLI test creates from, as `kubectl get -o json` writes it. */
const manifest = `{
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "AnalysisTemplate",
    "metadata": {"name": "smoke"},
    "spec": {
        "metrics": [
            {
                "name": "smoke",
                "provider": {
                    "job": {
                        "spec": {
                            "template": {
                                "spec": {
                                    "containers": [{"name": "probe", "image": "alpine:3.21"}],
                                    "initContainers": [{"name": "wait", "image": "registry.example.test/tools/wait-for:1.4"}]
                                }
                            }
                        }
                    }
                }
            }
        ]
    }
}
`;

/** A Nomad job from the jobs API, kept under a name that says nothing. */
const job = '{"ID": "cache", "TaskGroups": [{"Name": "cache", "Tasks": [{"Name": "valkey", "Driver": "docker", "Config": {"image": "valkey/valkey:8.0.2"}}]}]}\n';

describe('JSON recognised by its content', () => {
  it('a Kubernetes object in JSON is read as in YAML, at the line and column of the string', () => {
    expect(scan({ 'cmd/create/testdata/analysis-template.json': manifest })).toEqual([
      ['cmd/create/testdata/analysis-template.json', 14, 80, 'alpine:3.21', 'kubernetes-container', null],
      ['cmd/create/testdata/analysis-template.json', 15, 83, 'registry.example.test/tools/wait-for:1.4', 'kubernetes-container', null],
    ]);
  });

  it('a Nomad job in JSON is read whatever the file is called', () => {
    expect(scan({ 'deploy/cache.json': job })).toEqual([['deploy/cache.json', 1, 120, 'valkey/valkey:8.0.2', 'nomad-task', null]]);
  });

  it('other JSON names no image: tool manifests, schemas, data with an image field, a CRD', () => {
    const crd = '{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "spec": {"versions": [{"schema": {"image": "example/x:1"}}]}}';
    expect(
      scan({
        'package.json': '{"name": "app", "apiVersion": "1", "kind": "lib", "image": "node:22"}',
        'config/app.schema.json': manifest,
        'data/photos.json': '{"image": "nginx:1.27", "kind": "photo"}',
        'deploy/crd.json': crd,
      }),
    ).toEqual([]);
  });

  it('edits the JSON string in place, verified by a re-scan', () => {
    const D1 = `sha256:${'1'.repeat(64)}`;
    const proposal = (tag: string): Proposal => ({ tag, digest: D1, updateType: 'minor', platforms: ['linux/amd64'], fromPlatforms: ['linux/amd64'] });
    const scanned = scanSources([sourceFile('testdata/analysis-template.json', new Uint8Array(Buffer.from(manifest)))]);
    const dependency = dependenciesOf(scanned.references).find((candidate) => candidate.location.repository === 'library/alpine');
    const plan = planUpdates([{ dependency: dependency!, update: proposal('3.22'), held: [], error: null }]);
    expect(plan.failures).toEqual([]);
    expect(verifyEdits(plan.fileEdits, scanned).map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([
      ['testdata/analysis-template.json', manifest.replace('"alpine:3.21"', `"alpine:3.22@${D1}"`)],
    ]);
  });
});
