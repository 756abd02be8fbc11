import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../../src/core/source-file.js';
import { applyEdits } from '../../../src/core/text-edit.js';
import { editsForReference } from '../../../src/plan/edits-for-reference.js';
import { EMPTY_CONTEXT } from '../../../src/scan/extractor.js';
import { extractFixtures } from '../../support/fixture-projection.js';
import { dockerfileExtractor } from '../../../src/scan/extractors/dockerfile/dockerfile.js';

const FIXTURES = new URL('../../../fixtures/dockerfile/', import.meta.url).pathname;

function scan(text: string, path = 'Dockerfile') {
  return dockerfileExtractor.extract(sourceFile(path, Buffer.from(text, 'latin1')), EMPTY_CONTEXT);
}

describe('dockerfile fixtures', () => {
  it('match expected.json', () => {
    const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8'));
    const { claimed, references, problems } = extractFixtures(dockerfileExtractor, FIXTURES);
    expect(claimed).toEqual([
      'Dockerfile',
      'broken/Dockerfile',
      'build/go.Dockerfile',
      'ci/runner.dockerfile',
      'quoted/Dockerfile',
      'services/api/Containerfile',
      'tests/helper/Dockerfile-windows',
      'tools/Dockerfile.release',
      'windows/Dockerfile.windows',
    ]);
    expect(references).toEqual(expected.references);
    expect(problems).toEqual(expected.problems);
  });

  it('spans hold exactly the bytes they name', () => {
    for (const { bytes, span } of extractFixtures(dockerfileExtractor, FIXTURES).spans) expect(bytes.toString('latin1', span.start, span.end)).toBe(span.text);
  });
});

describe('dockerfile claims', () => {
  const claims = (path: string) => dockerfileExtractor.claims(sourceFile(path, Buffer.from('FROM x\n')), EMPTY_CONTEXT);

  it('takes Dockerfile and Containerfile names in any directory and case', () => {
    for (const path of [
      'Dockerfile',
      'a/b/dockerfile',
      'Containerfile',
      'deploy/Dockerfile.prod',
      'Dockerfile.windows',
      'build/app.Dockerfile',
      'x/y.dockerfile',
      'svc.containerfile',
      'Containerfile.arm64',
      'DOCKERFILE',
    ]) {
      expect(claims(path), path).toBe(true);
    }
  });

  it('leaves documentation, ignore files and look-alikes alone', () => {
    for (const path of [
      'Dockerfile.md',
      'docs/dockerfile.txt',
      'Dockerfile.dockerignore',
      'app.Dockerfile.dockerignore',
      'Dockerfiles/readme',
      'my-dockerfile',
      'dockerfile-lint.yaml',
      '.dockerfile',
      'Dockerfile/app.yaml',
      'Dockerfile.',
    ]) {
      expect(claims(path), path).toBe(false);
    }
  });
});

