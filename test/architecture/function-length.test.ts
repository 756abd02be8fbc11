import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * No function in src/ is longer than 100 lines. A function's length is the lines its text spans, from
 * the first line of its signature to the line of its closing brace, as the TypeScript parser sees it;
 * every function-like node with a body counts on its own (a function, method, accessor, constructor, an
 * arrow function or a function expression), and a function nested in another counts in both.
 */
const SRC = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../src');
const MAX_LINES = 100;

interface FunctionLength {
  /** `file.ts:line` of the function's first line. */
  readonly where: string;
  readonly name: string;
  readonly lines: number;
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** A function's own name, else the variable or property it is assigned to, else `(anonymous)`. */
function nameOf(node: ts.FunctionLikeDeclaration, parent: ts.Node, source: ts.SourceFile): string {
  if (node.name) return node.name.getText(source);
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent.name.getText(source);
  return '(anonymous)';
}

/** The length of every function with a body in one file's text; `file` is the name used in `where`. */
function functionLengths(file: string, text: string): FunctionLength[] {
  // Without parent links (a third of the parse's time): the walk passes each node's parent down.
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const found: FunctionLength[] = [];
  const visit = (node: ts.Node, parent: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      found.push({ where: `${file}:${first + 1}`, name: nameOf(node, parent, source), lines: last - first + 1 });
    }
    ts.forEachChild(node, (child) => visit(child, node));
  };
  visit(source, source);
  return found;
}

const tooLong = (lengths: readonly FunctionLength[]): string[] =>
  lengths.filter((length) => length.lines > MAX_LINES).map((length) => `${length.where} ${length.name} is ${length.lines} lines long (at most ${MAX_LINES})`);

describe('function length', () => {
  it('counts the lines each function spans, by the name it is known by', () => {
    const body = (count: number) => Array.from({ length: count }, (_, index) => `  step(${index});`).join('\n');
    const text = [
      `export function long(): void {\n${body(99)}\n}`,
      `const arrow = (): void => {\n${body(98)}\n};`,
      `class Reader {\n  read(): void {\n${body(2)}\n  }\n}`,
      `const table = { handler() {\n${body(1)}\n} };`,
      `run(function () {\n${body(3)}\n});`,
      `declare function bodiless(): void;`,
    ].join('\n');
    const lengths = functionLengths('scan/example.ts', text);
    expect(lengths).toEqual([
      { where: 'scan/example.ts:1', name: 'long', lines: 101 },
      { where: 'scan/example.ts:102', name: 'arrow', lines: 100 },
      { where: 'scan/example.ts:203', name: 'read', lines: 4 },
      { where: 'scan/example.ts:208', name: 'handler', lines: 3 },
      { where: 'scan/example.ts:211', name: '(anonymous)', lines: 5 },
    ]);
    expect(tooLong(lengths)).toEqual(['scan/example.ts:1 long is 101 lines long (at most 100)']);
  });

  it('has no function in src/ over 100 lines', () => {
    const files = sourceFiles(SRC);
    const lengths = files.flatMap((file) => functionLengths(`src/${path.relative(SRC, file).split(path.sep).join('/')}`, readFileSync(file, 'utf8')));
    expect(files.length).toBeGreaterThan(200);
    expect(lengths.length).toBeGreaterThan(2000);
    expect(tooLong(lengths)).toEqual([]);
  });
});
