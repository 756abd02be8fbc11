import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../../src/core/source-file.js';
import { EMPTY_CONTEXT } from '../../../src/scan/extractor.js';
import { hieraExtractor } from '../../../src/scan/extractors/hiera/hiera.js';
import { projectReference } from '../../support/fixture-projection.js';

const claims = (path: string, text = 'profile::web::workers: 4\n') => hieraExtractor.claims(sourceFile(path, Buffer.from(text)), EMPTY_CONTEXT);

function scan(text: string, path = 'data/common.yaml') {
  const file = sourceFile(path, Buffer.from(text, 'utf8'));
  const result = hieraExtractor.extract(file, EMPTY_CONTEXT);
  return { references: result.references.map(projectReference), problems: result.problems, raw: result.references };
}

describe('hieraExtractor.claims', () => {
  it('claims YAML under data/, hieradata/ and hiera/ directories, and common.yaml anywhere', () => {
    const plain = 'replicas: 2\n';
    expect(claims('data/nodes/web01.example.com.yaml', plain)).toBe(true);
    expect(claims('site/profile/data/common.yml', plain)).toBe(true);
    expect(claims('hieradata/role/builder.yaml', plain)).toBe(true);
    expect(claims('modules/app/hiera/defaults.yaml', plain)).toBe(true);
    expect(claims('common.yaml', plain)).toBe(true);
    expect(claims('config/app.yaml', plain)).toBe(false);
    expect(claims('data.yaml', plain)).toBe(false);
    expect(claims('metadata/defaults.yaml', plain)).toBe(false);
    expect(claims('data/common.json', plain)).toBe(false);
  });

  it('claims YAML elsewhere only when most top-level keys are class parameters', () => {
    expect(claims('params.yaml', 'profile::app::image: nginx\nprofile::app::port: 80\nextra: 1\n')).toBe(true);
    expect(claims('params.yaml', 'profile::app::image: nginx\nextra: 1\nother: 2\n')).toBe(false);
    expect(claims('params.yaml', '- profile::app::image\n')).toBe(false);
    expect(claims('params.yaml', 'profile::app::ports: [80\n')).toBe(false);
  });

  it('leaves Kubernetes documents to the Kubernetes extractor, even under data/', () => {
    expect(claims('data/configmap.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n')).toBe(false);
    expect(claims('data/mixed.yaml', 'profile::a::b: 1\n---\napiVersion: v1\nkind: Secret\n')).toBe(false);
  });
});

describe('hieraExtractor.extract', () => {
  it('splits *_image keys with their *_image_tag and image_version siblings', () => {
    const text = [
      'profile::mail::web_image: ghcr.io/acme/webmail',
      'profile::mail::web_image_tag: "1.6.2"',
      'profile::mail::image: docker.io/library/postfix',
      'profile::mail::image_version: 3.9.0',
      'profile::mail::version: 99',
    ].join('\n');
    expect(scan(text).references.map((reference) => [reference.value, reference.skip, reference.spans])).toEqual([
      [
        'ghcr.io/acme/webmail:1.6.2',
        null,
        [
          ['repository', 'ghcr.io/acme/webmail', 1, 27],
          ['tag', '1.6.2', 2, 32],
        ],
      ],
      [
        'docker.io/library/postfix:3.9.0',
        null,
        [
          ['repository', 'docker.io/library/postfix', 3, 23],
          ['tag', '3.9.0', 4, 31],
        ],
      ],
    ]);
  });

  it('reads integer and float tags from the source text', () => {
    const text = 'profile::db::image: postgres\nprofile::db::image_tag: 16\nprofile::os::image: debian\nprofile::os::tag: 12.10\n';
    expect(scan(text).references.map((reference) => [reference.value, reference.image, reference.spans[1]])).toEqual([
      ['postgres:16', 'docker.io/library/postgres:16', ['tag', '16', 2, 25]],
      ['debian:12.10', 'docker.io/library/debian:12.10', ['tag', '12.10', 4, 19]],
    ]);
  });

  it('reports Hiera interpolation as templated and escaped strings as not editable in place', () => {
    const text = [
      'profile::app::image: "%{alias(\'profile::registry\')}/shop:1.0"',
      'profile::app::sidecar_image: "envoyproxy/envoy:v1.30\\x2E1"',
      'profile::app::base_image: "%{::registry}/debian"',
      'profile::app::tagged_image: registry.example.com/app',
      'profile::app::tagged_image_tag: "%{facts.app_version}"',
    ].join('\n');
    expect(scan(text).references.map((reference) => [reference.line, reference.value, reference.skip, reference.image])).toEqual([
      [1, "%{alias('profile::registry')}/shop:1.0", 'templated', null],
      [2, 'envoyproxy/envoy:v1.30.1', 'unsupported-quoting', 'docker.io/envoyproxy/envoy:v1.30.1'],
      [3, '%{::registry}/debian', 'templated', null],
      [4, 'registry.example.com/app:%{facts.app_version}', 'templated', null],
    ]);
  });

  it('keeps to image keys and image values: no filenames, paths, URLs, weak keys without tags, or non-strings', () => {
    const text = [
      'profile::kiosk::splash_image: https://cdn.example.com/splash.png',
      'profile::kiosk::image_path: /srv/kiosk',
      'profile::kiosk::root_image: /var/lib/libvirt/images/root.qcow2',
      'profile::kiosk::baseimage: debian',
      'profile::kiosk::image: 42',
      'profile::kiosk::imagemagick: nginx:1.25',
      'profile::kiosk::image_list:',
      '  - nginx:1.25',
      'profile::kiosk::os_image:',
      '  name: debian',
    ].join('\n');
    expect(scan(text).references).toEqual([]);
  });

  it('reports an anchored map once and does not follow aliases or merge keys', () => {
    const text = 'defaults: &d\n  image: redis:7.2.4\nprimary:\n  <<: *d\nreplica: *d\n';
    expect(scan(text).references.map((reference) => [reference.line, reference.column, reference.value])).toEqual([[2, 10, 'redis:7.2.4']]);
  });

  it('records byte offsets after a BOM and across CRLF lines', () => {
    const text = "\uFEFF# Grüße\r\nprofile::app::image: 'nginx:1.25.3'\r\n";
    const bytes = Buffer.from(text, 'utf8');
    const { raw } = scan(text);
    const span = raw[0]!.spans[0]!;
    expect([raw[0]!.line, raw[0]!.column, span.text]).toEqual([2, 23, 'nginx:1.25.3']);
    expect(span.start).toBe(bytes.indexOf('nginx'));
    expect(raw[0]!.detail).toBe('profile::app::image');
  });

  it('reports a broken document with its line and keeps the references of the other documents', () => {
    const { references, problems } = scan('profile::a::image: alpine:3.20\n---\nprofile::b::image: [x\nnext: 1\n');
    expect(references.map((reference) => reference.value)).toEqual(['alpine:3.20']);
    expect(problems.map((problem) => [problem.line, problem.code])).toEqual([[4, 'parse-error']]);
  });
});
