/** The listing's binary check: a NUL byte in a file's first 8 KiB, decided from those bytes alone. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRegularPath } from '../../src/apply/read-regular-file.js';
import { readTree } from '../../src/cli/read-tree.js';
import { scanFiles } from '../../src/scan/scan-files.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function tree(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'archpin-binary-'));
  roots.push(root);
  for (const [name, contents] of Object.entries(files)) writeFileSync(path.join(root, name), contents);
  return root;
}

const POD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: registry.example.test/team/web:2.4.0\n';
/** A comment that pads a file past the first 8 KiB. */
const PADDING = `# ${'notes '.repeat(1400)}\n`;

describe('binary files in a tree', () => {
  it('leaves out a file with a NUL byte in its first 8 KiB and scans one whose NUL byte comes later', async () => {
    const root = tree({
      'early.yaml': Buffer.concat([Buffer.from(POD), Buffer.from([0]), Buffer.from(PADDING)]),
      'late.yaml': `${POD}${PADDING}${PADDING}`.replace(/\n$/, '\u0000\n'),
    });
    const { files, problems } = await readTree(root);
    expect(files.map((file) => file.path)).toEqual(['late.yaml']);
    expect(problems).toEqual([{ file: 'early.yaml', line: null, code: 'file-binary', message: 'binary file (NUL byte); not scanned' }]);
    expect(files[0]?.text.length).toBe(POD.length + 2 * PADDING.length + 1);
    expect(scanFiles(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip])).toEqual([['late.yaml', 8, 'registry.example.test/team/web:2.4.0', null]]);
  });

  it('reads only the head of a file for the check, and still holds the whole file to the size limit', () => {
    const root = tree({ 'long.yaml': `${POD}${PADDING}`, 'short.yaml': POD });
    const head = readRegularPath(path.join(root, 'long.yaml'), 1024 * 1024, { head: 8192 });
    expect(head.ok && Buffer.from(head.bytes).toString('latin1')).toBe(`${POD}${PADDING}`.slice(0, 8192));
    const whole = readRegularPath(path.join(root, 'short.yaml'), 1024 * 1024, { head: 8192 });
    expect(whole.ok && Buffer.from(whole.bytes).toString('latin1')).toBe(POD);
    const over = readRegularPath(path.join(root, 'long.yaml'), 4096, { head: 1024 });
    expect(over.ok ? null : over.code).toBe('file-too-large');
  });
});
