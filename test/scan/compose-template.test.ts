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

/** An Ansible role's compose template: Jinja on some lines, compose's own `${TAG:-default}` on others. */
const roleCompose = [
  'services:', // 1
  '  web:', // 2
  '    container_name: {{ web_container }}', // 3
  '    image: registry.example.test/team/web:${WEB_TAG:-stable}', // 4
  '    user: {{ web_uid }}:{{ web_uid }}', // 5
  '  worker:', // 6
  '    image: registry.example.test/team/worker:${WORKER_TAG:-{{ worker_tag }}}', // 7
  '  cache:', // 8
  '    image: registry.example.test/team/cache:${CACHE_TAG}', // 9
  '',
].join('\n');

describe('compose templates with compose interpolation', () => {
  it('resolves a compose default on an image line with no template action, as compose does; a line with one, or a variable without a default, stays templated', () => {
    const scanned = scanTexts({
      'roles/web/templates/app.docker-compose.yaml': roleCompose,
      'roles/web/templates/app.stack.yaml': roleCompose,
    });
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.value, reference.skip])).toEqual([
      ['roles/web/templates/app.docker-compose.yaml', 4, 'registry.example.test/team/web:stable', null],
      ['roles/web/templates/app.docker-compose.yaml', 7, 'registry.example.test/team/worker:${WORKER_TAG:-{{ worker_tag }}}', 'templated'],
      ['roles/web/templates/app.docker-compose.yaml', 9, 'registry.example.test/team/cache:${CACHE_TAG}', 'templated'],
      ['roles/web/templates/app.stack.yaml', 4, 'registry.example.test/team/web:${WEB_TAG:-stable}', 'templated'],
      ['roles/web/templates/app.stack.yaml', 7, 'registry.example.test/team/worker:${WORKER_TAG:-{{ worker_tag }}}', 'templated'],
      ['roles/web/templates/app.stack.yaml', 9, 'registry.example.test/team/cache:${CACHE_TAG}', 'templated'],
    ]);
    const web = scanned.references[0]!;
    expect(web.spans.map((span) => [span.role, span.text])).toEqual([
      ['template', 'registry.example.test/team/web:${WEB_TAG:-stable}'],
      ['variable', 'stable'],
    ]);
  });
});
