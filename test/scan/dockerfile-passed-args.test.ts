import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { scanSources } from '../../src/pipeline/pipeline.js';

function scan(files: Record<string, string>) {
  return scanSources(Object.entries(files).map(([path, text]) => sourceFile(path, new Uint8Array(Buffer.from(text)))));
}

const rows = (files: Record<string, string>) =>
  scan(files)
    .references.filter((reference) => reference.kind === 'dockerfile-from')
    .map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail ?? null]);

/** A Dockerfile whose images are written through plain `ARG NAME=value` defaults. */
const DOCKERFILE = ['ARG BASE_TAG=3.21', 'ARG RUNNER=registry.example.test/team/runner:1.4.0', 'FROM registry.example.test/os/base:${BASE_TAG} AS build', 'FROM ${RUNNER}', ''].join('\n');

const asIs = (path: string) => [
  [path, 3, 'registry.example.test/os/base:3.21', null, null],
  [path, 4, 'registry.example.test/team/runner:1.4.0', null, null],
];

/** The rows of DOCKERFILE at `path` when a build passes BASE_TAG at `where` (and RUNNER at `runner`, when given). */
const passed = (path: string, where: string, runner?: string) => [
  [
    path,
    3,
    'registry.example.test/os/base:3.21',
    'templated',
    `default of ARG BASE_TAG (line 1), but ${where} passes BASE_TAG as a build argument, so that build may use another value: shown, not edited`,
  ],
  runner === undefined
    ? [path, 4, 'registry.example.test/team/runner:1.4.0', null, null]
    : [
        path,
        4,
        'registry.example.test/team/runner:1.4.0',
        'templated',
        `default of ARG RUNNER (line 2), but ${runner} passes RUNNER as a build argument, so that build may use another value: shown, not edited`,
      ],
];

const compose = (...build: string[]) => ['services:', '  app:', '    build:', ...build.map((line) => `      ${line}`), ''].join('\n');

