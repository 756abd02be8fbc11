/** A CI pipeline kept in a file named like a compose file: its steps run images, and compose never reads it. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const pipeline = [
  'when:', // 1
  '  - event: push', // 2
  'steps:', // 3
  '  - name: deploy', // 4
  '    image: registry.example.test/ci/ssh-deploy:1', // 5
  '    settings:', // 6
  '      script:', // 7
  '        - docker compose pull', // 8
  'services:', // 9
  '  cache:', // 10
  '    image: registry.example.test/ci/cache:7.2', // 11
  '',
].join('\n');

const compose = ['services:', '  web:', '    image: registry.example.test/team/web:1.4', ''].join('\n');

describe('a file named like a compose file that holds a CI pipeline', () => {
  it('has its steps and service containers read as the pipeline they are; a compose file of that name is still compose', () => {
    const scanned = scanTexts({ 'ci/docker-compose-deploy.yaml': pipeline, 'app/docker-compose.yaml': compose });
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip])).toEqual([
      ['app/docker-compose.yaml', 3, 'registry.example.test/team/web:1.4', 'compose-service', null],
      ['ci/docker-compose-deploy.yaml', 5, 'registry.example.test/ci/ssh-deploy:1', 'yaml-image', null],
      ['ci/docker-compose-deploy.yaml', 11, 'registry.example.test/ci/cache:7.2', 'yaml-image', null],
    ]);
  });
});
