/**
 * package.json engines.node against what the installed packages declare (scripts/check-engines.mjs, run by
 * .ci/run), and the npm range reading it rests on.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parts, satisfies } from '../../scripts/node-range.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('npm ranges for engines.node', () => {
  it.each([
    [
      '^20.19.0 || ^22.13.0 || >=24',
      [
        [20, 19, 0],
        [22, 13, 0],
        [22, 20, 1],
        [24, 0, 0],
        [26, 0, 0],
      ],
      [
        [20, 18, 9],
        [21, 0, 0],
        [22, 12, 0],
        [23, 11, 1],
      ],
    ],
    [
      '>= 20',
      [
        [20, 0, 0],
        [26, 1, 0],
      ],
      [[18, 20, 8]],
    ],
    [
      '20 || >=22',
      [
        [20, 99, 0],
        [22, 0, 0],
      ],
      [
        [21, 0, 0],
        [19, 9, 0],
      ],
    ],
    [
      '^18.0.0 || ^20.0.0 || >=22.0.0',
      [
        [18, 1, 0],
        [22, 13, 0],
      ],
      [
        [19, 0, 0],
        [21, 7, 0],
      ],
    ],
    [
      '>=10 <11',
      [[10, 5, 0]],
      [
        [11, 0, 0],
        [9, 0, 0],
      ],
    ],
    [
      '10.x',
      [
        [10, 0, 0],
        [10, 99, 9],
      ],
      [[11, 0, 0]],
    ],
    ['~1.2', [[1, 2, 9]], [[1, 3, 0]]],
    [
      '^0.4.2',
      [[0, 4, 9]],
      [
        [0, 5, 0],
        [0, 4, 1],
      ],
    ],
    ['>20', [[21, 0, 0]], [[20, 99, 0]]],
    ['<=20', [[20, 99, 0]], [[21, 0, 0]]],
    [
      '14 - 16',
      [
        [14, 0, 0],
        [16, 9, 9],
      ],
      [
        [17, 0, 0],
        [13, 9, 0],
      ],
    ],
    [
      '*',
      [
        [0, 0, 1],
        [26, 0, 0],
      ],
      [],
    ],
  ] as Array<[string, Array<[number, number, number]>, Array<[number, number, number]>]>)('%s', (range, inside, outside) => {
    expect(inside.filter((version) => !satisfies(version, range))).toEqual([]);
    expect(outside.filter((version) => satisfies(version, range))).toEqual([]);
  });

  it('reads partial versions and refuses what is not a version', () => {
    expect([parts('22'), parts('22.13'), parts('v22.13.1'), parts('22.x'), parts('x')]).toEqual([
      [22, null, null],
      [22, 13, null],
      [22, 13, 1],
      [22, null, null],
      [null, null, null],
    ]);
    expect(() => satisfies([22, 0, 0], '>=lts')).toThrow('cannot read the version in ">=lts"');
  });
});

describe('scripts/check-engines.mjs', () => {
  it('finds every installed package accepting the engines lower bound and each LTS line up to the Dockerfile base', () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts/check-engines.mjs')], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const engines = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines).toBe('>=22.13');
    expect(run.stdout).toMatch(/^engines\.node >=22\.13: all \d+ installed packages that declare engines\.node accept Node 22\.13\.0, 24\.0\.0, 26\.0\.0\n$/);
  });

  it('lists each package that refuses a version engines admits, nested ones included, and fails', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'archpin-engines-'));
    try {
      mkdirSync(path.join(root, 'scripts'));
      for (const file of ['check-engines.mjs', 'node-range.mjs']) copyFileSync(path.join(ROOT, 'scripts', file), path.join(root, 'scripts', file));
      writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'x', engines: { node: '>=20.19' } }));
      writeFileSync(path.join(root, 'Dockerfile'), 'FROM node:24-bookworm-slim@sha256:' + '0'.repeat(64) + '\n');
      const install = (where: string, name: string, range: string | null) => {
        mkdirSync(path.join(root, where), { recursive: true });
        writeFileSync(path.join(root, where, 'package.json'), JSON.stringify({ name, version: '1.0.0', ...(range === null ? {} : { engines: { node: range } }) }));
      };
      install('node_modules/ok', 'ok', '>=18');
      install('node_modules/plain', 'plain', null);
      install('node_modules/@scope/new', '@scope/new', '>=22');
      install('node_modules/ok/node_modules/deep', 'deep', '^20.19.0 || ^22.13.0 || >=24');
      const run = spawnSync(process.execPath, [path.join(root, 'scripts/check-engines.mjs')], { cwd: root, encoding: 'utf8' });
      expect([run.status, run.stdout, run.stderr]).toEqual([
        1,
        '',
        [
          'engines.node >=20.19 admits Node versions that installed packages refuse (checked 20.19.0, 22.0.0, 24.0.0):',
          '  node_modules/@scope/new (@scope/new@1.0.0): engines.node ">=22" refuses Node 20.19.0',
          '  node_modules/ok/node_modules/deep (deep@1.0.0): engines.node "^20.19.0 || ^22.13.0 || >=24" refuses Node 22.0.0',
          '',
        ].join('\n'),
      ]);
      writeFileSync(path.join(root, 'Dockerfile'), 'FROM node:25-bookworm-slim\n');
      const odd = spawnSync(process.execPath, [path.join(root, 'scripts/check-engines.mjs')], { cwd: root, encoding: 'utf8' });
      expect([odd.status, odd.stderr]).toEqual([1, "the Dockerfile's base runs Node 25, which is not an LTS line inside engines.node >=20.19\n"]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
