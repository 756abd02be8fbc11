import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../../src/core/source-file.js';
import { scanFiles } from '../../../src/scan/scan-files.js';

describe('Hiera maps of images', () => {
  it('reads tagged references under a *images map at any depth, and leaves names without tags and other maps alone', () => {
    const text = [
      '---',
      'profile::monitoring::common_images:',
      '  httpd:',
      '    exporter: prometheus-apache-exporter:0.0.4',
      '  mysql: docker-registry.example.org/mysqld-exporter:0.15.1-2',
      '  memcached: memcached-exporter',
      'profile::web::images:',
      "  frontend: 'registry.example.org/web/frontend@sha256:" + 'c'.repeat(64) + "'",
      'profile::web::packages:',
      '  nginx: 1.26.2-1',
      '',
    ].join('\n');
    const { references } = scanFiles([sourceFile('hieradata/common.yaml', Buffer.from(text))]);
    expect(references.map((reference) => [reference.line, reference.column, reference.value, reference.kind, reference.skip, reference.detail])).toEqual([
      [4, 15, 'prometheus-apache-exporter:0.0.4', 'hiera', null, 'profile::monitoring::common_images.httpd.exporter'],
      [5, 10, 'docker-registry.example.org/mysqld-exporter:0.15.1-2', 'hiera', null, 'profile::monitoring::common_images.mysql'],
      [8, 14, `registry.example.org/web/frontend@sha256:${'c'.repeat(64)}`, 'hiera', null, 'profile::web::images.frontend'],
    ]);
  });
});
