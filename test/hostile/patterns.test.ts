import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { imagePolicy } from '../../src/config/image-policy.js';
import { compileGlob } from '../../src/core/glob.js';
import { ignoreRules, ignoresPath } from '../../src/core/gitignore.js';
import { runArchpin } from '../support/run-cli.js';
import { hostileDirs } from './tree.js';

const dirs = hostileDirs();

describe('user patterns are matched in linear time', () => {
  it('a polynomial packageRules pattern against a long image name answers at once (a backtracking regex takes hours)', () => {
    const pattern = `${'*a'.repeat(24)}*b`;
    const key = `docker.io/${'a'.repeat(4000)}`;
    const policy = imagePolicy({ packageRules: [{ matchImages: [pattern], enabled: false }] }, key);
    expect(policy.enabled).toBe(true);
    expect(imagePolicy({ packageRules: [{ matchImages: [pattern], enabled: false }] }, `${key}b`).enabled).toBe(false);
  });

  it('a polynomial ignorePaths pattern and .gitignore line against long paths answer at once', async () => {
    const { repo } = dirs();
    const deep = path.join(repo, 'a'.repeat(200), 'a'.repeat(200));
    mkdirSync(deep, { recursive: true });
    writeFileSync(path.join(deep, `${'a'.repeat(200)}.yml`), 'image: alpine:3.18\n');
    writeFileSync(path.join(repo, '.gitignore'), `${'*a'.repeat(30)}*b\n**/${'a*'.repeat(30)}c\n`);
    writeFileSync(path.join(repo, 'archpin.json'), JSON.stringify({ ignorePaths: [`${'**/*a'.repeat(20)}*b`] }));
    const run = await runArchpin(['scan', '.', '--format', 'json'], { cwd: repo });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).references.map((reference: { value: string }) => reference.value)).toEqual(['alpine:3.18']);
  });

  it('image patterns: * spans any characters, other characters are literal', () => {
    const enabled = (pattern: string, key: string) => imagePolicy({ packageRules: [{ matchImages: [pattern], enabled: false }] }, key).enabled;
    expect(enabled('ghcr.io/acme/*', 'ghcr.io/acme/team/app')).toBe(false);
    expect(enabled('ghcr.io/acme/*', 'ghcr.io/acmex/app')).toBe(true);
    expect(enabled('docker', 'docker.io/library/docker')).toBe(false);
    expect(enabled('docker.io/library/[a]*', 'docker.io/library/alpine')).toBe(true);
    expect(enabled('docker.io/library/?lpine*', 'docker.io/library/alpine')).toBe(true);
    expect(enabled('*.io/library/a*e', 'docker.io/library/alpine')).toBe(false);
  });

  it('globs: *, ?, classes, ** segments', () => {
    const glob = (pattern: string) => compileGlob(pattern, { globstar: true });
    expect(glob('ci/*.yml').matches('ci/a.yml')).toBe(true);
    expect(glob('ci/*.yml').matches('ci/x/a.yml')).toBe(false);
    expect(glob('ci/**/*.yml').matches('ci/a.yml')).toBe(true);
    expect(glob('ci/**/*.yml').matches('ci/x/y/a.yml')).toBe(true);
    expect(glob('**/a.yml').matches('a.yml')).toBe(true);
    // `**/` spans whole segments only: the rest must be a whole name
    expect(glob('**/build').matches('quickstart-build')).toBe(false);
    expect(glob('**/build').matches('x/quickstart-build')).toBe(false);
    expect(glob('**/build').matches('x/y/build')).toBe(true);
    expect(glob('ci/**/a.yml').matches('ci/xa.yml')).toBe(false);
    expect(glob('a/**').matches('a/b/c')).toBe(true);
    expect(glob('a/**').matches('a')).toBe(false);
    expect(glob('file?.y[a-m]l').matches('file1.yml')).toBe(true);
    expect(glob('file?.y[!a-m]l').matches('file1.yml')).toBe(false);
    expect(glob('a\\*b').matches('a*b')).toBe(true);
    expect(glob('a\\*b').matches('axb')).toBe(false);
    expect(glob('[ab').matches('[ab')).toBe(true);
  });

  it('globs where any ** spans folders (GitLab wildcard includes): ci/**.yml at any depth, ci/**/*.yml below ci/ only, in linear time', () => {
    const glob = (pattern: string) => compileGlob(pattern, { doubleStarCrossesSlash: true });
    expect(glob('ci/**.yml').matches('ci/a.yml')).toBe(true);
    expect(glob('ci/**.yml').matches('ci/x/y/a.yml')).toBe(true);
    expect(glob('ci/**/*.yml').matches('ci/a.yml')).toBe(false);
    expect(glob('ci/**/*.yml').matches('ci/x/a.yml')).toBe(true);
    expect(glob('ci/*.yml').matches('ci/x/a.yml')).toBe(false);
    // A backtracking matcher would not finish this one.
    expect(glob(`${'**a'.repeat(40)}b`).matches('a/'.repeat(5_000))).toBe(false);
  });

  it('gitignore rules: comments, negation, directory-only, anchoring, parents of a file', () => {
    const rules = ignoreRules(['# comment', '', 'build/', '*.log', '!keep.log', '/root-only.yml', 'docs/*.yml', 'trailing   ']);
    expect(ignoresPath(rules, 'build/x.yml')).toBe(true);
    expect(ignoresPath(rules, 'a/build/x.yml')).toBe(true);
    expect(ignoresPath(rules, 'quickstart-build/x.yml')).toBe(false);
    expect(ignoresPath(rules, 'a/rebuild/x.yml')).toBe(false);
    expect(rules.decide('build', false)).toBe(null);
    expect(ignoresPath(rules, 'x/debug.log')).toBe(true);
    expect(ignoresPath(rules, 'x/keep.log')).toBe(false);
    expect(ignoresPath(rules, 'root-only.yml')).toBe(true);
    expect(ignoresPath(rules, 'sub/root-only.yml')).toBe(false);
    expect(ignoresPath(rules, 'docs/a.yml')).toBe(true);
    expect(ignoresPath(rules, 'docs/x/a.yml')).toBe(false);
    expect(ignoresPath(rules, 'trailing')).toBe(true);
    expect(ignoresPath(rules, '# comment')).toBe(false);
  });
});
