import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value]);

const HEX = 'a1b2c3d4'.repeat(8);

describe('records of what ran: log lines and metric samples kept as data', () => {
  it("a log collector's record of a container (its image beside the runtime's container id) is not read, flat or nested, nor what it quotes", () => {
    const flat = [
      "'log:application:{}':",
      '  - message: started',
      '    kubernetes_pod_name: web-7d9c',
      `    kubernetes_container_id: cri-o://${HEX}`,
      '    kubernetes_container_image: registry.example.test/shop/web:2.1.0',
      '    kubernetes_annotations_kubectl_kubernetes_io_last_applied_configuration: |',
      '      {"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"name":"web","image":"registry.example.test/shop/web:2.1.0"}]}}',
      '',
    ].join('\n');
    const nested = [
      '- log: request served',
      '  kubernetes:',
      '    pod_name: api-5f6d',
      '    namespace_name: shop',
      `    docker_id: ${HEX}`,
      '    container_image: registry.example.test/shop/api:3.4.0',
      '',
    ].join('\n');
    expect(scan({ 'pkg/logs/testdata/records.yaml': flat, 'test/fixtures/fluent.yml': nested })).toEqual([]);
  });

  it("a metric series' labels (with __name__) are not read; an id that is no runtime's, or a name without its id, is read as before", () => {
    const samples = ['series:', '  - labels: {__name__: container_cpu_usage_seconds_total, container: web, image: "registry.example.test/shop/web:2.1.0", pod: web-7d9c}', '    value: 12.5', ''].join(
      '\n',
    );
    const settings = ['app_container_image: registry.example.test/shop/web:2.1.0', 'app_container_id: web', 'worker:', '  container_image: registry.example.test/shop/worker:1.0.0', ''].join('\n');
    expect(scan({ 'test/data/metrics.yaml': samples, 'group_vars/all.yml': settings })).toEqual([
      ['group_vars/all.yml', 1, 'registry.example.test/shop/web:2.1.0'],
      ['group_vars/all.yml', 4, 'registry.example.test/shop/worker:1.0.0'],
    ]);
  });
});
