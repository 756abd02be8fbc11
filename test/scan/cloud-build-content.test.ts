import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

describe('Cloud Build step lists under other file names, steps with only name and env', () => {
  it('are Cloud Build when every step name is an image on a registry host', () => {
    const remote = [
      'steps:',
      '- name: europe-docker.pkg.dev/example/builders/remote-run:v1.4.0',
      '  env:',
      '    - VM_ARGS=--image-family cos-stable',
      '    - COMMAND=docker run -v /w:/w ubuntu:24.04 make test',
      "- name: 'gcr.io/cloud-builders/gcloud'",
      "  env: ['CLOUDSDK_CORE_DISABLE_PROMPTS=1']",
      '',
    ].join('\n');
    expect(scan({ 'remote/examples/configs/smoke.yaml': remote })).toEqual([
      ['remote/examples/configs/smoke.yaml', 2, 'europe-docker.pkg.dev/example/builders/remote-run:v1.4.0', 'yaml-image', null],
      ['remote/examples/configs/smoke.yaml', 6, 'gcr.io/cloud-builders/gcloud', 'yaml-image', 'no-tag'],
    ]);
  });

  it('step lists of other tools with the same fields are left alone: titles, a Docker Hub name, a name with a space', () => {
    const titles = 'steps:\n  - name: build\n    script: make\n  - name: test\n    env: [CI=1]\n';
    const hub = 'steps:\n  - name: alpine:3.21\n    env: [A=1]\n  - name: example.test/tools/lint:2\n    env: [B=2]\n';
    const prose = 'steps:\n  - name: Deploy to example.test\n    env: [C=3]\n';
    expect(scan({ 'pipelines/titles.yaml': titles, 'pipelines/hub.yaml': hub, 'pipelines/prose.yaml': prose })).toEqual([]);
  });
});

