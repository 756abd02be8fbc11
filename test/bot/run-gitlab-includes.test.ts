import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GITLAB_TEST_TOKEN } from '../support/gitlab-double.js';
import { runArchpin } from '../support/run-cli.js';
import { useScenario } from '../support/scenario.js';

const scenario = useScenario({ name: 'run-gitlab-includes', seed: true, gitlab: {} });

const root = () =>
  [
    'include:', // 1
    '  - project: shared/ci-library', // 2
    '    ref: v2', // 3
    '    file: /jobs/docker.yml', // 4
    '  - project: shared/ci-library', // 5
    '    file: [/jobs/gone.yml]', // 6
    'variables:', // 7
    '  DOCKER_VERSION: "27.0.3"', // 8
    'build:', // 9
    '  extends: .docker-base', // 10
    `  image: ${scenario.host}/library/docker:\${DOCKER_VERSION}`, // 11
    'lint:', // 12
    '  image: ${MIRROR}/docker:27.0.3-dind', // 13
    '  script: [make lint]', // 14
    '',
  ].join('\n');
const library = () =>
  ['variables:', `  MIRROR: ${scenario.host}/library`, '  DIND_TAG: "27.0.3-dind"', '.docker-base:', '  variables: {DOCKER_BUILDKIT: "1"}', '  script: [docker build .]', ''].join('\n');

/** The other project: `jobs/docker.yml` exists on its `v2` branch only. */
function seedLibrary(): void {
  if (scenario.gitlab.state.findProject('shared/ci-library')) return;
  const ci = scenario.gitlab.state.addProject('shared/ci-library', { files: { 'README.md': 'CI jobs\n' } });
  ci.branches.set('v2', scenario.gitlab.state.commit(ci, ci.branches.get('main')!, { 'jobs/docker.yml': library() }, 'v2'));
}