describe('a plain ARG default that a build passes as a build argument', () => {
  it('is read as before when no build passes it', () => {
    expect(rows({ 'app/Dockerfile': DOCKERFILE })).toEqual(asIs('app/Dockerfile'));
  });

  it('is shown, not edited, when the compose service that builds the Dockerfile passes it: args as a map or a list', () => {
    const map = compose('context: ./app', 'args:', '  BASE_TAG: "3.22"', '  RUNNER: ${RUNNER_IMAGE}');
    expect(rows({ 'app/Dockerfile': DOCKERFILE, 'compose.yaml': map })).toEqual(passed('app/Dockerfile', 'compose.yaml:6', 'compose.yaml:7'));
    // `- NAME` passes the value of the environment compose runs in.
    const list = compose('context: app', 'args:', '  - BASE_TAG=3.22', '  - RUNNER');
    expect(rows({ 'app/Dockerfile': DOCKERFILE, 'compose.yaml': list })).toEqual(passed('app/Dockerfile', 'compose.yaml:6', 'compose.yaml:7'));
    // The context is read from the compose file's folder.
    const nested = compose('context: ../app', 'args:', '  - BASE_TAG=3.22');
    expect(rows({ 'app/Dockerfile': DOCKERFILE, 'deploy/compose.yaml': nested })).toEqual(passed('app/Dockerfile', 'deploy/compose.yaml:6'));
  });

  it('holds only for the Dockerfile the service reads: its context folder and its `dockerfile`', () => {
    const other = compose('context: ./worker', 'args:', '  BASE_TAG: "3.22"');
    expect(rows({ 'app/Dockerfile': DOCKERFILE, 'compose.yaml': other })).toEqual(asIs('app/Dockerfile'));
    const release = compose('context: app', 'dockerfile: Dockerfile.release', 'args:', '  BASE_TAG: "3.22"');
    expect(rows({ 'app/Dockerfile': DOCKERFILE, 'app/Dockerfile.release': DOCKERFILE, 'compose.yaml': release })).toEqual([
      ...asIs('app/Dockerfile'),
      ...passed('app/Dockerfile.release', 'compose.yaml:7'),
    ]);
    // A context written with a variable may be any folder: every Dockerfile of the repository.
    const variable = compose('context: ${APP_DIR}', 'args:', '  BASE_TAG: "3.22"');
    expect(rows({ 'app/Dockerfile': DOCKERFILE, 'compose.yaml': variable })).toEqual(passed('app/Dockerfile', 'compose.yaml:6'));
    // A Dockerfile written inline, or one in a Git repository, is not a file of this one.
    const inline = compose('dockerfile_inline: |', '  FROM registry.example.test/os/base:3.21', 'args:', '  BASE_TAG: "3.22"');
    expect(rows({ Dockerfile: DOCKERFILE, 'compose.yaml': inline })).toEqual(asIs('Dockerfile'));
    const remote = compose('context: https://git.example.test/team/app.git', 'args:', '  BASE_TAG: "3.22"');
    expect(rows({ Dockerfile: DOCKERFILE, 'compose.yaml': remote })).toEqual(asIs('Dockerfile'));
  });

  it('is shown, not edited, when a bake target that builds it passes it, also through `inherits` and in JSON', () => {
    const hcl = [
      'target "common" {',
      '  args = {',
      '    BASE_TAG = "3.22"',
      '  }',
      '}',
      'target "app" {',
      '  inherits = ["common"]',
      '  context = "app"',
      '  args = { RUNNER = "registry.example.test/team/runner:1.5.0" }',
      '}',
      'target "worker" {',
      '  context = "worker"',
      '  args = { BASE_TAG = "3.23" }',
      '}',
      '',
    ].join('\n');
    expect(rows({ 'app/Dockerfile': DOCKERFILE, 'docker-bake.hcl': hcl })).toEqual([
      ...passed('app/Dockerfile', 'docker-bake.hcl:3', 'docker-bake.hcl:9'),
      // The runner the target passes is the image that build pulls, reported where it is written.
      ['docker-bake.hcl', 9, 'registry.example.test/team/runner:1.5.0', null, 'passed as build argument RUNNER by target "app" to FROM ${RUNNER} of app/Dockerfile'],
    ]);
    expect(rows({ 'worker/Dockerfile': DOCKERFILE, 'docker-bake.hcl': hcl })).toEqual(passed('worker/Dockerfile', 'docker-bake.hcl:13'));
    expect(rows({ 'tools/Dockerfile': DOCKERFILE, 'docker-bake.hcl': hcl })).toEqual(asIs('tools/Dockerfile'));
    const json = JSON.stringify({ target: { app: { context: 'app', dockerfile: 'Dockerfile', args: { BASE_TAG: '3.22' } } } }, null, 2);
    expect(rows({ 'app/Dockerfile': DOCKERFILE, 'docker-bake.json': json })).toEqual(passed('app/Dockerfile', 'docker-bake.json:7'));
    expect(rows({ 'tools/Dockerfile': DOCKERFILE, 'docker-bake.json': json })).toEqual(asIs('tools/Dockerfile'));
  });

  it('is shown, not edited, when a build command in a CI file passes it to that Dockerfile (`--build-arg`)', () => {
    const ci = (command: string) => ['build:', '  script:', `    - ${command}`, ''].join('\n');
    const named = ci('docker build --build-arg BASE_TAG=3.22 -f app/Dockerfile -t registry.example.test/team/app:dev .');
    expect(rows({ 'app/Dockerfile': DOCKERFILE, '.gitlab-ci.yml': named })).toEqual(passed('app/Dockerfile', '.gitlab-ci.yml:3'));
    // Without `-f`, the Dockerfile of the context; `--build-arg=NAME` and a value from the environment count too.
    const context = ci('docker buildx build --push --build-arg=RUNNER --build-arg "BASE_TAG=${TAG}" app && docker push x');
    expect(rows({ 'app/Dockerfile': DOCKERFILE, '.gitlab-ci.yml': context })).toEqual(passed('app/Dockerfile', '.gitlab-ci.yml:3', '.gitlab-ci.yml:3'));
    // Another Dockerfile, or a command on a comment line: read as before.
    const other = ci('docker build --build-arg BASE_TAG=3.22 -f worker/Dockerfile .');
    expect(rows({ 'app/Dockerfile': DOCKERFILE, '.gitlab-ci.yml': other })).toEqual(asIs('app/Dockerfile'));
    const comment = ['build:', '  script:', '    # docker build --build-arg BASE_TAG=3.22 app', '    - make image', ''].join('\n');
    expect(rows({ 'app/Dockerfile': DOCKERFILE, '.gitlab-ci.yml': comment })).toEqual(asIs('app/Dockerfile'));
  });

  it('is shown, not edited, when a GitHub Actions step that builds it with docker/build-push-action passes it (`build-args`)', () => {
    const workflow = (...inputs: string[]) =>
      [
        'on: push',
        'jobs:',
        '  image:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: docker/build-push-action@v6',
        '        with:',
        ...inputs.map((line) => `          ${line}`),
        '',
      ].join('\n');
    const named = workflow('file: app/Dockerfile', 'push: true', 'build-args: |', '  RUNNER=registry.example.test/team/runner:1.5.0', '  BASE_TAG=3.22');
    expect(rows({ 'app/Dockerfile': DOCKERFILE, '.github/workflows/image.yml': named })).toEqual(passed('app/Dockerfile', '.github/workflows/image.yml:12', '.github/workflows/image.yml:11'));
    const context = workflow('context: app', 'build-args: BASE_TAG=3.22');
    expect(rows({ 'app/Dockerfile': DOCKERFILE, '.github/workflows/image.yml': context })).toEqual(passed('app/Dockerfile', '.github/workflows/image.yml:9'));
    // Without `file` or `context`, the Dockerfile at the repository's root.
    const root = workflow('build-args: BASE_TAG=3.22');
    expect(rows({ 'app/Dockerfile': DOCKERFILE, '.github/workflows/image.yml': root })).toEqual(asIs('app/Dockerfile'));
  });

  it("is shown, not edited, when a drop-in of docker/build-push-action passes it with the same inputs (Blacksmith's, Depot's)", () => {
    const step = (uses: string) =>
      [
        'on: push',
        'jobs:',
        '  image:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        `      - uses: ${uses}`,
        '        with:',
        '          file: app/Dockerfile',
        '          build-args: BASE_TAG=3.22',
        '',
      ].join('\n');
    expect(rows({ 'app/Dockerfile': DOCKERFILE, '.github/workflows/image.yml': step('useblacksmith/build-push-action@v2') })).toEqual(passed('app/Dockerfile', '.github/workflows/image.yml:9'));
    expect(rows({ 'app/Dockerfile': DOCKERFILE, '.github/workflows/image.yml': step('depot/build-push-action@v1') })).toEqual(passed('app/Dockerfile', '.github/workflows/image.yml:9'));
    // Another action with a build-args input is not a build this rule knows.
    expect(rows({ 'app/Dockerfile': DOCKERFILE, '.github/workflows/image.yml': step('example-org/build-push-action-wrapper@v1') })).toEqual(asIs('app/Dockerfile'));
  });

  it('an image the repository builds itself stays `local-stage`, whether or not a build passes the argument', () => {
    const builds = [
      'services:',
      '  runner:',
      '    image: registry.example.test/team/runner:1.4.0',
      '    build: ./runner',
      '  app:',
      '    build:',
      '      context: app',
      '      args:',
      '        RUNNER: registry.example.test/team/runner:1.4.0',
      '',
    ].join('\n');
    expect(rows({ 'app/Dockerfile': DOCKERFILE, 'compose.yaml': builds })).toEqual([
      ['app/Dockerfile', 3, 'registry.example.test/os/base:3.21', null, null],
      [
        'app/Dockerfile',
        4,
        'registry.example.test/team/runner:1.4.0',
        'local-stage',
        'default of ARG RUNNER (line 2), but compose.yaml:9 passes RUNNER as a build argument, so that build may use another value: shown, not edited; built in this repository (compose.yaml:3)',
      ],
    ]);
  });

  it('the same holds for a default written in the use: only the builds of that Dockerfile count', () => {
    const dockerfile = 'ARG TOOLS_VERSION\nFROM registry.example.test/team/tools:${TOOLS_VERSION:-2.4.1}\n';
    const other = compose('context: ./worker', 'args:', '  TOOLS_VERSION: "2.5.0"');
    expect(rows({ 'tools/Dockerfile': dockerfile, 'compose.yaml': other })).toEqual([
      ['tools/Dockerfile', 2, 'registry.example.test/team/tools:2.4.1', null, 'default of ${TOOLS_VERSION}; a build argument may set another value'],
    ]);
  });
});

