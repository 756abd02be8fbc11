import type { SourceFile } from '../../../core/source-file.js';
import type { Reference, Span } from '../../../core/types.js';
import { makeReference, makeSpan } from '../../make-reference.js';
import { parseHcl } from './hcl-body.js';
import type { HclToken } from './hcl-tokens.js';
import { usesOf, type PackFacts } from './nomad-pack.js';

/**
 * Nomad Pack variable files (`nomad-pack run pack -f examples/basic.hcl`): `.hcl` files inside a pack,
 * outside `templates/`, that set the pack's variables (`task_config = { image = "…", version = "…" }`).
 * An image a template builds from variables this file sets is reported here, at the first value it sets;
 * the values are edited here (one variable: the whole reference; a name and a tag: split parts).
 */

const KIND = 'nomad-task';

/** The pack folder a variable file belongs to, or null. */
export function packOfVarFile(path: string, facts: PackFacts | undefined): string | null {
  if (!facts || !/\.hcl$/i.test(path) || path.includes('/templates/')) return null;
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (base === 'variables.hcl' || base === 'metadata.hcl') return null;
  let best: string | null = null;
  for (const folder of facts.images.keys()) {
    if ((folder === '' || path.startsWith(`${folder}/`)) && (best === null || folder.length > best.length)) best = folder;
  }
  return best;
}

function plainSpan(file: SourceFile, tokens: readonly HclToken[], name: string): Span | null {
  const [token, ...rest] = tokens;
  if (!token || rest.length > 0 || token.type !== 'string' || token.templated || token.escaped) return null;
  return makeSpan(file, { role: 'variable', start: token.start + 1, end: token.end - 1, variable: name });
}

/** Top-level values the file sets: `name = "…"`, and the plain fields of `name = { field = "…" }`. */
function settings(file: SourceFile): Map<string, Span> {
  const set = new Map<string, Span>();
  const text = file.text;
  const punctuation = (token: HclToken | undefined, char: string): boolean => token?.type === 'punctuation' && text[token.start] === char;
  for (const attribute of parseHcl(text).root.attributes) {
    const tokens = attribute.value;
    const whole = plainSpan(file, tokens, attribute.name);
    if (whole) set.set(attribute.name, whole);
    if (!punctuation(tokens[0], '{')) continue;
    let depth = 0;
    for (let at = 0; at < tokens.length; at++) {
      const token = tokens[at];
      if (!token) break;
      if (token.type === 'punctuation' && '([{'.includes(text.charAt(token.start))) depth++;
      else if (token.type === 'punctuation' && ')]}'.includes(text.charAt(token.start))) depth--;
      else if (depth === 1 && token.type === 'identifier' && punctuation(tokens[at + 1], '=')) {
        const value = tokens[at + 2];
        const after = tokens[at + 3];
        const ends = after === undefined || after.type === 'newline' || punctuation(after, ',') || punctuation(after, '}');
        const name = `${attribute.name}.${text.slice(token.start, token.end)}`;
        const span = value && ends ? plainSpan(file, [value], name) : null;
        if (span) set.set(name, span);
      }
    }
  }
  return set;
}

export function packVarFileReferences(file: SourceFile, facts: PackFacts | undefined): Reference[] {
  const folder = packOfVarFile(file.path, facts);
  const images = folder === null ? undefined : facts?.images.get(folder);
  if (folder === null || !images) return [];
  const variables = facts?.packs.get(folder)?.variables;
  const set = settings(file);
  const references: Reference[] = [];
  for (const image of images) {
    const uses = usesOf(image.inner, image.bare);
    if (!uses || uses.length === 0) continue;
    const own = uses.flatMap((use) => set.get(use.name) ?? []);
    const first = own[0];
    if (!first) continue;
    const spans = uses.map((use) => set.get(use.name) ?? variables?.get(use.name)?.span ?? null);
    if (spans.some((span) => span === null || span.text === '')) continue;
    let value = '';
    let at = 0;
    uses.forEach((use, index) => {
      value += image.inner.slice(at, use.index) + (spans[index]?.text ?? '');
      at = use.index + use.text.length;
    });
    value += image.inner.slice(at);
    const anchor = Math.min(...own.map((span) => span.start)) - file.base;
    const detail = `pack template ${image.template}`;
    const made = makeReference(file, { kind: KIND, value, parts: [], anchor, detail });
    const [name, tag] = own;
    const only = uses[0];
    if (uses.length === 1 && only && only.text === image.inner && name) {
      references.push({ ...made, spans: [{ ...name, role: 'reference' }] });
    } else if (uses.length === 2 && own.length === 2 && name && tag && image.inner === `${uses[0]?.text}:${uses[1]?.text}`) {
      // `[[ name ]]:[[ tag ]]`, both set here: a split reference of two values of this file.
      references.push({
        ...made,
        spans: [
          { ...name, role: 'repository' },
          { ...tag, role: 'tag' },
        ],
      });
    } else {
      // Partly from the pack's defaults or around literal text: shown, not edited from here.
      references.push({ ...made, skip: 'templated', spans: own, detail: `${detail}; built with values set elsewhere, not edited from here` });
    }
  }
  return references.sort((a, b) => a.line - b.line || a.column - b.column);
}
