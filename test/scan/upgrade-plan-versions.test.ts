import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) =>
  scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip, reference.detail ?? null]);

const plan = (name: string, lines: readonly string[]) =>
  ['apiVersion: upgrade.cattle.io/v1', 'kind: Plan', 'metadata:', `  name: ${name}`, '  namespace: node-upgrades', 'spec:', '  concurrency: 1', ...lines, ''].join('\n');

describe('system-upgrade-controller plans', () => {
  it("a name written alone in prepare or upgrade runs with the plan's literal version as its tag, + written as -", () => {
    const workers = plan('workers', [
      '  version: v2.4.1+edge3',
      '  prepare:',
      '    image: registry.example.test/nodes/os-upgrade',
      '    args: [prepare, controllers]',
      '  upgrade:',
      '    image: "registry.example.test/nodes/os-upgrade"',
      '  drain:',
      '    force: true',
    ]);
    const note = "the tag is the Plan's version v2.4.1+edge3 (line 8), which the controller gives a name written alone";
    expect(scan({ 'clusters/edge/upgrades/workers.yaml': workers })).toEqual([
      ['clusters/edge/upgrades/workers.yaml', 10, 'registry.example.test/nodes/os-upgrade:v2.4.1-edge3', 'kubernetes-image', 'templated', note],
      ['clusters/edge/upgrades/workers.yaml', 13, 'registry.example.test/nodes/os-upgrade:v2.4.1-edge3', 'kubernetes-image', 'templated', note],
    ]);
  });

  it('a tagged image, a plan that resolves a channel or a version left to a variable, and another group of the same kind keep what is written', () => {
    const tagged = plan('tagged', ['  version: v2.4.1+edge3', '  upgrade:', '    image: registry.example.test/nodes/os-upgrade:v2.3.0-edge1']);
    const channel = plan('channel', ['  channel: https://updates.example.test/channels/stable', '  upgrade:', '    image: registry.example.test/nodes/os-upgrade']);
    const variable = plan('variable', ['  version: ${NODE_VERSION}', '  upgrade:', '    image: registry.example.test/nodes/os-upgrade']);
    const other = [
      'apiVersion: deploy.example.test/v1',
      'kind: Plan',
      'metadata:',
      '  name: rollout',
      'spec:',
      '  version: v2.4.1',
      '  upgrade:',
      '    image: registry.example.test/nodes/os-upgrade',
      '',
    ].join('\n');
    expect(scan({ 'upgrades/a-tagged.yaml': tagged, 'upgrades/b-channel.yaml': channel, 'upgrades/c-variable.yaml': variable, 'upgrades/d-other.yaml': other })).toEqual([
      ['upgrades/a-tagged.yaml', 10, 'registry.example.test/nodes/os-upgrade:v2.3.0-edge1', 'kubernetes-image', null, null],
      ['upgrades/b-channel.yaml', 10, 'registry.example.test/nodes/os-upgrade', 'kubernetes-image', 'no-tag', null],
      ['upgrades/c-variable.yaml', 10, 'registry.example.test/nodes/os-upgrade', 'kubernetes-image', 'no-tag', null],
      ['upgrades/d-other.yaml', 8, 'registry.example.test/nodes/os-upgrade', 'kubernetes-image', 'no-tag', null],
    ]);
  });
});
