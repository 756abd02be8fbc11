import { describe, expect, it } from 'vitest';
import { parseImageRef } from '../../src/core/image-ref.js';
import { scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.line, reference.value, reference.skip]);

describe('A digest that no registry can serve', () => {
  it('parses only a registered algorithm with its full lowercase hex', () => {
    const hex = (n: number, c = 'a') => c.repeat(n);
    expect(
      [
        `registry.example.test/ops/agent@sha256:${hex(64)}`,
        `registry.example.test/ops/agent:2.1@sha512:${hex(128, 'f')}`,
        `registry.example.test/ops/agent@sha384:${hex(96, '0')}`,
        `registry.example.test/ops/agent@sha256:${hex(63)}`,
        `registry.example.test/ops/agent@sha256:${hex(65)}`,
        `registry.example.test/ops/agent@sha256:${hex(64, 'A')}`,
        `registry.example.test/ops/agent@md5:${hex(32)}`,
        'registry.example.test/ops/agent@sha256:pass-a-real-digest-here-or-the-build-will-fail',
      ].map((text) => parseImageRef(text) !== null),
    ).toEqual([true, true, true, false, false, false, false, false]);
  });

  it('is an invalid reference when an ARG default fills it in, never a pin to keep', () => {
    const dockerfile = [
      'ARG BASE_DIGEST="pass-a-real-digest-here-or-the-build-will-fail"',
      'FROM registry.example.test/base/os@sha256:${BASE_DIGEST}',
      `FROM registry.example.test/base/os:1.4@sha256:${'b'.repeat(64)}`,
      'FROM registry.example.test/base/tools@sha256:0123456789abcdef0123456789abcdef',
      '',
    ].join('\n');
    expect(rows({ Dockerfile: dockerfile })).toEqual([
      [2, 'registry.example.test/base/os@sha256:pass-a-real-digest-here-or-the-build-will-fail', 'invalid-reference'],
      [3, `registry.example.test/base/os:1.4@sha256:${'b'.repeat(64)}`, null],
      [4, 'registry.example.test/base/tools@sha256:0123456789abcdef0123456789abcdef', 'invalid-reference'],
    ]);
  });
});
