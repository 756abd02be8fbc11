/** Compose files kept as templates that a configuration tool (Ansible) renders before compose reads them. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const compose = [
  'services:', // 1
  '  relay:', // 2
  '    image: "{{ relay_image }}"', // 3
  '  cache:', // 4
  '    image: "{{ cache_image }}:7"', // 5
  '  proxy:', // 6
  '    image: "{{ proxy_registry }}/proxy:{{ proxy_tag }}"', // 7
  '  shell:', // 8
  '    image: example/shell:1.0', // 9
  '',
].join('\n');

describe('compose templates', () => {
  it('an image passed on through one template variable is not a reference (the variable, where it is written as an image, is); other template values stay templated', () => {
    const scanned = scanTexts({ 'services/edge/compose.yaml': compose, 'group_vars/edge.yaml': 'relay_image: registry.example.test/relay:3.0\n' });
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip])).toEqual([
      ['group_vars/edge.yaml', 1, 'registry.example.test/relay:3.0', 'yaml-image', null],
      ['services/edge/compose.yaml', 7, '{{ proxy_registry }}/proxy:{{ proxy_tag }}', 'compose-service', 'templated'],
      ['services/edge/compose.yaml', 9, 'example/shell:1.0', 'compose-service', null],
    ]);
  });
});
