import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTree } from '../../src/cli/read-tree.js';
import { readGitIndex } from '../../src/core/git-index.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function git(cwd: string, ...args: string[]): void {
  const run = spawnSync('git', ['-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } });
  if (run.status !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr}`);
}

function write(root: string, relative: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
  writeFileSync(path.join(root, relative), text);
}

/**
 * A work tree where ignore patterns cover tracked files: a compose override that the team commits on
 * purpose although every developer's own override is ignored, and a tracked Dockerfile in an ignored
 * build folder.
 */
function workTree(gitArgs: string[] = []): string {
  const root = mkdtempSync(path.join(tmpdir(), 'archpin-worktree-'));
  roots.push(root);
  git(root, 'init', '-q', ...gitArgs);
  write(root, '.gitignore', 'docker-compose.override.yml\nbuild/\n');
  write(root, 'deploy/docker-compose.override.yml', 'services:\n  db:\n    image: postgres:16.4\n');
  write(root, 'deploy/local/docker-compose.override.yml', 'services:\n  db:\n    image: postgres:15.0\n');
  write(root, 'deploy/.gitignore', 'scratch/\n');
  write(root, 'deploy/scratch/compose.yaml', 'services:\n  a:\n    image: busybox:1.36\n');
  write(root, 'deploy/compose.yaml', 'services:\n  web:\n    image: nginx:1.27.0\n');
  write(root, 'build/Dockerfile', 'FROM alpine:3.20\n');
  write(root, 'build/extra/Dockerfile', 'FROM alpine:3.19\n');
  write(root, '.git/info/exclude', 'notes/\n');
  write(root, 'notes/compose.yaml', 'services:\n  a:\n    image: busybox:1.35\n');
  git(root, 'add', '.gitignore', 'deploy/.gitignore', 'deploy/compose.yaml');
  git(root, 'add', '-f', 'deploy/docker-compose.override.yml', 'build/Dockerfile');
  return root;
}

async function paths(root: string): Promise<string[]> {
  return (await readTree(root)).files.map((file) => file.path);
}

describe('tree walk in a git work tree', () => {
  it('scans tracked files under ignore patterns, leaves ignored untracked ones out, and gives the same files from the root and from a subfolder', async () => {
    const root = workTree();
    expect(await paths(root)).toEqual(['build/Dockerfile', 'deploy/compose.yaml', 'deploy/docker-compose.override.yml']);
    expect(await paths(path.join(root, 'deploy'))).toEqual(['compose.yaml', 'docker-compose.override.yml']);
    expect(await paths(path.join(root, 'build'))).toEqual(['Dockerfile']);
    // an ignored folder with nothing tracked in it is not entered, from wherever the scan starts
    expect(await paths(path.join(root, 'deploy', 'local'))).toEqual([]);
    expect(await paths(path.join(root, 'notes'))).toEqual([]);
  });

  it('reads an index written in version 4 (prefix-compressed paths) the same way', async () => {
    const root = workTree();
    git(root, 'update-index', '--index-version', '4');
    expect(readFileSync(path.join(root, '.git', 'index')).readUInt32BE(4)).toBe(4);
    expect(await paths(root)).toEqual(['build/Dockerfile', 'deploy/compose.yaml', 'deploy/docker-compose.override.yml']);
  });

  it('reads the index of a SHA-256 repository', async () => {
    const root = workTree(['--object-format=sha256']);
    expect(await paths(path.join(root, 'deploy'))).toEqual(['compose.yaml', 'docker-compose.override.yml']);
  });

  it('outside a work tree, .gitignore rules alone decide', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'archpin-plain-'));
    roots.push(root);
    write(root, '.gitignore', 'docker-compose.override.yml\n');
    write(root, 'deploy/docker-compose.override.yml', 'services:\n  db:\n    image: postgres:16.4\n');
    write(root, 'deploy/compose.yaml', 'services:\n  web:\n    image: nginx:1.27.0\n');
    expect(await paths(root)).toEqual(['deploy/compose.yaml']);
  });

  it('refuses what is not an index, with the reason', () => {
    expect(readGitIndex(Buffer.from('not an index at all'))).toEqual({ ok: false, reason: 'not a git index (no DIRC signature)' });
    const header = Buffer.from([0x44, 0x49, 0x52, 0x43, 0, 0, 0, 2, 0, 0, 0, 1]);
    expect(readGitIndex(header)).toEqual({ ok: false, reason: 'git index is truncated' });
    expect(readGitIndex(Buffer.from([0x44, 0x49, 0x52, 0x43, 0, 0, 0, 9, 0, 0, 0, 0]))).toEqual({ ok: false, reason: 'git index version 9 is not supported' });
  });
});