describe('a quoted ARG use in a FROM word (`os:"${OS_TAG}"`) whose default a build passes', () => {
  /** Quotes inside the word: the shell removes them, so the image can be read but its text not edited in place. */
  const QUOTED = ['ARG OS_TAG=3.21', 'ARG TOOLS_VERSION=1.8', 'FROM registry.example.test/os/base:"${OS_TAG}" AS build', 'FROM registry.example.test/team/tools:v"${TOOLS_VERSION}"-slim', ''].join(
    '\n',
  );
  const bake = (args: string, context = 'app') => ['target "app" {', `  context = "${context}"`, `  args = { ${args} }`, '}', ''].join('\n');

  it('is read as before when no build passes it: the default is shown, `unsupported-quoting`', () => {
    expect(rows({ 'app/Dockerfile': QUOTED })).toEqual([
      ['app/Dockerfile', 3, 'registry.example.test/os/base:3.21', 'unsupported-quoting', 'quotes inside the word: not edited'],
      ['app/Dockerfile', 4, 'registry.example.test/team/tools:v1.8-slim', 'unsupported-quoting', 'quotes inside the word: not edited'],
    ]);
    // A build of another Dockerfile passing the same names changes nothing here.
    expect(rows({ 'app/Dockerfile': QUOTED, 'docker-bake.hcl': bake('OS_TAG = "3.22"', 'worker') })).toEqual(rows({ 'app/Dockerfile': QUOTED }));
  });

  it('is `templated`, the word as written with its quotes, when a build of that Dockerfile passes the argument', () => {
    expect(rows({ 'app/Dockerfile': QUOTED, 'docker-bake.hcl': bake('OS_TAG = "3.22"') })).toEqual([
      [
        'app/Dockerfile',
        3,
        'registry.example.test/os/base:"${OS_TAG}"',
        'templated',
        'docker-bake.hcl:3 passes OS_TAG as a build argument, so that build may use another value: shown as written, not edited',
      ],
      ['app/Dockerfile', 4, 'registry.example.test/team/tools:v1.8-slim', 'unsupported-quoting', 'quotes inside the word: not edited'],
    ]);
    const ci = ['build:', '  script:', '    - docker build --build-arg TOOLS_VERSION=1.9 app', ''].join('\n');
    expect(rows({ 'app/Dockerfile': QUOTED, '.gitlab-ci.yml': ci })).toEqual([
      ['app/Dockerfile', 3, 'registry.example.test/os/base:3.21', 'unsupported-quoting', 'quotes inside the word: not edited'],
      [
        'app/Dockerfile',
        4,
        'registry.example.test/team/tools:v"${TOOLS_VERSION}"-slim',
        'templated',
        '.gitlab-ci.yml:3 passes TOOLS_VERSION as a build argument, so that build may use another value: shown as written, not edited',
      ],
    ]);
  });
});
