import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runArchpin } from '../support/run-cli.js';
import { hostileDirs } from './tree.js';

const dirs = hostileDirs();

function tree(): string {
  const { repo } = dirs();
  mkdirSync(path.join(repo, 'sub'), { recursive: true });
  mkdirSync(path.join(repo, 'other'));
  writeFileSync(path.join(repo, 'Dockerfile'), 'FROM alpine:3.18\n');
  return repo;
}

describe('reads from a checkout: only regular files inside the tree, size checked before reading', () => {
  it('a FIFO, a /dev/zero symlink and an /etc/shadow symlink as .gitignore or as a source are reported and skipped', async () => {
    const repo = tree();
    execFileSync('mkfifo', [path.join(repo, '.gitignore')]);
    symlinkSync('/dev/zero', path.join(repo, 'sub/.gitignore'));
    symlinkSync('/etc/shadow', path.join(repo, 'other/.gitignore'));
    execFileSync('mkfifo', [path.join(repo, 'compose.yml')]);
    symlinkSync('/dev/zero', path.join(repo, 'sub/Dockerfile'));
    const run = await runArchpin(['scan', repo, '--format', 'json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { references: Array<{ file: string; value: string }>; errors: unknown[] };
    expect(report.references.map((reference) => `${reference.file} ${reference.value}`)).toEqual(['Dockerfile alpine:3.18']);
    expect(report.errors).toEqual([
      { file: '.gitignore', line: null, code: 'file-not-regular', message: 'a FIFO (named pipe); not read; its rules are not applied' },
      { file: 'compose.yml', line: null, code: 'file-not-regular', message: 'a FIFO (named pipe); not read' },
      { file: 'other/.gitignore', line: null, code: 'file-not-regular', message: 'a symlink to /etc/shadow; not read; its rules are not applied' },
      { file: 'sub/.gitignore', line: null, code: 'file-not-regular', message: 'a symlink to /dev/zero; not read; its rules are not applied' },
      { file: 'sub/Dockerfile', line: null, code: 'symlink-outside', message: 'symlink points outside the scanned tree; not followed' },
    ]);
  });

  it('a .gitignore over 1 MiB is reported and not applied; a source over maxFileSize is not read', async () => {
    const repo = tree();
    writeFileSync(path.join(repo, '.gitignore'), `${'#'.repeat(1024 * 1024)}\n`);
    writeFileSync(path.join(repo, 'archpin.json'), JSON.stringify({ maxFileSize: 100 }));
    writeFileSync(path.join(repo, 'big.Dockerfile'), `FROM alpine:3.18\n${'#'.repeat(200)}\n`);
    const run = await runArchpin(['scan', repo, '--format', 'json'], { cwd: repo });
    expect(JSON.parse(run.stdout).errors).toEqual([
      { file: '.gitignore', line: null, code: 'file-too-large', message: '1048577 bytes is over the 1048576-byte limit; its rules are not applied' },
      { file: 'big.Dockerfile', line: null, code: 'file-too-large', message: '218 bytes is over the 100-byte limit (maxFileSize)' },
    ]);
  });

  it.each([
    ['a FIFO', (file: string) => execFileSync('mkfifo', [file]), 'a FIFO (named pipe)'],
    ['a symlink to /dev/zero', (file: string) => symlinkSync('/dev/zero', file), 'a symlink to /dev/zero'],
    ['a directory (unreadable as a file)', (file: string) => mkdirSync(file), 'a directory'],
  ])('archpin.json as %s: exit 2 with the path, never the defaults', async (_name, make, kind) => {
    const repo = tree();
    make(path.join(repo, 'archpin.json'));
    const run = await runArchpin(['scan', '.'], { cwd: repo });
    expect(run).toEqual({ code: 2, stdout: '', stderr: `archpin: cannot read config ${path.join(repo, 'archpin.json')}: ${kind}; not read\n` });
  });

  it('an invalid archpin.json: exit 2', async () => {
    const repo = tree();
    writeFileSync(path.join(repo, '.archpin.json'), '{"maxFileSize": "big"');
    const run = await runArchpin(['scan', '.'], { cwd: repo });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^archpin: .*\.archpin\.json/);
  });
});
