import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { scanFiles } from '../../src/scan/scan-files.js';
import { parseCache } from '../../src/scan/yaml-parse-cache.js';
import { yamlSource } from '../../src/scan/yaml-source.js';

/** A cache over texts whose parse is counted: the value is the text's length and the parse number. */
function counted(budget: number) {
  const parses: string[] = [];
  const cache = parseCache<string>(budget);
  const get = (text: string, cost = 10) =>
    cache.get(text, () => {
      parses.push(text);
      return { value: `${text.length}#${parses.length}`, cost };
    });
  return { parses, get };
}

describe('parsed texts seen again are kept, within a budget', () => {
  it('parses a text twice (the second parse is kept), then serves it without parsing', () => {
    const { parses, get } = counted(100);
    expect([get('a: 1'), get('a: 1'), get('a: 1'), get('a: 1')]).toEqual(['4#1', '4#2', '4#2', '4#2']);
    expect(parses).toEqual(['a: 1', 'a: 1']);
  });

  it('keys by the whole text: one changed character is parsed on its own', () => {
    const { parses, get } = counted(100);
    get('image: nginx:1.25.3');
    get('image: nginx:1.25.3');
    get('image: nginx:1.25.4');
    get('image: nginx:1.25.3');
    expect(parses).toEqual(['image: nginx:1.25.3', 'image: nginx:1.25.3', 'image: nginx:1.25.4']);
  });

  it('drops the least recently used past the budget, and keeps nothing over a quarter of it', () => {
    const { parses, get } = counted(40);
    for (const text of ['a', 'b', 'c', 'a', 'b', 'c']) get(text);
    expect(parses).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    parses.length = 0;
    get('a'); // served, and now the most recently used: b is the least
    for (const text of ['d', 'd', 'e', 'e']) get(text); // e makes 50 over 40: b goes
    for (const text of ['a', 'c', 'd', 'e', 'b']) get(text);
    expect(parses).toEqual(['d', 'd', 'e', 'e', 'b']);
    parses.length = 0;
    for (let round = 0; round < 3; round++) get('large', 11);
    expect(parses).toEqual(['large', 'large', 'large']);
  });
});

describe('files with the same text share one parse, each with its own problems', () => {
  const broken = 'services:\n  web:\n    image: [nginx:1.25.3\n';

  it('reports the parse error of each file under its own path and line', () => {
    const paths = ['a/compose.yaml', 'b/compose.yaml', 'c/compose.yaml'];
    const problems = paths.map((path) => yamlSource(sourceFile(path, Buffer.from(broken))).problems.map((problem) => [problem.file, problem.line, problem.code]));
    expect(problems).toEqual(paths.map((path) => [[path, 4, 'parse-error']]));
  });

  it('finds the same references in every copy, and in a scan after one copy changed', () => {
    const text = 'services:\n  web:\n    image: nginx:1.25.3\n';
    const files = (second: string) => [sourceFile('a/compose.yaml', Buffer.from(text)), sourceFile('b/compose.yaml', Buffer.from(second))];
    const found = (second: string) => scanFiles(files(second)).references.map((reference) => [reference.file, reference.line, reference.column, reference.value]);
    const both = [
      ['a/compose.yaml', 3, 12, 'nginx:1.25.3'],
      ['b/compose.yaml', 3, 12, 'nginx:1.25.3'],
    ];
    expect(found(text)).toEqual(both);
    expect(found(text)).toEqual(both);
    expect(found(text.replace('1.25.3', '1.27.0'))).toEqual([both[0], ['b/compose.yaml', 3, 12, 'nginx:1.27.0']]);
    expect(found(text)).toEqual(both);
  });
});
