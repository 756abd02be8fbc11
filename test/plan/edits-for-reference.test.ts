import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { applyEdits } from '../../src/core/text-edit.js';
import { editsForReference } from '../../src/plan/edits-for-reference.js';
import { planUpdates } from '../../src/plan/plan-updates.js';
import { dependenciesOf } from '../../src/core/dependency.js';
import { scanFiles } from '../../src/scan/scan-files.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

/** Scans one file, moves every updatable reference to `tag` pinned to `digest`, returns the new text. */
function update(path: string, text: string, tag: string | null, digest: string | null): string {
  const file = sourceFile(path, new Uint8Array(Buffer.from(text, 'latin1')));
  const references = scanFiles([file]).references.filter((reference) => reference.skip === null);
  expect(references.length).toBeGreaterThan(0);
  const edits = references.flatMap((reference) => {
    const plan = editsForReference(reference, { tag, digest });
    if (!plan.ok) throw new Error(plan.reason);
    return plan.edits;
  });
  const unique = [...new Map(edits.map((edit) => [`${edit.start}:${edit.end}`, edit])).values()];
  return Buffer.from(applyEdits(file.bytes, unique)).toString('latin1');
}

describe('editsForReference: byte-precise, in the user spelling', () => {
  it('replaces a whole reference, keeping the name as written and replacing an old digest', () => {
    expect(update('a/pod.yaml', `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: 'docker:27.0.3-dind@${D1}' # pinned\n`, '27.1.1-dind', D2)).toBe(
      `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: 'docker:27.1.1-dind@${D2}' # pinned\n`,
    );
  });

  it('edits an image inside a literal block scalar in place, keeping the block and line endings', () => {
    const configMap = `apiVersion: v1\r\nkind: ConfigMap\r\ndata:\r\n  tuner.yaml: |\r\n    runner:\r\n      image: registry.example.test/tuner/runner:v0.9.1 # kept\r\n`;
    expect(update('deploy/tuner.yaml', configMap, 'v0.10.0', D1)).toBe(
      `apiVersion: v1\r\nkind: ConfigMap\r\ndata:\r\n  tuner.yaml: |\r\n    runner:\r\n      image: registry.example.test/tuner/runner:v0.10.0@${D1} # kept\r\n`,
    );
  });

  it('edits a literal image of an ERB compose template and leaves the template actions alone', () => {
    const erb = `services:\n  web:\n    image: docker.io/library/nginx:1.27.3 # <%= @note %>\n  app:\n    image: registry.example.test/app:<%= @tag %>\n`;
    expect(update('templates/web/docker-compose.yml.erb', erb, '1.27.4', D1)).toBe(
      `services:\n  web:\n    image: docker.io/library/nginx:1.27.4@${D1} # <%= @note %>\n  app:\n    image: registry.example.test/app:<%= @tag %>\n`,
    );
  });

  it('quotes a bare Helm tag that YAML would read as a float, and fills an empty digest field', () => {
    expect(update('values.yaml', `image:\n  repository: bitnami/redis\n  tag: 7.2\n  digest: ""\n`, '7.10', D1)).toBe(`image:\n  repository: bitnami/redis\n  tag: "7.10"\n  digest: "${D1}"\n`);
    expect(update('values.yaml', `image:\n  repository: bitnami/redis\n  tag: '7.2'\n`, '7.10', null)).toBe(`image:\n  repository: bitnami/redis\n  tag: '7.10'\n`);
  });

  it('updates a GitLab CI variable once for an image and a service, and pins each template', () => {
    const ci = `variables:\n  DOCKER_VERSION: 27.0\nbuild:\n  image: docker:\${DOCKER_VERSION}\n  services: ["docker:\${DOCKER_VERSION}-dind"]\n  script: [make]\n`;
    const file = sourceFile('.gitlab-ci.yml', new Uint8Array(Buffer.from(ci)));
    const [image, service] = scanFiles([file]).references;
    const a = editsForReference(image!, { tag: '27.1', digest: D1 });
    const b = editsForReference(service!, { tag: '27.1-dind', digest: D2 });
    expect(a.ok && b.ok).toBe(true);
    const edits = [...(a.ok ? a.edits : []), ...(b.ok ? b.edits : [])];
    const unique = [...new Map(edits.map((edit) => [`${edit.start}:${edit.end}:${edit.replacement}`, edit])).values()];
    expect(Buffer.from(applyEdits(file.bytes, unique)).toString()).toBe(
      `variables:\n  DOCKER_VERSION: "27.1"\nbuild:\n  image: docker:\${DOCKER_VERSION}@${D1}\n  services: ["docker:\${DOCKER_VERSION}-dind@${D2}"]\n  script: [make]\n`,
    );
  });

  it('updates a Cloud Build substitution default once for the steps that use it, and pins each step', () => {
    const build = "steps:\r\n- name: 'gcr.io/cloud-builders/gcloud:$_SDK' # tools\r\n- name: gcr.io/cloud-builders/gcloud:${_SDK}\r\nsubstitutions:\r\n  _SDK: 499.0.0 # pinned by hand\r\n";
    expect(update('deploy/cloudbuild.yaml', build, '501.0.0', D1)).toBe(
      `steps:\r\n- name: 'gcr.io/cloud-builders/gcloud:$_SDK@${D1}' # tools\r\n- name: gcr.io/cloud-builders/gcloud:\${_SDK}@${D1}\r\nsubstitutions:\r\n  _SDK: 501.0.0 # pinned by hand\r\n`,
    );
  });

  it('edits the one variable of a two-variable template that holds the tag, and leaves the registry variable alone', () => {
    const ci = 'variables:\n  REGISTRY: registry.example.test/mirror\n  RUBY_VERSION: "3.3.6"\ntest:\n  image: ${REGISTRY}/ruby:${RUBY_VERSION}-slim\n  script: [rspec]\n';
    expect(update('.gitlab-ci.yml', ci, '3.4.1-slim', D1)).toBe(
      `variables:\n  REGISTRY: registry.example.test/mirror\n  RUBY_VERSION: "3.4.1"\ntest:\n  image: \${REGISTRY}/ruby:\${RUBY_VERSION}-slim@${D1}\n  script: [rspec]\n`,
    );
    // A tag that grows at the boundary of two variables goes into the one before it.
    const split = 'variables:\n  V: "3.3"\n  FLAVOUR: -alpine\nt:\n  image: ruby:${V}${FLAVOUR}\n  script: [x]\n';
    expect(update('.gitlab-ci.yml', split, '3.3.7-alpine', null)).toBe('variables:\n  V: "3.3.7"\n  FLAVOUR: -alpine\nt:\n  image: ruby:${V}${FLAVOUR}\n  script: [x]\n');
  });

  it("edits the template's own characters when they hold the new tag, leaving the variable as it is", () => {
    const ci = 'variables:\n  REGISTRY: registry.example.test/hub\nt:\n  image: ${REGISTRY}/docker:27.0.3-dind\n  services: ["${REGISTRY}/docker:27.0.3@' + D1 + '"]\n  script: [x]\n';
    expect(update('.gitlab-ci.yml', ci, null, null)).toBe(ci);
    const moved = (tag: string, digest: string | null) => {
      const file = sourceFile('.gitlab-ci.yml', new Uint8Array(Buffer.from(ci)));
      const [image] = scanFiles([file]).references;
      const plan = editsForReference(image!, { tag, digest });
      return plan.ok ? Buffer.from(applyEdits(file.bytes, plan.edits)).toString().split('\n')[3] : plan.reason;
    };
    expect([moved('27.1.1-dind', D2), moved('27.1.1-dind', null)]).toEqual(['  image: ${REGISTRY}/docker:27.1.1-dind@' + D2, '  image: ${REGISTRY}/docker:27.1.1-dind']);
    // A pinned template keeps its pin's place: the new digest replaces the old one.
    const file = sourceFile('.gitlab-ci.yml', new Uint8Array(Buffer.from(ci)));
    const service = scanFiles([file]).references[1]!;
    const plan = editsForReference(service, { tag: '27.1.1', digest: D2 });
    expect(plan.ok && plan.edits.map((edit) => [edit.expected, edit.replacement])).toEqual([[`\${REGISTRY}/docker:27.0.3@${D1}`, `\${REGISTRY}/docker:27.1.1@${D2}`]]);
  });

  it('refuses a two-variable template when no single variable can take the new tag', () => {
    const ci = 'variables:\n  MAJOR: "3"\n  MINOR: "3"\nt:\n  image: ruby:${MAJOR}.${MINOR}-slim\n  script: [x]\n';
    const file = sourceFile('.gitlab-ci.yml', new Uint8Array(Buffer.from(ci)));
    const [reference] = scanFiles([file]).references;
    expect(reference!.value).toBe('ruby:3.3-slim');
    expect(editsForReference(reference!, { tag: '4.0-slim', digest: null })).toEqual({
      ok: false,
      reason: 'new reference ruby:4.0-slim does not fit the template ruby:${MAJOR}.${MINOR}-slim by changing one variable',
    });
    // One variable is enough for a minor step.
    const minor = editsForReference(reference!, { tag: '3.4-slim', digest: null });
    expect(minor.ok && minor.edits.map((edit) => [edit.expected, edit.replacement])).toEqual([['3', '4']]);
  });

  it('puts the digest in a Dockerfile ARG that holds the whole reference', () => {
    expect(update('Dockerfile', `ARG BASE=node:20.11.1-alpine\nFROM \${BASE}\nRUN true\n`, '20.12.0-alpine', D1)).toBe(`ARG BASE=node:20.12.0-alpine@${D1}\nFROM \${BASE}\nRUN true\n`);
  });

  it('never rewrites the kustomize name it matches on, only newTag and digest', () => {
    expect(update('kustomization.yaml', `images:\n  - name: nginx\n    newTag: 1.25.3\n    digest: ${D1}\n`, '1.27.0', D2)).toBe(`images:\n  - name: nginx\n    newTag: 1.27.0\n    digest: ${D2}\n`);
  });

  it('refuses what it cannot express: a skipped reference, a split form without a tag field', () => {
    const file = sourceFile('.gitlab-ci.yml', new Uint8Array(Buffer.from('job:\n  image: $CI_REGISTRY_IMAGE/app:$CI_COMMIT_SHA\n  script: [x]\n')));
    const [templated] = scanFiles([file]).references;
    expect(editsForReference(templated!, { tag: '1', digest: D1 })).toEqual({ ok: false, reason: 'reference is skipped (templated)' });
  });

  it('split forms without a digest field: Helm tag@digest, Helm sha: hex, a new kustomize digest line', () => {
    expect(update('values.yaml', `image:\n  repository: bitnami/redis\n  tag: 7.2.4\n`, '7.2.5', D1)).toBe(`image:\n  repository: bitnami/redis\n  tag: 7.2.5@${D1}\n`);
    expect(update('values.yaml', `image:\n  repository: bitnami/redis\n  tag: '7.2.5@${D1}'\n`, '7.2.6', D2)).toBe(`image:\n  repository: bitnami/redis\n  tag: '7.2.6@${D2}'\n`);
    expect(update('values.yaml', `image:\n  repository: grafana/grafana\n  tag: "11.0.0"\n  sha: ""\n`, '11.0.1', D1)).toBe(
      `image:\n  repository: grafana/grafana\n  tag: "11.0.1"\n  sha: "${D1.slice(7)}"\n`,
    );
    expect(update('kustomization.yaml', `images:\n  - newTag: 1.25.3\n    name: nginx\n`, '1.27.0', D2)).toBe(`images:\n  - newTag: 1.27.0\n    digest: ${D2}\n    name: nginx\n`);
    expect(update('kustomization.yaml', `images:\n- name: nginx\n  newTag: "1.25.3"`, '1.25.3', D2)).toBe(`images:\n- name: nginx\n  newTag: "1.25.3"\n  digest: ${D2}`);
  });

  it('proposes no pin that cannot be written: a digest-only update of a Hiera image_tag is dropped with a note', () => {
    const file = sourceFile('data/common.yaml', new Uint8Array(Buffer.from(`profile::app::image: 'registry.example.com/acme/shop'\nprofile::app::image_tag: '4.2.1'\n`)));
    const [dependency] = dependenciesOf(scanFiles([file]).references);
    const proposal = { tag: '4.2.1', digest: D1, updateType: 'pin' as const, platforms: ['linux/amd64'], fromPlatforms: [] };
    const plan = planUpdates([{ dependency: dependency!, update: proposal, held: [], error: null }]);
    expect(plan.updates).toEqual([]);
    expect(plan.fileEdits).toEqual([]);
    expect(plan.unpinned).toEqual([
      { file: 'data/common.yaml', line: 1, image: 'registry.example.com/acme/shop', message: 'digests are not pinned in Hiera image + image_tag keys: there is no field for one' },
    ]);
    const moved = planUpdates([{ dependency: dependency!, update: { ...proposal, tag: '4.3.0', updateType: 'minor' }, held: [], error: null }]);
    expect(moved.updates.map((update) => [update.to, update.pinned])).toEqual([['registry.example.com/acme/shop:4.3.0', false]]);
  });
});
