import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../../src/core/source-file.js';
import { scanFiles } from '../../../src/scan/scan-files.js';
import { DEPLOYMENT_HEAD } from '../../support/scan-texts.js';

function scan(path: string, text: string) {
  const file = sourceFile(path, new Uint8Array(Buffer.from(text, 'latin1')));
  const result = scanFiles([file]);
  return {
    references: result.references.map((reference) => [reference.line, reference.column, reference.value, reference.kind, reference.skip]),
    spans: result.references.flatMap((reference) => reference.spans.map((span) => [span.text, Buffer.from(file.bytes).toString('latin1', span.start, span.end)])),
    problems: result.problems,
  };
}

describe('YAML templates rendered by a configuration tool', () => {
  it('reads the image lines of a Puppet ERB compose template, literal or with a template tag', () => {
    const text = [
      '# managed by puppet',
      'services:',
      '  proxy:',
      '    image: docker.io/library/nginx:1.27.3 # front',
      '  app:',
      "    image: 'registry.example.test/team/app:<%= @app_tag %>'",
      '<% if @with_cache -%>',
      '  cache:',
      '    image: <%= @cache_image %>:<%= @cache_tag %>',
      '<% end -%>',
      '  worker:',
      '    pullImage: false',
      '    image: registry.example.test/team/worker',
      '    command: ["run"]',
      '',
    ].join('\n');
    const { references, spans, problems } = scan('templates/app/docker-compose.yml.erb', text);
    expect(references).toEqual([
      [4, 12, 'docker.io/library/nginx:1.27.3', 'yaml-template', null],
      [6, 13, 'registry.example.test/team/app:<%= @app_tag %>', 'yaml-template', 'templated'],
      [13, 12, 'registry.example.test/team/worker', 'yaml-template', 'no-tag'],
    ]);
    for (const [expected, actual] of spans) expect(actual).toBe(expected);
    expect(problems).toEqual([]);
  });

  it('reads Jinja and EPP templates of manifests, and leaves values that start with a template out', () => {
    const jinja = [
      ...DEPLOYMENT_HEAD,
      '{% for name in sidecars %}',
      '        - name: "{{ name }}"',
      '          image: "{{ sidecar_image }}"',
      '{% endfor %}',
      '        - name: main',
      '          image: ghcr.io/example/main:{{ main_version }}',
      '          env:',
      '            - name: HELPER_IMAGE',
      '              value: quay.io/example/helper:2.1.0',
      '',
    ].join('\n');
    expect(scan('roles/web/templates/deployment.yaml.j2', jinja).references).toEqual([[12, 18, 'ghcr.io/example/main:{{ main_version }}', 'yaml-template', 'templated']]);
    const epp = ['services:', '  db:', '    image: postgres:16.4-alpine', '    environment:', '      POSTGRES_DB: <%= $db_name %>', ''].join('\r\n');
    expect(scan('templates/db/compose.yaml.epp', epp).references).toEqual([[3, 12, 'postgres:16.4-alpine', 'yaml-template', null]]);
  });

  it('claims only YAML files with a template extension', () => {
    const line = 'image: docker.io/library/nginx:1.27.3\n';
    expect(scan('templates/nginx.conf.erb', line).references).toEqual([]);
    expect(scan('templates/compose.yml.erb.bak', line).references).toEqual([]);
    expect(scan('deploy/svc.yaml.tmpl', line).references).toEqual([[1, 8, 'docker.io/library/nginx:1.27.3', 'yaml-template', null]]);
  });
});
