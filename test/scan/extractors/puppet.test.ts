import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../../src/core/source-file.js';
import { EMPTY_CONTEXT } from '../../../src/scan/extractor.js';
import { puppetExtractor } from '../../../src/scan/extractors/puppet/puppet.js';
import { projectReference } from '../../support/fixture-projection.js';

function scan(text: string, path = 'manifests/init.pp') {
  const file = sourceFile(path, Buffer.from(text, 'utf8'));
  const result = puppetExtractor.extract(file, EMPTY_CONTEXT);
  return { references: result.references.map(projectReference), problems: result.problems, raw: result.references };
}

describe('puppetExtractor.claims', () => {
  it('claims .pp files only', () => {
    const claims = (path: string) => puppetExtractor.claims(sourceFile(path, Buffer.from('')), EMPTY_CONTEXT);
    expect(claims('site/profile/manifests/web.pp')).toBe(true);
    expect(claims('init.PP')).toBe(true);
    expect(claims('templates/web.pp.erb')).toBe(false);
    expect(claims('data/common.yaml')).toBe(false);
  });
});

describe('puppetExtractor.extract', () => {
  it('uses the image attribute of docker::image over its title, with image_tag', () => {
    const { references } = scan("docker::image { 'base':\n  image     => 'registry.example.com/base',\n  image_tag => '2024.05',\n}\n");
    expect(references).toEqual([
      {
        line: 2,
        column: 17,
        value: 'registry.example.com/base:2024.05',
        kind: 'puppet',
        skip: null,
        image: 'registry.example.com/base:2024.05',
        spans: [
          ['repository', 'registry.example.com/base', 2, 17],
          ['tag', '2024.05', 3, 17],
        ],
      },
    ]);
  });

  it('reports each title of a docker::image title array, and a docker::image without tag as no-tag', () => {
    const { references } = scan("docker::image { ['debian', 'alpine']: image_tag => '12' }\ndocker::image { 'busybox': }\n");
    expect(references.map((reference) => [reference.value, reference.skip, reference.spans])).toEqual([
      [
        'debian:12',
        null,
        [
          ['repository', 'debian', 1, 19],
          ['tag', '12', 1, 53],
        ],
      ],
      [
        'alpine:12',
        null,
        [
          ['repository', 'alpine', 1, 29],
          ['tag', '12', 1, 53],
        ],
      ],
      ['busybox', 'no-tag', [['reference', 'busybox', 2, 18]]],
    ]);
  });

  it('finds images in resource defaults, class declarations and nested hashes', () => {
    const text = [
      'Docker::Run {',
      "  image => 'nginx:1.25.3',",
      '}',
      "class { 'profile::app':",
      "  app_image => 'ghcr.io/acme/app:3.2.1',",
      '  options   => { sidecar => { image => "envoyproxy/envoy:v1.30.1" } },',
      '}',
    ].join('\n');
    expect(scan(text).references.map((reference) => [reference.line, reference.column, reference.value])).toEqual([
      [2, 13, 'nginx:1.25.3'],
      [5, 17, 'ghcr.io/acme/app:3.2.1'],
      [6, 41, 'envoyproxy/envoy:v1.30.1'],
    ]);
  });

  it('composes tags held in variables, interpolations and bare numbers with the matching skip reason', () => {
    const text = [
      "podman::container { 'a': image => 'docker.io/library/redis', tag => $redis_version }",
      "podman::container { 'b': image => 'docker.io/library/redis', image_tag => \"${major}.2\" }",
      "podman::container { 'c': image => 'docker.io/library/redis', version => 7.2 }",
      "podman::container { 'd': image => 'docker.io/library/redis', image_tag => \"7.2\" }",
    ].join('\n');
    expect(scan(text).references.map((reference) => [reference.value, reference.skip, reference.spans.map((span) => span[1])])).toEqual([
      ['docker.io/library/redis:$redis_version', 'templated', ['docker.io/library/redis', '$redis_version']],
      ['docker.io/library/redis:${major}.2', 'templated', ['docker.io/library/redis', '${major}.2']],
      ['docker.io/library/redis:7.2', 'unsupported-quoting', ['docker.io/library/redis', '7.2']],
      ['docker.io/library/redis:7.2', null, ['docker.io/library/redis', '7.2']],
    ]);
  });

  it('marks a value written with escapes as not editable in place', () => {
    const { references } = scan('docker::run { \'x\': image => "nginx:1.25\\u{2E}3" }');
    expect(references).toEqual([
      {
        line: 1,
        column: 30,
        value: 'nginx:1.25.3',
        kind: 'puppet',
        skip: 'unsupported-quoting',
        image: 'docker.io/library/nginx:1.25.3',
        spans: [['reference', 'nginx:1.25\\u{2E}3', 1, 30]],
      },
    ]);
  });

  it('leaves out filenames, paths, URLs, look-alike names and values that are not images', () => {
    const text = [
      "class gallery (String $icon_image = 'logo.png', String $image_path = '/srv/img', $image_dir = '/var/img') {",
      "  package { 'imagemagick': ensure => installed }",
      "  file { '/srv/img/x.svg': source => 'puppet:///modules/gallery/x.svg', image => 'https://example.com/x' }",
      "  vm { 'guest': disk_image => 'ubuntu-24.04.img', root_image => '/var/lib/libvirt/base.qcow2', baseimage => 'debian' }",
      "  $image = 'nginx'",
      '  $logo_image = "${base}/logo.jpg"',
      "  $hero_image = lookup('gallery::hero_image')",
      "  app { 'x': image => lookup('app::image'), boot_image => Deferred('vault', ['x']) }",
      '  $message = "Pull nginx:1.25 with image => \'x:1\'"',
      '}',
    ].join('\n');
    expect(scan(text)).toMatchObject({ references: [], problems: [] });
  });

  it('treats an image attribute holding a variable as templated, but not other *image names holding one', () => {
    const { references } = scan("docker::run { 'x': image => $image, baseimage => $base }\n$image = $profile::params::image\n");
    expect(references.map((reference) => [reference.value, reference.skip])).toEqual([['$image', 'templated']]);
  });

  it('reports references found before an unterminated comment, with the line of the comment', () => {
    const { references, problems } = scan("docker::run { 'x':\n  image => 'alpine:3.20',\n}\n/* disabled\ndocker::run { 'y': image => 'alpine:3.19' }\n");
    expect(references.map((reference) => reference.value)).toEqual(['alpine:3.20']);
    expect(problems).toEqual([{ file: 'manifests/init.pp', line: 4, code: 'parse-error', message: 'Puppet: unterminated /* comment' }]);
  });

  it('records byte offsets after a BOM and across CRLF lines and UTF-8 text', () => {
    const text = "\uFEFF# Größe\r\ndocker::run { 'ü': image => 'nginx:1.25.3' }\r\n";
    const bytes = Buffer.from(text, 'utf8');
    const { raw } = scan(text);
    const span = raw[0]!.spans[0]!;
    expect([raw[0]!.line, raw[0]!.column]).toEqual([2, 30]);
    expect(bytes.toString('latin1', span.start, span.end)).toBe('nginx:1.25.3');
    expect(span.start).toBe(bytes.indexOf('nginx'));
  });

  it('does not read images from heredoc bodies or comments, and keeps going after them', () => {
    const text = ['$conf = @(END)', "  image => 'nginx:9.9'", '  | END', "# docker::run { 'old': image => 'nginx:1.0' }", "docker::run { 'new': image => 'nginx:1.27.0' }"].join('\n');
    expect(scan(text).references.map((reference) => [reference.line, reference.value])).toEqual([[5, 'nginx:1.27.0']]);
  });

  it('splits a *_image parameter with its *_image_tag sibling in a parameter list', () => {
    const text = "define profile::sidecar (\n  String $proxy_image = 'envoyproxy/envoy',\n  String $proxy_image_tag = 'v1.30.1',\n) {}\n";
    expect(scan(text).references).toEqual([
      {
        line: 2,
        column: 26,
        value: 'envoyproxy/envoy:v1.30.1',
        kind: 'puppet',
        skip: null,
        image: 'docker.io/envoyproxy/envoy:v1.30.1',
        spans: [
          ['repository', 'envoyproxy/envoy', 2, 26],
          ['tag', 'v1.30.1', 3, 30],
        ],
      },
    ]);
  });

  it('survives hostile nesting without overflowing the stack', () => {
    const text = `${'['.repeat(50_000)}\ndocker::run { 'x': image => 'nginx:1.25.3' }\n${'{ '.repeat(20_000)}`;
    const { references, problems } = scan(text);
    expect(problems).toEqual([]);
    expect(references).toEqual([]);
    const shallow = scan(`${'['.repeat(20)}${']'.repeat(20)}\ndocker::run { 'x': image => 'nginx:1.25.3' }\n`);
    expect(shallow.references.map((reference) => [reference.line, reference.column])).toEqual([[2, 30]]);
  });

  it('completes only a bare repository from siblings: a value with its own tag stays whole', () => {
    const text = `docker::run { 'x': image => 'nginx:1.25.3', image_tag => '1.0', image_digest => 'sha256:${'a'.repeat(64)}' }`;
    expect(scan(text).references.map((reference) => [reference.value, reference.spans.map((span) => span[0])])).toEqual([['nginx:1.25.3', ['reference']]]);
  });

  it('resolves a variable through the file (parameter default, assignment), says where from, and leaves pass-throughs out', () => {
    const text = [
      "class profile::cache (String $redis_version = '7.2.5', $host) {",
      "  $image = 'redis'",
      "  $twice = 'a'",
      "  $twice = 'b'",
      "  docker::run { 'cache': image => $image, imagetag => $redis_version }",
      "  docker::run { 'mirror': image => 'redis', imagetag => $twice }",
      "  docker::run { 'forward': image => $host }",
      '}',
      '',
    ].join('\n');
    const { raw } = scan(text);
    expect(raw.map((reference) => [reference.line, reference.value, reference.skip, reference.detail, reference.spans.map((span) => [span.role, span.text, span.line])])).toEqual([
      [
        5,
        'redis:7.2.5',
        null,
        "docker::run 'cache'; $image from line 2; $redis_version from line 1",
        [
          ['repository', 'redis', 2],
          ['tag', '7.2.5', 1],
        ],
      ],
      [
        6,
        'redis:$twice',
        'templated',
        "docker::run 'mirror'; $twice is given different values in this file",
        [
          ['repository', 'redis', 6],
          ['tag', '$twice', 6],
        ],
      ],
    ]);
  });

  it('reports a docker::image titled by a parameter once, where the parameters write the image', () => {
    const text = [
      'class profile::relay (', // 1
      "  String $image_tag = '2.4',", // 2
      "  String $image     = 'example/relay',", // 3
      ') {', // 4
      '  docker::image { $image:', // 5
      '    image_tag => $image_tag,', // 6
      '  }', // 7
      "  docker::run { 'relay':", // 8
      '    image => "${image}:${image_tag}",', // 9
      '  }', // 10
      "  docker::image { 'example/relay':", // 11
      "    image_tag => '2.5',", // 12
      '  }', // 13
      '}', // 14
      '',
    ].join('\n');
    const { raw } = scan(text);
    expect(raw.map((reference) => [reference.line, reference.value, reference.skip, reference.spans.map((span) => [span.role, span.line])])).toEqual([
      [
        3,
        'example/relay:2.4',
        null,
        [
          ['repository', 3],
          ['tag', 2],
        ],
      ],
      [
        11,
        'example/relay:2.5',
        null,
        [
          ['repository', 11],
          ['tag', 12],
        ],
      ],
    ]);
  });
});
