import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../../src/core/source-file.js';
import { scanFiles } from '../../../src/scan/scan-files.js';

const file = (path: string, lines: readonly string[]) => sourceFile(path, Buffer.from(lines.join('\n'), 'utf8'));
const rows = (files: ReturnType<typeof file>[]) =>
  scanFiles(files).references.map((reference) => [
    reference.file,
    reference.line,
    reference.value,
    reference.skip,
    reference.detail ?? null,
    reference.spans.map((span) => `${span.file ?? reference.file}:${span.line}:${span.role}`),
  ]);

describe('GitLab CI default: images as each job inherits them', () => {
  it('a default image is resolved with the variables of the jobs that run it; inherit: default: false or a list leaves it out', () => {
    const ci = file('.gitlab-ci.yml', [
      'variables:', // 1
      '  NODE: "22.12.0"', // 2
      'default:', // 3
      '  image: node:${NODE}-alpine', // 4
      '  services: ["redis:${REDIS}"]', // 5
      'lint:', // 6
      '  variables: {REDIS: "7.4.1"}', // 7
      '  script: [npm run lint]', // 8
      'legacy:', // 9
      '  inherit:', // 10
      '    default: [services]', // 11
      '  variables: {NODE: "18.20.5", REDIS: "7.2.6"}', // 12
      '  script: [npm test]', // 13
      'package:', // 14
      '  inherit: {default: false}', // 15
      '  variables: {REDIS: "6.2.16"}', // 16
      '  script: [npm pack]', // 17
      '',
    ]);
    expect(rows([ci])).toEqual([
      // legacy takes only the services from default:, so the image is lint's alone and is updated through line 2.
      ['.gitlab-ci.yml', 4, 'node:22.12.0-alpine', null, 'default', ['.gitlab-ci.yml:4:template', '.gitlab-ci.yml:2:variable']],
      // lint and legacy run the services with their own REDIS; package (inherit: default: false) runs none of them.
      [
        '.gitlab-ci.yml',
        5,
        'redis:7.4.1',
        'templated',
        'default; not edited: $REDIS is set per job (line 7 for job lint; line 12 for job legacy); job lint sees redis:7.4.1; job legacy sees redis:7.2.6',
        ['.gitlab-ci.yml:5:reference'],
      ],
    ]);
  });

  it('inherit: variables: false or a list keeps global variables out of the job', () => {
    const ci = file('.gitlab-ci.yml', [
      'variables:', // 1
      '  PG: "16.4"', // 2
      '  MIRROR: registry.example.test', // 3
      'db-test:', // 4
      '  inherit: {variables: [MIRROR]}', // 5
      '  services: ["${MIRROR}/postgres:${PG}"]', // 6
      '  script: [make test]', // 7
      'offline:', // 8
      '  inherit: {variables: false}', // 9
      '  image: ${MIRROR}/alpine:3.21.0', // 10
      '  script: [make offline]', // 11
      '',
    ]);
    expect(rows([ci])).toEqual([
      ['.gitlab-ci.yml', 6, '${MIRROR}/postgres:${PG}', 'templated', 'job db-test; $PG is not defined in this file (a CI/CD setting or predefined variable)', ['.gitlab-ci.yml:6:reference']],
      ['.gitlab-ci.yml', 10, '${MIRROR}/alpine:3.21.0', 'templated', 'job offline; $MIRROR is not defined in this file (a CI/CD setting or predefined variable)', ['.gitlab-ci.yml:10:reference']],
    ]);
  });
});

describe('GitLab CI jobs defined in several files', () => {
  it('merges a job the root defines again over the included definition: its keys win, variables merge by name', () => {
    const root = file('.gitlab-ci.yml', [
      'include: ci/jobs.yml', // 1
      'unit:', // 2
      '  variables: {GO: "1.23.4"}', // 3
      '',
    ]);
    const jobs = file('ci/jobs.yml', [
      'unit:', // 1
      '  image: golang:${GO}-${DISTRO}', // 2
      '  variables: {GO: "1.22.10", DISTRO: bookworm}', // 3
      '  script: [go test ./...]', // 4
      'e2e:', // 5
      '  image: golang:1.22.10', // 6
      '  script: [make e2e]', // 7
      '',
    ]);
    // The image is written in ci/jobs.yml, but the job runs it with the root's GO and the included DISTRO.
    expect(rows([root, jobs])).toEqual([
      [
        'ci/jobs.yml',
        2,
        'golang:1.23.4-bookworm',
        null,
        'job unit; resolved through $GO (.gitlab-ci.yml:3), $DISTRO (line 3)',
        ['ci/jobs.yml:2:template', 'ci/jobs.yml:3:variable', '.gitlab-ci.yml:3:variable'],
      ],
      ['ci/jobs.yml', 6, 'golang:1.22.10', null, 'job e2e', ['ci/jobs.yml:6:reference']],
    ]);
    // A later include's definition wins over an earlier one's: e2e runs with the GO of ci/later.yml.
    const e2e = file('ci/e2e.yml', ['e2e:', '  image: golang:${GO}', '  variables: {GO: "1.22.10"}', '  script: [make e2e]', '']);
    const later = file('ci/later.yml', ['e2e:', '  variables: {GO: "1.23.4"}', '']);
    const both = file('.gitlab-ci.yml', ['include: [ci/e2e.yml, ci/later.yml]', '']);
    expect(rows([both, e2e, later])).toEqual([['ci/e2e.yml', 2, 'golang:1.23.4', null, 'job e2e; resolved through $GO (ci/later.yml:2)', ['ci/e2e.yml:2:template', 'ci/later.yml:2:variable']]]);
    const reversed = file('.gitlab-ci.yml', ['include: [ci/later.yml, ci/e2e.yml]', '']);
    expect(rows([reversed, e2e, later])).toEqual([['ci/e2e.yml', 2, 'golang:1.22.10', null, 'job e2e', ['ci/e2e.yml:2:template', 'ci/e2e.yml:3:variable']]]);
  });
});

