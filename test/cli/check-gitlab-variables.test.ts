import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runArchpin } from '../support/run-cli.js';
import { useScenario } from '../support/scenario.js';

const scenario = useScenario({ name: 'check-gitlab-variables', seed: true });
let counter = 0;

const root = () =>
  [
    'include:',
    '  - local: ci/versions.yml',
    'variables:',
    `  REGISTRY: "${scenario.host}"`,
    'build:',
    '  image: ${REGISTRY}/library/docker:${DOCKER_VERSION}',
    '  services:',
    '    - name: ${REGISTRY}/library/docker:${DOCKER_VERSION}-dind',
    '      alias: docker',
    '  script: [docker build .]',
    '',
  ].join('\n');
const versions = '# Bumped in one place for every job.\nvariables:\n  DOCKER_VERSION: 27.0.3 # docker and dind move together\n';

async function check(dir: string, config: object, args: string[] = []) {
  const file = path.join(scenario.work, `config-${++counter}.json`);
  writeFileSync(file, JSON.stringify(config));
  const run = await runArchpin(['check', dir, '--format', 'json', '--cache-dir', path.join(scenario.work, `cache-${counter}`), '--config', file, ...args]);
  expect(run.stderr).toBe('');
  return { run, report: JSON.parse(run.stdout) as { updates: Array<{ file: string; line: number; from: string; to: string }>; errors: unknown[] } };
}

describe('check --write through a GitLab CI variable defined in an included file', () => {
  it('writes the version where the variable is defined and the pins after the templates, both verified', async () => {
    const dir = scenario.tree({ '.gitlab-ci.yml': root(), 'ci/versions.yml': versions });
    const { run, report } = await check(dir, { platforms: ['linux/amd64', 'linux/arm64'] }, ['--write']);
    expect(run.code).toBe(0);
    expect(report.updates.map((update) => [update.file, update.line, update.from, update.to])).toEqual([
      ['.gitlab-ci.yml', 6, `${scenario.host}/library/docker:27.0.3`, `${scenario.host}/library/docker:27.1.1@${scenario.seed.digests['27.1.1']}`],
      ['.gitlab-ci.yml', 8, `${scenario.host}/library/docker:27.0.3-dind`, `${scenario.host}/library/docker:27.1.1-dind@${scenario.seed.digests['27.1.1-dind']}`],
    ]);
    expect(readFileSync(path.join(dir, 'ci/versions.yml'), 'utf8')).toBe(versions.replace('27.0.3', '27.1.1'));
    expect(readFileSync(path.join(dir, '.gitlab-ci.yml'), 'utf8')).toBe(
      root()
        .replace('${DOCKER_VERSION}\n', `\${DOCKER_VERSION}@${scenario.seed.digests['27.1.1']}\n`)
        .replace('${DOCKER_VERSION}-dind', `\${DOCKER_VERSION}-dind@${scenario.seed.digests['27.1.1-dind']}`),
    );
    // A second check finds nothing left to do.
    const again = await check(dir, { platforms: ['linux/amd64', 'linux/arm64'] });
    expect(again.report.updates).toEqual([]);
  });

  it('with pinDigests off only the file that defines the variable changes; the file with the images is checked, not written', async () => {
    const dir = scenario.tree({ '.gitlab-ci.yml': root(), 'ci/versions.yml': versions });
    const config = { platforms: ['linux/amd64', 'linux/arm64'], packageRules: [{ matchImages: [`${scenario.host}/library/docker`], pinDigests: false }] };
    const { run, report } = await check(dir, config, ['--write']);
    expect(run.code).toBe(0);
    expect(report.updates.map((update) => [update.file, update.line, update.to])).toEqual([
      ['.gitlab-ci.yml', 6, `${scenario.host}/library/docker:27.1.1`],
      ['.gitlab-ci.yml', 8, `${scenario.host}/library/docker:27.1.1-dind`],
    ]);
    expect(readFileSync(path.join(dir, '.gitlab-ci.yml'), 'utf8')).toBe(root());
    expect(readFileSync(path.join(dir, 'ci/versions.yml'), 'utf8')).toBe(versions.replace('27.0.3', '27.1.1'));
  });
});

describe('check --write of an image a rule switches a template to', () => {
  it('updates and pins the literal each job sets, in the file where it is written; the template line is not touched', async () => {
    const template = [
      'include:',
      '  - local: ci/jobs.yml',
      '.build:',
      '  image: $JOB_IMAGE',
      '  variables:',
      '    JOB_IMAGE: $CI_REGISTRY_IMAGE/builder:latest',
      '  rules:',
      '    - if: $CI_MERGE_REQUEST_IID',
      '      variables: {JOB_IMAGE: $UPSTREAM_IMAGE}',
      '    - when: on_success',
      '',
    ].join('\n');
    const jobs = ['build-docker:', '  extends: .build', '  variables:', `    UPSTREAM_IMAGE: ${scenario.host}/library/docker:27.0.3`, '  script: [docker info]', ''].join('\n');
    const dir = scenario.tree({ '.gitlab-ci.yml': template, 'ci/jobs.yml': jobs });
    const { run, report } = await check(dir, { platforms: ['linux/amd64', 'linux/arm64'] }, ['--write']);
    expect(run.code).toBe(0);
    expect(report.updates.map((update) => [update.file, update.line, update.from, update.to])).toEqual([
      ['ci/jobs.yml', 4, `${scenario.host}/library/docker:27.0.3`, `${scenario.host}/library/docker:27.1.1@${scenario.seed.digests['27.1.1']}`],
    ]);
    expect(readFileSync(path.join(dir, 'ci/jobs.yml'), 'utf8')).toBe(jobs.replace('docker:27.0.3', `docker:27.1.1@${scenario.seed.digests['27.1.1']}`));
    expect(readFileSync(path.join(dir, '.gitlab-ci.yml'), 'utf8')).toBe(template);
  });
});
