import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The shape of src/: the stages (scan, lookup, gate, plan, apply) and config talk to each other only
 * through the records and helpers in core/, core/ imports nothing outside itself, the pipeline wires the
 * stages and nothing above them, the gate is asked only by the pipeline (and by the chain pins' gate
 * beside it), and no module imports itself back through a loop.
 */
const SRC = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../src');
const STAGES = ['scan', 'lookup', 'gate', 'plan', 'apply', 'config'] as const;
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every module of src/ (relative, `/`-separated, `.ts`) with the modules it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const from = path.relative(SRC, file).split(path.sep).join('/');
    const text = readFileSync(file, 'utf8');
    const targets: string[] = [];
    for (const match of text.matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? '';
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier)).replace(/\.js$/, '.ts');
      targets.push(resolved);
    }
    graph.set(from, targets);
  }
  return graph;
}

const folderOf = (module: string): string => (module.includes('/') ? (module.split('/')[0] ?? '') : '');

describe('module structure', () => {
  const graph = importGraph();

  it('reads the imports of every module', () => {
    expect(graph.get('core/dependency.ts')).toContain('core/verdict.ts');
    expect(graph.get('cli/cli.ts')).toContain('cli/scan.ts');
    for (const targets of graph.values()) for (const target of targets) expect(graph.has(target), target).toBe(true);
  });

  it('lets core import only core', () => {
    const outside = [...graph].flatMap(([from, targets]) => (folderOf(from) === 'core' ? targets.filter((target) => folderOf(target) !== 'core').map((target) => `${from} → ${target}`) : []));
    expect(outside).toEqual([]);
  });

  it('lets a stage import only its own folder and core', () => {
    const crossings = [...graph].flatMap(([from, targets]) => {
      const folder = folderOf(from);
      if (!(STAGES as readonly string[]).includes(folder)) return [];
      return targets.filter((target) => folderOf(target) !== folder && folderOf(target) !== 'core').map((target) => `${from} → ${target}`);
    });
    expect(crossings).toEqual([]);
  });

  it('lets the pipeline import only the stages and core, never the commands above it', () => {
    const above = [...graph].flatMap(([from, targets]) =>
      folderOf(from) === 'pipeline' ? targets.filter((target) => !['pipeline', 'core', ...STAGES].includes(folderOf(target))).map((target) => `${from} → ${target}`) : [],
    );
    expect(above).toEqual([]);
  });

  it('has the gate asked only by the pipeline and the chain pins gate', () => {
    const askers = [...graph].filter(([from, targets]) => folderOf(from) !== 'gate' && targets.some((target) => folderOf(target) === 'gate')).map(([from]) => from);
    expect(askers.sort()).toEqual(['bot/chain-gate.ts', 'pipeline/pipeline.ts']);
  });

  it('has no import loops', () => {
    const loops: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (module: string): void => {
      state.set(module, 'open');
      stack.push(module);
      for (const target of graph.get(module) ?? []) {
        if (state.get(target) === 'open') loops.push([...stack.slice(stack.indexOf(target)), target].join(' → '));
        else if (!state.has(target)) visit(target);
      }
      stack.pop();
      state.set(module, 'done');
    };
    for (const module of [...graph.keys()].sort()) if (!state.has(module)) visit(module);
    expect(loops).toEqual([]);
  });
});
