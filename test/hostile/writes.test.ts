import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, lutimesSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeVerifiedFiles } from '../../src/apply/write-files.js';
import { replaceFile, ReplaceFileError } from '../../src/apply/replace-file.js';
import type { FileEdit } from '../../src/core/verify-edits.js';
import { scanDirectory } from '../../src/cli/scan.js';
import { hostileDirs } from './tree.js';

const dirs = hostileDirs();

function setUp(): { repo: string; outside: string; victim: string } {
  const { repo, outside } = dirs();
  mkdirSync(repo, { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(path.join(repo, 'Dockerfile'), 'FROM alpine:3.18\n');
  const victim = path.join(outside, 'victim.txt');
  writeFileSync(victim, 'precious\n');
  chmodSync(victim, 0o600);
  return { repo, outside, victim };
}

const bump: FileEdit = {
  file: 'Dockerfile',
  edits: [{ start: 12, end: 16, expected: '3.18', replacement: '3.19' }],
  expected: [{ kind: 'dockerfile-from', line: 1, image: { registry: 'docker.io', repository: 'library/alpine', tag: '3.19', digest: null } }],
};

async function writeBump(repo: string) {
  const scan = await scanDirectory(repo, {});
  return writeVerifiedFiles(repo, [bump], (file) => scan.references.filter((reference) => reference.file === file), scan.rescan);
}

describe('writes never leave the tree', () => {
  it('a temp file left by a killed earlier write is removed by the next write of that file; nothing else with a similar name is', async () => {
    const { repo, victim } = setUp();
    const old = new Date(Date.now() - 3_600_000);
    const stale = '.Dockerfile.archpin-0123456789abcdef.tmp';
    writeFileSync(path.join(repo, stale), 'FROM alpine:3.1');
    utimesSync(path.join(repo, stale), old, old);
    const kept = {
      link: '.Dockerfile.archpin-00000000000000aa.tmp', // a symlink with our name: not followed, not removed
      directory: '.Dockerfile.archpin-00000000000000bb.tmp',
      fresh: '.Dockerfile.archpin-00000000000000cc.tmp', // as young as a write in flight (another process)
      otherFile: '.Containerfile.archpin-00000000000000dd.tmp',
      notOurs: '.Dockerfile.archpin-backup.tmp',
    };
    symlinkSync(victim, path.join(repo, kept.link));
    mkdirSync(path.join(repo, kept.directory));
    writeFileSync(path.join(repo, kept.fresh), 'x');
    for (const name of [kept.otherFile, kept.notOurs]) {
      writeFileSync(path.join(repo, name), 'x');
      utimesSync(path.join(repo, name), old, old);
    }
    lutimesSync(path.join(repo, kept.link), old, old);
    const outcomes = await writeBump(repo);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true]);
    expect(readdirSync(repo).sort()).toEqual(['Dockerfile', ...Object.values(kept)].sort());
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(readFileSync(path.join(repo, 'Dockerfile'), 'utf8')).toBe('FROM alpine:3.19\n');
  });

  it('a symlink planted at the predictable temp name (<file>.archpin-<pid>.tmp) is not written through', async () => {
    const { repo, victim } = setUp();
    symlinkSync(victim, path.join(repo, `Dockerfile.archpin-${process.pid}.tmp`));
    const outcomes = await writeBump(repo);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true]);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(statSync(victim).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(repo, 'Dockerfile'), 'utf8')).toBe('FROM alpine:3.19\n');
    expect(readdirSync(repo).sort()).toEqual(['Dockerfile', `Dockerfile.archpin-${process.pid}.tmp`]);
  });

  it('a target that is a symlink to a file outside the tree is refused, the outside file untouched', async () => {
    const { repo, victim } = setUp();
    writeFileSync(victim, 'FROM alpine:3.18\n');
    const target = path.join(repo, 'Dockerfile');
    execFileSync('rm', [target]);
    symlinkSync(victim, target);
    const outcomes = await writeBump(repo);
    expect(outcomes).toEqual([{ ok: false, file: 'Dockerfile', reason: `a symlink to ${victim}; not read` }]);
    expect(readFileSync(victim, 'utf8')).toBe('FROM alpine:3.18\n');
  });

  it('a file under a symlinked directory is refused', () => {
    const { repo, outside } = setUp();
    writeFileSync(path.join(outside, 'Dockerfile'), 'FROM alpine:3.18\n');
    symlinkSync(outside, path.join(repo, 'linked'));
    expect(() => replaceFile(repo, 'linked/Dockerfile', new TextEncoder().encode('FROM alpine:3.19\n'))).toThrow(
      new ReplaceFileError('linked/Dockerfile: linked is a symlink; not followed; not written'),
    );
    expect(readFileSync(path.join(outside, 'Dockerfile'), 'utf8')).toBe('FROM alpine:3.18\n');
    expect(() => replaceFile(repo, '../outside/victim.txt', new Uint8Array([0x78]))).toThrow(new ReplaceFileError('../outside/victim.txt: path is not inside the tree; not written'));
    expect(readFileSync(path.join(outside, 'victim.txt'), 'utf8')).toBe('precious\n');
  });

  it('a FIFO or a directory is refused without blocking', () => {
    const { repo } = setUp();
    execFileSync('mkfifo', [path.join(repo, 'pipe.yml')]);
    mkdirSync(path.join(repo, 'dir.yml'));
    expect(() => replaceFile(repo, 'pipe.yml', new Uint8Array([0x78]))).toThrow(new ReplaceFileError('pipe.yml: a FIFO (named pipe); not written'));
    expect(() => replaceFile(repo, 'dir.yml', new Uint8Array([0x78]))).toThrow(new ReplaceFileError('dir.yml: a directory; not written'));
    expect(readdirSync(repo).sort()).toEqual(['Dockerfile', 'dir.yml', 'pipe.yml']);
  });

  it('keeps the mode and the owner of the file it replaces, and leaves no temp file', () => {
    const { repo } = setUp();
    const target = path.join(repo, 'Dockerfile');
    chmodSync(target, 0o640);
    const root = process.getuid?.() === 0;
    if (root) chownSync(target, 1234, 2345);
    replaceFile(repo, 'Dockerfile', new TextEncoder().encode('FROM alpine:3.19\n'));
    const after = statSync(target);
    expect(after.mode & 0o7777).toBe(0o640);
    if (root) expect([after.uid, after.gid]).toEqual([1234, 2345]);
    expect(readFileSync(target, 'utf8')).toBe('FROM alpine:3.19\n');
    expect(readdirSync(repo)).toEqual(['Dockerfile']);
  });
});
