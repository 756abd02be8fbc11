import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => {
  const result = scanTexts(files);
  return {
    references: result.references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]),
    problems: result.problems.map((problem) => [problem.file, problem.line, problem.code, problem.message]),
  };
};

const problem = (file: string, line: number, alias: string) => [file, line, 'parse-error', `YAML: alias *${alias} names no anchor defined before it; nothing is read there`];

describe('a YAML alias that names no anchor', () => {
  it('is a parse problem at its line in every YAML kind, and the rest of the file is still read', () => {
    const files = {
      'deploy/compose.yaml': ['services:', '  web:', '    image: *web_image', '  cache:', '    image: registry.example.test/data/cache:7.4', ''].join('\n'),
      'k8s/pods.yaml': [
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        '  name: first',
        'spec:',
        '  containers:',
        '    - name: app',
        '      image: *app_image',
        '    - name: proxy',
        '      image: registry.example.test/net/proxy:1.9',
        '---',
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        '  name: second',
        'spec:',
        '  containers:',
        '    - name: worker',
        '      image: registry.example.test/team/worker:3.0',
        '',
      ].join('\n'),
      'chart/values.yaml': ['image: *chart_image', 'sidecar:', '  image: registry.example.test/team/sidecar:0.8', ''].join('\n'),
      '.gitlab-ci.yml': ['test:', '  image: *ci_image', '  script: [make test]', 'lint:', '  image: registry.example.test/tools/lint:2.2', '  script: [make lint]', ''].join('\n'),
      '.github/workflows/ci.yml': [
        'on: push',
        'jobs:',
        '  test:',
        '    runs-on: ubuntu-latest',
        '    container: *job_image',
        '    services:',
        '      db:',
        '        image: registry.example.test/data/db:16.4',
        '    steps:',
        '      - run: make',
        '',
      ].join('\n'),
      'ops/tools.yaml': ['tools:', '  *tool_name :', '    size: 2', 'image: registry.example.test/tools/runner:5.1', ''].join('\n'),
    };
    expect(scan(files)).toEqual({
      references: [
        ['.github/workflows/ci.yml', 8, 'registry.example.test/data/db:16.4', 'yaml-image', null],
        ['.gitlab-ci.yml', 5, 'registry.example.test/tools/lint:2.2', 'gitlab-ci-image', null],
        ['chart/values.yaml', 3, 'registry.example.test/team/sidecar:0.8', 'helm-values', null],
        ['deploy/compose.yaml', 5, 'registry.example.test/data/cache:7.4', 'compose-service', null],
        ['k8s/pods.yaml', 10, 'registry.example.test/net/proxy:1.9', 'kubernetes-container', null],
        ['k8s/pods.yaml', 19, 'registry.example.test/team/worker:3.0', 'kubernetes-container', null],
        ['ops/tools.yaml', 4, 'registry.example.test/tools/runner:5.1', 'yaml-image', null],
      ],
      problems: [
        problem('.github/workflows/ci.yml', 5, 'job_image'),
        problem('.gitlab-ci.yml', 2, 'ci_image'),
        problem('chart/values.yaml', 1, 'chart_image'),
        problem('deploy/compose.yaml', 3, 'web_image'),
        problem('k8s/pods.yaml', 8, 'app_image'),
        problem('ops/tools.yaml', 2, 'tool_name'),
      ],
    });
  });

  it('names an alias whose anchor comes only after it, or only in another document of the stream', () => {
    const later = ['services:', '  web:', '    image: *base', 'x-images:', '  base: &base registry.example.test/team/web:1.0', ''].join('\n');
    const other = ['images:', '  - &tools registry.example.test/tools/runner:5.1', '---', 'job:', '  image: *tools', ''].join('\n');
    expect(scan({ 'compose.yaml': later, 'ops/jobs.yaml': other }).problems).toEqual([problem('compose.yaml', 3, 'base'), problem('ops/jobs.yaml', 5, 'tools')]);
  });

  it('gives no problem for an alias of an anchor defined before it', () => {
    const text = ['x-images:', '  base: &base registry.example.test/team/web:1.0', 'services:', '  web:', '    image: *base', ''].join('\n');
    expect(scan({ 'compose.yaml': text })).toEqual({ references: [['compose.yaml', 2, 'registry.example.test/team/web:1.0', 'compose-service', null]], problems: [] });
  });
});