describe('dockerfile FROM', () => {
  it('records the platform and reports the image only', () => {
    const [reference] = scan('FROM --platform=linux/arm64 redis:7.2.5-alpine AS cache\n').references;
    expect(reference?.detail).toBe('platform=linux/arm64');
    expect(reference?.value).toBe('redis:7.2.5-alpine');
    expect(reference?.column).toBe(29);
  });

  it('skips scratch and earlier stages, case-insensitively, but not later stage names', () => {
    const result = scan('FROM scratch AS Base\nFROM BASE\nFROM base AS app\nFROM app:1.0 AS other\nfrom app\n');
    expect(result.references.map((r) => [r.line, r.value])).toEqual([[4, 'app:1.0']]);
  });

  it('uses only global ARGs for FROM', () => {
    const result = scan('ARG A=1.0\nFROM alpine:3.20\nARG B=2.0\nFROM img:$B\nFROM img:$A\n');
    expect(result.references.map((r) => [r.value, r.skip])).toEqual([
      ['alpine:3.20', null],
      ['img:$B', 'templated'],
      ['img:1.0', null],
    ]);
  });

  it('shows defaults that use variables without editing them; empty defaults and `:+` modifiers stay unresolved', () => {
    const text = 'ARG BASE=alpine\nARG TAG=${BASE}\nARG EMPTY=\nARG V=1\nFROM x:$TAG\nFROM x:$EMPTY\nFROM x:${V:-2}\nFROM x:${V:+2}\nFROM x:$V$\n';
    expect(scan(text).references.map((r) => [r.value, r.skip, r.spans.length])).toEqual([
      ['x:alpine', 'templated', 1],
      ['x:$EMPTY', 'templated', 1],
      ['x:1', null, 2],
      ['x:${V:+2}', 'templated', 1],
      ['x:$V$', 'templated', 1],
    ]);
  });

  it('an empty default before a literal image stands for nothing: the image is read, and updated in its own characters', () => {
    const text = 'ARG ARCH_PREFIX=\nARG QUOTED=""\nFROM ${ARCH_PREFIX}debian:bookworm\nFROM ${QUOTED}busybox:1.36 AS tools\n';
    const references = scan(text).references;
    expect(references.map((r) => [r.line, r.value, r.skip, r.spans.map((span) => [span.role, span.text, span.line, span.column, span.variable])])).toEqual([
      [
        3,
        'debian:bookworm',
        null,
        [
          ['template', '${ARCH_PREFIX}debian:bookworm', 3, 6, undefined],
          ['variable', '', 1, 17, 'ARCH_PREFIX'],
        ],
      ],
      [
        4,
        'busybox:1.36',
        null,
        [
          ['template', '${QUOTED}busybox:1.36', 4, 6, undefined],
          ['variable', '', 2, 13, 'QUOTED'],
        ],
      ],
    ]);
    const bytes = Buffer.from(text, 'latin1');
    const digest = `sha256:${'4'.repeat(64)}`;
    const update = editsForReference(references[0]!, { tag: 'trixie', digest: null });
    const pin = editsForReference(references[1]!, { tag: '1.36', digest });
    if (!update.ok || !pin.ok) throw new Error('no plan');
    expect(Buffer.from(applyEdits(bytes, [...update.edits, ...pin.edits])).toString('latin1')).toBe(
      `ARG ARCH_PREFIX=\nARG QUOTED=""\nFROM \${ARCH_PREFIX}debian:trixie\nFROM \${QUOTED}busybox:1.36@${digest} AS tools\n`,
    );
  });

  it('resolves an ARG default built from other ARGs for display: the detail names them, nothing is edited', () => {
    const text =
      'ARG REGISTRY=quay.io\nARG OWNER=lab\nARG BASE_IMAGE=$REGISTRY/$OWNER/base-notebook:2025-01-06\nFROM $BASE_IMAGE\nARG LOOP=$LOOP\nFROM $LOOP\nARG UNSET\nARG PARTIAL=$UNSET/app:1\nFROM $PARTIAL\n';
    expect(scan(text).references.map((r) => [r.line, r.value, r.skip, r.spans.map((span) => span.text), r.detail])).toEqual([
      [4, 'quay.io/lab/base-notebook:2025-01-06', 'templated', ['$BASE_IMAGE'], 'ARG defaults built from other ARGs (BASE_IMAGE, REGISTRY, OWNER): shown, not edited'],
      [6, '$LOOP', 'templated', ['$LOOP'], undefined],
      [9, '$PARTIAL', 'templated', ['$PARTIAL'], undefined],
    ]);
  });

  it('shows a default that uses an ARG without a default with the defaults there are put in and that ARG as written', () => {
    const text = [
      'ARG REGISTRY', // 1
      'ARG TEAM=team', // 2
      'ARG BUILDER="${REGISTRY}/${TEAM}/builder:local"', // 3
      'ARG RUNNER=${REGISTRY}/runner', // 4
      'ARG FLAVOUR', // 5
      'ARG STAGE=tools-${FLAVOUR}', // 6
      'FROM $BUILDER AS build', // 7
      'FROM ${RUNNER}:2.1 AS tools-slim', // 8
      'FROM $STAGE', // 9
      'FROM $REGISTRY', // 10
      '',
    ].join('\n');
    const through = 'ARG defaults put in where they are given (no default for ${REGISTRY}): shown, not edited';
    expect(scan(text).references.map((r) => [r.line, r.value, r.skip, r.spans.map((span) => span.text), r.detail])).toEqual([
      [7, '${REGISTRY}/team/builder:local', 'templated', ['$BUILDER'], through],
      [8, '${REGISTRY}/runner:2.1', 'templated', ['${RUNNER}:2.1'], through],
      [10, '$REGISTRY', 'templated', ['$REGISTRY'], undefined],
    ]);
  });

  it('takes several ARGs on one line, the last value wins, and a variable used twice gets one span', () => {
    const text = "ARG REG=ghcr.io/acme V=1\nARG V='2.4.0'\nFROM $REG/tool:$V-$V\n";
    const [reference] = scan(text).references;
    expect(reference?.value).toBe('ghcr.io/acme/tool:2.4.0-2.4.0');
    expect(reference?.spans.map((s) => [s.role, s.text, s.line, s.column, s.variable])).toEqual([
      ['template', '$REG/tool:$V-$V', 3, 6, undefined],
      ['variable', 'ghcr.io/acme', 1, 9, 'REG'],
      ['variable', '2.4.0', 2, 8, 'V'],
    ]);
  });

  it('an ARG default naming a stage is the stage', () => {
    expect(scan('ARG BASE=builder\nFROM golang:1.22 AS builder\nFROM ${BASE}\n').references.map((r) => r.value)).toEqual(['golang:1.22']);
  });

  it('a variable followed by a quoted text ends at the quote, as the shell reads it: $MIRROR"alpine:3.20" is ${MIRROR}alpine:3.20', () => {
    const text = [
      'ARG MIRROR=registry.example.test/',
      'ARG EMPTY=',
      'ARG UNSET',
      'FROM $MIRROR"alpine:3.20"',
      'FROM $EMPTY"alpine:3.20"',
      'FROM $UNSET"alpine:3.20"',
      "FROM $MIRROR'busybox':1.36",
      '',
    ].join('\n');
    expect(scan(text).references.map((reference) => [reference.line, reference.value, reference.skip])).toEqual([
      [4, 'registry.example.test/alpine:3.20', 'unsupported-quoting'],
      [5, 'alpine:3.20', 'unsupported-quoting'],
      [6, '${UNSET}alpine:3.20', 'templated'],
      [7, 'registry.example.test/busybox:1.36', 'unsupported-quoting'],
    ]);
  });

  it('a template action with spaces inside ({{ … }}, [[ … ]]) is one word: the FROM is templated and its stage name is read', () => {
    const text = [
      'FROM [[ .BaseImage ]] AS base',
      'FROM {{ spec.builder }} AS builder',
      'FROM [[ .Registry ]]/tools/lint:1.0',
      'FROM base',
      'COPY --from=builder /out /out',
      'FROM [[ never closed',
      '',
    ].join('\n');
    expect(scan(text).references.map((reference) => [reference.line, reference.value, reference.skip, reference.spans.map((span) => span.text)])).toEqual([
      [1, '[[ .BaseImage ]]', 'templated', ['[[ .BaseImage ]]']],
      [2, '{{ spec.builder }}', 'templated', ['{{ spec.builder }}']],
      [3, '[[ .Registry ]]/tools/lint:1.0', 'templated', ['[[ .Registry ]]/tools/lint:1.0']],
      [6, '[[', 'invalid-reference', ['[[']],
    ]);
  });

  it('several template actions with spaces inside one word are that one word, also after literal text', () => {
    const text = [
      '{% if item.registry is defined %}',
      'FROM {{ item.registry.url }}/{{ item.image }}',
      '{% endif %}',
      'FROM registry.example.test/{{ team }}/relay:{{ relay_tag }} AS relay',
      'FROM [[ .Registry ]]/[[ .Name ]]:1.0',
      'COPY --from=relay /out /out',
      '',
    ].join('\n');
    expect(scan(text).references.map((reference) => [reference.line, reference.value, reference.skip, reference.spans.map((span) => span.text)])).toEqual([
      [2, '{{ item.registry.url }}/{{ item.image }}', 'templated', ['{{ item.registry.url }}/{{ item.image }}']],
      [4, 'registry.example.test/{{ team }}/relay:{{ relay_tag }}', 'templated', ['registry.example.test/{{ team }}/relay:{{ relay_tag }}']],
      [5, '[[ .Registry ]]/[[ .Name ]]:1.0', 'templated', ['[[ .Registry ]]/[[ .Name ]]:1.0']],
    ]);
  });

  it('an image split by a line continuation is reported but not editable', () => {
    const [reference] = scan('FROM nginx:1.25\\\n.3\n').references;
    expect([reference?.value, reference?.skip, reference?.spans[0]?.text]).toEqual(['nginx:1.25.3', 'unsupported-quoting', 'nginx:1.25\\\n.3']);
  });

  it('editing the variable span updates the image and keeps the rest byte-identical', () => {
    const text = '\ufeffARG NODE="20.11.1"\r\nFROM node:${NODE}-alpine\r\n';
    const bytes = Buffer.from(text, 'utf8');
    const [reference] = dockerfileExtractor.extract(sourceFile('Dockerfile', bytes), EMPTY_CONTEXT).references;
    const variable = reference!.spans.find((span) => span.role === 'variable')!;
    expect([variable.start, variable.end, variable.line, variable.column]).toEqual([13, 20, 1, 11]);
    const edited = applyEdits(bytes, [{ start: variable.start, end: variable.end, expected: variable.text, replacement: '20.15.0' }]);
    expect(Buffer.from(edited).toString('utf8')).toBe('\ufeffARG NODE="20.15.0"\r\nFROM node:${NODE}-alpine\r\n');
  });
});

