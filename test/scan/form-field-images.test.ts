import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const lines = (...text: string[]) => `${text.join('\n')}\n`;
const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.line, reference.column, reference.value, reference.kind, reference.skip]);
const digest = `sha256:${'ef'.repeat(32)}`;

describe('image fields of a form config', () => {
  it('reports the default value and each option offered, where each is written', () => {
    const config = lines(
      'launcherDefaults:', // 1
      '  allowCustomImage: true', // 2
      '  image:', // 3
      '    value: registry.example.test/lab/notebook-base:v2.1.0', // 4
      '    options:', // 5
      '    - registry.example.test/lab/notebook-base:v2.1.0', // 6
      `    - "registry.example.test/lab/notebook-gpu@${digest}"`, // 7
      '    - notebook-local', // 8
      '    - registry.example.test/lab/notebook-edge', // 9
      '  imageGroupEditor:', // 10
      '    value: registry.example.test/lab/editor:1.4.2', // 11
      '    readOnly: false', // 12
      '    options:', // 13
      '    - registry.example.test/lab/editor:1.4.2', // 14
      '  cpu:', // 15
      '    value: "0.5"', // 16
      '    options: ["0.5", "1"]', // 17
      '  imagePullPolicy:', // 18
      '    value: IfNotPresent', // 19
      '    options: [Always, IfNotPresent]', // 20
    );
    expect(scan({ 'apps/launcher/config.yaml': config })).toEqual([
      [4, 12, 'registry.example.test/lab/notebook-base:v2.1.0', 'yaml-image', null],
      [6, 7, 'registry.example.test/lab/notebook-base:v2.1.0', 'yaml-image', null],
      [7, 8, `registry.example.test/lab/notebook-gpu@${digest}`, 'yaml-image', null],
      [11, 12, 'registry.example.test/lab/editor:1.4.2', 'yaml-image', null],
      [14, 7, 'registry.example.test/lab/editor:1.4.2', 'yaml-image', null],
    ]);
  });

  it('reads nothing from a value and options map under a key that names no image', () => {
    const config = lines('defaults:', '  runtime:', '    value: registry.example.test/lab/runtime:3.0.0', '    options:', '    - registry.example.test/lab/runtime:3.0.0');
    expect(scan({ 'apps/launcher/config.yaml': config })).toEqual([]);
  });
});
