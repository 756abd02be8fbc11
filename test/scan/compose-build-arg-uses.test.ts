import { describe, expect, it } from 'vitest';
import { fromArgumentUses } from '../../src/scan/extractors/compose/compose.js';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) =>
  scanTexts(files)
    .references.filter((reference) => reference.kind === 'compose-service')
    .map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.spans.map((span) => [span.role, span.text, span.line])]);

const compose = [
  'services:', // 1
  '  dashboards:', // 2
  '    build:', // 3
  '      context: ./docker', // 4
  '      args:', // 5
  '        edition_image: ${EDITION_IMAGE:-dashboards}', // 6
  '        edition_tag: ${EDITION_TAG:-11.2.0}', // 7
  '  worker:', // 8
  '    build:', // 9
  '      context: worker', // 10
  '      dockerfile: build/Containerfile', // 11
  '      args:', // 12
  '        RUNTIME_IMAGE: registry.example.test/base/runtime', // 13
  '        RUNTIME_TAG: "2.4.1"', // 14
  '  api:', // 15
  '    build:', // 16
  '      context: api', // 17
  '      args:', // 18
  '        BASE_IMAGE: registry.example.test/base/api', // 19
  '',
].join('\n');

/** The dashboards image takes the argument as a part of its name; the worker as the whole name, with a tag argument. */
const dashboards = 'ARG edition_image=dashboards-oss\nARG edition_tag=latest\nFROM registry.example.test/vendor/${edition_image}:${edition_tag}\n';
const worker = 'ARG RUNTIME_IMAGE\nARG RUNTIME_TAG\nFROM ${RUNTIME_IMAGE}:${RUNTIME_TAG} AS run\n';

describe('a compose build argument and the Dockerfile it feeds', () => {
  it('is no image when the FROM uses it as a part of a name; with a tag argument beside a whole name, it takes that tag', () => {
    // Before, line 6 was reported as `dashboards` (no-tag) and line 13 as `registry.example.test/base/runtime` (no-tag).
    expect(scan({ 'compose.yaml': compose, 'docker/Dockerfile': dashboards, 'worker/build/Containerfile': worker })).toEqual([
      [
        'compose.yaml',
        13,
        'registry.example.test/base/runtime:2.4.1',
        null,
        [
          ['repository', 'registry.example.test/base/runtime', 13],
          ['tag', '2.4.1', 14],
        ],
      ],
      ['compose.yaml', 19, 'registry.example.test/base/api', 'no-tag', [['reference', 'registry.example.test/base/api', 19]]],
    ]);
  });

  it('reads the FROM lines for whole and partial uses', () => {
    expect(Object.fromEntries(fromArgumentUses('FROM ${A}\nFROM $B:$C AS x\nfrom --platform=$P registry.example.test/${D}:1\nFROM ${E}-slim\n'))).toEqual({
      A: { whole: true, tag: null, part: false },
      B: { whole: true, tag: 'C', part: false },
      D: { whole: false, tag: null, part: true },
      E: { whole: false, tag: null, part: true },
    });
  });
});
