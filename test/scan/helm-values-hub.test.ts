import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) =>
  scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.spans.map((span) => [span.role, span.line]), reference.detail ?? null]);

/** A mesh chart's values: one name per image, the registry and path in `hub`, the tag beside it or in `global`. */
const MESH = [
  'defaults:',
  '  control:',
  '    hub: ""',
  '    tag: ""',
  '    variant: ""',
  '    image: control',
  '  global:',
  '    hub: registry.example.test/mesh',
  '    tag: 1.9.2',
  '    variant: ""',
  '    sidecar:',
  '      image: sidecar',
  '',
].join('\n');

const TUNNEL = ['hub: registry.example.test/mesh', 'tag: 1.9.2', 'variant: ""', 'image: tunnel', ''].join('\n');

describe('Helm values that name an image as one name beside a hub', () => {
  it('join the hub, the image and the tag, taking the global hub and tag where the map leaves its own empty', () => {
    expect(rows({ 'deploy/mesh/values.yaml': MESH })).toEqual([
      [
        'deploy/mesh/values.yaml',
        6,
        'registry.example.test/mesh/control:1.9.2',
        null,
        [
          ['repository', 6],
          ['tag', 9],
        ],
        'registry registry.example.test/mesh: the hub at line 8, not edited here; the tag is the global tag (line 9), edited there',
      ],
      [
        'deploy/mesh/values.yaml',
        12,
        'registry.example.test/mesh/sidecar:1.9.2',
        null,
        [
          ['repository', 12],
          ['tag', 9],
        ],
        'registry registry.example.test/mesh: the hub at line 8, not edited here; the tag is the global tag (line 9), edited there',
      ],
    ]);
  });

  it("join the map's own hub and tag", () => {
    expect(rows({ 'deploy/tunnel/values.yaml': TUNNEL })).toEqual([
      [
        'deploy/tunnel/values.yaml',
        4,
        'registry.example.test/mesh/tunnel:1.9.2',
        null,
        [
          ['repository', 4],
          ['tag', 2],
        ],
        'registry registry.example.test/mesh: the hub at line 1, not edited here',
      ],
    ]);
  });

  it('leave the image as read without a hub, with a variant, or when the image names its own path', () => {
    const files = {
      'plain/values.yaml': ['control:', '  tag: ""', '  image: control', ''].join('\n'),
      'variant/values.yaml': TUNNEL.replace('variant: ""', 'variant: slim'),
      'pathed/values.yaml': TUNNEL.replace('image: tunnel', 'image: registry.example.test/other/tunnel'),
      'feature/values.yaml': ['hub:', '  enabled: false', 'proxy:', '  image: control', ''].join('\n'),
    };
    expect(rows(files).map((row) => [row[0], row[2], row[3]])).toEqual([
      ['feature/values.yaml', 'control', 'no-tag'],
      ['pathed/values.yaml', 'registry.example.test/other/tunnel:1.9.2', null],
      ['plain/values.yaml', 'control', 'no-tag'],
      ['variant/values.yaml', 'tunnel:1.9.2', null],
    ]);
  });

  it('take the global hub and tag of the map the image is written in, beside it', () => {
    const beside = ['defaults:', '  hub: ""', '  tag: ""', '  variant: ""', '  image: control', '  global:', '    hub: registry.example.test/mesh', '    tag: 1.9.2', '    variant: ""', ''].join('\n');
    expect(rows({ 'deploy/control/values.yaml': beside })).toEqual([
      [
        'deploy/control/values.yaml',
        5,
        'registry.example.test/mesh/control:1.9.2',
        null,
        [
          ['repository', 5],
          ['tag', 8],
        ],
        'registry registry.example.test/mesh: the hub at line 7, not edited here; the tag is the global tag (line 8), edited there',
      ],
    ]);
  });
});
