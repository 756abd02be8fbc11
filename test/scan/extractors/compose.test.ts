import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../../src/core/source-file.js';
import { applyEdits } from '../../../src/core/text-edit.js';
import { EMPTY_CONTEXT } from '../../../src/scan/extractor.js';
import { composeExtractor } from '../../../src/scan/extractors/compose/compose.js';
import { EXTRACTORS } from '../../../src/scan/extractors/index.js';
import { extractorFor, scanFiles } from '../../../src/scan/scan-files.js';
import { project, readExpected, scanFixtures } from './yaml-image-fixtures.js';
import { readTree } from '../../../src/cli/read-tree.js';
import { scanTexts } from '../../support/scan-texts.js';

const ROOT = new URL('../../../fixtures/compose/', import.meta.url).pathname;

/** Does a scan give this file to the compose extractor? */
function claims(path: string, text: string): boolean {
  return extractorFor(sourceFile(path, Buffer.from(text, 'utf8')), new Map(), EXTRACTORS) === composeExtractor;
}

describe('compose extractor', () => {
  it('matches the fixtures', () => {
    const scanned = scanFixtures(ROOT);
    const expected = readExpected(ROOT);
    expect(scanned.references).toEqual(expected.references);
    expect(scanned.problems).toEqual(expected.problems);
  });

  it('claims compose files by name or by a services map, and leaves service catalogues alone', () => {
    const { claimedBy } = scanFixtures(ROOT);
    expect(claimedBy).toEqual({
      'build/docker-compose.yml': 'compose',
      'compose.prod.yaml': 'compose',
      'defaults/docker-compose.yml': 'compose',
      'deploy/stack.yml': 'compose',
      'dev/docker-compose.override.yml': 'compose',
      'dev/services.yaml': 'generic-yaml',
      'docker-compose.yml': 'compose',
      'platform/app/Dockerfile': 'dockerfile',
      'platform/base/Dockerfile': 'dockerfile',
      'platform/docker-compose.yml': 'compose',
    });
  });

  it('does not claim manifests, Helm values or services lists', () => {
    expect(claims('svc.yaml', 'apiVersion: v1\nkind: Service\nservices:\n  a: {image: x:1}\n')).toBe(false);
    expect(claims('charts/app/values.yaml', 'services:\n  a: {image: x:1}\n')).toBe(false);
    expect(claims('ci.yaml', 'services:\n  - postgres:16\n')).toBe(false);
    expect(claims('docker-compose.json', '{}')).toBe(false);
    expect(claims('Compose.Dev.YML', 'services: {}\n')).toBe(true);
    expect(claims('infra/app.yaml', 'services:\n  a:\n    build: .\n  b:\n')).toBe(true);
    expect(claims('infra/aliased.yaml', 'x-base: &base {image: nginx:1.27.0}\nservices:\n  a: *base\n  b:\n    <<: *base\n    build: .\n')).toBe(true);
  });

  it('reports a parse problem with its line and keeps the other documents', () => {
    const file = sourceFile('docker-compose.yml', Buffer.from('services:\n  a:\n    image: [x\n---\nservices:\n  b:\n    image: nginx:1.27.0\n'));
    const result = composeExtractor.extract(file, EMPTY_CONTEXT);
    expect(result.references.map(project)).toEqual([
      { line: 7, column: 12, value: 'nginx:1.27.0', kind: 'compose-service', skip: null, image: 'docker.io/library/nginx:1.27.0', spans: [['reference', 'nginx:1.27.0', 7, 12]] },
    ]);
    // the unclosed flow sequence is noticed where the document marker interrupts it
    expect(result.problems.map((problem) => [problem.line, problem.code])).toEqual([[4, 'parse-error']]);
  });

  it('reports the default of a whole-value ${NAME:-image}, says the environment may override it, and edits inside the braces', () => {
    const text = 'services:\n  db:\n    image: "${DB_IMAGE:-postgres:16.4}"\n  web:\n    image: app:${TAG:-1.0}\n';
    const bytes = Buffer.from(text, 'utf8');
    const [db, web] = composeExtractor.extract(sourceFile('docker-compose.yml', bytes), EMPTY_CONTEXT).references;
    expect([db!.value, db!.skip, db!.detail, db!.line, db!.column]).toEqual(['postgres:16.4', null, 'default of ${DB_IMAGE}; the environment may set another image', 3, 25]);
    expect([web!.value, web!.skip, web!.detail]).toEqual(['app:1.0', null, 'default of ${TAG}; the environment may set another value']);
    const span = db!.spans[0]!;
    const edited = applyEdits(bytes, [{ start: span.start, end: span.end, expected: span.text, replacement: 'postgres:16.5@sha256:' + 'a'.repeat(64) }]);
    expect(Buffer.from(edited).toString('utf8')).toBe(text.replace('postgres:16.4', 'postgres:16.5@sha256:' + 'a'.repeat(64)));
  });

  it('marks a FROM or build argument that uses an image a compose service builds here, naming where it is built', () => {
    const files = [
      sourceFile(
        'docker-compose.yml',
        Buffer.from('services:\n  base:\n    image: acme/base:1.0\n    build: ./base\n  app:\n    build:\n      context: .\n      args:\n        BASE_IMAGE: acme/base:1.0\n'),
      ),
      sourceFile('app/Dockerfile', Buffer.from('FROM docker.io/acme/base:1.0\nFROM acme/base:1.1\n')),
    ];
    const { references } = scanFiles(files);
    expect(references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail ?? null])).toEqual([
      ['app/Dockerfile', 1, 'docker.io/acme/base:1.0', 'local-stage', 'built in this repository (docker-compose.yml:3)'],
      ['app/Dockerfile', 2, 'acme/base:1.1', null, null],
      ['docker-compose.yml', 3, 'acme/base:1.0', null, null],
      ['docker-compose.yml', 9, 'acme/base:1.0', 'local-stage', 'built in this repository (docker-compose.yml:3)'],
    ]);
  });

  it('a build argument naming an image the project builds is built here: through .env, extends (another file or the same one), include and other compose files', async () => {
    const tree = await readTree(new URL('../../../fixtures/compose-builds/', import.meta.url).pathname);
    const { references } = scanFiles(tree.files);
    expect(references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail ?? null])).toEqual([
      ['ci/docker-compose.smoke.yml', 8, 'acme-runtime:2.1-local', 'local-stage', 'built in this repository (compose.runtime.yaml:7)'],
      ['ci/docker-compose.smoke.yml', 10, 'registry:2.8.3', null, null],
      ['compose.runtime.yaml', 6, 'acme-compiler:2.1-local', 'local-stage', 'built in this repository (compose.yaml:14)'],
      ['compose.runtime.yaml', 7, 'acme-runtime:2.1-local', null, null],
      ['compose.yaml', 8, 'acme-toolchain:2.1-local', null, 'TOOLCHAIN_IMAGE from .env:2, TOOLCHAIN_TAG from .env:3, edited there'],
      ['compose.yaml', 13, 'acme-toolchain:2.1-local', 'local-stage', 'TOOLCHAIN_IMAGE from .env:2, TOOLCHAIN_TAG from .env:3, edited there; built in this repository (compose.yaml:8)'],
      ['compose.yaml', 14, 'acme-compiler:2.1-local', null, null],
      ['compose.yaml', 20, 'acme-worker:2.1-local', null, null],
      ['compose.yaml', 28, 'acme-worker:2.1-local', 'local-stage', 'built in this repository (compose.yaml:20)'],
      ['compose.yaml', 29, 'acme-docs', 'local-stage', 'built in this repository (compose.yaml:23)'],
      ['compose.yaml', 30, 'python:3.12.7-slim', null, null],
    ]);
  });

  it('the image of a service that extends one without build:, or a chain that loops, builds nothing', () => {
    const files = {
      'docker-compose.yml':
        'services:\n  base:\n    image: acme/base:1.0\n  app:\n    extends: base\n    image: acme/app:1.0\n  loop-a:\n    extends: loop-b\n    image: acme/a:1.0\n  loop-b:\n    extends: loop-a\n    image: acme/b:1.0\n  away:\n    extends: {file: ../../outside.yaml, service: x}\n    image: acme/c:1.0\n',
      'other/docker-compose.yml': 'services:\n  use:\n    build:\n      context: .\n      args:\n        A_IMAGE: acme/app:1.0\n        B_IMAGE: acme/a:1.0\n        C_IMAGE: acme/c:1.0\n',
    };
    expect(scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip])).toEqual([
      ['docker-compose.yml', 3, 'acme/base:1.0', null],
      ['docker-compose.yml', 6, 'acme/app:1.0', null],
      ['docker-compose.yml', 9, 'acme/a:1.0', null],
      ['docker-compose.yml', 12, 'acme/b:1.0', null],
      ['docker-compose.yml', 15, 'acme/c:1.0', null],
      ['other/docker-compose.yml', 6, 'acme/app:1.0', null],
      ['other/docker-compose.yml', 7, 'acme/a:1.0', null],
      ['other/docker-compose.yml', 8, 'acme/c:1.0', null],
    ]);
  });

  it('the same name built by services of two compose files stays reported in both; a use elsewhere is built here', () => {
    const service = 'services:\n  app:\n    build: .\n    image: acme/app:2.0\n';
    const files = { 'a/compose.yaml': service, 'b/compose.yaml': service, 'c/compose.yaml': 'services:\n  run:\n    image: acme/app:2.0\n' };
    expect(scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail ?? null])).toEqual([
      ['a/compose.yaml', 4, 'acme/app:2.0', null, null],
      ['b/compose.yaml', 4, 'acme/app:2.0', null, null],
      ['c/compose.yaml', 3, 'acme/app:2.0', 'local-stage', 'built in this repository (a/compose.yaml:4)'],
    ]);
  });

  it('an image without a tag beside build: only names the local result, with a namespace too; one with a registry host stays reported', () => {
    const compose = [
      'services:',
      '  graph:',
      '    platform: linux/amd64',
      '    image: example/graph-server',
      '    build: images/graph-server',
      '  mirror:',
      '    image: registry.example.test/team/mirror',
      '    build: images/mirror',
      '  local:',
      '    image: localhost/team/sidecar',
      '    build: images/sidecar',
      '  pulled:',
      '    image: example/pulled-only',
      '',
    ].join('\n');
    const files = [sourceFile('docker-compose.yaml', Buffer.from(compose)), sourceFile('tests/Dockerfile', Buffer.from('FROM example/graph-server\n'))];
    expect(scanFiles(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail ?? null])).toEqual([
      ['docker-compose.yaml', 7, 'registry.example.test/team/mirror', 'no-tag', null],
      ['docker-compose.yaml', 10, 'localhost/team/sidecar', 'no-tag', null],
      ['docker-compose.yaml', 13, 'example/pulled-only', 'no-tag', null],
      ['tests/Dockerfile', 1, 'example/graph-server', 'local-stage', 'built in this repository (docker-compose.yaml:4)'],
    ]);
  });

  it('an image without a tag beside build: written with variables only names the local result once they are resolved', () => {
    const compose = [
      'services:', // 1
      '  seed:', // 2
      '    image: seed_runner-${STAGE:-test}', // 3
      '    build: tools/seed', // 4
      '  report:', // 5
      '    image: ${REPORT_IMAGE}', // 6
      '    build: tools/report', // 7
      '  mirror:', // 8
      '    image: registry.example.test/team/mirror-${STAGE:-test}', // 9
      '    build: tools/mirror', // 10
      '  tagged:', // 11
      '    image: team/tagged-${STAGE:-test}:1.0', // 12
      '    build: tools/tagged', // 13
      '  pulled:', // 14
      '    image: team/pulled-${STAGE:-test}', // 15
      '',
    ].join('\n');
    const files = [
      sourceFile('docker-compose.yaml', Buffer.from(compose)),
      sourceFile('.env', Buffer.from('REPORT_IMAGE=report_builder\n')),
      sourceFile('tests/Dockerfile', Buffer.from('FROM seed_runner-test\n')),
    ];
    expect(scanFiles(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail ?? null])).toEqual([
      ['docker-compose.yaml', 9, 'registry.example.test/team/mirror-test', 'no-tag', 'default of ${STAGE}; the environment may set another value'],
      ['docker-compose.yaml', 12, 'team/tagged-test:1.0', null, 'default of ${STAGE}; the environment may set another value'],
      ['docker-compose.yaml', 15, 'team/pulled-test', 'no-tag', 'default of ${STAGE}; the environment may set another value'],
      ['tests/Dockerfile', 1, 'seed_runner-test', 'local-stage', 'built in this repository (docker-compose.yaml:3)'],
    ]);
  });

  it('an image: beside build: with pull_policy never or build only names what the service builds, whatever host it writes: local-stage', () => {
    const compose = [
      'services:', // 1
      '  lint:', // 2
      '    image: localhost/lint-kit:latest', // 3
      '    build: tools/lint-kit', // 4
      '    pull_policy: never', // 5
      '  docs:', // 6
      '    image: registry.example.test/team/docs-site:2.1', // 7
      '    pull_policy: build', // 8
      '    build:', // 9
      '      context: docs', // 10
      '  cache:', // 11
      '    image: registry.example.test/team/cache:3.0', // 12
      '    build: cache', // 13
      '    pull_policy: missing', // 14
      '  store:', // 15
      '    image: registry.example.test/team/store:1.4', // 16
      '    pull_policy: never', // 17
      '',
    ].join('\n');
    const files = [sourceFile('compose.yaml', Buffer.from(compose)), sourceFile('tests/Dockerfile', Buffer.from('FROM localhost/lint-kit:latest\n'))];
    expect(scanFiles(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail ?? null])).toEqual([
      ['compose.yaml', 3, 'localhost/lint-kit:latest', 'local-stage', 'names what the service builds: with pull_policy: never compose never pulls it'],
      ['compose.yaml', 7, 'registry.example.test/team/docs-site:2.1', 'local-stage', 'names what the service builds: with pull_policy: build compose never pulls it'],
      ['compose.yaml', 12, 'registry.example.test/team/cache:3.0', null, null],
      ['compose.yaml', 16, 'registry.example.test/team/store:1.4', null, null],
      ['tests/Dockerfile', 1, 'localhost/lint-kit:latest', 'local-stage', 'built in this repository (compose.yaml:3)'],
    ]);
  });
});