describe('Cloud Build step images through the substitutions the file defines', () => {
  const details = (files: Record<string, string>) =>
    scanTexts(files).references.map((reference) => [reference.line, reference.value, reference.skip, reference.detail ?? null, reference.spans.map((span) => [span.role, span.line, span.text])]);

  it('resolves $_NAME and ${_NAME} from the defaults, reports at the step, and records the default literal as the span to edit', () => {
    const build = [
      'steps:',
      '- id: prepare',
      "  name: 'gcr.io/cloud-builders/gcloud:$_SDK_TAG'",
      '  args: [version]',
      '- id: package',
      '  name: example.test/tools/${_PACKER}',
      '  args: [run]',
      '- id: check',
      '  name: "gcr.io/cloud-builders/gcloud:$_SDK_TAG"',
      'substitutions:',
      '  _SDK_TAG: 499.0.0-slim',
      "  _PACKER: 'packer:1.11'",
      '',
    ].join('\n');
    expect(details({ 'ci/release.cloudbuild.yaml': build })).toEqual([
      [
        3,
        'gcr.io/cloud-builders/gcloud:499.0.0-slim',
        null,
        "resolved through $_SDK_TAG (line 11), the defaults in this file's substitutions",
        [
          ['template', 3, 'gcr.io/cloud-builders/gcloud:$_SDK_TAG'],
          ['variable', 11, '499.0.0-slim'],
        ],
      ],
      [
        6,
        'example.test/tools/packer:1.11',
        null,
        "resolved through $_PACKER (line 12), the defaults in this file's substitutions",
        [
          ['template', 6, 'example.test/tools/${_PACKER}'],
          ['variable', 12, 'packer:1.11'],
        ],
      ],
      [
        9,
        'gcr.io/cloud-builders/gcloud:499.0.0-slim',
        null,
        "resolved through $_SDK_TAG (line 11), the defaults in this file's substitutions",
        [
          ['template', 9, 'gcr.io/cloud-builders/gcloud:$_SDK_TAG'],
          ['variable', 11, '499.0.0-slim'],
        ],
      ],
    ]);
  });

  it('leaves built-in substitutions, undefined ones and defaults built from others templated, naming each', () => {
    const build = [
      'steps:',
      '- name: gcr.io/$PROJECT_ID/builder:$SHORT_SHA',
      '- name: gcr.io/cloud-builders/docker:$_DOCKER',
      '- name: gcr.io/cloud-builders/kubectl:$_NESTED',
      '- name: gcr.io/cloud-builders/npm:${_PR_NUMBER}',
      'substitutions:',
      '  _NESTED: ${_DOCKER}-kube',
      '',
    ].join('\n');
    expect(details({ 'cloudbuild.yaml': build })).toEqual([
      [
        2,
        'gcr.io/$PROJECT_ID/builder:$SHORT_SHA',
        'templated',
        '$PROJECT_ID is a built-in substitution Cloud Build sets when the build runs; $SHORT_SHA is a built-in substitution Cloud Build sets when the build runs',
        [['reference', 2, 'gcr.io/$PROJECT_ID/builder:$SHORT_SHA']],
      ],
      [
        3,
        'gcr.io/cloud-builders/docker:$_DOCKER',
        'templated',
        "$_DOCKER is not in this file's substitutions (given when the build is started)",
        [['reference', 3, 'gcr.io/cloud-builders/docker:$_DOCKER']],
      ],
      [4, 'gcr.io/cloud-builders/kubectl:$_NESTED', 'templated', '$_NESTED (line 7) is built from other substitutions', [['reference', 4, 'gcr.io/cloud-builders/kubectl:$_NESTED']]],
      [
        5,
        'gcr.io/cloud-builders/npm:${_PR_NUMBER}',
        'templated',
        '$_PR_NUMBER is a built-in substitution Cloud Build sets when the build runs',
        [['reference', 5, 'gcr.io/cloud-builders/npm:${_PR_NUMBER}']],
      ],
    ]);
  });

  it('one default in the tags of images with different names is a shared literal; in a name and a tag it is not edited', () => {
    const shared = 'steps:\n- name: gcr.io/cloud-builders/gcloud:$_V\n- name: gcr.io/cloud-builders/gsutil:$_V\nsubstitutions:\n  _V: "501.0.0"\n';
    const [first, second] = scanTexts({ 'cloudbuild.yaml': shared }).references;
    expect([first?.value, first?.skip, first?.shared, second?.value, second?.shared?.key]).toEqual([
      'gcr.io/cloud-builders/gcloud:501.0.0',
      null,
      {
        key: 'cloudbuild.yaml#111',
        variable: '$_V (cloudbuild.yaml:5)',
        uses: ['gcr.io/cloud-builders/gcloud:501.0.0 (cloudbuild.yaml:2)', 'gcr.io/cloud-builders/gsutil:501.0.0 (cloudbuild.yaml:3)'],
      },
      'gcr.io/cloud-builders/gsutil:501.0.0',
      'cloudbuild.yaml#111',
    ]);
    expect(first?.detail).toBe(
      "resolved through $_V (line 5), the defaults in this file's substitutions; $_V (cloudbuild.yaml:5) is the tag of 2 images: it moves only when all of them have the same new tag",
    );
    const mixed = 'steps:\n- name: example.test/$_X:1.0\n- name: example.test/tools:$_X\nsubstitutions:\n  _X: lint\n';
    expect(details({ 'cloudbuild.yaml': mixed }).map(([line, value, skip, detail]) => [line, value, skip, detail])).toEqual([
      [2, 'example.test/lint:1.0', null, "resolved through $_X (line 5), the defaults in this file's substitutions"],
      [
        3,
        'example.test/tools:lint',
        'templated',
        "resolved through $_X (line 5), the defaults in this file's substitutions; not edited: $_X (line 5) is also part of example.test/lint:1.0 (line 2), which an edit of it would change too",
      ],
    ]);
  });
});
