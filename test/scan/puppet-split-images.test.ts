import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) =>
  scanTexts(files).references.map((reference) => [reference.line, reference.value, reference.skip, reference.detail, reference.spans.map((span) => [span.role, span.text])]);

describe('Puppet images split into registry, image and tag parameters', () => {
  it('pairs <prefix>_registry with <prefix>_image and <prefix>_tag, so the lookup goes to that registry', () => {
    const manifest = [
      'class net::plugins (',
      "  String[1] $cni_registry = 'registry.example.test',",
      "  String[1] $cni_image    = 'net/cni-plugin',",
      "  String[1] $cni_tag      = 'v1.6.2-net1',",
      "  String[1] $proxy_registry = 'mirror.example.test:5000',",
      "  String[1] $proxy_image    = 'mirror.example.test:5000/net/proxy',",
      "  String[1] $proxy_tag      = '2.1.0',",
      "  String[1] $dns_image      = 'dns/server',",
      "  String[1] $dns_tag        = '1.12.0',",
      ') {}',
      '',
    ].join('\n');
    expect(scan({ 'manifests/plugins.pp': manifest })).toEqual([
      [
        3,
        'registry.example.test/net/cni-plugin:v1.6.2-net1',
        null,
        'net::plugins parameters',
        [
          ['registry', 'registry.example.test'],
          ['repository', 'net/cni-plugin'],
          ['tag', 'v1.6.2-net1'],
        ],
      ],
      // The image already names its registry: the registry parameter is not added again.
      [
        6,
        'mirror.example.test:5000/net/proxy:2.1.0',
        null,
        'net::plugins parameters',
        [
          ['repository', 'mirror.example.test:5000/net/proxy'],
          ['tag', '2.1.0'],
        ],
      ],
      [
        8,
        'dns/server:1.12.0',
        null,
        'net::plugins parameters',
        [
          ['repository', 'dns/server'],
          ['tag', '1.12.0'],
        ],
      ],
    ]);
  });

  it('a tag read through pick($tag, "v${version}") while it is undef or another class sets it is shown with the fallback; the local that builds the image is not reported again', () => {
    const manifest = [
      'class cluster::apiserver (',
      '  String[1] $container_registry            = $cluster::container_registry,',
      "  String[1] $container_image               = 'kube-apiserver',",
      '  Optional[String[1]] $container_image_tag = $cluster::container_image_tag,',
      ') {',
      '  $_image = "${container_registry}/${container_image}:${pick($container_image_tag, "v${cluster::version}")}"',
      "  kubernetes::pod { 'apiserver':",
      '    image => $_image,',
      '  }',
      '}',
      '',
    ].join('\n');
    expect(scan({ 'manifests/apiserver.pp': manifest })).toEqual([
      [
        3,
        '$cluster::container_registry/kube-apiserver:v${cluster::version}',
        'templated',
        'cluster::apiserver parameters; $container_image_tag is $cluster::container_image_tag by default, set in another class: shown with the fallback of pick($container_image_tag, "v${cluster::version}") (line 6)',
        [
          ['registry', '$cluster::container_registry'],
          ['repository', 'kube-apiserver'],
          ['tag', 'v${cluster::version}'],
        ],
      ],
    ]);
  });

  it('an undef tag default with a pick fallback, and a tag with a string default that pick never reaches', () => {
    const manifest = [
      'class cluster::proxy (',
      "  String[1] $image = 'kube-proxy',",
      '  Optional[String[1]] $image_tag = undef,',
      "  String[1] $sidecar_image = 'kube-rbac-proxy',",
      "  String[1] $sidecar_image_tag = '0.18.2',",
      ') {',
      '  $tag = pick($image_tag, "v1.31.4")',
      "  $other = pick($sidecar_image_tag, 'latest')",
      '}',
      '',
    ].join('\n');
    expect(scan({ 'manifests/proxy.pp': manifest })).toEqual([
      [
        2,
        'kube-proxy:v1.31.4',
        'templated',
        'cluster::proxy parameters; $image_tag is undef by default: shown with the fallback of pick($image_tag, "v1.31.4") (line 7)',
        [
          ['repository', 'kube-proxy'],
          ['tag', 'v1.31.4'],
        ],
      ],
      [
        4,
        'kube-rbac-proxy:0.18.2',
        null,
        'cluster::proxy parameters',
        [
          ['repository', 'kube-rbac-proxy'],
          ['tag', '0.18.2'],
        ],
      ],
    ]);
  });

  it('a local built from variables that are not a reported image parameter is still reported', () => {
    const manifest = [
      "class app::web (String $repo = lookup('app::repo'), String $tag = lookup('app::tag')) {",
      '  $_image = "${repo}:${tag}"',
      "  docker::run { 'web':",
      '    image => $_image,',
      '  }',
      '}',
      '',
    ].join('\n');
    expect(scan({ 'manifests/web.pp': manifest })).toEqual([[4, '$_image', 'templated', "docker::run 'web'; $_image is not set to a plain string in this file", [['reference', '$_image']]]]);
  });
});
