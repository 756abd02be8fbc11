import type { SourceFile } from '../../../core/source-file.js';
import type { Reference } from '../../../core/types.js';
import { byPath, type Extractor } from '../../extractor.js';
import { makeReference, type PartInput } from '../../make-reference.js';
import { looksLikeImageText } from '../../yaml-image-fields.js';

/**
 * Timoni module values written in CUE (`values.cue`, `debug_values.cue`): an `image: { repository, tag,
 * digest }` struct (Timoni's image schema) is a split reference, and `image: "repo:tag"` a whole one.
 * Read line by line: CUE values files are plain structs of quoted strings, and a line that is anything
 * else (a reference to another field, a comprehension) is not an image literal.
 */

const KIND = 'timoni-values';
const VALUES_FILE = /(?:^|\/)(?:[\w-]+_)?values\.cue$/i;
/** `key: {`, `a: b: {` (CUE's shorthand for nested structs): the last key names the struct. */
const OPENS = /^\s*((?:[A-Za-z_$#][\w$#-]*[?!]?\s*:\s*)+)\{\s*(?:\/\/.*)?$/;
const FIELD = /^(\s*)([A-Za-z_][\w-]*)[?!]?\s*:\s*"([^"\\]*)"\s*(?:\/\/.*)?$/;
const IMAGE_KEY = /^(?:image|\w+Image)$/;

interface Struct {
  readonly key: string;
  readonly fields: Map<string, { start: number; end: number }>;
}

function lastKey(keys: string): string {
  const parts = keys.split(':').map((part) => part.trim().replace(/[?!]$/, ''));
  return parts.filter((part) => part !== '').at(-1) ?? '';
}

function structReference(file: SourceFile, struct: Struct): Reference | null {
  const repository = struct.fields.get('repository');
  const tag = struct.fields.get('tag');
  const digest = struct.fields.get('digest');
  if (!repository || (!tag && !digest) || repository.start === repository.end) return null;
  const text = (field: { start: number; end: number } | undefined): string => (field ? file.text.slice(field.start, field.end) : '');
  const digestText = text(digest);
  const value = `${text(repository)}${tag && tag.start !== tag.end ? `:${text(tag)}` : ''}${digestText === '' ? '' : `@${digestText}`}`;
  if (!looksLikeImageText(value)) return null;
  const parts: PartInput[] = [{ role: 'repository', start: repository.start, end: repository.end }];
  if (tag) parts.push({ role: 'tag', start: tag.start, end: tag.end });
  if (digest) parts.push({ role: 'digest', start: digest.start, end: digest.end });
  return makeReference(file, { kind: KIND, value, parts, detail: `${struct.key} struct` });
}

function extract(file: SourceFile): Reference[] {
  const text = file.text;
  const references: Reference[] = [];
  const stack: Struct[] = [];
  let lineStart = 0;
  while (lineStart <= text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
    const opens = OPENS.exec(line);
    const field = FIELD.exec(line);
    if (opens) {
      stack.push({ key: lastKey(opens[1] ?? ''), fields: new Map() });
    } else if (/^\s*\}\s*(?:\/\/.*)?$/.test(line)) {
      const struct = stack.pop();
      if (struct && IMAGE_KEY.test(struct.key)) {
        const reference = structReference(file, struct);
        if (reference) references.push(reference);
      }
    } else if (field) {
      const [, indent = '', key = '', value = ''] = field;
      const start = lineStart + line.indexOf('"', indent.length + key.length) + 1;
      const current = stack.at(-1);
      if (current) current.fields.set(key, { start, end: start + value.length });
      if (IMAGE_KEY.test(key) && looksLikeImageText(value)) {
        references.push(makeReference(file, { kind: KIND, value, parts: [{ role: 'reference', start, end: start + value.length }] }));
      }
    }
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  return references.sort((a, b) => (a.spans[0]?.start ?? 0) - (b.spans[0]?.start ?? 0));
}

export const timoniExtractor: Extractor = {
  name: 'timoni',
  kinds: [KIND],
  quoting: 'verbatim',
  ...byPath(VALUES_FILE),
  extract: (file) => ({ references: extract(file), problems: [] }),
};
