import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { scanSources } from '../../src/pipeline/pipeline.js';

function rows(path: string, text: string) {
  return scanSources([sourceFile(path, new Uint8Array(Buffer.from(text)))])
    .references.filter((reference) => reference.kind === 'devcontainer-image')
    .map((reference) => [reference.file, reference.line, reference.column, reference.value, reference.skip]);
}

describe('a development container definition’s image', () => {
  it('is its top-level image, read past comments written anywhere, with its line and column', () => {
    const text = [
      '// "image": "registry.example.test/old/commented:1.0",',
      '{',
      '  /* the editor pulls this; "image": "registry.example.test/old/block:1.0" */',
      '  "name": "docs // not a comment", "url": "https://registry.example.test/x",',
      '  "image" /* pinned by the team */ : // here',
      '    "registry.example.test/devtools/base:2.4.1",',
      '  "features": { "registry.example.test/features/node:1": { "image": "registry.example.test/nested/not-read:1" } },',
      '  "customizations": { "image": "registry.example.test/nested/also-not:2" },',
      '}',
      '',
    ].join('\n');
    expect(rows('.devcontainer/devcontainer.json', text)).toEqual([['.devcontainer/devcontainer.json', 6, 6, 'registry.example.test/devtools/base:2.4.1', null]]);
  });

  it('is not read from a comment left open to the end, nor from a value with escapes', () => {
    expect(rows('.devcontainer.json', '{\n  /* "image": "registry.example.test/devtools/base:2.4.1"\n}\n')).toEqual([]);
    expect(rows('.devcontainer.json', '{\n  "image": "registry.example.test/devtools/ba\\u0073e:2.4.1"\n}\n')).toEqual([]);
    expect(rows('.devcontainer/python/devcontainer.json', '{ "image": "registry.example.test/devtools/py:3.13" } // trailing\n')).toEqual([
      ['.devcontainer/python/devcontainer.json', 1, 13, 'registry.example.test/devtools/py:3.13', null],
    ]);
  });
});
