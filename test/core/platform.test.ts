import { describe, expect, it } from 'vitest';
import { canonicalPlatform, formatPlatform, normalizePlatform, parsePlatform, platformKey, platformSatisfies } from '../../src/core/platform.js';

describe('parsePlatform / formatPlatform', () => {
  it('parses two and three segments without normalising', () => {
    expect(parsePlatform('linux/arm64/v8')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(parsePlatform('linux/x86_64')).toEqual({ os: 'linux', architecture: 'x86_64', variant: null });
    expect(parsePlatform(' windows/amd64 ')).toEqual({ os: 'windows', architecture: 'amd64', variant: null });
  });

  it('rejects what is not os/arch[/variant]', () => {
    expect(parsePlatform('linux')).toBeNull();
    expect(parsePlatform('linux/arm/v7/extra')).toBeNull();
    expect(parsePlatform('linux//v7')).toBeNull();
    expect(parsePlatform('linux/amd 64')).toBeNull();
    expect(parsePlatform('')).toBeNull();
  });

  it('formats with and without variant', () => {
    expect(formatPlatform({ os: 'linux', architecture: 'arm', variant: 'v6' })).toBe('linux/arm/v6');
    expect(formatPlatform({ os: 'linux', architecture: 'amd64', variant: null })).toBe('linux/amd64');
  });
});

describe('normalizePlatform', () => {
  const cases: [string, string][] = [
    ['linux/x86_64', 'linux/amd64'],
    ['linux/x86-64', 'linux/amd64'],
    ['linux/amd64/v1', 'linux/amd64'],
    ['linux/amd64/v3', 'linux/amd64/v3'],
    ['linux/aarch64', 'linux/arm64/v8'],
    ['linux/arm64', 'linux/arm64/v8'],
    ['linux/arm64/8', 'linux/arm64/v8'],
    ['linux/arm64/v8.0', 'linux/arm64/v8'],
    ['linux/arm64/v9', 'linux/arm64/v9'],
    ['linux/arm', 'linux/arm/v7'],
    ['linux/arm/7', 'linux/arm/v7'],
    ['linux/arm/v6', 'linux/arm/v6'],
    ['linux/armhf', 'linux/arm/v7'],
    ['linux/armel', 'linux/arm/v6'],
    ['linux/armv7l', 'linux/arm/v7'],
    ['linux/i386', 'linux/386'],
    ['linux/i686', 'linux/386'],
    ['linux/x86', 'linux/386'],
    ['Linux/AMD64', 'linux/amd64'],
    ['macos/arm64', 'darwin/arm64/v8'],
    ['linux/s390x', 'linux/s390x'],
    ['linux/ppc64le', 'linux/ppc64le'],
    ['unknown/unknown', 'unknown/unknown'],
  ];
  it.each(cases)('%s → %s', (input, expected) => {
    expect(canonicalPlatform(input)).toBe(expected);
  });

  it('returns a record and keeps os lowercase', () => {
    expect(normalizePlatform({ os: 'LINUX', architecture: 'aarch64', variant: null })).toEqual({
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8',
    });
    expect(platformKey({ os: 'linux', architecture: 'x86_64', variant: null })).toBe('linux/amd64');
    expect(canonicalPlatform('not a platform')).toBeNull();
  });
});

describe('platformSatisfies', () => {
  it('matches exactly after normalisation', () => {
    expect(platformSatisfies('linux/amd64', 'linux/x86_64')).toBe(true);
    expect(platformSatisfies('linux/arm64', 'linux/arm64/v8')).toBe(true);
    expect(platformSatisfies('linux/arm64/v8', 'linux/aarch64')).toBe(true);
    expect(platformSatisfies('linux/arm', 'linux/arm/v7')).toBe(true);
    expect(platformSatisfies({ os: 'linux', architecture: 'amd64', variant: null }, { os: 'linux', architecture: 'amd64', variant: 'v1' })).toBe(true);
  });

  it('never lets 386 stand in for amd64, nor the reverse', () => {
    expect(platformSatisfies('linux/amd64', 'linux/386')).toBe(false);
    expect(platformSatisfies('linux/amd64', 'linux/i386')).toBe(false);
    expect(platformSatisfies('linux/386', 'linux/amd64')).toBe(false);
  });

  it('keeps arm variants apart', () => {
    expect(platformSatisfies('linux/arm/v7', 'linux/arm/v6')).toBe(false);
    expect(platformSatisfies('linux/arm/v6', 'linux/arm/v7')).toBe(false);
    expect(platformSatisfies('linux/arm', 'linux/armel')).toBe(false);
    expect(platformSatisfies('linux/arm64', 'linux/arm/v7')).toBe(false);
    expect(platformSatisfies('linux/arm64/v8', 'linux/arm64/v9')).toBe(false);
  });

  it('lets an amd64 host at a higher level run lower-level images, not the reverse', () => {
    expect(platformSatisfies('linux/amd64/v3', 'linux/amd64')).toBe(true);
    expect(platformSatisfies('linux/amd64/v3', 'linux/amd64/v2')).toBe(true);
    expect(platformSatisfies('linux/amd64', 'linux/amd64/v3')).toBe(false);
    expect(platformSatisfies('linux/amd64/v2', 'linux/amd64/v3')).toBe(false);
  });

  it('compares the os and refuses unparsable input', () => {
    expect(platformSatisfies('linux/amd64', 'windows/amd64')).toBe(false);
    expect(platformSatisfies('amd64', 'linux/amd64')).toBe(false);
  });
});
