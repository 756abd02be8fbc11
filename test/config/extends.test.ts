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
import { runArchpin } from '../support/run-cli.js';

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

  it('a value a later file replaces is still validated, at its own file, line and column; a valid one that is replaced is not a problem', async () => {
    const shared = [
      '{',
      '  "platforms": ["linux/amd46"],',
      '  "minimumReleaseAge": "soon",',
      '  "registries": { "r.example": { "username": "bot", "passwordEnv": 7 } },',
      '  "branchPrefix": "org/"',
      '}',
    ].join('\n');
    const middle = ['{', '  "extends": ["shared.json"],', '  "minimumReleaseAge": "later"', '}'].join('\n');
    const root = [
      '{',
      '  "extends": ["middle.json"],',
      '  "platforms": ["linux/amd64"],',
      '  "minimumReleaseAge": "3 days",',
      '  "registries": { "r.example": { "passwordEnv": "R_PASSWORD" } },',
      '  "branchPrefix": "team/"',
      '}',
    ].join('\n');
    const dir = tree({ 'archpin.json': root, 'middle.json': middle, 'shared.json': shared });
    expect(await failure(loadConfig(undefined, dir))).toBe(
      [
        'shared.json:2:17: platforms.0: "linux/amd46": unknown architecture "amd46"; did you mean linux/amd64?',
        'shared.json:3:24: minimumReleaseAge: expected a duration such as "4 hours", "30 minutes" or "1d"',
        'shared.json:4:68: registries."r.example".passwordEnv: Invalid input: expected string, received number',
        'middle.json:3:24: minimumReleaseAge: expected a duration such as "4 hours", "30 minutes" or "1d"',
      ].join('\n'),
    );
    // Each file fixed: the chain loads, the last file's values win.
    const fixed = tree({
      'archpin.json': root,
      'middle.json': middle.replace('"later"', '"1 day"'),
      'shared.json': shared.replace('amd46', 'arm64').replace('"soon"', '"2 days"').replace('"passwordEnv": 7', '"passwordEnv": "ORG_PASSWORD"'),
    });
    expect((await loadConfig(undefined, fixed)).config).toEqual({
      platforms: ['linux/amd64'],
      minimumReleaseAge: '3 days',
      registries: { 'r.example': { username: 'bot', passwordEnv: 'R_PASSWORD' } },
      branchPrefix: 'team/',
    });
  });

  it('settings split over the files are judged together: a user name in the shared file, its password variable here', async () => {
    const dir = tree({
      'archpin.json': { extends: ['shared.json'], registries: { 'r.example': { passwordEnv: 'R_PASSWORD' } }, forge: { groups: ['infra'] } },
      'shared.json': { registries: { 'r.example': { username: 'bot' } }, forge: { type: 'gitlab', url: 'https://gitlab.example.com' } },
    });
    expect((await loadConfig(undefined, dir)).config).toEqual({
      registries: { 'r.example': { username: 'bot', passwordEnv: 'R_PASSWORD' } },
      forge: { type: 'gitlab', url: 'https://gitlab.example.com', groups: ['infra'] },
    });
  });

  it('a problem of the merged config names the file, line:column and path where the offending key was written', async () => {
    const root = [
      '{',
      '  "extends": ["shared.json"],',
      '  "packageRules": [{ "matchImages": ["c"], "platforms": ["linux/amd46"] }],',
      '  "registries": { "r.example": { "tokenEnv": "R_TOKEN" } },',
      '  "forge": { "owners": ["acme"] }',
      '}',
    ].join('\n');
    const shared = [
      '{',
      '  "packageRules": [{ "matchImages": ["a"] }, { "matchImages": ["b"], "grupName": "b" }],',
      '  "registries": { "r.example": { "username": "bot", "passwordEnv": "R_PASSWORD" } },',
      '  "forge": { "type": "gitlab" }',
      '}',
    ].join('\n');
    const dir = tree({ 'archpin.json': root, 'shared.json': shared });
    expect(await failure(loadConfig(undefined, dir))).toBe(
      [
        'shared.json:2:70: packageRules.1.grupName: unknown key; did you mean "groupName"?',
        'archpin.json:3:58: packageRules.0.platforms.0: "linux/amd46": unknown architecture "amd46"; did you mean linux/amd64?',
        'archpin.json:4:46: registries."r.example".tokenEnv: passwordEnv and tokenEnv are both set, and only the password would be used; keep one',
        'archpin.json:5:24: forge.owners: owners is for GitHub, and forge.type is "gitlab"; GitLab takes groups and projects',
      ].join('\n'),
    );
  });

  it('config validate follows extends: problems and unset variables of an extended file name it; cycles and URLs are refused as in run', async () => {
    const dir = tree({
      'conf/main.json': { extends: ['team/shared.json'], registries: { 'r.example': { passwordEnv: 'R_PASSWORD' } } },
      'conf/team/shared.json': '{\n  "registries": { "r.example": { "username": "bot" } },\n  "forge": { "type": "github", "tokenEnv": "TEAM_TOKEN" }\n}\n',
    });
    expect(await runArchpin(['config', 'validate', 'conf/main.json'], { cwd: dir, env: { R_PASSWORD: 'x' } })).toEqual({
      code: 0,
      stdout: 'conf/main.json: valid\n',
      stderr: 'archpin: warning: team/shared.json:3:44: forge.tokenEnv names TEAM_TOKEN, which is not set in this environment\n',
    });
    const bad = tree({ 'main.json': { extends: ['shared.json'] }, 'shared.json': '{\n  "platfroms": ["linux/amd64"]\n}\n' });
    expect(await runArchpin(['config', 'validate', 'main.json'], { cwd: bad })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'archpin: shared.json:2:3: platfroms: unknown key; did you mean "platforms"?\n',
    });
    const cycle = tree({ 'main.json': { extends: ['a.json'] }, 'a.json': { extends: ['main.json'] } });
    expect(await runArchpin(['config', 'validate', 'main.json'], { cwd: cycle })).toEqual({ code: 2, stdout: '', stderr: 'archpin: a.json: extends cycle: main.json → a.json → main.json\n' });
    const url = tree({ 'main.json': { extends: ['https://example.com/org.json'] } });
    expect(await runArchpin(['config', 'validate', 'main.json'], { cwd: url })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'archpin: main.json: extends "https://example.com/org.json": URLs are not fetched; save the shared file next to this config and name its path\n',
    });
    const notList = tree({ 'main.json': '{ "extends": "shared.json" }' });
    expect(await runArchpin(['config', 'validate', 'main.json'], { cwd: notList })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'archpin: main.json:1:14: extends: expected a list of file paths, e.g. ["shared/org.json"]\n',
    });
  });

  it("a repository's own archpin.json may not extend", () => {
    expect(() => withRepositoryConfig({}, JSON.stringify({ extends: ['base.json'] }), 'acme/app:archpin.json')).toThrowError(
      "acme/app:archpin.json: a repository config may not use extends (the bot reads no other file for a repository); write the rules into it, or ask for the shared ones in the bot's own config",
    );
  });
});
