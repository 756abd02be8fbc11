import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

/** A compose file with a key indented out of place: no YAML parser reads it, compose neither. */
const BROKEN = [
  'version: "3.8"', // 1
  '  services:', // 2
  '  web:', // 3
  '    image: registry.example.test/shop/web:1.4.2', // 4
  '    ports:', // 5
  '      - "8080:80"', // 6
  '  worker:', // 7
  '    build: ./worker', // 8
  '    image: shop-worker', // 9
  '  proxy:', // 10
  "    image: 'nginx'", // 11
  '    environment:', // 12
  '      - UPSTREAM_IMAGE=registry.example.test/shop/other:2.0', // 13
  '  cache:', // 14
  '    image: "redis:${REDIS_TAG:-7.4.1}"', // 15
  '',
].join('\n');

describe('a compose file that does not parse', () => {
  it('reads its image lines one by one, leaves out what a service builds, and still reports the parse problem', () => {
    const scanned = scanTexts({ 'deploy/docker-compose.yml': BROKEN, 'deploy/notes.yml': BROKEN });
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.column, reference.value, reference.kind, reference.skip])).toEqual([
      ['deploy/docker-compose.yml', 4, 12, 'registry.example.test/shop/web:1.4.2', 'compose-service', null],
      ['deploy/docker-compose.yml', 11, 13, 'nginx', 'compose-service', 'no-tag'],
      ['deploy/docker-compose.yml', 15, 13, 'redis:7.4.1', 'compose-service', null],
    ]);
    expect(scanned.problems.map((problem) => [problem.file, problem.line, problem.code])).toEqual([
      ['deploy/docker-compose.yml', 2, 'parse-error'],
      ['deploy/notes.yml', 2, 'parse-error'],
    ]);
  });
});
