import { describe, expect, it } from 'vitest';
import { dependenciesOf, type Proposal } from '../../src/core/dependency.js';
import { sourceFile } from '../../src/core/source-file.js';
import { scanSources, verifyEdits } from '../../src/pipeline/pipeline.js';
import { planUpdates } from '../../src/plan/plan-updates.js';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) =>
  scanTexts(files).references.map((reference) => [
    reference.file,
    reference.line,
    reference.value,
    reference.skip,
    reference.spans.map((span) => [span.role, span.text, span.line]),
    reference.detail ?? null,
  ]);

/** A template whose parameters name images no object uses, and an ImageStreamTag. */
const unused = `{
  "apiVersion": "template.openshift.io/v1",
  "kind": "Template",
  "objects": [
    {"apiVersion": "v1", "kind": "DeploymentConfig", "spec": {"triggers": [{"imageChangeParams": {"from": {"kind": "ImageStreamTag", "name": "\${STREAM_TAG}"}}}]}}
  ],
  "parameters": [
    {"name": "STREAM_TAG", "value": "runner:2"},
    {"name": "AGENT_IMAGE", "value": "registry.example.test/ci/agent:latest"},
    {"name": "JDK_BUILDER_IMAGE", "value": "registry.example.test/ci/jdk:21"}
  ]
}
`;

const used = `apiVersion: template.openshift.io/v1
kind: Template
parameters:
- name: WEB_IMAGE
  value: registry.example.test/shop/web:5.0
- name: CACHE_TAG
  value: "7.2"
- name: CACHE_FLAVOUR
  value: alpine
objects:
- apiVersion: v1
  kind: Pod
  spec:
    containers:
    - name: web
      image: \${WEB_IMAGE}
    - name: cache
      image: "registry.example.test/shop/cache:\${CACHE_TAG}-\${CACHE_FLAVOUR}"
`;

