/** Translation files (Rails i18n and its kin): a program's words under a locale, never images. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

/** One locale's messages, with a gallery whose `image` label is a word that could be an image's name. */
const messages = (locale: string, word: string): string =>
  [
    `${locale}:`, // 1
    '  gallery:', // 2
    '    columns:', // 3
    `      image: ${word}`, // 4
    '      name: Naam', // 5
    '',
  ].join('\n');

/** The same shape, where the top-level key is a service, not a locale. */
const service = ['app:', '  worker:', '    image: registry.example.test/team/worker:1.2.0', ''].join('\n');

describe('a translation file', () => {
  it('is not read for images, in a folder of translations or named after its locale; other files of that shape are', () => {
    expect(
      rows({
        'config/locales/nl_BE.yml': messages('nl_BE', 'plaatje'),
        'config/locales/devise.fr.yml': messages('fr', 'tableau'),
        'app/locale/fil_PH.yml': messages('fil_PH', 'litrato'),
        'web/i18n/lkt.yaml': messages('lkt', 'wowapi'),
        'web/i18n/zh-Hans-CN.yml': messages('zh-Hans-CN', 'tupian'),
        'config/pt-BR.yml': messages('pt-BR', 'imagem'),
        'config/sv.yml': messages('sv', 'bild'),
        // Not translations: a service named `app`, a file not named after its key, a code that is no language, a list.
        'config/app.yml': service,
        'config/settings.yml': messages('de', 'registry.example.test/team/web:2.0.0'),
        'deploy/env.yml': messages('env', 'registry.example.test/team/env:3.1.0'),
        'deploy/run.yml': messages('run', 'registry.example.test/team/run:3.1.0'),
        'config/locales/extra.yml': ['- image: registry.example.test/team/list:1.0.0', ''].join('\n'),
      }),
    ).toEqual([
      ['config/app.yml', 3, 'registry.example.test/team/worker:1.2.0', 'yaml-image', null],
      ['config/locales/extra.yml', 1, 'registry.example.test/team/list:1.0.0', 'yaml-image', null],
      ['config/settings.yml', 4, 'registry.example.test/team/web:2.0.0', 'yaml-image', null],
      ['deploy/env.yml', 4, 'registry.example.test/team/env:3.1.0', 'yaml-image', null],
      ['deploy/run.yml', 4, 'registry.example.test/team/run:3.1.0', 'yaml-image', null],
    ]);
  });
});
