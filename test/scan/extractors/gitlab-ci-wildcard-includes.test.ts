/** `include: local` with a wildcard path: the files it names, as GitLab expands it, read as if each were listed. */
import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../../src/core/source-file.js';
import { gitlabFacts } from '../../../src/scan/extractors/gitlab-ci/gitlab-ci.js';
import { scanFiles } from '../../../src/scan/scan-files.js';

const file = (path: string, text: string) => sourceFile(path, Buffer.from(text, 'utf8'));
const job = (name: string, image: string): string => `${name}:\n  image: ${image}\n  script: make ${name}\n`;

/** The files a root `.gitlab-ci.yml` with this text pulls in, in the pipeline's order (the root first). */
const members = (root: string, paths: readonly string[]): string[] => {
  const files = [file('.gitlab-ci.yml', root), ...paths.map((path) => file(path, 'stages: [build]\n'))];
  return (
    gitlabFacts(files)
      .pipelines?.get('.gitlab-ci.yml')
      ?.members.map((member) => member.path) ?? []
  );
};

describe('GitLab CI include: local with wildcards', () => {
  it('a wildcard in the root names files whose jobs see the variables the root defines', () => {
    const { references, problems } = scanFiles([
      file('.gitlab-ci.yml', 'include:\n  - local: .gitlab/ci/*.yml\nvariables:\n  APP_TAG: "27-cli"\n'),
      file('.gitlab/ci/build.yml', job('build', 'registry.example.test/team/app:${APP_TAG}')),
    ]);
    expect(problems).toEqual([]);
    expect(references.map((reference) => [reference.file, reference.line, reference.value, reference.skip])).toEqual([['.gitlab/ci/build.yml', 2, 'registry.example.test/team/app:27-cli', null]]);
  });

  it('* stays in its folder, ** also enters subfolders, **/ only subfolders, as GitLab documents', () => {
    const tree = ['ci/lint.yml', 'ci/jobs/deploy.yml', 'ci/jobs/nightly/clean.yml', 'ci/notes.yaml', 'other/ci/x.yml'];
    expect(members("include: 'ci/*.yml'\n", tree)).toEqual(['.gitlab-ci.yml', 'ci/lint.yml']);
    expect(members("include: '/ci/**.yml'\n", tree)).toEqual(['.gitlab-ci.yml', 'ci/jobs/deploy.yml', 'ci/jobs/nightly/clean.yml', 'ci/lint.yml']);
    expect(members('include:\n  local: ci/**/*.yml\n', tree)).toEqual(['.gitlab-ci.yml', 'ci/jobs/deploy.yml', 'ci/jobs/nightly/clean.yml']);
    expect(members("include: '**.yml'\n", tree)).toEqual(['.gitlab-ci.yml', 'ci/jobs/deploy.yml', 'ci/jobs/nightly/clean.yml', 'ci/lint.yml', 'other/ci/x.yml']);
  });

  it('only * is a wildcard: ? and [ are characters of the name, and a path with neither names one file', () => {
    const tree = ['ci/a-build.yml', 'ci/b-build.yml', 'ci/[ab]-build.yml', 'ci/c.yml'];
    expect(members("include: 'ci/[ab]*.yml'\n", tree)).toEqual(['.gitlab-ci.yml', 'ci/[ab]-build.yml']);
    expect(members("include: 'ci/?.yml'\n", tree)).toEqual(['.gitlab-ci.yml']);
  });

  it('a wildcard names no file outside the tree', () => {
    expect(members("include:\n  - '../*.yml'\n  - ci/../*.yml\n", ['ci/a.yml', 'b.yml'])).toEqual(['.gitlab-ci.yml']);
  });

  it("matched files are taken in the repository's path order, whatever order the scan holds them in: the later definition of a job wins", () => {
    // The walk lists a folder before a file whose name extends the folder's (ci/unit/ before ci/unit.yml); git puts the file first.
    const { references } = scanFiles([
      file('.gitlab-ci.yml', "include: 'ci/**.yml'\n"),
      file('ci/unit/node22.yml', job('unit', 'registry.example.test/team/node:22.11.0')),
      file('ci/unit.yml', job('unit', 'registry.example.test/team/node:20.18.1')),
    ]);
    expect(references.map((reference) => [reference.file, reference.line, reference.value, reference.skip])).toEqual([
      ['ci/unit.yml', 2, 'registry.example.test/team/node:20.18.1', 'overridden'],
      ['ci/unit/node22.yml', 2, 'registry.example.test/team/node:22.11.0', null],
    ]);
  });

  it('extends and variables reach across the files a wildcard names; a file that **/ leaves out defines nothing', () => {
    const files = (include: string) => [
      file('.gitlab-ci.yml', `include: '${include}'\nvariables:\n  MIRROR: registry.example.test/mirror\n`),
      file('ci/versions.yml', 'variables:\n  LINT_TAG: "1.4.0"\n'),
      file('ci/base/templates.yml', '.lint:\n  image: ${MIRROR}/linter:${LINT_TAG}\n'),
      file('ci/jobs/lint.yml', 'lint:\n  extends: .lint\n  script: make lint\n'),
    ];
    const seen = (include: string) => scanFiles(files(include)).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]);
    expect(seen('ci/**.yml')).toEqual([['ci/base/templates.yml', 2, 'registry.example.test/mirror/linter:1.4.0', null]]);
    expect(seen('ci/**/*.yml')).toEqual([['ci/base/templates.yml', 2, '${MIRROR}/linter:${LINT_TAG}', 'templated']]);
  });

  it('at most 150 different wildcards are expanded in a scan', () => {
    const paths = Array.from({ length: 151 }, (_, index) => `ci/job${index}.yml`);
    const root = `include:\n${paths.map((path) => `  - ${path.replace('.yml', '.y*l')}\n`).join('')}`;
    const found = members(root, paths);
    expect(found).toHaveLength(151);
    expect(found.at(-1)).toBe('ci/job149.yml');
  });
});
