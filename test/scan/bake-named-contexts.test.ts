import { describe, expect, it, vi } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { isBakeText } from '../../src/scan/bake-targets.js';
import { scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

/** A bake file kept beside the tests, under a name of its own: its targets build the services on a shared base. */
const LOCAL_BAKE = [
  'variable "ORG" {',
  '  default = "registry.example.test/mail"',
  '}',
  '',
  'target "common" {',
  '  dockerfile = "Dockerfile"',
  '}',
  '',
  'target "base" {',
  '  inherits = ["common"]',
  '  context = "services/base/"',
  '}',
  '',
  'target "web" {',
  '  inherits = ["common"]',
  '  context = "services/web/"',
  '  contexts = {',
  '    base = "target:base"',
  '    assets = "target:assets"',
  '  }',
  '}',
  '',
].join('\n');

/** The same build for CI: the shared base comes from the registry, where the `base` target pushed it. */
const CI_BAKE = [
  'variable "ORG" {',
  '  default = "registry.example.test/mail"',
  '}',
  'variable "VERSION" {',
  '  default = "local"',
  '}',
  '',
  'target "base" {',
  '  context = "services/base/"',
  '}',
  '',
  'target "web" {',
  '  context = "services/web/"',
  '  contexts = {',
  '    base = "docker-image://${ORG}/base:${VERSION}"',
  '    toolchain = "docker-image://registry.example.test/tools/go:1.23"',
  '  }',
  '}',
  '',
].join('\n');

const WEB = ['FROM base', 'COPY --from=assets /dist /srv/www', 'COPY --from=registry.example.test/tools/lint:2.0 /bin/lint /bin/lint', ''].join('\n');
const BASE = ['FROM registry.example.test/os/slim:12.4', ''].join('\n');
const UNRELATED = ['FROM base', ''].join('\n');

describe('docker-bake files under any name', () => {
  it('are known by their top-level target blocks, or a JSON target map; a Nomad policy with nested targets is not one', () => {
    expect(
      [
        ['tests/build.hcl', LOCAL_BAKE],
        ['ci/targets.json', '{"target": {"web": {"context": "services/web", "contexts": {"base": "target:base"}}}}'],
        ['ci/other.json', '{"target": "production"}'],
        ['policies/scale.hcl', 'scaling "workers" {\n  policy {\n    target "aws-asg" {\n      node_class = "batch"\n    }\n  }\n}\n'],
        ['jobs/web.hcl', 'job "web" {\n}\ntarget "x" {\n}\n'],
      ].map(([path = '', text = '']) => isBakeText(sourceFile(path, Buffer.from(text, 'utf8')))),
    ).toEqual([true, true, false, false, false]);
  });

  it('give their named contexts to the Dockerfiles their targets build, which then name no image', () => {
    expect(rows({ 'tests/build.hcl': LOCAL_BAKE, 'services/web/Dockerfile': WEB, 'services/base/Dockerfile': BASE, 'tools/Dockerfile': UNRELATED })).toEqual([
      ['services/base/Dockerfile', 1, 'registry.example.test/os/slim:12.4', 'dockerfile-from', null],
      ['services/web/Dockerfile', 3, 'registry.example.test/tools/lint:2.0', 'dockerfile-from', null],
      // No target builds this one: its `base` is an image of that name.
      ['tools/Dockerfile', 1, 'base', 'dockerfile-from', 'no-tag'],
    ]);
  });

  it('read the targets from a JSON bake file, with the Dockerfile a target names, found from the bake file folder', () => {
    const json = JSON.stringify({ target: { web: { context: '../services/web', dockerfile: 'Containerfile', contexts: { base: 'target:base' } } } }, null, 2);
    expect(rows({ 'ci/targets.json': json, 'services/web/Containerfile': UNRELATED })).toEqual([]);
  });

  it('report a registry image given as a context, and a context image one of the file targets builds as local-stage', () => {
    const found = scanTexts({ 'ci/build-ci.hcl': CI_BAKE, 'services/web/Dockerfile': UNRELATED, 'services/base/Dockerfile': BASE }).references;
    expect(found.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip, reference.detail ?? null])).toEqual([
      [
        'ci/build-ci.hcl',
        15,
        'registry.example.test/mail/base:local',
        'bake-context',
        'local-stage',
        'build context base: built by the target "base" of this file (line 8); shown with the defaults of ${ORG}, ${VERSION}',
      ],
      ['ci/build-ci.hcl', 16, 'registry.example.test/tools/go:1.23', 'bake-context', null, 'build context toolchain'],
      ['services/base/Dockerfile', 1, 'registry.example.test/os/slim:12.4', 'dockerfile-from', null, null],
    ]);
  });

  it('show a context image the file builds as written when one of its variables has no literal default', () => {
    const bake = CI_BAKE.replace('${VERSION}"', '${VERSION}-${FLAVOR}"');
    const found = scanTexts({ 'ci/build-ci.hcl': bake }).references;
    expect(found.map((reference) => [reference.line, reference.value, reference.skip])).toEqual([
      [15, '${ORG}/base:${VERSION}-${FLAVOR}', 'local-stage'],
      [16, 'registry.example.test/tools/go:1.23', null],
    ]);
  });

  it('name a context by an image name in quotes or by an expression, and give no image for an empty `docker-image://scratch`', () => {
    const bake = [
      'variable "EXTRAS" {', // 1
      '  default = ""', // 2
      '}', // 3
      'target "cross" {', // 4
      '  context = "tools/cross"', // 5
      '}', // 6
      'target "linker" {', // 7
      '  context = "tools/linker"', // 8
      '  contexts = {', // 9
      '    "registry.example.test/team/cross" = "target:cross"', // 10
      '    "extras" = EXTRAS != "" ? "target:extras" : "docker-image://scratch"', // 11
      '    sdk = "docker-image://SCRATCH"', // 12
      '    toolchain = "docker-image://registry.example.test/tools/go:1.23"', // 13
      '  }', // 14
      '}', // 15
      '',
    ].join('\n');
    const linker = [
      'FROM --platform=$BUILDPLATFORM registry.example.test/team/cross AS cross', // 1
      'FROM extras AS extras-stage', // 2
      'FROM registry.example.test/os/slim:12.4', // 3
      'COPY --from=cross / /', // 4
      '',
    ].join('\n');
    // No target builds this one: its `registry.example.test/team/cross` is that image.
    const other = ['FROM registry.example.test/team/cross', ''].join('\n');
    expect(
      rows({ 'docker-bake.hcl': bake, 'tools/linker/Dockerfile': linker, 'tools/cross/Dockerfile': ['FROM registry.example.test/os/slim:12.4', ''].join('\n'), 'other/Dockerfile': other }),
    ).toEqual([
      ['docker-bake.hcl', 13, 'registry.example.test/tools/go:1.23', 'bake-context', null],
      ['other/Dockerfile', 1, 'registry.example.test/team/cross', 'dockerfile-from', 'no-tag'],
      ['tools/cross/Dockerfile', 1, 'registry.example.test/os/slim:12.4', 'dockerfile-from', null],
      ['tools/linker/Dockerfile', 3, 'registry.example.test/os/slim:12.4', 'dockerfile-from', null],
    ]);
  });
});

describe('a JSON bake file', () => {
  it('is parsed once when the scan gathers build facts and once when it reads the file, its tags and contexts read from that parse', () => {
    const json = JSON.stringify(
      {
        target: {
          base: { context: 'services/base', tags: ['registry.example.test/mail/base:2.1.0'] },
          web: { context: 'services/web', contexts: { base: 'target:base', tools: 'docker-image://registry.example.test/mail/tools:1.3.0' } },
        },
      },
      null,
      2,
    );
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const found = rows({ 'ci/build.json': json, 'services/web/Dockerfile': 'FROM registry.example.test/mail/base:2.1.0\n' });
      expect(found).toEqual([
        ['ci/build.json', 13, 'registry.example.test/mail/tools:1.3.0', 'bake-context', null],
        ['services/web/Dockerfile', 1, 'registry.example.test/mail/base:2.1.0', 'dockerfile-from', 'local-stage'],
      ]);
      expect(parse.mock.calls.filter(([text]) => text === json)).toHaveLength(2);
    } finally {
      parse.mockRestore();
    }
  });
});
