import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTree } from '../../src/cli/read-tree.js';
import { scanFiles } from '../../src/scan/scan-files.js';
import { projectScan, type ExpectedFixture } from '../support/fixture-projection.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures');
const formats = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(path.join(FIXTURES, entry.name, 'expected.json')))
  .map((entry) => entry.name);

describe('fixtures: the whole scanner over each fixtures/<format>/ tree', () => {
  it('has fixtures for every format', () => {
    expect(formats.length).toBeGreaterThan(0);
  });

  for (const format of formats) {
    it(`${format} matches expected.json byte-exactly`, async () => {
      const root = path.join(FIXTURES, format);
      const tree = await readTree(root);
      const result = scanFiles(tree.files);
      const actual = projectScan(result.references, [...tree.problems, ...result.problems]);
      const expectedPath = path.join(root, 'expected.json');
      if (process.env.UPDATE_FIXTURES === '1') {
        writeFileSync(expectedPath, `${JSON.stringify(actual, null, 2)}\n`);
      }
      const expected = JSON.parse(readFileSync(expectedPath, 'utf8')) as ExpectedFixture;
      expect(actual).toEqual(expected);
    });
  }
});
