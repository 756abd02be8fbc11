/** Compose files kept as ytt templates: ytt's annotations are YAML comments, and each `#@ if` branch may write the service's image. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const override = [
  '#! rendered by ytt into the override file', // 1
  '#@ load("@ytt:data", "data")', // 2
  '#@ accel = data.values.accel', // 3
  'services:', // 4
  '  worker:', // 5
  '    #@ if accel == "gpu":', // 6
  '    image: ${WORKER_IMAGE:-registry.example.test/team/worker:2.0}-gpu', // 7
  '    devices:', // 8
  '      - /dev/gpu0:/dev/gpu0', // 9
  '    #@ end', // 10
  '    #@ if accel == "npu":', // 11
  '    image: registry.example.test/team/worker:2.0-npu', // 12
  '    #@ end', // 13
  '    #@ if accel == "":', // 14
  '    image: #@ data.values.worker_image', // 15
  '    #@ end', // 16
  '  web:', // 17
  '    image: registry.example.test/team/web:1.4', // 18
  '',
].join('\n');

describe('compose ytt templates', () => {
  it('reports every image a service writes, one per branch, each where it is written; an image that is only a ytt expression names none', () => {
    const scanned = scanTexts({ 'worker/docker-compose.instance.yaml': override });
    expect(scanned.references.map((reference) => [reference.line, reference.value, reference.kind, reference.skip])).toEqual([
      [7, 'registry.example.test/team/worker:2.0-gpu', 'compose-service', null],
      [12, 'registry.example.test/team/worker:2.0-npu', 'compose-service', null],
      [18, 'registry.example.test/team/web:1.4', 'compose-service', null],
    ]);
  });
});
