import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMPTY_OCI_INDEX_DIGEST } from '../../src/core/digest.js';
import { runArchpin } from '../support/run-cli.js';
import { useScenario } from '../support/scenario.js';

const scenario = useScenario({ name: 'check', seed: true });
const makeRepo = (name: string, files: Record<string, string>): string => scenario.tree(files, name);

describe('archpin check against the incident', () => {
  it('pins 27.1.1-dind, holds the empty and the arm64-only index with reasons, and --write edits byte-exactly', async () => {
    const host = scenario.registry.host;
    const ci = `# CI\r\nbuild:\r\n  image: ${host}/library/docker:27.0.3\r\n  services:\r\n    - name: "${host}/library/docker:27.0.3-dind@${scenario.seed.digests['27.0.3-dind']}"\r\n      alias: docker\r\n  script: [docker info]\r\n`;
    const dir = makeRepo('incident', { '.gitlab-ci.yml': ci });
    const cache = path.join(scenario.work, 'cache-incident');
    const run = await runArchpin(['check', dir, '--format', 'json', '--cache-dir', cache]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.updates).toEqual([
      {
        file: '.gitlab-ci.yml',
        line: 3,
        from: `${host}/library/docker:27.0.3`,
        to: `${host}/library/docker:27.1.1@${scenario.seed.digests['27.1.1']}`,
        image: `${host}/library/docker`,
        tag: '27.1.1',
        updateType: 'minor',
        digest: scenario.seed.digests['27.1.1'],
        platforms: ['linux/amd64', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm64/v8'],
        fromPlatforms: ['linux/amd64', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm64/v8'],
      },
      {
        file: '.gitlab-ci.yml',
        line: 5,
        from: `${host}/library/docker:27.0.3-dind@${scenario.seed.digests['27.0.3-dind']}`,
        to: `${host}/library/docker:27.1.1-dind@${scenario.seed.digests['27.1.1-dind']}`,
        image: `${host}/library/docker`,
        tag: '27.1.1-dind',
        updateType: 'minor',
        digest: scenario.seed.digests['27.1.1-dind'],
        platforms: ['linux/amd64', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm64/v8'],
        fromPlatforms: ['linux/amd64', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm64/v8'],
      },
    ]);
    const blocked = report.blocked.map((held: { tag: string; reason: string; missing: string[]; digest: string }) => [held.tag, held.reason, held.missing, held.digest]);
    expect(blocked).toEqual([['27.2.0-dind', 'platform-regression', ['linux/amd64', 'linux/arm/v6', 'linux/arm/v7'], scenario.seed.digests['27.2.0-dind']]]);
    expect(report.errors).toEqual([]);

    const write = await runArchpin(['check', dir, '--write', '--cache-dir', cache]);
    expect(write.code).toBe(0);
    expect(readFileSync(path.join(dir, '.gitlab-ci.yml'), 'latin1')).toBe(
      ci
        .replace(`docker:27.0.3\r`, `docker:27.1.1@${scenario.seed.digests['27.1.1']}\r`)
        .replace(`docker:27.0.3-dind@${scenario.seed.digests['27.0.3-dind']}`, `docker:27.1.1-dind@${scenario.seed.digests['27.1.1-dind']}`),
    );
    const again = await runArchpin(['check', dir, '--format', 'json', '--cache-dir', cache]);
    expect(JSON.parse(again.stdout).updates).toEqual([]);
  });

  it('with --platforms linux/amd64,linux/arm64 the arm64-only index is held as missing-platforms linux/amd64', async () => {
    const dir = makeRepo('platforms', {
      'deploy.yaml': `apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n    - name: d\n      image: ${scenario.registry.host}/library/docker:27.0.3-dind\n`,
    });
    const run = await runArchpin(['check', dir, '--format', 'json', '--platforms', 'linux/amd64,linux/arm64', '--cache-dir', path.join(scenario.work, 'cache-platforms')]);
    const report = JSON.parse(run.stdout);
    expect(report.updates.map((update: { to: string }) => update.to)).toEqual([`${scenario.registry.host}/library/docker:27.1.1-dind@${scenario.seed.digests['27.1.1-dind']}`]);
    expect(report.blocked.map((held: { tag: string; reason: string; missing: string[] }) => [held.tag, held.reason, held.missing])).toEqual([['27.2.0-dind', 'missing-platforms', ['linux/amd64']]]);
  });

  it('audit flags a pin to the empty index with exit 3 and suggests the repin', async () => {
    const dir = makeRepo('audit', {
      Dockerfile: `FROM ${scenario.registry.host}/library/docker:27.1.0-dind@${EMPTY_OCI_INDEX_DIGEST}\nFROM ${scenario.registry.host}/library/docker:27.1.1@${scenario.seed.digests['27.1.1']}\n`,
    });
    const run = await runArchpin(['audit', dir, '--format', 'json', '--cache-dir', path.join(scenario.work, 'cache-audit')]);
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout);
    expect(report.audit).toEqual([
      {
        file: 'Dockerfile',
        line: 1,
        value: `${scenario.registry.host}/library/docker:27.1.0-dind@${EMPTY_OCI_INDEX_DIGEST}`,
        image: `${scenario.registry.host}/library/docker`,
        reason: 'empty-index',
        reasons: ['empty-index'],
        missing: [],
        message: 'pinned to the known empty index digest: the image has no platforms and cannot be pulled',
        fix: `${scenario.registry.host}/library/docker:27.1.1-dind@${scenario.seed.digests['27.1.1-dind']}`,
      },
    ]);
  });
});

describe('archpin audit text errors', () => {
  it('names where each error happened as check does: the registry host, the file and line', async () => {
    const dir = makeRepo('audit-errors', { Dockerfile: `FROM 127.0.0.1:9/team/app:1.0@sha256:${'a'.repeat(64)}\n`, 'bad.yaml': 'image: [unclosed\n' });
    const cacheDir = path.join(scenario.work, 'cache-audit-errors');
    const errorsBlock = (stdout: string) => stdout.slice(stdout.indexOf('Errors ('), stdout.indexOf('\n\n', stdout.indexOf('Errors (')));
    const audit = await runArchpin(['audit', dir, '--cache-dir', cacheDir]);
    expect(audit.code).toBe(1);
    expect(errorsBlock(audit.stdout)).toBe(
      [
        'Errors (2):',
        '  127.0.0.1:9  registry-unreachable  127.0.0.1:9 is unreachable (the port is one that fetch refuses to use): 1 image not looked up',
        '  bad.yaml:2  parse-error  YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
      ].join('\n'),
    );
    const check = await runArchpin(['check', dir, '--cache-dir', cacheDir]);
    expect(errorsBlock(check.stdout)).toBe(errorsBlock(audit.stdout));
  });
});
