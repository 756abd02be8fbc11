/**
 * `extends` of shared config files: local paths relative to the file that names them, chains merged in order
 * (packageRules concatenated, objects merged key by key, other keys replaced), cycles, URLs, presets and files outside
 * the allowed directories refused with the file and the entry named; a repository config may not extend.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/cli/load-config.js';
import { withRepositoryConfig } from '../../src/config/repository-config.js';

const work = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'archpin-extends-')));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let count = 0;
function tree(files: Record<string, unknown>): string {
  const dir = path.join(work, `t${++count}`);
  for (const [file, value] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), typeof value === 'string' ? value : JSON.stringify(value));
  }
  return dir;
}

const failure = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a failure');
};

describe('extends', () => {
  it('reads a chain relative to each file and merges it: rules concatenated, objects merged, other keys replaced', async () => {
    const dir = tree({
      'archpin.json': { extends: ['shared/team.json'], labels: ['top'], packageRules: [{ matchImages: ['c'], enabled: false }], registries: { 'r.example': { trustedRealmHosts: ['auth.example'] } } },
      'shared/team.json': {
        extends: ['../org.json'],
        platforms: ['linux/arm64'],
        packageRules: [{ matchImages: ['b'], pinDigests: false }],
        registries: { 'r.example': { insecure: false } },
      },
      'org.json': {
        platforms: ['linux/amd64'],
        labels: ['org'],
        minimumReleaseAge: '4 hours',
        packageRules: [{ matchImages: ['a'], reviewers: ['alice'] }],
        registries: { 'r.example': { username: 'org', passwordEnv: 'ORG_PASSWORD', insecure: true }, 'q.example': { tokenEnv: 'Q' } },
      },
    });
    const { config } = await loadConfig(undefined, dir);
    expect(config).toEqual({
      platforms: ['linux/arm64'],
      labels: ['top'],
      minimumReleaseAge: '4 hours',
      packageRules: [
        { matchImages: ['a'], reviewers: ['alice'] },
        { matchImages: ['b'], pinDigests: false },
        { matchImages: ['c'], enabled: false },
      ],
      registries: { 'r.example': { username: 'org', passwordEnv: 'ORG_PASSWORD', insecure: false, trustedRealmHosts: ['auth.example'] }, 'q.example': { tokenEnv: 'Q' } },
    });
  });

  it('several files extend in order, the later winning; --config names a file elsewhere whose directory is allowed', async () => {
    const dir = tree({ 'conf/main.json': { extends: ['one.json', 'two.json'] }, 'conf/one.json': { branchPrefix: 'one/', automerge: true }, 'conf/two.json': { branchPrefix: 'two/' } });
    const scanned = tree({});
    expect((await loadConfig(path.join(dir, 'conf/main.json'), scanned)).config).toEqual({ branchPrefix: 'two/', automerge: true });
  });

  it('a cycle is named file by file', async () => {
    const dir = tree({ 'archpin.json': { extends: ['a.json'] }, 'a.json': { extends: ['b.json'] }, 'b.json': { extends: ['./a.json'] } });
    expect(await failure(loadConfig(undefined, dir))).toBe('b.json: extends cycle: archpin.json → a.json → b.json → a.json');
  });

  it('URLs, presets, missing files and files outside the allowed directories are refused, naming the file and the fix', async () => {
    const outside = tree({ 'org.json': { labels: ['x'] } });
    const url = tree({ 'archpin.json': { extends: ['https://example.com/archpin.json'] } });
    expect(await failure(loadConfig(undefined, url))).toBe(
      'archpin.json: extends "https://example.com/archpin.json": URLs are not fetched; save the shared file next to this config and name its path',
    );
    const preset = tree({ 'archpin.json': { extends: ['config:recommended'] } });
    expect(await failure(loadConfig(undefined, preset))).toBe('archpin.json: extends "config:recommended": presets are not supported; name a local JSON file (a path relative to this config)');
    const missing = tree({ 'archpin.json': { extends: ['nope.json'] } });
    expect(await failure(loadConfig(undefined, missing))).toBe(`archpin.json: extends "nope.json": cannot read ${path.join(missing, 'nope.json')}: no such file`);
    const absolute = tree({ 'archpin.json': { extends: [path.join(outside, 'org.json')] } });
    expect(await failure(loadConfig(undefined, absolute))).toBe(
      `archpin.json: extends "${path.join(outside, 'org.json')}": ${path.join(outside, 'org.json')} is outside the directories a config may extend from (${absolute}); put the shared file under one of them`,
    );
    const relative = tree({ 'archpin.json': { extends: [`../${path.basename(outside)}/org.json`] } });
    expect(await failure(loadConfig(undefined, relative))).toContain(`${path.join(outside, 'org.json')} is outside the directories a config may extend from (${relative})`);
    // A symlink inside the tree does not lead out of it
    const linked = tree({ 'archpin.json': { extends: ['shared.json'] } });
    symlinkSync(path.join(outside, 'org.json'), path.join(linked, 'shared.json'));
    expect(await failure(loadConfig(undefined, linked))).toContain(`archpin.json: extends "shared.json": ${path.join(outside, 'org.json')} is outside the directories`);
  });

  it('an invalid extended file is reported with its own name and path', async () => {
    const dir = tree({ 'archpin.json': { extends: ['shared/base.json'] }, 'shared/base.json': { packageRules: [{ matchImages: ['x'], pinDigests: 'no' }] } });
    expect(await failure(loadConfig(undefined, dir))).toBe('shared/base.json:1:52: packageRules.0.pinDigests: Invalid input: expected boolean, received string');
  });

  it("a repository's own archpin.json may not extend", () => {
    expect(() => withRepositoryConfig({}, JSON.stringify({ extends: ['base.json'] }), 'acme/app:archpin.json')).toThrowError(
      "acme/app:archpin.json: a repository config may not use extends (the bot reads no other file for a repository); write the rules into it, or ask for the shared ones in the bot's own config",
    );
  });
});
