/** Puppet resources written with `ensure => absent`: they remove a container or an image and pull nothing. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const manifest = [
  'class relay::cache (', // 1
  "  String $version = '2.4.1',", // 2
  '  Boolean $enabled = true,', // 3
  ') {', // 4
  '  if $enabled {', // 5
  "    docker::run { 'relay-cache':", // 6
  "      image   => 'registry.example.test/team/cache',", // 7
  '      imagetag => $version,', // 8
  '    }', // 9
  '  } else {', // 10
  "    docker::run { 'relay-cache':", // 11
  '      ensure => absent,', // 12
  "      image  => 'registry.example.test/team/cache',", // 13
  '    }', // 14
  '  }', // 15
  "  docker::run { 'relay-proxy-old':", // 16
  "    ensure => 'absent',", // 17
  "    image  => 'registry.example.test/team/proxy:1.0.0',", // 18
  '  }', // 19
  "  docker::image { 'registry.example.test/team/legacy':", // 20
  "    ensure    => 'absent',", // 21
  "    image_tag => '0.9.0',", // 22
  '  }', // 23
  "  ensure_resource('docker::run', 'relay-sync-old', { 'ensure' => 'absent', 'image' => 'registry.example.test/team/sync:3.0.0' })", // 24
  "  docker::run { 'relay-worker':", // 25
  '    ensure => $ensure,', // 26
  "    image  => 'registry.example.test/team/worker:1.2.0',", // 27
  '  }', // 28
  "  docker::run { 'relay-watch':", // 29
  '    ensure => present,', // 30
  "    image  => 'registry.example.test/team/watch:5.1.0',", // 31
  '  }', // 32
  '}', // 33
  '',
].join('\n');

describe('Puppet resources that remove what they name', () => {
  it('an image of a resource or attribute hash with ensure => absent is not a reference; a variable or present ensure is read as before', () => {
    const scanned = scanTexts({ 'manifests/cache.pp': manifest });
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip])).toEqual([
      ['manifests/cache.pp', 7, 'registry.example.test/team/cache:2.4.1', 'puppet', null],
      ['manifests/cache.pp', 27, 'registry.example.test/team/worker:1.2.0', 'puppet', null],
      ['manifests/cache.pp', 31, 'registry.example.test/team/watch:5.1.0', 'puppet', null],
    ]);
  });
});
