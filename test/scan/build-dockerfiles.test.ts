import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { scanSources } from '../../src/pipeline/pipeline.js';

/** A Dockerfile whose base image's tag is a plain `ARG` default. */
const DOCKERFILE = ['ARG BASE_TAG=3.21', 'FROM registry.example.test/os/base:${BASE_TAG}', ''].join('\n');

/**
 * For each Dockerfile of the scan: does a build pass it BASE_TAG (its `FROM` is then shown `templated`, not edited)? A build
 * that reads no Dockerfile of the scan passes it to none; one whose Dockerfile is not known, to every one.
 */
function passedTo(files: Record<string, string>): Record<string, boolean> {
  const all = { 'app/Dockerfile': DOCKERFILE, 'tools/Dockerfile': DOCKERFILE, ...files };
  const { references } = scanSources(Object.entries(all).map(([path, text]) => sourceFile(path, new Uint8Array(Buffer.from(text)))));
  const seen: Record<string, boolean> = {};
  for (const reference of references) if (reference.kind === 'dockerfile-from') seen[reference.file] = reference.skip === 'templated';
  return seen;
}

/** The four kinds of build that name a context and a Dockerfile, each passing BASE_TAG. */
type Build = (context: string, dockerfile?: string) => Record<string, string>;

const builds: Record<'compose' | 'bake' | 'script' | 'action', Build> = {
  compose: (context, dockerfile) => ({
    'compose.yaml': [
      'services:',
      '  app:',
      '    build:',
      `      context: ${JSON.stringify(context)}`,
      ...(dockerfile === undefined ? [] : [`      dockerfile: ${JSON.stringify(dockerfile)}`]),
      '      args:',
      '        BASE_TAG: "3.22"',
      '',
    ].join('\n'),
  }),
  bake: (context, dockerfile) => ({
    'docker-bake.hcl': [
      'target "app" {',
      `  context = ${JSON.stringify(context)}`,
      ...(dockerfile === undefined ? [] : [`  dockerfile = ${JSON.stringify(dockerfile)}`]),
      '  args = { BASE_TAG = "3.22" }',
      '}',
      '',
    ].join('\n'),
  }),
  script: (context, dockerfile) => ({
    '.gitlab-ci.yml': [
      'image:',
      '  script:',
      `    - docker build --build-arg BASE_TAG=3.22${dockerfile === undefined ? '' : ` -f ${dockerfile}`} -t registry.example.test/team/app:dev ${context}`,
      '',
    ].join('\n'),
  }),
  action: (context, dockerfile) => ({
    '.github/workflows/image.yml': [
      'on: push',
      'jobs:',
      '  image:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: docker/build-push-action@v6',
      '        with:',
      `          context: ${JSON.stringify(context)}`,
      ...(dockerfile === undefined ? [] : [`          file: ${JSON.stringify(dockerfile)}`]),
      '          build-args: BASE_TAG=3.22',
      '',
    ].join('\n'),
  }),
};

const reads = { 'app/Dockerfile': true, 'tools/Dockerfile': false };
const none = { 'app/Dockerfile': false, 'tools/Dockerfile': false };
const any = { 'app/Dockerfile': true, 'tools/Dockerfile': true };

describe('the Dockerfile a build reads: one set of rules for compose, bake, build commands and docker/build-push-action', () => {
  for (const [kind, build] of Object.entries(builds)) {
    it(`${kind}: a folder of the scan is read; a remote context, an absolute path or one that leaves the root reads none of its Dockerfiles`, () => {
      expect(passedTo(build('app'))).toEqual(reads);
      expect(passedTo(build('./tools/../app'))).toEqual(reads);
      for (const remote of [
        'https://git.example.test/team/app.git#main:app',
        'git://git.example.test/team/app',
        'git@git.example.test:team/app.git',
        'github.com/team/app',
        'ssh://git@git.example.test/team/app.git',
      ]) {
        expect([remote, passedTo(build(remote))]).toEqual([remote, none]);
      }
      expect(passedTo(build('/srv/app'))).toEqual(none);
      expect(passedTo(build('~/app'))).toEqual(none);
      expect(passedTo(build('../app'))).toEqual(none);
      // A variable: any folder, so any Dockerfile may be the one.
      expect(passedTo(build('${APP_DIR}'))).toEqual(any);
    });
  }

  for (const kind of ['compose', 'bake'] as const) {
    it(`${kind}: the Dockerfile is read in the context; an absolute one, or one in a remote context, is none of the scan's`, () => {
      const build = builds[kind];
      expect(passedTo(build('.', 'app/Dockerfile'))).toEqual(reads);
      expect(passedTo(build('app', 'Dockerfile'))).toEqual(reads);
      expect(passedTo(build('app', '/srv/app/Dockerfile'))).toEqual(none);
      expect(passedTo(build('https://git.example.test/team/app.git', 'Dockerfile'))).toEqual(none);
      expect(passedTo(build('app', '${DOCKERFILE}'))).toEqual(any);
    });
  }

  for (const kind of ['script', 'action'] as const) {
    it(`${kind}: a named Dockerfile is read from the root, whatever the context, except in a remote context`, () => {
      const build = builds[kind];
      expect(passedTo(build('.', 'app/Dockerfile'))).toEqual(reads);
      expect(passedTo(build('tools', 'app/Dockerfile'))).toEqual(reads);
      expect(passedTo(build('https://git.example.test/team/app.git', 'app/Dockerfile'))).toEqual(none);
      expect(passedTo(build('git@git.example.test:team/app.git', 'app/Dockerfile'))).toEqual(none);
      expect(passedTo(build('.', '/srv/app/Dockerfile'))).toEqual(none);
      expect(passedTo(build('.', '../app/Dockerfile'))).toEqual(none);
    });
  }

  it('a local folder named like a GitHub path is read as the folder it is, as BuildKit checks for a local folder first', () => {
    for (const build of Object.values(builds))
      expect(passedTo({ 'github.com/team/app/Dockerfile': DOCKERFILE, ...build('github.com/team/app') })).toEqual({ ...none, 'github.com/team/app/Dockerfile': true });
  });

  it("a build command's context from a shell expansion or the standard input may be any folder", () => {
    for (const context of ['`pwd`/app', '$(pwd)/app', '- < app/Dockerfile']) expect([context, passedTo(builds.script(context))]).toEqual([context, any]);
    expect(passedTo(builds.script('.', '-'))).toEqual(any);
  });
});