describe('GitLab CI: one place, one reference', () => {
  it('reports a default image once when jobs read it differently (a matrix, a resolved value), and a trigger job runs no image', () => {
    const ci = file('.gitlab-ci.yml', [
      'variables:', // 1
      '  PY: "3.12"', // 2
      '  TOOLBOX: "registry.example.test/tools/py-${PY}:2024.11"', // 3
      'default:', // 4
      '  image: ${TOOLBOX}', // 5
      'lint:', // 6
      '  script: [make lint]', // 7
      'docs:', // 8
      '  script: [make docs]', // 9
      'unit:', // 10
      '  parallel:', // 11
      '    matrix:', // 12
      '      - PY: ["3.12", "3.13"]', // 13
      '  script: [make test]', // 14
      'downstream:', // 15
      '  trigger: {project: acme/deploy}', // 16
      '  inherit: {variables: false}', // 17
      '',
    ]);
    expect(rows([ci])).toEqual([
      [
        '.gitlab-ci.yml',
        5,
        'registry.example.test/tools/py-3.12:2024.11',
        'templated',
        'default; not edited: jobs see it through different values; jobs lint, docs see registry.example.test/tools/py-3.12:2024.11; for job unit, $TOOLBOX (.gitlab-ci.yml:3) is built from other variables: $PY is set by the job to several values (parallel: matrix)',
        ['.gitlab-ci.yml:5:reference'],
      ],
    ]);
  });

  it('a trigger job, also through extends:, is not a job that runs the default image', () => {
    const ci = file('.gitlab-ci.yml', [
      'variables: {NODE: "22.12.0"}', // 1
      'default:', // 2
      '  image: node:${NODE}-alpine', // 3
      '.deploy:', // 4
      '  trigger: {project: acme/deploy}', // 5
      'test:', // 6
      '  script: [npm test]', // 7
      'deploy:', // 8
      '  extends: .deploy', // 9
      '  variables: {NODE: "18.20.5"}', // 10
      '',
    ]);
    expect(rows([ci])).toEqual([['.gitlab-ci.yml', 3, 'node:22.12.0-alpine', null, 'default', ['.gitlab-ci.yml:3:template', '.gitlab-ci.yml:1:variable']]]);
  });
});

describe('GitLab CI: a job definition that a later one replaces', () => {
  const root = file('.gitlab-ci.yml', [
    'include: ci/jobs.yml', // 1
    'unit:', // 2
    '  image: golang:1.23.4', // 3
    '  services: []', // 4
    'lint:', // 5
    '  variables: {GO: "1.23.4"}', // 6
    '',
  ]);
  const jobs = file('ci/jobs.yml', [
    'unit:', // 1
    '  image: golang:1.22.10', // 2
    '  services: [postgres:16.4]', // 3
    '  script: [go test ./...]', // 4
    'lint:', // 5
    '  image: golang:${GO}', // 6
    '  script: [make lint]', // 7
    '',
  ]);

  it('reports the replaced image and services as overridden, naming what replaces them, and still updates what the merged job runs', () => {
    expect(rows([root, jobs])).toEqual([
      ['.gitlab-ci.yml', 3, 'golang:1.23.4', null, 'job unit', ['.gitlab-ci.yml:3:reference']],
      ['ci/jobs.yml', 2, 'golang:1.22.10', 'overridden', 'job unit; not run: job unit is defined again, and its image: at .gitlab-ci.yml:3 replaces this one', ['ci/jobs.yml:2:reference']],
      ['ci/jobs.yml', 3, 'postgres:16.4', 'overridden', 'job unit; not run: job unit is defined again, and its services: at .gitlab-ci.yml:4 replaces this one', ['ci/jobs.yml:3:reference']],
      // lint is defined again for its variables only: the included image is the one it runs.
      ['ci/jobs.yml', 6, 'golang:1.23.4', null, 'job lint; resolved through $GO (.gitlab-ci.yml:6)', ['ci/jobs.yml:6:template', '.gitlab-ci.yml:6:variable']],
    ]);
  });

  it('an overridden reference is never planned as an update', () => {
    const overridden = scanFiles([root, jobs]).references.filter((reference) => reference.skip === 'overridden');
    expect(overridden.map((reference) => `${reference.file}:${reference.line}`)).toEqual(['ci/jobs.yml:2', 'ci/jobs.yml:3']);
  });
});
