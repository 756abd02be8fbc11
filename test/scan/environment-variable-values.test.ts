/** Plain YAML values that are one environment variable: filled in by whoever runs the file, they name no image as written. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]);

const SCENARIO = [
  '---', // 1
  'driver:', // 2
  '  name: delegated', // 3
  'provisioner:', // 4
  '  name: ansible', // 5
  '  inventory:', // 6
  '    host_vars:', // 7
  '      localhost:', // 8
  '        gateway_image: ${GATEWAY_TEST_IMAGE:-""}', // 9
  "        worker_image: ${WORKER_TEST_IMAGE:-''}", // 10
  '        agent_image: ${AGENT_TEST_IMAGE}', // 11
  '        probe_image: $PROBE_TEST_IMAGE', // 12
  '        cache_image: ${CACHE_TEST_IMAGE:-registry.example.test/cache/store:7.2}', // 13
  '        relay_image: ${RELAY_REGISTRY}/relay:2.0', // 14
  '',
].join('\n');

const POD_FRAGMENT = [
  'spec:', // 1
  '  containers:', // 2
  '  - name: docs', // 3
  '    image: ${TEMPLATE_DOCS_IMAGE}', // 4
  '    tty: true', // 5
  '  - name: shell', // 6
  '    image: registry.example.test/tools/shell:3.1', // 7
  '',
].join('\n');

describe('plain YAML values that are one environment variable', () => {
  it('a variable with no default or an empty one names no image; a default or text of its own stays templated', () => {
    expect(scan({ 'molecule/default/molecule.yml': SCENARIO })).toEqual([
      ['molecule/default/molecule.yml', 13, '${CACHE_TEST_IMAGE:-registry.example.test/cache/store:7.2}', 'templated'],
      ['molecule/default/molecule.yml', 14, '${RELAY_REGISTRY}/relay:2.0', 'templated'],
    ]);
  });

  it('a pod template fragment that a library fills in keeps its literal images only', () => {
    expect(scan({ 'resources/podtemplates/docs.yaml': POD_FRAGMENT })).toEqual([['resources/podtemplates/docs.yaml', 7, 'registry.example.test/tools/shell:3.1', null]]);
  });

  it('a compose file still shows such an image templated: compose reads its own environment and .env', () => {
    const compose = ['services:', '  web:', '    image: ${WEB_IMAGE}', ''].join('\n');
    expect(scan({ 'compose.yaml': compose })).toEqual([['compose.yaml', 3, '${WEB_IMAGE}', 'templated']]);
  });
});
