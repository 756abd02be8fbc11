/** Podman Quadlet units kept as templates that a tool renders before systemd reads them. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const unit = (image: string) => ['[Unit]', 'Description=web', '', '[Container]', `Image=${image}`, 'ContainerName=web', '', '[Install]', 'WantedBy=default.target', ''].join('\n');

describe('Quadlet unit templates', () => {
  it('are read as units: a template action in the tag is templated, a value that starts with one passes on an image set elsewhere', () => {
    const scanned = scanTexts({
      'components/web/web.container.gotmpl': unit('registry.example.test/team/web:{{.webTag}}'),
      'components/cache/cache.container.gotmpl': unit('registry.example.test/team/cache:7.2'),
      'components/relay/relay.container.gotmpl': unit('{{ .relayImage }}'),
      'roles/queue/templates/queue.container.j2': unit('{{ queue_image }}:{{ queue_tag }}'),
      'roles/queue/templates/worker.container.j2': unit('registry.example.test/team/worker:{{ worker_tag }}'),
      'components/notes/notes.container.txt': unit('registry.example.test/team/notes:1.0'),
    });
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip])).toEqual([
      ['components/cache/cache.container.gotmpl', 5, 'registry.example.test/team/cache:7.2', 'quadlet-image', null],
      ['components/web/web.container.gotmpl', 5, 'registry.example.test/team/web:{{.webTag}}', 'quadlet-image', 'templated'],
      ['roles/queue/templates/worker.container.j2', 5, 'registry.example.test/team/worker:{{ worker_tag }}', 'quadlet-image', 'templated'],
    ]);
  });
});
