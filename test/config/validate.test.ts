import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runArchpin } from '../support/run-cli.js';

let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'archpin-validate-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function file(name: string, text: string | Buffer): string {
  writeFileSync(path.join(work, name), text);
  return name;
}

const BOM = '\uFEFF';
const USAGE_HINT = 'Run "archpin config --help" for usage.\n';

/** Every kind of mistake a startup would refuse, one per line so the positions are easy to read. */
const BAD_JSON = [
  '{',
  '  "platfroms": ["linux/amd64"],',
  '  "platforms": ["linux/amd46"],',
  '  "minimumReleaseAge": "a fortnight",',
  '  "packageRules": [',
  '    { "matchImages": ["docker"], "grupName": "docker" }',
  '  ],',
  '  "registries": {',
  '    "https://ghcr.io/": { "tokenEnv": "GHCR_TOKEN" },',
  '    "registry.example.com": { "username": "bot", "passwordEnv": "REG_PASSWORD", "tokenEnv": "REG_TOKEN" },',
  '    "quay.io": { "passwordEnv": "QUAY_PASSWORD", "credentialHelper": "quay" },',
  '    "harbor.example.com": { "usernme": "bot", "tokenEnv": "HARBOR_TOKEN" }',
  '  },',
  '  "schedule": "0 * * * *",',
  '  "serve": {',
  '    "schedule": "0 25 * * *",',
  '    "timezone": "Europe/Berln",',
  '    "listen": ":99999",',
  '    "debounce": "soon"',
  '  },',
  '  "chain": { "schedules": [{ "root": "infra/base", "cron": "0 3 * *" }] }',
  '}',
  '',
].join('\n');

const BAD_JSON_PROBLEMS = [
  '2:3: platfroms: unknown key; did you mean "platforms"?',
  '3:17: platforms.0: "linux/amd46": unknown architecture "amd46"; did you mean linux/amd64?',
  '4:24: minimumReleaseAge: expected a duration such as "4 hours", "30 minutes" or "1d"',
  '6:34: packageRules.0.grupName: unknown key; did you mean "groupName"?',
  '9:5: registries."https://ghcr.io/": not a registry host; write "ghcr.io"',
  '10:93: registries."registry.example.com".tokenEnv: passwordEnv and tokenEnv are both set, and only the password would be used; keep one',
  '11:33: registries."quay.io".passwordEnv: a password needs username or usernameEnv (for a bare token use tokenEnv)',
  '11:70: registries."quay.io".credentialHelper: the helper would never be asked, as passwordEnv is set; keep one',
  '12:29: registries."harbor.example.com".usernme: unknown key; did you mean "username"?',
  '14:3: schedule: unknown key here; it belongs in "serve"',
  '16:17: serve.schedule: "0 25 * * *" is not a cron pattern: the hour field is 25, outside 0-23',
  '17:17: serve.timezone: unknown time zone "Europe/Berln"; did you mean "Europe/Berlin"?',
  '18:15: serve.listen: ":99999": port 99999 is out of range (0 to 65535)',
  '19:17: serve.debounce: expected a duration such as "4 hours", "30 minutes" or "1d"',
  '21:60: chain.schedules.0.cron: "0 3 * *" is not a cron pattern: 4 fields; write 5 (minute hour day-of-month month day-of-week, e.g. "0 * * * *") or 6 with seconds first',
];

