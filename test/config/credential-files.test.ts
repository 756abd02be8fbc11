/**
 * `registries.<host>.passwordFile` / `tokenFile` that cannot give a secret (missing, unreadable, a directory, empty)
 * stop check, audit, run and serve at startup naming the file, as an unset *Env variable does; config validate warns.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runArchpin } from '../support/run-cli.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'archpin-secret-files-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const write = (name: string, text: string) => writeFileSync(path.join(work, name), text);

describe('secret files of registries', () => {
  it('check, audit, run and serve stop at startup on a secret file that cannot be read or is empty, naming it', async () => {
    write('empty-token', '\n');
    mkdirSync(path.join(work, 'a-directory'), { recursive: true });
    write(
      'files.json',
      JSON.stringify({
        registries: {
          '127.0.0.1:9': { username: 'bot', passwordFile: 'secrets/missing' },
          'localhost:9': { tokenFile: 'empty-token' },
          '[::1]:9': { tokenFile: 'a-directory' },
        },
      }),
    );
    mkdirSync(path.join(work, 'tree'), { recursive: true });
    write('tree/Dockerfile', 'FROM 127.0.0.1:9/team/app:1.0\n');
    const message = [
      'archpin: registries."127.0.0.1:9".passwordFile names secrets/missing, which cannot be read (no such file); fix the file, or remove registries."127.0.0.1:9" to pull anonymously',
      'registries."localhost:9".tokenFile names empty-token, which is empty; fix the file, or remove registries."localhost:9" to pull anonymously',
      'registries."[::1]:9".tokenFile names a-directory, which cannot be read (it is a directory); fix the file, or remove registries."[::1]:9" to pull anonymously',
      '',
    ].join('\n');
    const forge = ['--forge', 'gitlab', '--url', 'http://127.0.0.1:9', '--group', 'g'];
    for (const argv of [
      ['check', 'tree', '--config', 'files.json'],
      ['audit', 'tree', '--config', 'files.json'],
      ['run', '--config', 'files.json', ...forge],
      ['serve', '--config', 'files.json', ...forge, '--listen', '127.0.0.1:0'],
    ]) {
      expect(await runArchpin(argv, { cwd: work, env: { GITLAB_TOKEN: 'glpat-secret-files-test' } }), argv[0]).toEqual({ code: 2, stdout: '', stderr: message });
    }
  });

  it('config validate warns about each such file where it is named, and still exits 0', async () => {
    write('warn.json', '{\n  "registries": {\n    "127.0.0.1:9": { "username": "bot", "passwordFile": "secrets/missing" }\n  }\n}\n');
    expect(await runArchpin(['config', 'validate', 'warn.json'], { cwd: work })).toEqual({
      code: 0,
      stdout: 'warn.json: valid\n',
      stderr: 'archpin: warning: warn.json:3:57: registries."127.0.0.1:9".passwordFile names secrets/missing, which cannot be read (no such file) in this environment\n',
    });
    write('good-token', 'abc\n');
    write('good.json', JSON.stringify({ registries: { '127.0.0.1:9': { tokenFile: 'good-token' } } }));
    expect(await runArchpin(['config', 'validate', 'good.json'], { cwd: work })).toEqual({ code: 0, stdout: 'good.json: valid\n', stderr: '' });
  });
});
