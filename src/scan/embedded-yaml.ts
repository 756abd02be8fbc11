import { isMap, isSeq, parseAllDocuments, parseDocument, type Document } from 'yaml';
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
/** The `repository:` and `tag:` lines of a map of an image's parts, under whatever key (`images:` list entries of Gardener's image vector). */
const SPLIT_MAP_LINES = [/^[ \t]*(?:-[ \t]+)?repository[ \t]*:/m, /^[ \t]*(?:-[ \t]+)?tag[ \t]*:/m];

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

/** The file with `text` in place of its own, every offset where it was: what is found in it is edited in the file. */
function withText(file: SourceFile, text: string): SourceFile {
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

/** The file as seen with the Jinja statement lines of `from`…`to` blanked: the lines around them are read as YAML. */
function jinjaLinesBlanked(file: SourceFile, from: number, to: number): SourceFile {
  // Spaces of the same length: every offset stays where it was, and a blank line ends no block.
  const text = `${file.text.slice(0, from)}${file.text.slice(from, to).replace(JINJA_LINE, (line) => ' '.repeat(line.length))}${file.text.slice(to)}`;
  return withText(file, text);
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

/** Kubernetes objects as a block's body holds them: `apiVersion:` and `kind:` lines. */
const MANIFEST_LINES = [/^[ \t]*apiVersion:[ \t]*\S/m, /^[ \t]*kind:[ \t]*\S/m];
/** A Go template, Jinja or Argo expression action (`{{ .Values.x }}`, `{{- include … }}`, `{{$name}}`, `{{=asInt(…)}}`): a template, read by its lines. A name an operator fills in (`{{backstage-name}}`) is not one. */
const TEMPLATE_ACTION = /\{\{-?(?:[ \t]|[.$=])|\{%/;
/** A document marker indented with the body: `    ---`. */
const INDENTED_MARKER = /^([ \t]+)---([ \t]*)(?=\r?$)/gm;

/**
 * The file as seen with only the lines `from`…`to` (a block's body) left, every other character a space and each
 * indented document marker moved to the line's start: the body reads as the manifests it holds, at the offsets it
 * has in the file, so what is found in it is edited where it stands.
 */
function blockOnly(file: SourceFile, from: number, to: number): SourceFile {
  const blank = (text: string): string => text.replace(/[^\n]/g, ' ');
  const body = file.text.slice(from, to).replace(INDENTED_MARKER, (_line, lead: string, trail: string) => `---${lead}${trail}`);
  const text = `${blank(file.text.slice(0, from))}${body}${blank(file.text.slice(to))}`;
  return withText(file, text);
}

/** A document marker line of a body, as its text or as the file writes it (indented with the body). */
const MARKER_LINE = /^[ \t]*---[ \t]*\r?$/;

/**
 * The documents of a body of Kubernetes objects that YAML cannot read whole (one object's multi-line quoted string that
 * breaks the stream, as `kubectl create -f -` takes it), as a file of such objects is read document by document: the
 * lines (`from`…`to`, offsets in the file) of each document between `---` lines that parses alone as an object with
 * `apiVersion` and `kind`. The body's lines are the file's lines `from` on, each without the block's indentation.
 */
function readableObjects(file: SourceFile, body: string, from: number, to: number): Array<{ readonly from: number; readonly to: number }> {
  const rawLines = file.text.slice(from, to).split('\n');
  const bodyLines = body.split('\n');
  const ranges: Array<{ from: number; to: number }> = [];
  let offset = from;
  let first = 0;
  let start = from;
  const close = (last: number, end: number): void => {
    const text = bodyLines.slice(first, last).join('\n');
    if (text.trim() === '') return;
    const document = parseDocument(text, { prettyErrors: false, uniqueKeys: false });
    const contents = document.contents;
    if (document.errors.length === 0 && isMap(contents) && contents.has('apiVersion') && contents.has('kind')) ranges.push({ from: start, to: end });
  };
  for (const [index, line] of rawLines.entries()) {
    if (MARKER_LINE.test(line)) {
      close(index, offset);
      first = index + 1;
      start = offset + line.length + 1;
    }
    offset += line.length + 1;
  }
  close(rawLines.length, to);
  return ranges;
}

/**
 * Image references in the literal block scalars of parsed documents, except those already found (by span start).
 * With `manifests` (the Kubernetes reading of a file), a block that holds Kubernetes objects (a ConfigMap carrying
 * the Deployments and Tekton Tasks an operator applies) is read as they are read in a file of their own: a step's
 * image, a parameter's default that a step runs, an `env` entry named for an image; then its image lines as below.
 */
export function embeddedYamlImages(
  file: SourceFile,
  documents: readonly Document.Parsed[],
  kindFor: (parents: readonly string[], key: string) => ReferenceKind,
  found: readonly Reference[],
  manifests?: (file: SourceFile) => readonly Reference[],
): Reference[] {
  const taken = new Set(found.map((reference) => reference.spans[0]?.start));
  const references: Reference[] = [];
  const add = (found: readonly Reference[]): void => {
    for (const reference of found) {
      const start = reference.spans[0]?.start;
      if (taken.has(start)) continue;
      taken.add(start);
      references.push(reference);
    }
  };
  forEachLiteralBlock(documents, ({ body, start, valueEnd, end }) => {
    if (/^\s*[{[]/.test(body)) {
      const from = blockBodyStart(file.text, start, valueEnd);
      if (from !== null) add(jsonBlockImages(file, { from, to: valueEnd }, [], kindFor, keepInBlock));
      return;
    }
    // Objects name their images under other fields too (a CloudNativePG Cluster's `imageName`, a Tekton bundle, an `env` entry).
    const holdsObjects = manifests !== undefined && MANIFEST_LINES.every((line) => line.test(body));
    const splitMaps = SPLIT_MAP_LINES.every((line) => line.test(body));
    if (!IMAGE_KEY_LINE.test(body) && !splitMaps && !holdsObjects) return;
    const yaml = isYamlShapedBody(body);
    // A compose file with Jinja statement lines (an Ansible task writes it): read with those lines blanked.
    const jinjaCompose = !yaml && isJinjaCompose(body);
    const from = blockBodyStart(file.text, start, end);
    if (from === null) return;
    if (!yaml && !jinjaCompose) {
      // Kubernetes objects that YAML cannot read whole: each document that parses alone is read by its image lines.
      if (MANIFEST_LINES.every((line) => line.test(body)) && !TEMPLATE_ACTION.test(body)) {
        for (const range of readableObjects(file, body, from, valueEnd)) add(templateLineImages(file, kindFor, false, range, keepInBlock));
      }
      return;
    }
    // `repository` + `tag` maps are read under any key, as in a parsed file (`images:` entries of Gardener's `imageVectorOverwrite: |`).
    const lines = templateLineImages(jinjaCompose ? jinjaLinesBlanked(file, from, end) : file, kindFor, false, { from, to: end }, keepInBlock, splitMaps);
    if (manifests !== undefined && holdsObjects && isYamlBody(body) && !TEMPLATE_ACTION.test(body)) {
      // A bare name is kept only where the line reading keeps one (a container's or a step's image).
      const kept = new Set(lines.map((reference) => reference.spans[0]?.start));
      try {
        add(manifests(blockOnly(file, from, end)).filter((reference) => reference.skip !== 'no-tag' || kept.has(reference.spans[0]?.start)));
      } catch {
        // A body the Kubernetes reading cannot take is read by its image lines alone.
      }
    }
    add(lines);
  });
  return references;
}
