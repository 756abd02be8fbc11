/**
 * A remembered scan (the sweep memo in the cache directory, the dashboard's state) is reused only while the
 * files the pipeline includes from another project are the ones it read: a push there, which moves neither
 * this project's activity stamp nor its default branch, makes the next `archpin run` scan again.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeDashboardState } from '../../src/plan/dashboard.js';
import { GITLAB_TEST_TOKEN } from '../support/gitlab-double.js';
import { runArchpin } from '../support/run-cli.js';
import { useScenario } from '../support/scenario.js';

const scenario = useScenario({ name: 'run-gitlab-includes-rescan', seed: true, gitlab: {} });

const LIBRARY = 'shared/ci-vars';
const PROJECT = 'apps/api';
const root = () =>
  [
    'include:', // 1
    `  - project: ${LIBRARY}`, // 2
    '    file: jobs/vars.yml', // 3
    'variables:', // 4
    '  DOCKER_VERSION: "27.0.3"', // 5
    'build:', // 6
    `  image: ${scenario.host}/library/docker:\${DOCKER_VERSION}`, // 7
    '  script: [docker build .]', // 8
    'lint:', // 9
    '  image: ${MIRROR}/docker:27.0.3-dind', // 10
    '  script: [make lint]', // 11
    '',
  ].join('\n');

async function run(cache: string) {
  const config = path.join(scenario.work, 'config.json');
  writeFileSync(config, JSON.stringify({ platforms: ['linux/amd64', 'linux/arm64'], packageRules: [{ matchImages: [`${scenario.host}/library/docker`], pinDigests: false }] }));
  const from = scenario.gitlab.requests.length;
  const result = await runArchpin(['run', '--forge', 'gitlab', '--url', scenario.gitlab.url, '--project', PROJECT, '--format', 'json', '--config', config, '--cache-dir', scenario.path(cache)], {
    cwd: scenario.work,
    env: { GITLAB_TOKEN: GITLAB_TEST_TOKEN },
  });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const [repository] = JSON.parse(result.stdout).repositories as Array<{ changes: Array<{ branch: string; action: string }>; reusedScan: boolean }>;
  const requests = scenario.gitlab.requests.slice(from);
  return {
    changes: repository!.changes.map((change) => [change.branch, change.action]),
    reusedScan: repository!.reusedScan,
    libraryReads: requests.filter((request) => request.path.startsWith('/projects/shared%2Fci-vars')).map((request) => `${request.method} ${request.path}?${request.query} ${request.status}`),
    treeReads: requests.filter((request) => request.path.endsWith('/repository/tree')).length,
  };
}

/** How the dashboard's remembered scan reads the lint job's image. */
function rememberedLint(): string | undefined {
  const dashboard = scenario.gitlab.state.project(PROJECT).issues.find((issue) => issue.title === 'Dependency Dashboard (archpin)');
  return decodeDashboardState(dashboard?.description)?.references?.find((reference) => reference.line === 10)?.detail;
}

describe('archpin run: a remembered scan and the files the pipeline includes from another project', () => {
  it('is reused while they are unchanged, and scanned again after a push to the other project', async () => {
    scenario.gitlab.state.addProject(LIBRARY, { files: { 'jobs/vars.yml': `variables:\n  MIRROR: ${scenario.host}/library\n` } });
    scenario.gitlab.state.addProject(PROJECT, { files: { '.gitlab-ci.yml': root() } });
    const branch = `archpin/${scenario.host.replace(':', '-')}-library-docker-27.x`;
    const read = ['GET /projects/shared%2Fci-vars? 200', 'GET /projects/shared%2Fci-vars/repository/files/jobs%2Fvars.yml?ref=main 200'];

    const first = await run('cache-a');
    expect(first).toEqual({ changes: [[branch, 'opened']], reusedScan: false, libraryReads: read, treeReads: 1 });
    expect(rememberedLint()).toBe(
      `job lint; resolved through $MIRROR (${LIBRARY}:jobs/vars.yml:2); held if an update changes it: $MIRROR is defined in jobs/vars.yml:2 of the project ${LIBRARY} (its default branch), which a change to this project never edits: define MIRROR under variables: in .gitlab-ci.yml (it takes the place of the included one) and archpin updates it there, or update it in ${LIBRARY}`,
    );

    // Nothing new anywhere: the sweep memo skips the project after asking for the included file again.
    expect(await run('cache-a')).toEqual({ changes: [[branch, 'unchanged']], reusedScan: true, libraryReads: read, treeReads: 0 });
    // Without the memo (a new cache directory) the dashboard's scan is reused, after the same question.
    expect(await run('cache-b')).toEqual({ changes: [[branch, 'unchanged']], reusedScan: true, libraryReads: read, treeReads: 0 });

    // A push to the other project: this project's stamp and default branch stay where they were.
    scenario.gitlab.state.push(LIBRARY, { 'jobs/vars.yml': `# Mirrors of Docker Hub.\nvariables:\n  MIRROR: ${scenario.host}/library\n` });
    const changed = await run('cache-a');
    // Asked once by the memo's check, once by the dashboard's, then read for the new scan.
    expect(changed).toEqual({ changes: [[branch, 'unchanged']], reusedScan: false, libraryReads: [...read, ...read.slice(1), ...read.slice(1)], treeReads: 1 });
    expect(rememberedLint()).toBe(
      `job lint; resolved through $MIRROR (${LIBRARY}:jobs/vars.yml:3); held if an update changes it: $MIRROR is defined in jobs/vars.yml:3 of the project ${LIBRARY} (its default branch), which a change to this project never edits: define MIRROR under variables: in .gitlab-ci.yml (it takes the place of the included one) and archpin updates it there, or update it in ${LIBRARY}`,
    );
    expect(await run('cache-c')).toEqual({ changes: [[branch, 'unchanged']], reusedScan: true, libraryReads: read, treeReads: 0 });
  });
});
