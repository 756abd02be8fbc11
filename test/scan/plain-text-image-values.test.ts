/** Plain YAML that uses the word `image` for text: a label, a page title, a sentence. Not a misspelt image. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

const labels = [
  'nl:', // 1
  '  gallery:', // 2
  '    upload:', // 3
  '      image: Afbeelding', // 4
  '      image_hint: Kies een afbeelding', // 5
  '    caption:', // 6
  '      image: "Afbeelding:"', // 7
  '    banner:', // 8
  '      image: Bild mit Text', // 9
  '    icon:', // 10
  '      image: Ñandú', // 11
  '',
].join('\n');

const pages = ['- key: image', '  title: Page:Key:image', '  image: Page:Key:image', ''].join('\n');

const settings = [
  'worker:', // 1
  '  image: registry.example.test/team/worker:1.2.0', // 2
  'probe:', // 3
  '  image: registry.example.test/team/probe@sha256:12ab', // 4
  '',
].join('\n');

const values = ['image: Team/App:1.0', ''].join('\n');

const pod = ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: web', 'spec:', '  containers:', '    - name: web', '      image: Team/Web:1.0', ''].join('\n');

describe('an image key in plain YAML whose value is text', () => {
  it('is not reported; a name with a bad digest, a chart value and a container image are reported invalid as before', () => {
    expect(
      rows({
        'config/labels/nl.yml': labels,
        'config/pages.yml': pages,
        'config/settings.yml': settings,
        'charts/app/values.yaml': values,
        'deploy/pod.yaml': pod,
      }),
    ).toEqual([
      ['charts/app/values.yaml', 1, 'Team/App:1.0', 'helm-values', 'invalid-reference'],
      ['config/settings.yml', 2, 'registry.example.test/team/worker:1.2.0', 'yaml-image', null],
      ['config/settings.yml', 4, 'registry.example.test/team/probe@sha256:12ab', 'yaml-image', 'invalid-reference'],
      ['deploy/pod.yaml', 8, 'Team/Web:1.0', 'kubernetes-container', 'invalid-reference'],
    ]);
  });
});