describe('OpenShift Templates', () => {
  it('a parameter is not an image by itself, in JSON or YAML, nor is an ImageStreamTag', () => {
    expect(scan({ 'openshift/templates/runner.json': unused, 'openshift/templates/runner.yaml': unused })).toEqual([]);
  });

  it('an image written through parameters is their values, edited where they are written', () => {
    expect(scan({ 'shop.yaml': used })).toEqual([
      ['shop.yaml', 16, 'registry.example.test/shop/web:5.0', null, [['reference', 'registry.example.test/shop/web:5.0', 5]], "through the template's parameter WEB_IMAGE (line 4), edited there"],
      [
        'shop.yaml',
        18,
        'registry.example.test/shop/cache:7.2-alpine',
        null,
        [
          ['template', 'registry.example.test/shop/cache:${CACHE_TAG}-${CACHE_FLAVOUR}', 18],
          ['variable', '7.2', 7],
          ['variable', 'alpine', 9],
        ],
        "through the template's parameter CACHE_TAG (line 6), CACHE_FLAVOUR (line 8), edited there",
      ],
    ]);
  });

  it('a parameter without a literal value, or one the template does not define, leaves the image templated, naming it', () => {
    const text = `{"apiVersion": "v1", "kind": "Template",
 "objects": [{"kind": "Pod", "apiVersion": "v1", "spec": {"containers": [
  {"name": "a", "image": "\${GIVEN}"},
  {"name": "b", "image": "registry.example.test/b:\${MISSING}"},
  {"name": "c", "image": "\${QUOTED}"}]}}],
 "parameters": [{"name": "GIVEN", "required": true}, {"name": "QUOTED", "value": "registry.example.test/c:\\u0031.0"}]}
`;
    expect(scan({ 'pod-template.json': text })).toEqual([
      ['pod-template.json', 3, '${GIVEN}', 'templated', [['reference', '${GIVEN}', 3]], 'parameter GIVEN (line 6) has no value: it is given when the template is processed'],
      ['pod-template.json', 4, 'registry.example.test/b:${MISSING}', 'templated', [['reference', 'registry.example.test/b:${MISSING}', 4]], '${MISSING} is not a parameter of the template'],
      [
        'pod-template.json',
        5,
        'registry.example.test/c:1.0',
        'templated',
        [['reference', '${QUOTED}', 5]],
        "through the template's parameter QUOTED (line 6); not edited: the value there is not a plain literal",
      ],
    ]);
  });

  it('an update edits the parameter literal, verified by a re-scan', () => {
    const D1 = `sha256:${'1'.repeat(64)}`;
    const proposal = (tag: string): Proposal => ({ tag, digest: D1, updateType: 'minor', platforms: ['linux/amd64'], fromPlatforms: ['linux/amd64'] });
    const scanned = scanSources([sourceFile('shop.yaml', new Uint8Array(Buffer.from(used)))]);
    const dependency = (repository: string) => dependenciesOf(scanned.references).find((candidate) => candidate.location.repository === repository)!;
    const plan = planUpdates([
      { dependency: dependency('shop/web'), update: proposal('5.1'), held: [], error: null },
      { dependency: dependency('shop/cache'), update: proposal('7.4-alpine'), held: [], error: null },
    ]);
    expect(plan.failures).toEqual([]);
    const expected = used
      .replace('value: registry.example.test/shop/web:5.0', `value: registry.example.test/shop/web:5.1@${D1}`)
      .replace('value: "7.2"', 'value: "7.4"')
      .replace('${CACHE_FLAVOUR}"', `\${CACHE_FLAVOUR}@${D1}"`);
    expect(verifyEdits(plan.fileEdits, scanned).map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([['shop.yaml', expected]]);
  });
});

/** Two templates bundled in a List: a builder from a parameter's image, and a deployment of what it builds. */
const bundled = `{
  "kind": "List",
  "apiVersion": "v1",
  "items": [
    {
      "kind": "Template",
      "apiVersion": "v1",
      "parameters": [
        {"name": "BASE_IMAGE", "value": "registry.example.test/lab/base:3.1", "required": true},
        {"name": "APP_NAME", "value": "lab"}
      ],
      "objects": [
        {"kind": "BuildConfig", "apiVersion": "v1", "spec": {
          "output": {"to": {"kind": "ImageStreamTag", "name": "\${APP_NAME}:latest"}},
          "strategy": {"sourceStrategy": {"from": {"kind": "DockerImage", "name": "\${BASE_IMAGE}"}}}}},
        {"kind": "Deployment", "apiVersion": "apps/v1", "spec": {"template": {"spec": {"containers": [
          {"name": "lab", "image": "\${APP_NAME}:latest"},
          {"name": "proxy", "image": "registry.example.test/lab/proxy:1.0"}]}}}}
      ]
    },
    {
      "kind": "Template",
      "apiVersion": "v1",
      "parameters": [{"name": "BASE_IMAGE", "value": "registry.example.test/lab/other:2.0"}],
      "objects": [{"kind": "Pod", "apiVersion": "v1", "spec": {"containers": [{"name": "x", "image": "\${BASE_IMAGE}"}]}}]
    }
  ]
}
`;

describe('OpenShift Templates bundled in a List', () => {
  it('each item uses its own parameters, and an object running the ImageStreamTag a BuildConfig of the file builds is local-stage', () => {
    expect(scan({ 'templates.json': bundled }).map(([file, line, value, skip, , detail]) => [file, line, value, skip, detail])).toEqual([
      ['templates.json', 15, 'registry.example.test/lab/base:3.1', null, "through the template's parameter BASE_IMAGE (line 9), edited there"],
      ['templates.json', 17, 'lab:latest', 'local-stage', 'the ImageStreamTag lab:latest a BuildConfig of this file builds'],
      ['templates.json', 18, 'registry.example.test/lab/proxy:1.0', null, null],
      ['templates.json', 25, 'registry.example.test/lab/other:2.0', null, "through the template's parameter BASE_IMAGE (line 24), edited there"],
    ]);
  });
});
