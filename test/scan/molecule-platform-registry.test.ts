/** Molecule platforms that name the registry their image comes from (`registry: {url: …}` beside `image`). */
import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { applyEdits } from '../../src/core/text-edit.js';
import { editsForReference } from '../../src/plan/edits-for-reference.js';
import { scanFiles } from '../../src/scan/scan-files.js';

const lines = (...text: string[]) => `${text.join('\n')}\n`;

const scenario = lines(
  '---', // 1
  'driver:', // 2
  '  name: podman', // 3
  'platforms:', // 4
  '  - name: base', // 5
  '    image: team/base-init', // 6
  '    registry:', // 7
  '      url: registry.example.test', // 8
  '    dockerfile: Dockerfile', // 9
  '  - name: tagged', // 10
  '    image: "team/base:9.4"', // 11
  '    registry:', // 12
  '      url: registry.example.test:5000/mirror', // 13
  '  - name: prebuilt', // 14
  '    image: team/prebuilt:2.0', // 15
  '    pre_build_image: true', // 16
  '    registry:', // 17
  '      url: registry.example.test', // 18
  '  - name: hosted', // 19
  '    image: quay.example.test/team/other:1.0', // 20
  '    registry:', // 21
  '      url: registry.example.test', // 22
  '  - name: plain', // 23
  '    image: team/plain:1.1', // 24
);

const PATH = 'roles/relay/molecule/default/molecule.yml';
const scan = (text: string) => scanFiles([sourceFile(PATH, Buffer.from(text, 'utf8'))]).references;

describe('a Molecule platform with a registry url', () => {
  it('runs <url>/<image>, reported at the image with the registry as one of its parts; a pre-built image, one naming its own registry and one without a url are read as written', () => {
    expect(scan(scenario).map((reference) => [reference.line, reference.value, reference.kind, reference.skip, reference.spans.map((span) => [span.role, span.line, span.text])])).toEqual([
      [
        6,
        'registry.example.test/team/base-init',
        'yaml-image',
        'no-tag',
        [
          ['registry', 8, 'registry.example.test'],
          ['repository', 6, 'team/base-init'],
        ],
      ],
      [
        11,
        'registry.example.test:5000/mirror/team/base:9.4',
        'yaml-image',
        null,
        [
          ['registry', 13, 'registry.example.test:5000/mirror'],
          ['repository', 11, 'team/base'],
          ['tag', 11, '9.4'],
          ['digest', 11, ''],
        ],
      ],
      [15, 'team/prebuilt:2.0', 'yaml-image', null, [['reference', 15, 'team/prebuilt:2.0']]],
      [20, 'quay.example.test/team/other:1.0', 'yaml-image', null, [['reference', 20, 'quay.example.test/team/other:1.0']]],
      [24, 'team/plain:1.1', 'yaml-image', null, [['reference', 24, 'team/plain:1.1']]],
    ]);
  });

  it('an update edits the tag in the image and pins after it, leaving the registry as it is', () => {
    const tagged = scan(scenario).find((reference) => reference.line === 11);
    if (!tagged) throw new Error('no reference at line 11');
    const digest = `sha256:${'4'.repeat(64)}`;
    const plan = editsForReference(tagged, { tag: '9.5', digest });
    if (!plan.ok) throw new Error(plan.reason);
    expect(plan.pinned).toBe(true);
    const edited = Buffer.from(applyEdits(Buffer.from(scenario, 'utf8'), plan.edits)).toString('utf8');
    expect(edited).toBe(scenario.replace('image: "team/base:9.4"', `image: "team/base:9.5@${digest}"`));
    expect(scan(edited).find((reference) => reference.line === 11)?.value).toBe(`registry.example.test:5000/mirror/team/base:9.5@${digest}`);
  });
});
