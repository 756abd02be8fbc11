import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]);

/** A job skeleton: one task's image is left for the user to fill in, the other's is written. */
const NOMAD_JOB = [
  'job "ledger" {',
  '  group "ledger" {',
  '    task "api" {',
  '      driver = "docker"',
  '      config {',
  '        image = ""',
  '      }',
  '    }',
  '    task "worker" {',
  '      driver = "docker"',
  '      config {',
  '        image = "registry.example.test/team/worker:2.1.0"',
  '      }',
  '    }',
  '  }',
  '}',
  '',
].join('\n');

const GITLAB_CI = ['build:', '  image: ""', '  services:', '    - ""', '    - registry.example.test/team/cache:7.2', '  script: [make]', ''].join('\n');

const COMPOSE = ['services:', '  api:', '    image: ""', '  db:', "    image: ''", ''].join('\n');

const POD = ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: api', 'spec:', '  containers:', '    - name: api', '      image: ""', ''].join('\n');

const VALUES = ['image:', '  registry: ""', '  repository: ""', '  tag: ""', ''].join('\n');

describe('an empty image value', () => {
  it('names no image in any kind: a Nomad task, a CI job and its services, compose, a manifest, chart values', () => {
    expect(
      scan({
        'jobs/ledger.nomad.hcl': NOMAD_JOB,
        '.gitlab-ci.yml': GITLAB_CI,
        'compose.yaml': COMPOSE,
        'deploy/pod.yaml': POD,
        'charts/ledger/Chart.yaml': ['apiVersion: v2', 'name: ledger', 'version: 0.1.0', ''].join('\n'),
        'charts/ledger/values.yaml': VALUES,
      }),
    ).toEqual([
      ['.gitlab-ci.yml', 5, 'registry.example.test/team/cache:7.2', null],
      ['jobs/ledger.nomad.hcl', 12, 'registry.example.test/team/worker:2.1.0', null],
    ]);
  });
});
