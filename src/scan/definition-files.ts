import type { SourceFile } from '../core/source-file.js';

/** A document's one top-level `kind:` line naming a CustomResourceDefinition. */
const DEFINITION_KIND = /^kind:[ \t]*(["']?)CustomResourceDefinition\1[ \t]*(?:#.*)?$/m;
const TOP_LEVEL_KIND = /^kind:/gm;
/** A document marker line, `---` alone or before a comment. */
const DOCUMENT_MARKER = /^---[ \t]*(?:#.*)?$/m;
/** A line at the margin that is neither blank nor a comment: a document with a top-level key. */
const CONTENT_LINE = /^[^\s#]/m;

const known = new WeakMap<SourceFile, boolean>();

/**
 * A YAML file whose every document is a CustomResourceDefinition (an operator's `config/crd/bases/…yaml`, the same
 * definitions copied into each version of an OLM catalog): schema text, in which the rules read no image. Told line by
 * line, without parsing: a 2 MB definition costs a parse and every fact-finding pattern for nothing. A document with
 * any other top-level `kind:`, or two of them, leaves the file to the extractors.
 */
export function isDefinitionsOnly(file: SourceFile): boolean {
  if (!/\.ya?ml$/i.test(file.path)) return false;
  const seen = known.get(file);
  if (seen !== undefined) return seen;
  const text = file.text;
  let only = text.includes('CustomResourceDefinition');
  if (only) {
    const documents = text.split(DOCUMENT_MARKER).filter((document) => CONTENT_LINE.test(document));
    only = documents.length > 0 && documents.every((document) => DEFINITION_KIND.test(document) && (document.match(TOP_LEVEL_KIND) ?? []).length === 1);
  }
  known.set(file, only);
  return only;
}
