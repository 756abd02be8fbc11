import type { SourceFile } from '../../../core/source-file.js';
import type { Reference } from '../../../core/types.js';
import { byPath, type Extractor } from '../../extractor.js';
import { makeReference } from '../../make-reference.js';
import { blankJsonComments, stringEnd } from './jsonc.js';

/**
 * Development container definitions (`.devcontainer.json`, `.devcontainer/devcontainer.json`,
 * `.devcontainer/<name>/devcontainer.json`): the top-level `image`. The file is JSON with comments, so
 * it is read, its comments blanked, by a small scanner that skips strings; `features` (OCI artifacts, not images)
 * and anything nested are not read.
 */

const KIND = 'devcontainer-image';
/** A development container definition, by its path. */
export const DEFINITION = /(?:^|\/)(?:\.devcontainer\.json|\.devcontainer\/(?:[^/]+\/)?devcontainer\.json)$/;

/** Skips spaces and line breaks from `at`. */
function skipBlank(text: string, at: number): number {
  while (at < text.length && /\s/.test(text.charAt(at))) at++;
  return at;
}

function extract(file: SourceFile): Reference[] {
  // Comments blanked to spaces, so every offset still points where the file writes it.
  const text = blankJsonComments(file.text);
  const references: Reference[] = [];
  let depth = 0;
  for (let at = skipBlank(text, 0); at < text.length; at = skipBlank(text, at)) {
    const char = text[at];
    if (char === '"') {
      const end = stringEnd(text, at);
      const key = text.slice(at + 1, end - 1);
      at = end;
      if (depth !== 1 || key !== 'image') continue;
      const colon = skipBlank(text, at);
      if (text[colon] !== ':') continue;
      const value = skipBlank(text, colon + 1);
      if (text[value] !== '"') continue;
      const valueEnd = stringEnd(text, value);
      const image = text.slice(value + 1, valueEnd - 1);
      at = valueEnd;
      if (image === '' || image.includes('\\')) continue;
      references.push(makeReference(file, { kind: KIND, value: image, parts: [{ role: 'reference', start: value + 1, end: valueEnd - 1 }] }));
    } else {
      if (char === '{' || char === '[') depth++;
      else if (char === '}' || char === ']') depth--;
      at++;
    }
  }
  return references;
}

export const devcontainerExtractor: Extractor = {
  name: 'devcontainer',
  kinds: [KIND],
  quoting: 'verbatim',
  ...byPath(DEFINITION),
  extract: (file) => ({ references: extract(file), problems: [] }),
};
