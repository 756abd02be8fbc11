import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { imagePolicy } from '../../src/config/image-policy.js';
import { configJsonSchema } from '../../src/config/json-schema.js';
import { parseConfig } from '../../src/config/parse-config.js';
import { chainSchema, configSchema, forgeSchema, packageRuleSchema, registrySchema, serveSchema } from '../../src/config/schema.js';
import { serveOptions } from '../../src/cli/serve-options.js';
import { createLogger } from '../../src/cli/logger.js';
import type { Config } from '../../src/config/schema.js';
import { runArchpin } from '../support/run-cli.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const exampleText = readFileSync(path.join(ROOT, 'config.example.json'), 'utf8');

async function serveOptionsFor(config: Config) {
  const io = { stdout: () => undefined, stderr: () => undefined, env: { GITLAB_TOKEN: 'glpat-config-test-000000' }, cwd: os.tmpdir(), now: () => 0, interactive: false };
  const logger = createLogger({ level: 'silent', format: 'json', write: () => undefined, now: io.now });
  const args = {
    forge: 'gitlab' as const,
    url: 'http://127.0.0.1:9',
    groups: ['g'],
    projects: [],
    owners: [],
    repositories: [],
    listen: '127.0.0.1:0',
    schedule: undefined,
    cacheDir: os.tmpdir(),
    platforms: undefined,
    dryRun: true,
  };
  return serveOptions(args, config, io, logger);
}

