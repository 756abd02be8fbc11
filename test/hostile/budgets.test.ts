import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withRepositoryConfig } from '../../src/config/repository-config.js';
import { MAX_REFERENCES_PER_FILE, MAX_YAML_NODES } from '../../src/core/budgets.js';
import { runArchpin } from '../support/run-cli.js';
import { hostileDirs } from './tree.js';

const dirs = hostileDirs();
const run = promisify(execFile);

function repoWith(files: Record<string, string>): string {
  const { repo } = dirs();
  mkdirSync(repo, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(repo, name), text);
  return repo;
}

const fromLines = (count: number, prefix = 'app') => Array.from({ length: count }, (_, i) => `FROM registry.example.com/team/${prefix}-${i}:1.0.${i % 100}\n`).join('');

describe('per-file parse budgets, each with a named reason', () => {
  it('a YAML file whose estimated nodes are over budget is reported and not parsed', async () => {
    const entries = Array.from({ length: 90_000 }, (_, i) => `  - image: registry.example.com/team/app-${i}:1.0\n`).join('');
    const repo = repoWith({ 'compose.yml': `services:\n  web:\n    image: alpine:3.18\nlist:\n${entries}`, Dockerfile: 'FROM alpine:3.19\n' });
    const run = await runArchpin(['scan', '.', '--format', 'json'], { cwd: repo });
    const report = JSON.parse(run.stdout);
    expect(report.references.map((reference: { value: string }) => reference.value)).toEqual(['alpine:3.19']);
    expect(report.errors).toEqual([{ file: 'compose.yml', line: null, code: 'yaml-too-complex', message: `about 270008 YAML nodes, over the budget of ${MAX_YAML_NODES} per file; not parsed` }]);
  });

  it('YAML nested deeper than the parser can take is reported, not a stack overflow', async () => {
    const repo = repoWith({ 'deep.yml': `image: ${'['.repeat(200_000)}${']'.repeat(200_000)}\n` });
    const run = await runArchpin(['scan', '.', '--format', 'json'], { cwd: repo });
    expect(JSON.parse(run.stdout).errors).toEqual([{ file: 'deep.yml', line: null, code: 'nesting-too-deep', message: 'YAML nested about 200001 levels deep, over the limit of 100; not parsed' }]);
  });

  it('a file with more references than the budget is reported; the other files still count', async () => {
    const repo = repoWith({ Dockerfile: fromLines(MAX_REFERENCES_PER_FILE + 1), 'small.Dockerfile': 'FROM alpine:3.19\n' });
    const run = await runArchpin(['scan', '.', '--format', 'json'], { cwd: repo });
    const report = JSON.parse(run.stdout);
    expect(report.references.map((reference: { value: string }) => reference.value)).toEqual(['alpine:3.19']);
    expect(report.errors).toEqual([
      {
        file: 'Dockerfile',
        line: null,
        code: 'too-many-references',
        message: `${MAX_REFERENCES_PER_FILE + 1} image references, over the budget of ${MAX_REFERENCES_PER_FILE} per file; none of them is used`,
      },
    ]);
  });

  it('150,000 references over several files are all listed (no spread of every row onto the stack)', async () => {
    const files: Record<string, string> = {};
    for (let index = 0; index < 8; index++) files[`f${index}.Dockerfile`] = fromLines(18_750, `app${index}`);
    const repo = repoWith(files);
    // the built CLI in a child process: a scan this size must not block the test worker's event loop
    const { stdout, stderr } = await run(process.execPath, [path.resolve(import.meta.dirname, '../../bin/archpin.js'), 'scan', '.'], { cwd: repo, maxBuffer: 256 * 1024 * 1024 });
    expect(stderr).toBe('');
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('150000 references in 8 files (0 skipped).');
  }, 120_000);

  it('an extractor that finds more references than a spread could take reports the budget, not a stack overflow', async () => {
    // 200,000 image lines of inline pod YAML in one Jenkinsfile string: not YAML on disk, so no node budget applies first
    const lines = Array.from({ length: 200_000 }, (_, i) => `  - image: 127.0.0.1:9/a:${i}\n`).join('');
    const repo = repoWith({ Jenkinsfile: `podTemplate(yaml: '''\nspec:\n  containers:\n${lines}''') {\n}\n` });
    const { stdout } = await run(process.execPath, [path.resolve(import.meta.dirname, '../../bin/archpin.js'), 'scan', '.', '--format', 'json'], { cwd: repo, maxBuffer: 64 * 1024 * 1024 });
    const report = JSON.parse(stdout);
    expect(report.references).toEqual([]);
    expect(report.errors).toEqual([
      { file: 'Jenkinsfile', line: null, code: 'too-many-references', message: `200000 image references, over the budget of ${MAX_REFERENCES_PER_FILE} per file; none of them is used` },
    ]);
  }, 120_000);

  it('maxFileSize is at most 16 MiB, and a repository config may only lower it', async () => {
    const repo = repoWith({ 'archpin.json': JSON.stringify({ maxFileSize: 64 * 1024 * 1024 }) });
    const run = await runArchpin(['scan', '.'], { cwd: repo });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('maxFileSize');
    expect(withRepositoryConfig({}, JSON.stringify({ maxFileSize: 16 * 1024 * 1024 }), 'archpin.json').maxFileSize).toBe(8 * 1024 * 1024);
    expect(withRepositoryConfig({ maxFileSize: 4096 }, JSON.stringify({ maxFileSize: 1024 }), 'archpin.json').maxFileSize).toBe(1024);
  });
});
