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
