/** A CI step's image map with the credentials of a private registry beside its `name`. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]);

const pipelines = [
  'image: registry.example.test/ci/php:8.3', // 1
  'pipelines:', // 2
  '  custom:', // 3
  '    private:', // 4
  '      - step:', // 5
  '          image:', // 6
  '            name: registry.example.test/team/private-ci:2.1', // 7
  '            username: $REGISTRY_USER', // 8
  '            password: $REGISTRY_PASSWORD', // 9
  '          script:', // 10
  '            - make test', // 11
  '    other:', // 12
  '      - step:', // 13
  '          image:', // 14
  '            name: registry.example.test/team/other-ci:2.1', // 15
  '            entrypoint: /bin/sh', // 16
  '          script:', // 17
  '            - make test', // 18
  '',
].join('\n');

describe('credentialed step images', () => {
  it('reads an image map of `name` and login keys as the image its name writes; a map with other keys is not read this way', () => {
    expect(rows({ 'bitbucket-pipelines.yml': pipelines })).toEqual([
      ['bitbucket-pipelines.yml', 1, 'registry.example.test/ci/php:8.3', null],
      ['bitbucket-pipelines.yml', 7, 'registry.example.test/team/private-ci:2.1', null],
    ]);
  });
});