describe('archpin run: GitLab CI include: project read through the API', () => {
  it('resolves through the included file, updates the literals of this project (the tag written after a registry of the other project too), and reports the include it cannot read', async () => {
    seedLibrary();
    scenario.gitlab.state.addProject('apps/web', { files: { '.gitlab-ci.yml': root() } });
    const config = path.join(scenario.work, 'config.json');
    writeFileSync(config, JSON.stringify({ platforms: ['linux/amd64', 'linux/arm64'], packageRules: [{ matchImages: [`${scenario.host}/library/docker`], pinDigests: false }] }));
    const run = await runArchpin(
      ['run', '--forge', 'gitlab', '--url', scenario.gitlab.url, '--group', 'apps', '--format', 'json', '--config', config, '--cache-dir', path.join(scenario.work, 'cache')],
      { cwd: scenario.work, env: { GITLAB_TOKEN: GITLAB_TEST_TOKEN } },
    );
    expect(run.stderr).toBe('');
    // A file that cannot be read is reported, as a scan problem is: the run itself completed.
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    const branch = `archpin/${scenario.host.replace(':', '-')}-library-docker-27.x`;
    expect(report.repositories[0].changes.map((change: { branch: string; action: string }) => [change.branch, change.action])).toEqual([[branch, 'opened']]);
    // The include that cannot be read is named with its line; the scan went on with the other.
    expect(report.repositories[0].errors).toEqual([{ code: 'include-unread', message: '.gitlab-ci.yml:5: GitLab could not read jobs/gone.yml of shared/ci-library at main: 404 File Not Found' }]);
    // This project's literals move: the variable, and the tag written after the other project's registry variable, which stays.
    expect(Buffer.from(scenario.gitlab.state.files('apps/web', branch).get('.gitlab-ci.yml')!).toString()).toBe(
      root().replace('DOCKER_VERSION: "27.0.3"', 'DOCKER_VERSION: "27.1.1"').replace('${MIRROR}/docker:27.0.3-dind', '${MIRROR}/docker:27.1.1-dind'),
    );
    const reads = scenario.gitlab.requests.filter((request) => request.path.startsWith('/projects/shared%2Fci-library'));
    expect(reads.map((request) => `${request.path}?${request.query} ${request.status}`)).toEqual([
      '/projects/shared%2Fci-library/repository/files/jobs%2Fdocker.yml?ref=v2 200',
      '/projects/shared%2Fci-library? 200',
      '/projects/shared%2Fci-library/repository/files/jobs%2Fgone.yml?ref=main 404',
    ]);
  });

  it('archpin check reads them too when the config names a GitLab forge with a URL and its token is set; without the token it reads the repository only', async () => {
    seedLibrary();
    const app = path.join(scenario.work, 'app');
    mkdirSync(app, { recursive: true });
    writeFileSync(path.join(app, '.gitlab-ci.yml'), root());
    const config = path.join(scenario.work, 'check-config.json');
    writeFileSync(
      config,
      JSON.stringify({
        platforms: ['linux/amd64', 'linux/arm64'],
        forge: { type: 'gitlab', url: scenario.gitlab.url, tokenEnv: 'CI_READ_TOKEN' },
        packageRules: [{ matchImages: [`${scenario.host}/library/docker`], pinDigests: false }],
      }),
    );
    const check = async (env: Record<string, string>) => {
      const result = await runArchpin(['check', app, '--format', 'json', '--config', config, '--cache-dir', path.join(scenario.work, 'cache')], { cwd: scenario.work, env });
      expect(result.stderr).toBe('');
      return JSON.parse(result.stdout);
    };
    const lint = (report: { references: Array<{ line: number; skip: string | null; detail: string }> }) =>
      report.references.filter((reference) => reference.line === 13).map((reference) => [reference.skip, reference.detail]);
    const read = await check({ CI_READ_TOKEN: GITLAB_TEST_TOKEN });
    expect(read.updates.map((update: { line: number; to: string }) => [update.line, update.to])).toEqual([
      [11, `${scenario.host}/library/docker:27.1.1`],
      [13, `${scenario.host}/library/docker:27.1.1-dind`],
    ]);
    expect(lint(read)).toEqual([
      [
        null,
        `job lint; resolved through $MIRROR (shared/ci-library@v2:jobs/docker.yml:2); held if an update changes it: $MIRROR is defined in jobs/docker.yml:2 of the project shared/ci-library at v2, which a change to this project never edits: define MIRROR under variables: in .gitlab-ci.yml (it takes the place of the included one) and archpin updates it there, or update it in shared/ci-library`,
      ],
    ]);
    expect(read.errors).toEqual([{ file: '.gitlab-ci.yml', line: 5, code: 'include-unread', message: 'GitLab could not read jobs/gone.yml of shared/ci-library at main: 404 File Not Found' }]);
    // No token: nothing is asked of the forge, and the includes are named with the reason they were not read.
    const requests = scenario.gitlab.requests.length;
    const offline = await check({});
    expect(scenario.gitlab.requests.length).toBe(requests);
    expect(lint(offline)).toEqual([
      [
        'templated',
        "job lint; $MIRROR is not defined in this file; it may come from a CI/CD setting or from an include that was not read: project shared/ci-library@v2 (/jobs/docker.yml), project shared/ci-library (/jobs/gone.yml), not read: CI_READ_TOKEN is not set (the token of the config's GitLab forge)",
      ],
    ]);
    expect(offline.errors).toEqual([]);
  });

  it('archpin scan reads them through the GitLab forge of the config as run does, and without one names each include with the reason it was not read', async () => {
    seedLibrary();
    const app = path.join(scenario.work, 'scan-app');
    mkdirSync(app, { recursive: true });
    writeFileSync(path.join(app, '.gitlab-ci.yml'), root());
    const withForge = path.join(scenario.work, 'scan-forge.json');
    writeFileSync(withForge, JSON.stringify({ forge: { type: 'gitlab', url: scenario.gitlab.url } }));
    const scan = async (args: readonly string[], env: Record<string, string>) => {
      const result = await runArchpin(['scan', app, '--format', 'json', ...args], { cwd: scenario.work, env });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      return JSON.parse(result.stdout) as { references: Array<{ line: number; value: string; skip: string | null; detail?: string }>; errors: unknown[] };
    };
    const rows = (report: Awaited<ReturnType<typeof scan>>) => report.references.map((reference) => [reference.line, reference.skip, reference.detail]);
    const before = scenario.gitlab.requests.length;
    const read = await scan(['--config', withForge], { GITLAB_TOKEN: GITLAB_TEST_TOKEN });
    expect(rows(read)).toEqual([
      [11, null, 'job build'],
      [
        13,
        null,
        'job lint; resolved through $MIRROR (shared/ci-library@v2:jobs/docker.yml:2); held if an update changes it: $MIRROR is defined in jobs/docker.yml:2 of the project shared/ci-library at v2, which a change to this project never edits: define MIRROR under variables: in .gitlab-ci.yml (it takes the place of the included one) and archpin updates it there, or update it in shared/ci-library',
      ],
    ]);
    expect(read.errors).toEqual([{ file: '.gitlab-ci.yml', line: 5, code: 'include-unread', message: 'GitLab could not read jobs/gone.yml of shared/ci-library at main: 404 File Not Found' }]);
    expect(scenario.gitlab.requests.slice(before).map((request) => `${request.method} ${request.path}?${request.query} ${request.status}`)).toEqual([
      'GET /projects/shared%2Fci-library/repository/files/jobs%2Fdocker.yml?ref=v2 200',
      'GET /projects/shared%2Fci-library? 200',
      'GET /projects/shared%2Fci-library/repository/files/jobs%2Fgone.yml?ref=main 404',
    ]);
    // Each way of having no forge to ask: nothing is asked, and the detail says which.
    const lint = (report: Awaited<ReturnType<typeof scan>>) => report.references.find((reference) => reference.line === 13)?.detail;
    const notRead = (why: string) =>
      `job lint; $MIRROR is not defined in this file; it may come from a CI/CD setting or from an include that was not read: project shared/ci-library@v2 (/jobs/docker.yml), project shared/ci-library (/jobs/gone.yml), not read: ${why}`;
    const configs = {
      none: {},
      github: { forge: { type: 'github', owners: ['acme'] } },
      noUrl: { forge: { type: 'gitlab', groups: ['apps'] } },
    };
    const offline: Record<string, string | undefined> = {};
    for (const [name, config] of Object.entries(configs)) {
      const file = path.join(scenario.work, `scan-${name}.json`);
      writeFileSync(file, JSON.stringify(config));
      const report = await scan(['--config', file], { GITLAB_TOKEN: GITLAB_TEST_TOKEN });
      expect(report.errors).toEqual([]);
      offline[name] = lint(report);
    }
    offline.noToken = lint(await scan(['--config', withForge], {}));
    expect(offline).toEqual({
      none: notRead('no GitLab forge in the config to read it through (forge.type "gitlab", forge.url, and a token in GITLAB_TOKEN)'),
      github: notRead("the config's forge is GitHub; includes are read through a GitLab forge"),
      noUrl: notRead("the config's GitLab forge has no url"),
      noToken: notRead("GITLAB_TOKEN is not set (the token of the config's GitLab forge)"),
    });
    expect(scenario.gitlab.requests.length).toBe(before + 3);
  });

  it('holds an update that would change a literal of the other project, and names the variable, the project, the file and what to do', async () => {
    seedLibrary();
    const app = path.join(scenario.work, 'held-app');
    mkdirSync(app, { recursive: true });
    // Line 16: the tag is the other project's DIND_TAG.
    writeFileSync(path.join(app, '.gitlab-ci.yml'), `${root()}dind:\n  image: \${MIRROR}/docker:\${DIND_TAG}\n  script: [true]\n`);
    const config = path.join(scenario.work, 'held-config.json');
    writeFileSync(
      config,
      JSON.stringify({
        platforms: ['linux/amd64', 'linux/arm64'],
        forge: { type: 'gitlab', url: scenario.gitlab.url },
        packageRules: [{ matchImages: [`${scenario.host}/library/docker`], pinDigests: false }],
      }),
    );
    const result = await runArchpin(['check', app, '--format', 'json', '--config', config, '--cache-dir', path.join(scenario.work, 'cache')], {
      cwd: scenario.work,
      env: { GITLAB_TOKEN: GITLAB_TEST_TOKEN },
    });
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    // The same image and tag at line 13 is updated in this file; at line 16 the change would be the other project's literal.
    expect(report.updates.map((update: { line: number; to: string }) => [update.line, update.to])).toEqual([
      [11, `${scenario.host}/library/docker:27.1.1`],
      [13, `${scenario.host}/library/docker:27.1.1-dind`],
    ]);
    expect(
      report.blocked.filter((item: { reason: string }) => item.reason === 'outside-variable').map((item: { image: string; tag: string; message: string }) => [item.image, item.tag, item.message]),
    ).toEqual([
      [
        `${scenario.host}/library/docker`,
        '27.1.1-dind',
        '.gitlab-ci.yml:16: $DIND_TAG is defined in jobs/docker.yml:3 of the project shared/ci-library at v2, which a change to this project never edits: define DIND_TAG under variables: in .gitlab-ci.yml (it takes the place of the included one) and archpin updates it there, or update it in shared/ci-library',
      ],
    ]);
  });
});
