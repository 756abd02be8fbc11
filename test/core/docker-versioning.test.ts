import { describe, expect, it } from 'vitest';
import { compareTags, isCompatible, parseDockerTag, pickCandidates, updateType } from '../../src/core/docker-versioning.js';

describe('parseDockerTag', () => {
  it.each([
    ['27.0.3', { prefix: '', release: [27, 0, 3], prerelease: null, suffix: '' }],
    ['1.25', { prefix: '', release: [1, 25], prerelease: null, suffix: '' }],
    ['3', { prefix: '', release: [3], prerelease: null, suffix: '' }],
    ['v1.2.3', { prefix: 'v', release: [1, 2, 3], prerelease: null, suffix: '' }],
    ['27.0.3-dind', { prefix: '', release: [27, 0, 3], prerelease: null, suffix: '-dind' }],
    ['3.20-alpine3.20', { prefix: '', release: [3, 20], prerelease: null, suffix: '-alpine3.20' }],
    ['3.13-management', { prefix: '', release: [3, 13], prerelease: null, suffix: '-management' }],
    ['12.4-bookworm-slim', { prefix: '', release: [12, 4], prerelease: null, suffix: '-bookworm-slim' }],
    ['28.0.0-rc.1', { prefix: '', release: [28, 0, 0], prerelease: 'rc.1', suffix: '' }],
    ['28.0.0-rc.1-dind', { prefix: '', release: [28, 0, 0], prerelease: 'rc.1', suffix: '-dind' }],
    ['2.0.0-beta', { prefix: '', release: [2, 0, 0], prerelease: 'beta', suffix: '' }],
    ['3.13.0rc1-slim', { prefix: '', release: [3, 13, 0], prerelease: 'rc1', suffix: '-slim' }],
    ['3.14.0a1', { prefix: '', release: [3, 14, 0], prerelease: 'a1', suffix: '' }],
    ['20240101', { prefix: '', release: [20240101], prerelease: null, suffix: '' }],
  ])('%s', (tag, expected) => {
    expect(parseDockerTag(tag)).toEqual(expected);
  });

  it.each(['latest', 'stable', 'bookworm', 'alpine', 'v', '1.2.x', '1.2.', '1.21_alpine', '1.0final', '1234567890123456', ''])('does not parse %s', (tag) => {
    expect(parseDockerTag(tag)).toBeNull();
  });

  it('does not mistake alpine or a b-word suffix for a prerelease', () => {
    expect(parseDockerTag('1.27-alpine')?.prerelease).toBeNull();
    expect(parseDockerTag('1.27-bullseye')).toEqual({ prefix: '', release: [1, 27], prerelease: null, suffix: '-bullseye' });
    expect(parseDockerTag('1.0-preview')?.prerelease).toBe('preview');
    expect(parseDockerTag('1.0-prefork')?.suffix).toBe('-prefork');
  });
});

describe('isCompatible', () => {
  it('requires the same prefix, component count and suffix', () => {
    expect(isCompatible('27.0.3-dind', '27.1.1-dind')).toBe(true);
    expect(isCompatible('27.0.3-dind', '27.1.1')).toBe(false);
    expect(isCompatible('27.0.3-dind', '27.1-dind')).toBe(false);
    expect(isCompatible('v1.2.3', '1.2.4')).toBe(false);
    expect(isCompatible('v1.2.3', 'v1.3.0')).toBe(true);
    expect(isCompatible('3.19-alpine3.19', '3.20-alpine3.20')).toBe(false);
    expect(isCompatible('latest', 'latest')).toBe(false);
  });

  it('never offers a prerelease to a user on a stable tag, but lets a prerelease user move on', () => {
    expect(isCompatible('27.0.3', '28.0.0-rc.1')).toBe(false);
    expect(isCompatible('27.0.3-dind', '28.0.0-rc.1-dind')).toBe(false);
    expect(isCompatible('28.0.0-rc.1', '28.0.0-rc.2')).toBe(true);
    expect(isCompatible('28.0.0-rc.1', '28.0.0')).toBe(true);
  });

  it('keeps calendar versions apart from small numbers', () => {
    expect(isCompatible('1.2', '20240101')).toBe(false);
    expect(isCompatible('3', '20240101')).toBe(false);
    expect(isCompatible('20240101', '20240215')).toBe(true);
    expect(isCompatible('9', '10')).toBe(true);
  });
});

