import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]);

const talconfig = [
  'clusterName: lab', // 1
  'nodes:', // 2
  '  - hostname: board-1', // 3
  '    schematic:', // 4
  '      overlay:', // 5
  '        name: board-generic', // 6
  '        image: example/sbc-board', // 7
  '      customization:', // 8
  '        systemExtensions:', // 9
  '          officialExtensions:', // 10
  '            - example/zfs', // 11
  'patches:', // 12
  '  - image: registry.example.test/tools/kubectl:1.31.2', // 13
  '',
].join('\n');

const schematic = ['overlay:', '  name: board-generic', '  image: example/sbc-board', 'customization:', '  extraKernelArgs:', '    - console=ttyS2', ''].join('\n');

describe('a Talos Image Factory overlay', () => {
  it("names the board support built into the machine's disk image, not an image to pin", () => {
    // Before, line 7 of the first file and line 3 of the second were reported `no-tag`.
    expect(scan({ 'clusters/lab/talconfig.yaml': talconfig, 'boards/schematic.yaml': schematic })).toEqual([['clusters/lab/talconfig.yaml', 13, 'registry.example.test/tools/kubectl:1.31.2', null]]);
  });

  it('an overlay map elsewhere is read as before', () => {
    const other = ['web:', '  overlay:', '    name: banner', '    image: registry.example.test/web/banner:2.0', ''].join('\n');
    expect(scan({ 'deploy/settings.yaml': other })).toEqual([['deploy/settings.yaml', 4, 'registry.example.test/web/banner:2.0', null]]);
  });
});
