/** Puppet values that name no image of their own: field names in a hash, strings built only from values passed on. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]);

describe('Puppet values that name a field', () => {
  it("a hash mapping each unit type to its parameter's name ('image' => 'image_entry') holds no image; an image beside it is reported", () => {
    const manifest = [
      'define shelf::unit (', // 1
      '  String $unit,', // 2
      ') {', // 3
      '  $entry_for_type = {', // 4
      "    'container' => 'container_entry',", // 5
      "    'image'     => 'image_entry',", // 6
      "    'volume'    => 'volume_entry',", // 7
      '  }', // 8
      "  $fields = { 'image' => 'image', 'name' => 'name' }", // 9
      "  $defaults = { 'image' => 'registry.example.test/shelf/unit:3.1' }", // 10
      '}', // 11
      '',
    ].join('\n');
    expect(scan({ 'manifests/unit.pp': manifest })).toEqual([['manifests/unit.pp', 10, 'registry.example.test/shelf/unit:3.1', null]]);
  });
});

describe('Puppet image strings built only from values passed on', () => {
  const settings = [
    'class shelf::settings (', // 1
    "  String $dns_registry = 'registry.example.test',", // 2
    "  String $dns_image = 'net/dns',", // 3
    "  String $dns_tag = '1.12.0',", // 4
    ') {}', // 5
    '',
  ].join('\n');

  it("a string of parameters whose defaults are another class's parameters passes that image on; one with text of its own is still templated", () => {
    const dns = [
      'class shelf::dns (', // 1
      '  String $registry  = $shelf::settings::dns_registry,', // 2
      '  String $image     = $shelf::settings::dns_image,', // 3
      '  String $image_tag = $shelf::settings::dns_tag,', // 4
      ') {', // 5
      "  kubernetes_resource { 'dns':", // 6
      '    content => {', // 7
      '      image => "${registry}/${image}:${image_tag}",', // 8
      '    },', // 9
      '  }', // 10
      "  kubernetes_resource { 'dns-probe':", // 11
      '    content => {', // 12
      '      image => "${registry}/net/probe:${image_tag}",', // 13
      '    },', // 14
      '  }', // 15
      '}', // 16
      '',
    ].join('\n');
    expect(scan({ 'manifests/settings.pp': settings, 'manifests/dns.pp': dns })).toEqual([
      ['manifests/dns.pp', 13, '${registry}/net/probe:${image_tag}', 'templated'],
      ['manifests/settings.pp', 3, 'registry.example.test/net/dns:1.12.0', null],
    ]);
  });

  it('variables written without braces ("$registry/$image:$tag") pass a value on the same way; a single colon ends a name', () => {
    const relay = [
      'class shelf::relay (', // 1
      '  String $registry = $shelf::settings::dns_registry,', // 2
      '  String $image    = $shelf::settings::dns_image,', // 3
      '  String $tag      = $shelf::settings::dns_tag,', // 4
      ') {', // 5
      '  docker::run { \'relay\': image => "$registry/$image:$tag" }', // 6
      '  docker::run { \'relay-probe\': image => "$registry/net/probe:$tag" }', // 7
      '}', // 8
      '',
    ].join('\n');
    expect(scan({ 'manifests/settings.pp': settings, 'manifests/relay.pp': relay })).toEqual([
      ['manifests/relay.pp', 7, '$registry/net/probe:$tag', 'templated'],
      ['manifests/settings.pp', 3, 'registry.example.test/net/dns:1.12.0', null],
    ]);
  });

  it('the other class is not looked for: a default naming a class the scan does not hold passes its value on just the same', () => {
    const gateway = [
      'class shelf::gateway (', // 1
      '  String $image = $vendor::edge::gateway_image,', // 2
      '  String $tag   = $vendor::edge::gateway_tag,', // 3
      ') {', // 4
      '  docker::run { \'gateway\': image => "${image}:${tag}" }', // 5
      '}', // 6
      '',
    ].join('\n');
    expect(scan({ 'manifests/gateway.pp': gateway })).toEqual([]);
  });

  it('a define whose parameters have no default passes on what its caller gives', () => {
    const define = [
      'define shelf::sidecar (', // 1
      '  String $registry,', // 2
      '  String $image,', // 3
      '  String $tag,', // 4
      ') {', // 5
      '  docker::run { $title: image => "${registry}/${image}:${tag}" }', // 6
      '}', // 7
      "shelf::sidecar { 'log': registry => 'registry.example.test', image => 'shelf/log', tag => '2.0' }", // 8
      '',
    ].join('\n');
    expect(scan({ 'manifests/sidecar.pp': define })).toEqual([['manifests/sidecar.pp', 8, 'registry.example.test/shelf/log:2.0', null]]);
  });
});

describe("Puppet images whose name or tag a define's or class's caller gives", () => {
  it("a define's string whose name is a parameter without a default passes the caller's image on, whatever gives its tag; the callers' literals are reported", () => {
    const define = [
      'define shelf::container (', // 1
      '  String $image,', // 2
      "  String $imagetag = lookup('shelf_default_tag', String, undef, 'stable'),", // 3
      "  String $registry_tag = 'latest',", // 4
      ') {', // 5
      '  $image_tag = "${image}:${imagetag}"', // 6
      '  docker::image { "${name}_${image_tag}":', // 7
      '    image => $image_tag,', // 8
      '  }', // 9
      '  docker::run { $name:', // 10
      '    image => $image_tag,', // 11
      '  }', // 12
      '  docker::run { "${name}-registry":', // 13
      '    image => "${image}:${registry_tag}",', // 14
      '  }', // 15
      '  docker::run { "${name}-mirror":', // 16
      '    image => "mirror.example.test/${image}:${imagetag}",', // 17
      '  }', // 18
      '}', // 19
      '',
    ].join('\n');
    const site = [
      'class shelf::site {', // 1
      "  shelf::container { 'web':", // 2
      "    image    => 'registry.example.test/shelf/web',", // 3
      "    imagetag => '2.4.1',", // 4
      '  }', // 5
      '}', // 6
      '',
    ].join('\n');
    expect(scan({ 'manifests/container.pp': define, 'manifests/site.pp': site })).toEqual([
      ['manifests/container.pp', 17, 'mirror.example.test/${image}:${imagetag}', 'templated'],
      ['manifests/site.pp', 3, 'registry.example.test/shelf/web:2.4.1', null],
    ]);
  });

  it('an image parameter whose tag parameter has no default is templated, the tag shown as the variable; with a default it is the image', () => {
    const node = [
      'class shelf::store (', // 1
      '  String $store_tag,', // 2
      "  String $store_image = 'registry.example.test/store/server',", // 3
      "  String $cache_image = 'registry.example.test/store/cache',", // 4
      "  String $cache_tag   = '7.2',", // 5
      ') {}', // 6
      '',
    ].join('\n');
    const found = scanTexts({ 'manifests/store.pp': node }).references.map((reference) => [
      reference.line,
      reference.value,
      reference.skip,
      reference.detail ?? null,
      reference.spans.map((span) => [span.role, span.text, span.line]),
    ]);
    expect(found).toEqual([
      [
        3,
        'registry.example.test/store/server:${store_tag}',
        'templated',
        'shelf::store parameters; $store_tag has no default: the caller gives it',
        [
          ['repository', 'registry.example.test/store/server', 3],
          ['tag', '$store_tag', 2],
        ],
      ],
      [
        4,
        'registry.example.test/store/cache:7.2',
        null,
        'shelf::store parameters',
        [
          ['repository', 'registry.example.test/store/cache', 4],
          ['tag', '7.2', 5],
        ],
      ],
    ]);
  });
});
