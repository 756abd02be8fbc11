import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]);

const lines = (...text: string[]) => `${text.join('\n')}\n`;

/** A CustomResourceDefinition's `spec`, kept as a file of its own to be joined into the definition later. */
const SPEC_PART = lines(
  'group: relay.example.test',
  'names:',
  '  kind: Relay',
  '  plural: relays',
  'scope: Namespaced',
  'versions:',
  '  - name: v1',
  '    schema:',
  '      openAPIV3Schema:',
  '        type: object',
  '        properties:',
  '          spec:',
  '            type: object',
  '            properties:',
  '              proxy:',
  '                default:',
  '                  image: registry.example.test/team/proxy',
  '                  mode: sidecar',
  '                description: The proxy beside each relay.',
  '                properties:',
  '                  image:',
  '                    type: string',
  '                    example: registry.example.test/team/proxy:1.0.0',
  '                type: object',
  '              images:',
  '                type: object',
  '                default:',
  '                  serverImage: relay-server',
  '                  registry: registry.example.test',
);

describe("images written as a schema's defaults and examples", () => {
  it('are not reported from a part of a CustomResourceDefinition kept as a file of its own', () => {
    expect(rows({ 'charts/relay-crds/parts/relays_spec.yaml': SPEC_PART })).toEqual([]);
  });

  it('a values map with a `default` key and no schema around it is still read', () => {
    const values = lines('proxy:', '  default:', '    image: registry.example.test/team/proxy:1.0.0', 'properties:', '  agent:', '    image: registry.example.test/team/agent:2.0.0');
    expect(rows({ 'deploy/values.yaml': values })).toEqual([
      ['deploy/values.yaml', 3, 'registry.example.test/team/proxy:1.0.0', null],
      ['deploy/values.yaml', 6, 'registry.example.test/team/agent:2.0.0', null],
    ]);
  });
});