describe('archpin config validate', () => {
  it('refuses what a startup would refuse, each problem as file:line:column: path: message, with the nearest key', async () => {
    file('bad.json', BAD_JSON);
    const run = await runArchpin(['config', 'validate', 'bad.json'], { cwd: work });
    expect(run).toEqual({ code: 2, stdout: '', stderr: `archpin: ${BAD_JSON_PROBLEMS.map((line) => `bad.json:${line}`).join('\n')}\n` });
  });

  it('check, run and serve stop on the same file with the same message', async () => {
    // The file as typed, as config validate names it.
    const expected = `archpin: ${BAD_JSON_PROBLEMS.map((line) => `bad.json:${line}`).join('\n')}\n`;
    const env = { GITLAB_TOKEN: 'glpat-validate-test', GHCR_TOKEN: 'x', REG_PASSWORD: 'x', REG_TOKEN: 'x', QUAY_PASSWORD: 'x', HARBOR_TOKEN: 'x' };
    mkdirSync(path.join(work, 'tree'), { recursive: true });
    for (const argv of [
      ['check', 'tree', '--config', 'bad.json'],
      ['run', '--config', 'bad.json', '--forge', 'gitlab', '--url', 'http://127.0.0.1:9', '--group', 'g'],
      ['serve', '--config', 'bad.json', '--forge', 'gitlab', '--url', 'http://127.0.0.1:9', '--group', 'g', '--listen', '127.0.0.1:0'],
    ]) {
      expect(await runArchpin(argv, { cwd: work, env }), argv[0]).toEqual({ code: 2, stdout: '', stderr: expected });
    }
  });

  it('YAML config files get the same checks with their own lines and columns', async () => {
    file(
      'bad.yaml',
      [
        'platforms: [linux/amd64]',
        'packageRules:',
        '  - matchImages: [docker]',
        '    platfroms: [linux/arm64]',
        'serve:',
        '  listen: "host:abc"',
        '  timezone: Mars/Olympus',
        '  schedule: "*/0 * * * *"',
        '',
      ].join('\n'),
    );
    const run = await runArchpin(['config', 'validate', 'bad.yaml'], { cwd: work });
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: [
        'archpin: bad.yaml:4:5: packageRules.0.platfroms: unknown key; did you mean "platforms"?',
        'bad.yaml:6:11: serve.listen: "host:abc": port "abc" is not a number from 0 to 65535',
        'bad.yaml:7:13: serve.timezone: unknown time zone "Mars/Olympus"; use an IANA name such as "Europe/Berlin" or "UTC"',
        'bad.yaml:8:13: serve.schedule: "*/0 * * * *" is not a cron pattern: illegal stepping: 0',
        '',
      ].join('\n'),
    });
  });

  it('syntax errors give line:column, not a character offset', async () => {
    file('comma.json', '{\n  "platforms": ["linux/amd64"],\n  "settleTime": "1h",\n}\n');
    expect(await runArchpin(['config', 'validate', 'comma.json'], { cwd: work })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'archpin: comma.json:4:1: not valid JSON: Expected double-quoted property name (a trailing comma before it? JSON allows none)\n',
    });
    file('twice.json', '{\n  "platforms": [],\n  "platforms": ["linux/amd64"]\n}\n');
    expect((await runArchpin(['config', 'validate', 'twice.json'], { cwd: work })).stderr).toBe(
      'archpin: twice.json:3:3: platforms: "platforms" is given twice (first at 2:3); only the last would count — keep one\n',
    );
    file('broken.yml', 'platforms: [linux/amd64\nserve:\n  listen: ":8080"\n');
    const yaml = await runArchpin(['config', 'validate', 'broken.yml'], { cwd: work });
    expect([yaml.code, yaml.stderr]).toEqual([2, 'archpin: broken.yml:2:1: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]\n']);
    file('twice.yaml', 'platforms: [linux/amd64]\nplatforms: [linux/arm64]\n');
    expect((await runArchpin(['config', 'validate', 'twice.yaml'], { cwd: work })).stderr).toBe('archpin: twice.yaml:2:1: not valid YAML: Map keys must be unique\n');
    file('empty.json', '');
    expect((await runArchpin(['config', 'validate', 'empty.json'], { cwd: work })).stderr).toBe('archpin: empty.json:1:1: not valid JSON: Unexpected end of JSON input\n');
  });

  it('accepts a UTF-8 byte order mark in JSON and YAML, and positions count from after it', async () => {
    file('bom.json', `${BOM}{"platforms": ["linux/amd64"], "settleTime": "30m"}\n`);
    expect(await runArchpin(['config', 'validate', 'bom.json'], { cwd: work })).toEqual({ code: 0, stdout: 'bom.json: valid\n', stderr: '' });
    file('bom.yaml', `${BOM}platforms:\n  - linux/amd64\nsettleTime: 30m\n`);
    expect(await runArchpin(['config', 'validate', 'bom.yaml'], { cwd: work })).toEqual({ code: 0, stdout: 'bom.yaml: valid\n', stderr: '' });
    file('bom-bad.json', `${BOM}{"settleTime": 30}`);
    expect((await runArchpin(['config', 'validate', 'bom-bad.json'], { cwd: work })).stderr).toBe('archpin: bom-bad.json:1:16: settleTime: Invalid input: expected string, received number\n');
    // The BOM config in a directory is read for real: its ignorePaths hide the vendored file.
    const tree = path.join(work, 'bom-tree');
    mkdirSync(path.join(tree, 'vendor'), { recursive: true });
    writeFileSync(path.join(tree, 'archpin.json'), `${BOM}{"ignorePaths": ["vendor/"]}\n`);
    writeFileSync(path.join(tree, 'Dockerfile'), 'FROM alpine:3.20\n');
    writeFileSync(path.join(tree, 'vendor', 'Dockerfile'), 'FROM busybox:1.36\n');
    const scan = await runArchpin(['scan', '.', '--format', 'json'], { cwd: tree });
    expect(scan.code).toBe(0);
    const references = (JSON.parse(scan.stdout) as { references: Array<{ file: string; image: { repository: string; tag: string } }> }).references;
    expect(references.map((reference) => [reference.file, reference.image.repository, reference.image.tag])).toEqual([['Dockerfile', 'library/alpine', '3.20']]);
  });

  it('warns about each variable the config names that is not set here, and still exits 0', async () => {
    const text = [
      'registries:',
      '  ghcr.io: {username: bot, tokenEnv: GHCR_TOKEN}',
      'forge: {type: gitlab, url: "https://gitlab.example.com", groups: [infra]}',
      'serve: {webhookSecretEnv: HOOK_SECRET}',
      '',
    ].join('\n');
    file('env.yaml', text);
    expect(await runArchpin(['config', 'validate', 'env.yaml'], { cwd: work, env: { HOOK_SECRET: '' } })).toEqual({
      code: 0,
      stdout: 'env.yaml: valid\n',
      stderr: [
        'archpin: warning: env.yaml:2:38: registries."ghcr.io".tokenEnv names GHCR_TOKEN, which is not set in this environment',
        'archpin: warning: env.yaml:3:15: forge.type "gitlab" reads its token from GITLAB_TOKEN, which is not set in this environment',
        'archpin: warning: env.yaml:4:27: serve.webhookSecretEnv names HOOK_SECRET, which is empty in this environment',
        '',
      ].join('\n'),
    });
    expect(await runArchpin(['config', 'validate', 'env.yaml'], { cwd: work, env: { GHCR_TOKEN: 't', GITLAB_TOKEN: 't', HOOK_SECRET: 's' } })).toEqual({
      code: 0,
      stdout: 'env.yaml: valid\n',
      stderr: '',
    });
  });

  it('check, audit, run and serve stop at startup on an unset registry variable, naming it', async () => {
    file('creds.json', JSON.stringify({ registries: { '127.0.0.1:9': { username: 'bot', passwordEnv: 'LOCAL_REGISTRY_PASSWORD' } } }));
    const message = 'archpin: registries."127.0.0.1:9".passwordEnv names LOCAL_REGISTRY_PASSWORD, which is not set; set it, or remove registries."127.0.0.1:9" to pull anonymously\n';
    mkdirSync(path.join(work, 'creds-tree'), { recursive: true });
    writeFileSync(path.join(work, 'creds-tree', 'Dockerfile'), 'FROM 127.0.0.1:9/team/app:1.0\n');
    const forge = ['--forge', 'gitlab', '--url', 'http://127.0.0.1:9', '--group', 'g'];
    for (const argv of [
      ['check', 'creds-tree', '--config', 'creds.json'],
      ['audit', 'creds-tree', '--config', 'creds.json'],
      ['run', '--config', 'creds.json', ...forge],
      ['serve', '--config', 'creds.json', ...forge, '--listen', '127.0.0.1:0'],
    ]) {
      expect(await runArchpin(argv, { cwd: work, env: { GITLAB_TOKEN: 'glpat-validate-test' } }), argv[0]).toEqual({ code: 2, stdout: '', stderr: message });
    }
  });

  it('names the file that cannot be read, and the subcommand that is missing', async () => {
    expect(await runArchpin(['config', 'validate', 'missing.json'], { cwd: work })).toEqual({
      code: 2,
      stdout: '',
      stderr: `archpin: cannot read config missing.json: no such file (${path.join(work, 'missing.json')})\n`,
    });
    expect(await runArchpin(['check', '.', '--config', 'missing.json'], { cwd: work })).toEqual({
      code: 2,
      stdout: '',
      stderr: `archpin: cannot read config missing.json: no such file (${path.join(work, 'missing.json')})\n`,
    });
    // Named by its absolute path: said once.
    expect(await runArchpin(['run', '--config', path.join(work, 'missing.json'), '--forge', 'gitlab', '--url', 'http://127.0.0.1:9', '--group', 'g'], { cwd: work })).toEqual({
      code: 2,
      stdout: '',
      stderr: `archpin: cannot read config ${path.join(work, 'missing.json')}: no such file\n`,
    });
    expect(await runArchpin(['config', 'check', 'x.json'], { cwd: work })).toEqual({
      code: 2,
      stdout: '',
      stderr: `archpin: config has no subcommand "check"; write archpin config validate FILE\n${USAGE_HINT}`,
    });
    expect(await runArchpin(['config', 'validate'], { cwd: work })).toEqual({
      code: 2,
      stdout: '',
      stderr: `archpin: config validate needs the file to check: archpin config validate FILE\n${USAGE_HINT}`,
    });
  });

  it('refuses registry settings that would be ignored, and keys that are not registry hosts', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ registries: { 'ghcr.io': { username: 'a', usernameEnv: 'B', tokenEnv: 'T' } } }, 'registries."ghcr.io".usernameEnv: set username or usernameEnv, not both'],
      [{ registries: { 'ghcr.io': { username: 'a', passwordEnv: 'P', passwordFile: '/p' } } }, 'registries."ghcr.io".passwordFile: set passwordEnv or passwordFile, not both'],
      [{ registries: { 'ghcr.io': { tokenEnv: 'T', tokenFile: '/t' } } }, 'registries."ghcr.io".tokenFile: set tokenEnv or tokenFile, not both'],
      [{ registries: { 'ghcr.io': { username: 'a' } } }, 'registries."ghcr.io".username: username is used only with passwordEnv, passwordFile, tokenEnv or tokenFile'],
      [{ registries: { 'ghcr.io': { hubApiUrl: 'https://hub.docker.com' } } }, 'registries."ghcr.io".hubApiUrl: only registries."docker.io" uses hubApiUrl'],
      [{ registries: { 'index.docker.io': { tokenEnv: 'T' } } }, 'registries."index.docker.io": Docker Hub is "docker.io" here (image references on index.docker.io are looked up as docker.io)'],
      [{ mirrors: { 'docker.io/library': 'https://mirror.example.com' } }, 'mirrors."docker.io/library": not a registry host; write "docker.io"'],
      [{ forge: { type: 'github', groups: ['infra'] } }, 'forge.groups: groups is for GitLab, and forge.type is "github"; GitHub takes owners and repositories'],
      [{ forge: { type: 'github' }, chain: { rebuild: true } }, 'chain.rebuild: chain.rebuild needs a GitLab forge (Pipeline Hooks and the pipeline API)'],
      [{ forge: { type: 'gitlba' } }, 'forge.type: Invalid option: expected one of "gitlab"|"github"; did you mean "gitlab"?'],
    ];
    for (const [config, message] of cases) {
      file('case.json', JSON.stringify(config));
      const run = await runArchpin(['config', 'validate', 'case.json'], { cwd: work });
      expect([run.code, run.stderr.replace(/^archpin: case\.json:1:\d+: /, '')], JSON.stringify(config)).toEqual([2, `${message}\n`]);
    }
  });
});
