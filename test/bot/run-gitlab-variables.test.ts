import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GITLAB_TEST_TOKEN } from '../support/gitlab-double.js';
import { runArchpin } from '../support/run-cli.js';
import { useScenario } from '../support/scenario.js';

const scenario = useScenario({ name: 'run-gitlab-variables', seed: true, gitlab: {} });

const root = () =>
  [
    'include:',
    '  - local: ci/versions.yml',
    'build:',
    `  image: ${scenario.host}/library/docker:\${DOCKER_VERSION}`,
    '  services:',
    `    - ${scenario.host}/library/docker:\${DOCKER_VERSION}-dind`,
    '  script: [docker build .]',
    '',
  ].join('\n');
const versions = 'variables:\n  DOCKER_VERSION: "27.0.3"\n';

describe('archpin run: a GitLab CI variable defined in an included file', () => {
  it('opens an MR that changes only the file defining the variable, verified against the file that uses it', async () => {
    scenario.gitlab.state.addProject('vars/ci', { files: { '.gitlab-ci.yml': root(), 'ci/versions.yml': versions } });
    const config = path.join(scenario.work, 'config.json');
    writeFileSync(config, JSON.stringify({ platforms: ['linux/amd64', 'linux/arm64'], packageRules: [{ matchImages: [`${scenario.host}/library/docker`], pinDigests: false }] }));
    const before = scenario.gitlab.requests.length;
    const run = await runArchpin(
      ['run', '--forge', 'gitlab', '--url', scenario.gitlab.url, '--group', 'vars', '--format', 'json', '--config', config, '--cache-dir', path.join(scenario.work, 'cache')],
      {
        cwd: scenario.work,
        env: { GITLAB_TOKEN: GITLAB_TEST_TOKEN },
      },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    const branch = `archpin/${scenario.host.replace(':', '-')}-library-docker-27.x`;
    expect(report.repositories[0].changes.map((change: { branch: string; action: string }) => [change.branch, change.action])).toEqual([[branch, 'opened']]);
    const files = scenario.gitlab.state.files('vars/ci', branch);
    expect(Buffer.from(files.get('ci/versions.yml')!).toString()).toBe('variables:\n  DOCKER_VERSION: "27.1.1"\n');
    expect(Buffer.from(files.get('.gitlab-ci.yml')!).toString()).toBe(root());
    // The commit carries exactly the one file that changes.
    const commits = scenario.gitlab.requests.slice(before).filter((request) => request.method === 'POST' && request.path.endsWith('/repository/commits'));
    expect(commits.map((request) => (request.body.actions as Array<{ action: string; file_path: string }>).map((action) => [action.action, action.file_path]))).toEqual([
      [['update', 'ci/versions.yml']],
    ]);
  });
});
