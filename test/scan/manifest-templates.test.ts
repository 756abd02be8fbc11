/** Kubernetes manifests kept as `.tmpl` / `.tpl` files that a deploy script fills in, and the `__TAG__` placeholders it replaces. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

const job = [
  'apiVersion: batch/v1', // 1
  'kind: Job', // 2
  'metadata:', // 3
  '  name: __JOB_NAME__', // 4
  'spec:', // 5
  '  template:', // 6
  '    spec:', // 7
  '      containers:', // 8
  '        - name: migrate', // 9
  '          image: registry.example.test/team/api:__IMAGE_TAG__', // 10
  '        - name: proxy', // 11
  '          image: registry.example.test/team/proxy:1.4.0', // 12
  '',
].join('\n');

const canary = ['apiVersion: apps/v1', 'kind: Deployment', 'spec:', '  template:', '    spec:', '      containers:', '        - image: registry.example.test/team/api:__IMAGE_TAG__-next', ''].join(
  '\n',
);

const pod = (image: string) => ['apiVersion: v1', 'kind: Pod', 'spec:', '  containers:', `    - image: ${image}`, ''].join('\n');

describe('a Kubernetes manifest kept as a template without .yaml in its name', () => {
  it('is read line by line as a YAML template; a tag between double underscores is templated', () => {
    expect(
      rows({
        'kubernetes/job-production.tmpl': job,
        'kubernetes/canary.tpl': canary,
        'deploy/pod.yaml': pod('registry.example.test/team/web:__WEB_TAG__'),
      }),
    ).toEqual([
      ['deploy/pod.yaml', 5, 'registry.example.test/team/web:__WEB_TAG__', 'kubernetes-container', 'templated'],
      ['kubernetes/canary.tpl', 7, 'registry.example.test/team/api:__IMAGE_TAG__-next', 'yaml-template', 'templated'],
      ['kubernetes/job-production.tmpl', 10, 'registry.example.test/team/api:__IMAGE_TAG__', 'yaml-template', 'templated'],
      ['kubernetes/job-production.tmpl', 12, 'registry.example.test/team/proxy:1.4.0', 'yaml-template', null],
    ]);
  });

  it('is not a template of other text, a Go template library, a helper or a file under templates/', () => {
    expect(
      rows({
        'ops/notes.tmpl': ['image: registry.example.test/team/notes:1.0.0', ''].join('\n'),
        'ops/library.tpl': ['{{ define "pod" }}', pod('registry.example.test/team/lib:1.0.0'), '{{ end }}', ''].join('\n'),
        'ops/_pod.tpl': pod('registry.example.test/team/helper:1.0.0'),
        'deploy/templates/pod.tmpl': pod('registry.example.test/team/chart:1.0.0'),
      }),
    ).toEqual([]);
  });
});

describe('a tag that is only a name in capitals with underscores', () => {
  it('is a placeholder a script fills in: the image is listed templated', () => {
    expect(
      rows({
        'examples/db.yaml': pod('registry.example.test/team/db:DB_VERSION'),
        'examples/compose.yaml': ['services:', '  cache:', '    image: registry.example.test/team/cache:CACHE_IMAGE_TAG', ''].join('\n'),
      }),
    ).toEqual([
      ['examples/compose.yaml', 3, 'registry.example.test/team/cache:CACHE_IMAGE_TAG', 'compose-service', 'templated'],
      ['examples/db.yaml', 5, 'registry.example.test/team/db:DB_VERSION', 'kubernetes-container', 'templated'],
    ]);
  });

  it('is a tag like any other when it has other characters or no underscore', () => {
    expect(
      rows({
        'deploy/a.yaml': pod('registry.example.test/team/store:RELEASE.2025-01-02T03-04-05Z'),
        'deploy/b.yaml': pod('registry.example.test/team/web:V4'),
        'deploy/c.yaml': pod('registry.example.test/team/api:Build_7'),
      }),
    ).toEqual([
      ['deploy/a.yaml', 5, 'registry.example.test/team/store:RELEASE.2025-01-02T03-04-05Z', 'kubernetes-container', null],
      ['deploy/b.yaml', 5, 'registry.example.test/team/web:V4', 'kubernetes-container', null],
      ['deploy/c.yaml', 5, 'registry.example.test/team/api:Build_7', 'kubernetes-container', null],
    ]);
  });
});