describe('compareTags', () => {
  it('orders numerically, finals after their prereleases, unparsable first', () => {
    const tags = ['1.10.0', '1.9.0', 'latest', '1.10.0-rc.2', '1.10.0-beta.3', '1.10.0-rc.10', '1.10.0-alpha', 'edge', '1.2'];
    expect([...tags].sort(compareTags)).toEqual(['edge', 'latest', '1.2', '1.9.0', '1.10.0-alpha', '1.10.0-beta.3', '1.10.0-rc.2', '1.10.0-rc.10', '1.10.0']);
  });

  it('breaks ties between equal versions on the text', () => {
    expect(compareTags('1.2-alpine', '1.2-bookworm')).toBe(-1);
    expect(compareTags('1.2', '1.2')).toBe(0);
    expect(compareTags('1.2', '1.2.0')).toBe(-1);
  });
});

describe('updateType', () => {
  it('names the first component that grows', () => {
    expect(updateType('27.0.3-dind', '28.0.0-dind')).toBe('major');
    expect(updateType('27.0.3-dind', '27.1.1-dind')).toBe('minor');
    expect(updateType('27.0.3-dind', '27.0.4-dind')).toBe('patch');
    expect(updateType('1.2.3.4', '1.2.3.5')).toBe('patch');
    expect(updateType('20240101', '20240215')).toBe('major');
    expect(updateType('28.0.0-rc.1', '28.0.0')).toBe('patch');
  });

  it('is a digest update for the same tag, null otherwise', () => {
    expect(updateType('27.0.3-dind', '27.0.3-dind')).toBe('digest');
    expect(updateType('latest', 'latest')).toBe('digest');
    expect(updateType('latest', 'stable')).toBeNull();
    expect(updateType('27.1.0', '27.0.9')).toBeNull();
    expect(updateType('27.0.3-dind', '27.1.1')).toBeNull();
  });
});

describe('pickCandidates', () => {
  const dockerTags = [
    'latest',
    'dind',
    '27',
    '27-dind',
    '27.0',
    '27.0.3',
    '27.0.3-dind',
    '27.1.0-dind',
    '27.1.1-dind',
    '27.1.1-dind-rootless',
    '27.2.0-dind',
    '27.2.0',
    '28.0.0-rc.1-dind',
    '28.0.0-dind',
    '28.0.1-dind',
    '26.1.4-dind',
    '27.1-dind',
    'cli',
    '27.1.1-cli',
  ];

  it('offers compatible newer tags, newest first, without majors by default', () => {
    expect(pickCandidates('27.0.3-dind', dockerTags, { allowMajor: false })).toEqual(['27.2.0-dind', '27.1.1-dind', '27.1.0-dind']);
  });

  it('includes majors when allowed, never prereleases', () => {
    expect(pickCandidates('27.0.3-dind', dockerTags, { allowMajor: true })).toEqual(['28.0.1-dind', '28.0.0-dind', '27.2.0-dind', '27.1.1-dind', '27.1.0-dind']);
  });

  it('keeps the component count', () => {
    expect(pickCandidates('27-dind', dockerTags, { allowMajor: true })).toEqual([]);
    expect(pickCandidates('27.0', ['27.0', '27.1', '27.1.2', '27', '28.0'], { allowMajor: false })).toEqual(['27.1']);
  });

  it('gives latest-style and unparsable tags no candidates', () => {
    expect(pickCandidates('latest', dockerTags, { allowMajor: true })).toEqual([]);
    expect(pickCandidates('dind', dockerTags, { allowMajor: true })).toEqual([]);
  });

  it('lets a prerelease user reach newer prereleases and the final', () => {
    const tags = ['28.0.0-rc.1', '28.0.0-rc.2', '28.0.0', '28.0.1', '27.5.0', '28.0.0-beta.1'];
    expect(pickCandidates('28.0.0-rc.1', tags, { allowMajor: false })).toEqual(['28.0.1', '28.0.0', '28.0.0-rc.2']);
  });

  it('treats calendar tags as one-component versions and deduplicates', () => {
    const tags = ['20240101', '20240301', '20240301', '20231201', '2', '3.1'];
    expect(pickCandidates('20240101', tags, { allowMajor: true })).toEqual(['20240301']);
    expect(pickCandidates('2', tags, { allowMajor: true })).toEqual([]);
  });
});
