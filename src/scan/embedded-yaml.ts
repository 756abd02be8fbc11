import { isMap, isSeq, parseAllDocuments, type Document } from 'yaml';
import type { SourceFile } from '../core/source-file.js';
import type { Reference, ReferenceKind } from '../core/types.js';
import { isTemplateText, isYamlShapedBlock, keepInBlock, templateLineImages } from './helm-template-lines.js';
import { jsonBlockImages } from './embedded-json.js';
import { blockBodyStart, forEachLiteralBlock } from './literal-blocks.js';

/**
 * YAML carried as text inside YAML: a literal block scalar (`key: |`) whose body is itself a YAML
 * map or list. A ConfigMap's `data` (a controller's config naming the images it starts), an Argo
 * Workflows `resource.manifest`, a kustomize/kpt function's `config.kubernetes.io/function`
 * annotation, a chart value that the chart writes out as a config file. Their `image:` lines are
 * images like any other; each is written in the file byte for byte (a literal block keeps every
 * character of its lines), so it is edited where it stands.
 *
 * Only bodies that parse as YAML maps or lists count, or that hold template actions (`{{=asInt(…)}}`
 * in an Argo Workflows manifest) and are shaped like YAML line by line: a shell script or prose under `|` does not.
 * A body that is JSON (it starts with `{` or `[`) is read as JSON (embedded-json.ts).
 * Folded blocks (`>`) join lines, and are not read. Values that are templates or not references
 * (`image: "{{ .ProxyImage }}"` in an istio injection template) name no image of their own here: left out.
 *
 * A compose file written as such a block (a top-level `services:` map: an Ansible `copy` task's
 * `content: |` with its `dest` a `docker-compose.yml`) may hold Jinja statement lines that Ansible
 * renders before compose reads the file (`{% if token is defined %}` … `{% endif %}`, `{# … #}`): alone
 * on their lines, they are stepped over, as if blank, and the rest is read as YAML.
 */

/** A line of the body with an image key: `image:`, `- image:`, `fooImage:`. */
const IMAGE_KEY_LINE = /^[ \t]*(?:-[ \t]+)*(?:[A-Za-z_][\w.-]*)?[iI]mage[ \t]*:/m;

/** A Jinja statement or comment alone on its line (`{% if x is defined %}`, `{%- endfor %}`, `{# note #}`): it renders as nothing there, or as the lines around it. */
const JINJA_LINE = /^[ \t]*(?:\{%(?:(?!%\})[^\n])*%\}|\{#(?:(?!#\})[^\n])*#\})[ \t]*(?=\r?$)/gm;
/** A compose file's top-level `services:` key. */
const COMPOSE_SERVICES = /^services:[ \t]*(?:#.*)?\r?$/m;

/** Is `body` a compose file once its Jinja statement lines are left out (and does it hold any)? */
function isJinjaCompose(body: string): boolean {
  const rendered = body.replace(JINJA_LINE, '');
  return rendered !== body && COMPOSE_SERVICES.test(rendered) && isYamlShapedBody(rendered);
}

/** A body shaped as YAML: it parses, or it holds template actions and is shaped like YAML line by line. */
function isYamlShapedBody(body: string): boolean {
  return isYamlBody(body) || (isTemplateText(body) && isYamlShapedBlock(body, 0, -1));
}

/** The file as seen with the Jinja statement lines of `from`…`to` blanked: the lines around them are read as YAML. */
function jinjaLinesBlanked(file: SourceFile, from: number, to: number): SourceFile {
  // Spaces of the same length: every offset stays where it was, and a blank line ends no block.
  const text = `${file.text.slice(0, from)}${file.text.slice(from, to).replace(JINJA_LINE, (line) => ' '.repeat(line.length))}${file.text.slice(to)}`;
  return {
    path: file.path,
    get bytes() {
      return file.bytes;
    },
    text,
    base: file.base,
    position: (offset) => file.position(offset),
    memo: new Map(),
    release: () => undefined,
  };
}

function isYamlBody(body: string): boolean {
  try {
    const documents = parseAllDocuments(body, { prettyErrors: false, uniqueKeys: false });
    if (!Array.isArray(documents) || documents.length === 0) return false;
    return documents.every((document) => document.errors.length === 0) && documents.some((document) => isMap(document.contents) || isSeq(document.contents));
  } catch {
    return false;
  }
}

/** Image references in the literal block scalars of parsed documents, except those already found (by span start). */
export function embeddedYamlImages(
  file: SourceFile,
  documents: readonly Document.Parsed[],
  kindFor: (parents: readonly string[], key: string) => ReferenceKind,
  found: readonly Reference[],
): Reference[] {
  const taken = new Set(found.map((reference) => reference.spans[0]?.start));
  const references: Reference[] = [];
  const add = (found: readonly Reference[]): void => {
    for (const reference of found) if (!taken.has(reference.spans[0]?.start)) references.push(reference);
  };
  forEachLiteralBlock(documents, ({ body, start, valueEnd, end }) => {
    if (/^\s*[{[]/.test(body)) {
      const from = blockBodyStart(file.text, start, valueEnd);
      if (from !== null) add(jsonBlockImages(file, { from, to: valueEnd }, [], kindFor, keepInBlock));
      return;
    }
    if (!IMAGE_KEY_LINE.test(body)) return;
    const yaml = isYamlShapedBody(body);
    // A compose file with Jinja statement lines (an Ansible task writes it): read with those lines blanked.
    const jinjaCompose = !yaml && isJinjaCompose(body);
    if (!yaml && !jinjaCompose) return;
    const from = blockBodyStart(file.text, start, end);
    if (from === null) return;
    add(templateLineImages(jinjaCompose ? jinjaLinesBlanked(file, from, end) : file, kindFor, false, { from, to: end }, keepInBlock));
  });
  return references;
}