describe('dockerfile lines', () => {
  it('joins continuations across comments and blank lines', () => {
    const result = scan('FROM \\\n# the base\n\n   alpine:3.20.1 \\  \n   AS base\nCOPY --from=base / /\n');
    expect(result.references.map((r) => [r.value, r.line, r.column])).toEqual([['alpine:3.20.1', 4, 4]]);
  });

  it('honours the escape directive only at the top', () => {
    expect(scan('# escape=`\nFROM `\n  busybox:1.36\n').references.map((r) => [r.value, r.line])).toEqual([['busybox:1.36', 3]]);
    const late = scan('\n# escape=`\nFROM `\n  busybox:1.36\n');
    expect(late.references.map((r) => [r.value, r.skip])).toEqual([['`', 'invalid-reference']]);
  });

  it('reads the syntax directive, but not after an instruction or comment', () => {
    const result = scan('#syntax = docker/dockerfile:1.9 \nFROM a:1\n# syntax=docker/dockerfile:1.4\n');
    expect(result.references.map((r) => [r.value, r.column, r.detail])).toEqual([
      ['docker/dockerfile:1.9', 11, 'syntax directive'],
      ['a:1', 6, undefined],
    ]);
    expect(scan('# a comment\n# syntax=docker/dockerfile:1\nFROM a:1\n').references).toHaveLength(1);
  });

  it('skips heredoc bodies: <<-, quoted names and several heredocs on one line', () => {
    const text = ['FROM alpine:3.20', 'RUN <<-"ONE" <<TWO cat', '\tFROM not:this', '\tONE', 'FROM nor:this', 'TWO', 'COPY <<EOF /etc/motd', 'FROM neither:that', 'EOF', 'from busybox:1.36.1'].join(
      '\n',
    );
    expect(scan(text).references.map((r) => r.value)).toEqual(['alpine:3.20', 'busybox:1.36.1']);
  });

  it('reports an unterminated heredoc with the line of its instruction', () => {
    const result = scan('FROM a:1\n\nRUN <<EOT\necho\nFROM b:2\n');
    expect(result.references.map((r) => r.value)).toEqual(['a:1']);
    expect(result.problems).toEqual([{ file: 'Dockerfile', line: 3, code: 'parse-error', message: 'Dockerfile: heredoc <<EOT is not terminated' }]);
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('F', 'R', 'O', 'M', ' ', '\\', '\n', '$', '{', '}', '"', "'", '<', '-', 'a', ':', '=', '#', '`') }), (body) => {
        const result = scan(`ARG A=1\n${body}`);
        for (const reference of result.references) expect(reference.kind).toBe('dockerfile-from');
      }),
      { numRuns: 500 },
    );
  });
});

describe('dockerfile COPY --from and RUN --mount', () => {
  it('reports images, not stage names or indexes', () => {
    const text = [
      'FROM golang:1.22 AS build',
      'COPY --from=build /a /a',
      'COPY --from=0 /b /b',
      'COPY --chmod=755 --from=bitnami/kubectl /usr/bin/kubectl /k',
      'RUN --mount=type=bind,from=Build,target=/x --mount=from=ghcr.io/acme/assets:2024.06,target=/assets true',
      'COPY --from=$TOOLS /t /t',
      'ADD --from=nginx:1 /x /x',
      'COPY /src --from=alpine:3 /dst',
    ].join('\n');
    expect(scan(text).references.map((r) => [r.line, r.column, r.value, r.skip, r.detail ?? null])).toEqual([
      [1, 6, 'golang:1.22', null, null],
      [4, 25, 'bitnami/kubectl', 'no-tag', 'COPY --from'],
      [5, 57, 'ghcr.io/acme/assets:2024.06', null, 'RUN --mount'],
      [6, 13, '$TOOLS', 'templated', 'COPY --from'],
    ]);
  });
});