describe('config', () => {
  it('config.example.json is valid and shows every option', () => {
    const config = parseConfig(exampleText, 'config.example.json');
    expect(Object.keys(config).sort()).toEqual(Object.keys(configSchema.shape).sort());
    const registryKeys = new Set(Object.values(config.registries!).flatMap((entry) => Object.keys(entry)));
    expect([...registryKeys].sort()).toEqual(Object.keys(registrySchema.shape).sort());
    expect(Object.keys(config.forge!).sort()).toEqual(Object.keys(forgeSchema.shape).sort());
    expect(Object.keys(config.serve!).sort()).toEqual(Object.keys(serveSchema.shape).sort());
    expect(Object.keys(config.chain!).sort()).toEqual(Object.keys(chainSchema.shape).sort());
    const ruleKeys = new Set(config.packageRules!.flatMap((rule) => Object.keys(rule)));
    expect([...ruleKeys].sort()).toEqual(Object.keys(packageRuleSchema.shape).sort());
  });

  it('config.schema.json is the one generated from the zod schema', () => {
    const committed = JSON.parse(readFileSync(path.join(ROOT, 'config.schema.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
  });

  it('names the path and the fix of every error', () => {
    expect(() => parseConfig('{"platforms":["amd64"],"minimumReleaseAge":"soon","packageRules":[{"matchImages":[],"bogus":1}]}', 'archpin.json')).toThrowError(
      [
        'archpin.json:1:15: platforms.0: expected os/arch[/variant], e.g. "linux/amd64" or "linux/arm/v7"',
        'archpin.json:1:44: minimumReleaseAge: expected a duration such as "4 hours", "30 minutes" or "1d"',
        'archpin.json:1:82: packageRules.0.matchImages: Too small: expected array to have >=1 items',
        `archpin.json:1:85: packageRules.0.bogus: unknown key; known keys here: ${Object.keys(packageRuleSchema.shape).join(', ')}`,
      ].join('\n'),
    );
  });

  it('`archpin config validate` exits 0 on the example and 2 with the path on a bad file', async () => {
    const ok = await runArchpin(['config', 'validate', path.join(ROOT, 'config.example.json')]);
    expect([ok.code, ok.stdout]).toEqual([0, `${path.join(ROOT, 'config.example.json')}: valid\n`]);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'archpin-config-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(path.join(dir, 'bad.json'), '{"settleTime": 30}');
    const bad = await runArchpin(['config', 'validate', 'bad.json'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('archpin: bad.json:1:16: settleTime: Invalid input: expected string, received number\n');
  });

  it('serve.isolation: the limits serve passes to each repository worker, checked', async () => {
    const { isolation } = await serveOptionsFor({ serve: { isolation: { memoryMb: 256, timeLimit: '45s' } } });
    expect(isolation).toEqual({ memoryMb: 256, timeMs: 45_000 });
    expect((await serveOptionsFor({})).isolation).toEqual({ memoryMb: 512, timeMs: 120_000 });
    expect(() => parseConfig('{"serve":{"isolation":{"memoryMb":8,"timeLimit":"500ms","heap":1}}}', 'config.json')).toThrowError(
      [
        'config.json:1:35: serve.isolation.memoryMb: Too small: expected number to be >=32',
        'config.json:1:49: serve.isolation.timeLimit: at least 1 second',
        'config.json:1:57: serve.isolation.heap: unknown key; known keys here: memoryMb, timeLimit',
      ].join('\n'),
    );
  });

  it('package rules resolve per image, later rules win, --platforms wins over all', () => {
    const config = parseConfig(exampleText, 'x');
    expect(imagePolicy(config, 'docker.io/library/docker')).toEqual({
      enabled: true,
      platforms: ['linux/amd64'],
      allowMajor: false,
      minimumReleaseAge: 4 * 3_600_000,
      holdWithoutReleaseTime: false,
      settleTime: 30 * 60_000,
      groupName: 'docker',
      versioning: 'docker',
      allowedVersions: null,
      pinDigests: true,
      labels: ['ci'],
      reviewers: ['alice'],
      assignees: ['bob'],
      disabledUpdateTypes: [],
      byUpdateType: expect.any(Object) as unknown,
    });
    // The rule for majors of every image adds its label and reviewer to the docker rule's
    const docker = imagePolicy(config, 'docker.io/library/docker');
    expect([docker.byUpdateType?.major?.labels, docker.byUpdateType?.major?.reviewers, docker.byUpdateType?.minor?.labels]).toEqual([['ci', 'major'], ['alice', 'platform-lead'], ['ci']]);
    expect([imagePolicy(config, 'docker.io/library/nginx').pinDigests, imagePolicy(config, 'docker.io/library/alpine').pinDigests]).toEqual([false, true]);
    expect(imagePolicy(config, 'ghcr.io/acme/api')).toEqual({
      enabled: true,
      platforms: ['linux/amd64', 'linux/arm64'],
      allowMajor: true,
      minimumReleaseAge: 86_400_000,
      holdWithoutReleaseTime: true,
      settleTime: 2 * 3_600_000,
      groupName: null,
      versioning: 'docker',
      allowedVersions: null,
      pinDigests: true,
      labels: [],
      reviewers: [],
      assignees: [],
      disabledUpdateTypes: [],
      byUpdateType: expect.objectContaining({ major: expect.objectContaining({ labels: ['major'], reviewers: ['platform-lead'], minimumReleaseAge: 86_400_000 }) }) as unknown,
    });
    expect(imagePolicy(config, 'docker.io/bitnami/redis')).toMatchObject({
      versioning: 'regex:^(?<major>\\d+)\\.(?<minor>\\d+)\\.(?<patch>\\d+)-(?<compatibility>.+)-r(?<revision>\\d+)$',
      allowedVersions: '<8',
      disabledUpdateTypes: [],
    });
    // matchCurrentVersion: the rule applies to postgres 16 only, and only with the current tag known
    expect(imagePolicy(config, 'docker.io/library/postgres', undefined, '16.4').disabledUpdateTypes).toEqual(['major']);
    expect(imagePolicy(config, 'docker.io/library/postgres', undefined, '17.0').disabledUpdateTypes).toEqual([]);
    expect(imagePolicy(config, 'docker.io/library/postgres').disabledUpdateTypes).toEqual([]);
    expect(imagePolicy(config, 'docker.io/library/nginx', ['linux/arm/v7']).platforms).toEqual(['linux/arm/v7']);
    expect(imagePolicy(parseConfig('{"packageRules":[{"matchImages":["docker"],"enabled":false}]}', 'x'), 'docker.io/library/docker').enabled).toBe(false);
  });
});

describe('repository configs and regular expressions', () => {
  it('a repository config may not bring regex versioning or /regex/ constraints', async () => {
    const { withRepositoryConfig } = await import('../../src/config/repository-config.js');
    const text = JSON.stringify({
      packageRules: [
        { matchImages: ['x'], versioning: 'regex:^(?<major>\\d+)$', allowedVersions: '/^1/' },
        { matchImages: ['y'], matchCurrentVersion: '!/a/' },
      ],
    });
    expect(() => withRepositoryConfig({}, text, 'acme/app:archpin.json')).toThrowError(
      "acme/app:archpin.json: a repository config may not use regular expressions (packageRules.0.versioning, packageRules.0.allowedVersions, packageRules.1.matchCurrentVersion); ask for the rule in the bot's own config",
    );
    expect(withRepositoryConfig({}, JSON.stringify({ packageRules: [{ matchImages: ['x'], versioning: 'semver', allowedVersions: '<2' }] }), 's').packageRules).toEqual([
      { matchImages: ['x'], versioning: 'semver', allowedVersions: '<2' },
    ]);
  });
});
