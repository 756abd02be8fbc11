import { hasTagPlaceholder, isTag, isTemplated, parseImageRef } from '../core/image-ref.js';
import { parse } from 'yaml';
import type { SourceFile } from '../core/source-file.js';
import type { Reference, ReferenceKind } from '../core/types.js';
import { jsonBlockImages } from './embedded-json.js';
import { catalogDetail, catalogValue, isCatalogBase, isCatalogName } from './image-catalog.js';
import { makeReference, withTagAt } from './make-reference.js';
import { yamlSource } from './yaml-source.js';
import { composeNamedImage, composeSplitImage, isImageKey, isTemplatedTag, looksLikeImageText, OTHER_IMAGE_PART_KEYS, PATH_COMPONENT, REGISTRY_WITH_PATH } from './yaml-image-fields.js';

/**
 * Helm templates are not YAML until rendered. When a file does not parse and holds `{{`, its
 * `image:` lines are read one by one instead, and no parse problem is reported.
 */
export function isBrokenTemplate(file: SourceFile): boolean {
  return isTemplateText(file.text) || (file.text.includes('{{') && yamlSource(file).broken);
}

/**
 * A line YAML cannot read before rendering: a template action where a node starts (`{{- if … }}`,
 * `- {{ … }}`), in a key (`{{ $k }}: v`), or as a whole plain value (`port: {{ .Values.port }}`).
 * Inside quotes or in the middle of a plain value (`path: a/{{.Team}}`) it is text to YAML, and so is
 * a pipeline expression written as a key (`${{ else }}:`, `- ${{ if eq(parameters.sign, true) }}:` in
 * an Azure Pipelines template), which the pipeline reads after YAML has.
 */
const TEMPLATE_LINE = /^[ \t]*(?:-[ \t]+)*(?:\{\{|[^\s#'"][^#'"]*?(?<!\$)\{\{[^'"]*?:(?:[ \t]|$)|[^\s#'"][^:#'"]*:[ \t]+\{\{)/;
/** `key: |`, `- key: >-`: a block scalar starts; its more-indented lines are text. */
const BLOCK_SCALAR = /^[ \t]*(?:-[ \t]+)*[^\s#][^#]*:[ \t]+[|>][-+0-9]*[ \t]*(?:#.*)?\r?$/;

/**
 * Is this text a template that is not YAML until rendered (Helm, Go templates)? Decided line by
 * line, without parsing: a template action outside a quoted value (`{{- if … }}`, `{{ toYaml … }}`,
 * `key: {{ .Values.x }}`) makes the file a template. A parse would only fail, slowly, line after line.
 */
export function isTemplateText(text: string): boolean {
  return firstTemplateLine(text) !== null;
}

/** The offset of the first line with a template action YAML cannot read before rendering, or null. */
export function firstTemplateLine(text: string): number | null {
  if (!text.includes('{{')) return null;
  /** Inside a `|` or `>` block scalar: its lines are text (a values file may carry a template as text). */
  let blockIndent: number | null = null;
  let lineStart = 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd);
    const lead = line.length - line.trimStart().length;
    if (blockIndent !== null && (line.trim() === '' || lead > blockIndent)) {
      lineStart = lineEnd + 1;
      continue;
    }
    blockIndent = null;
    if (BLOCK_SCALAR.test(line)) blockIndent = lead;
    else if (line.includes('{{') && TEMPLATE_LINE.test(line)) return lineStart;
    lineStart = lineEnd + 1;
  }
  return null;
}

/** A file in a Helm chart's `templates/` folder (or any `templates/` folder read as a template). */
const CHART_TEMPLATE_PATH = /(?:^|\/)templates\//;

/**
 * Is this image value, on a line of a chart template, named wholly by template actions
 * (`{{ .Values.image.repository }}:{{ .Values.image.tag }}`, `{{ include "app.image" . }}`,
 * `{{ .Values.registry }}/{{ .Values.image.name }}:v{{ .Chart.AppVersion }}`)? Such a line passes on the
 * image the chart's values set, which is reported (and updated) in the values file. A name with any text of
 * its own (`busybox:{{ .Values.tag }}`, `{{ .Values.registry }}/agent:1.0`) is not.
 */
export function namedByChartValues(path: string, value: string): boolean {
  if (!CHART_TEMPLATE_PATH.test(path) || !value.startsWith('{{')) return false;
  let outside = '';
  let at = 0;
  while (at < value.length) {
    const open = value.indexOf('{{', at);
    if (open === -1) {
      outside += value.slice(at);
      break;
    }
    outside += value.slice(at, open);
    const close = value.indexOf('}}', open + 2);
    // An action that goes on past the value (to the next line, or past a quote of its own): the rest is its.
    if (close === -1) break;
    at = close + 2;
  }
  const nameEnd = outside.search(/[:@]/);
  const name = nameEnd === -1 ? outside : outside.slice(0, nameEnd);
  return /^[\s/]*$/.test(name);
}

/** A Helm action's reading of the chart: its values or Chart.yaml, or a named template it renders. */
const READS_CHART = /\$?\.(?:Values|Chart)\b|\b(?:include|template)\s+"/;
const TEMPLATE_NAME = /\b(?:include|template)\s+"[^"]*"/g;

/**
 * `{{ default .Values.global.image.repository .Values.api.image.repository }}:{{ default (include "app.tag" .) .Values.api.image.tag }}`:
 * Helm actions that read the chart (a values file a chart renders with `tpl`, or a chart's template copied into one),
 * joined by nothing but the `/`, `:` or `@` between the parts, with no literal in them but a named template's name. As
 * on a chart template's line, the value passes on the images the chart's values set; it names none of its own.
 */
export function joinsChartValues(value: string): boolean {
  // Spaces that a trim marker takes away (`-}} {{-`, the line break of a folded block) are no text of the value's.
  const joined = value.replace(/-\}\}\s+/g, '-}}').replace(/\s+\{\{-/g, '{{-');
  const actions = [...joined.matchAll(/\{\{([^{}]*)\}\}/g)].map((match) => match[1] ?? '');
  if (actions.length === 0 || !/^[:/@]*$/.test(joined.replace(/\{\{[^{}]*\}\}/g, ''))) return false;
  return actions.every((action) => CONTROL_ONLY.test(action) || (READS_CHART.test(action) && !withoutDictKeys(action).replace(TEMPLATE_NAME, '').includes('"')));
}

/** `{{ else }}`, `{{- end }}`: an action that only closes or turns a branch, between parts that read the chart. */
const CONTROL_ONLY = /^-?\s*(?:else|end)\s*-?$/;

/** `dict "base" .Values.global "overlay" .Values.agent`, `dict "image" . "ctx" $`: the keys of a dict given to a helper name no image. */
function withoutDictKeys(action: string): string {
  return action.replace(/\bdict((?:\s+"[A-Za-z_]\w*"\s+(?:\$?\.[\w.]*|\$[A-Za-z_]\w*|\$(?![\w.])|\([^()"]*\)))+)/g, (_whole: string, args: string) => `dict${args.replace(/"[A-Za-z_]\w*"/g, '')}`);
}

/** A plain value YAML reads as a boolean, null or number (`alwaysPullImage: false`): never an image. */
export const YAML_NOT_STRING = /^(?:true|false|yes|no|on|off|null|~|[-+]?\d+(?:\.\d+)?)$/i;
/** A key may start with a digit (`0_default_images.yaml: |`, a file name as a ConfigMap's data key). */
export const KEY_LINE = /^([ \t]*)((?:-[ \t]+)*)([A-Za-z0-9_][\w.-]*)[ \t]*:(?=[ \t]|$)/;
const DOCKER_SCHEME = 'docker://';

export interface LineValue {
  readonly value: string;
  readonly start: number;
  readonly end: number;
  readonly literal: boolean;
}

/** The value of one quoted YAML scalar with escapes, or null when it is not one. */
function decodeQuoted(quoted: string): string | null {
  try {
    const value: unknown = parse(quoted);
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}

/** The scalar after `key:` on one line, in `text` coordinates; null when there is none (a map or block follows). */
export function lineValue(text: string, from: number, lineEnd: number): LineValue | null {
  let at = from;
  while (at < lineEnd && (text[at] === ' ' || text[at] === '\t')) at++;
  if (at >= lineEnd) return null;
  const first = text.charAt(at);
  if (first === '#' || first === '|' || first === '>' || first === '&' || first === '*' || first === '[') return null;
  if (first === '"' || first === "'") {
    let end = at + 1;
    while (end < lineEnd) {
      // A template's action is read before YAML: a quote inside it (`"{{ .Values.name | default "app" }}:1.0"`) is the action's.
      const close = text.startsWith('{{', end) ? text.indexOf('}}', end + 2) : -1;
      if (close !== -1 && close < lineEnd) end = close + 2;
      else if (first === '"' && text[end] === '\\') end += 2;
      else if (first === "'" && text[end] === "'" && text[end + 1] === "'") end += 2;
      else if (text[end] === first) break;
      else end++;
    }
    if (end >= lineEnd) return null;
    const inner = text.slice(at + 1, end);
    const literal = first === '"' ? !inner.includes('\\') : !inner.includes("''");
    const value = literal ? inner : decodeQuoted(text.slice(at, end + 1));
    return value === null ? null : { value, start: at + 1, end, literal };
  }
  let end = lineEnd;
  const comment = text.slice(at, lineEnd).search(/[ \t]#/);
  if (comment !== -1) end = at + comment;
  while (end > at && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
  return { value: text.slice(at, end), start: at, end, literal: true };
}

/** Keys whose items or map hold a container: a Pod's lists, an Argo Workflows template's `container`, `script` and `sidecars`, and a Tekton Task's `steps`. */
const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers', 'container', 'script', 'sidecars', 'steps']);

/**
 * An image line of YAML carried as text (a literal block scalar): a reference with a tag or digest, and
 * a bare name only as a container's image (`containers: [{image: busybox}]` in a Pod manifest, `container:
 * {image: busybox}` of a Workflow template that an Argo Events Sensor creates from a ConfigMap, a Tekton step), since
 * elsewhere (`image: proxyv2` in istio's injector values) a bare name is completed by other settings. A name written out
 * with a placeholder tag (`registry.example.test/team/plugin:<plugin_version>`) names its image too: kept, `templated`;
 * so does one with a registry or path written out and a tag that is one template action (`registry.example.test/team/migrator:{{
 * .Values.migratorTag }}`, a chart value the chart renders with `tpl`). Other template values (`{{ .ProxyImage }}`, a name
 * built with actions) are left out.
 */
export function keepInBlock(reference: Reference, parents: readonly string[]): boolean {
  if (reference.skip === null) return true;
  if (reference.skip === 'templated' && (hasTagPlaceholder(reference.value) || hasTemplatedTagOnly(reference.value))) return true;
  return reference.skip === 'no-tag' && CONTAINER_LISTS.has(parents[parents.length - 1] ?? '');
}

/** A name with a registry or path and no template in it, a `:`, and a tag that is one `{{ … }}` action. */
function hasTemplatedTagOnly(text: string): boolean {
  const match = /^([^\s{}]+\/[^\s{}]+):\{\{(?:(?!\}\}).)*\}\}$/.exec(text);
  const name = match?.[1];
  if (name === undefined || isTemplated(name)) return false;
  const parsed = parseImageRef(name);
  return parsed !== null && parsed.tag === null && parsed.digest === null;
}

/** `key: |` (not a folded `>` block): its body is kept byte for byte. */
const LITERAL_BLOCK = /^[ \t]*\|[-+0-9]*[ \t]*(?:#.*)?\r?$/;
const ITEM_OR_COMMENT = /^[ \t]*(?:-(?:[ \t]|\r?$)|#|---)/;

/**
 * Is the body of the literal block that starts after `from` (its key indented `indent`) shaped like YAML,
 * judged by its lines alone (a manifest holding `{{=…}}` expressions does not parse)? Every line at the
 * body's own indentation is a key, a list item or a comment: a script or prose is not.
 */
export function isYamlShapedBlock(text: string, from: number, indent: number): boolean {
  let base: number | null = null;
  let keys = 0;
  let lineStart = from;
  while (lineStart < text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd);
    lineStart = lineEnd + 1;
    if (line.trim() === '') continue;
    const lead = line.length - line.trimStart().length;
    if (lead <= indent) break;
    base ??= lead;
    if (lead < base) return false;
    if (lead > base) continue;
    if (KEY_LINE.test(line)) keys++;
    else if (!ITEM_OR_COMMENT.test(line)) return false;
  }
  return keys > 0;
}

/** A list item that is a literal block (`args: [- |]`) shaped like YAML: read as a `key: |` block is. Other item blocks are text. */
function isYamlItemBlock(text: string, line: string, newline: number, dashIndent: number): boolean {
  return LITERAL_BLOCK.test(line.slice(line.indexOf('-') + 1)) && newline !== -1 && isYamlShapedBlock(text, newline + 1, dashIndent);
}

/**
 * One reference per `image:` line (and `…Image:` keys). `kindFor` gets the keys of the enclosing
 * blocks, found from indentation (sequence items keep their parent key). `lines` limits the reading to
 * the lines that start in that part of the text (the body of a block scalar); `keep` may leave a
 * reference out, seeing the keys that enclose it. The body of a literal block that is shaped like YAML
 * (isYamlShapedBlock) is read too, its lines kept by `keepInBlock`; other block bodies are text.
 * With `anyKeySplits` (YAML carried as text, read as a parsed file is), a map of parts under any key, a list's
 * entry too (`images: [{name: alertmanager, repository: …, tag: v0.32.1}]`), is an image when it has a `tag` line.
 */
export function templateLineImages(
  file: SourceFile,
  kindFor: (parents: readonly string[], key: string) => ReferenceKind,
  snakeKeys = false,
  lines: { readonly from: number; readonly to: number } = { from: 0, to: file.text.length },
  keep: (reference: Reference, parents: readonly string[]) => boolean = () => true,
  anyKeySplits = false,
): Reference[] {
  const { text } = file;
  /** In document order; an image line's reference is kept or completed once the whole text has been read, a split image map's made then. */
  const entries: LineEntry[] = [];
  /** Each key line's map: the key above it (`id`), and for list items the item (`item`, counted at each `- `); `map` is the map the key is in. */
  const top: KeyEntry = { indent: -1, key: '', id: 0, item: 0, map: '' };
  const stack: KeyEntry[] = [];
  /** An image catalog's `base:` lines (a registry path), by the map they are in. */
  const bases = new Map<string, LineValue>();
  let ids = 0;
  /** `<key>Tag` / `<key>_tag` lines, by map and key: what completes a bare name on an image line of the same map. */
  const tags = new Map<string, LineValue>();
  /** The `repository` and `version` lines of each map, and the keys each map holds: a `repository` + `image` + `version` map's parts. */
  const versioned: VersionedLines = { parts: new Map(), keys: new Map() };
  /** The `registry` / `repository` / `tag` / `digest` lines of maps under an image key (at any depth), by map. */
  const splits = new Map<string, SplitLines>();
  /** Inside a literal block read as YAML: the indentation of its key. */
  let yamlBlockIndent: number | null = null;
  walkKeyLines(text, lines, ({ line, start: lineStart, end: lineEnd, newline, lead, match, itemBlock }) => {
    if (yamlBlockIndent !== null && line.trim() !== '' && lead <= yamlBlockIndent) yamlBlockIndent = null;
    const yamlItem = !match && itemBlock !== null && isYamlItemBlock(text, line, newline, itemBlock);
    if (yamlItem) yamlBlockIndent ??= itemBlock;
    if (!match) return yamlItem ? null : itemBlock;
    // The pattern's groups always take part in a match; the defaults only satisfy the compiler.
    const [, spaces = '', dash = '', key = ''] = match;
    const dashIndent: number = spaces.length;
    const indent: number = dashIndent + dash.length;
    const dashed = dash.length > 0;
    for (let last = stack.at(-1); last !== undefined && (dashed ? last.indent > dashIndent : last.indent >= indent); last = stack.at(-1)) stack.pop();
    const parents = stack.map((entry) => entry.key);
    const parent = stack.at(-1) ?? top;
    if (dashed) parent.item = ++ids;
    const map = `${parent.id}/${parent.item}`;
    stack.push({ indent, key, id: ++ids, item: 0, map });
    versioned.keys.set(map, (versioned.keys.get(map) ?? new Set<string>()).add(key));
    if (key === 'repository' || key === 'version') {
      const part = lineValue(text, lineStart + match[0].length, lineEnd);
      if (part && !versioned.parts.has(`${map} ${key}`)) versioned.parts.set(`${map} ${key}`, part);
    }
    if (key === 'base') {
      const base = lineValue(text, lineStart + match[0].length, lineEnd);
      if (base && base.literal && isCatalogBase(base.value)) bases.set(map, base);
    }
    if (/(?:Tag|_tag)$/.test(key) || key === 'tag') {
      const tag = lineValue(text, lineStart + match[0].length, lineEnd);
      if (tag) tags.set(`${map} ${key}`, tag);
    }
    // A map of parts right under an image key, or deeper under one (`image:` grouping the images of a chart by component:
    // `image: {manager: {repository, tag}}`), where it names an image only with a `tag` line, as under any key.
    const underImage = !dashed && parent !== top && parent.item === 0 ? (isImageKey(parent.key, snakeKeys) ? 'image' : parents.some((name) => isImageKey(name, snakeKeys)) ? 'nested' : null) : null;
    // Under any other key (a list's entry too, its first key on the `- ` line), as the parsed reading takes such a map: only with a `tag` line.
    const under = underImage ?? (anyKeySplits && parent !== top ? 'nested' : null);
    if (isSplitPart(key) && under !== null) {
      const part = lineValue(text, lineStart + match[0].length, lineEnd);
      const split = splits.get(map) ?? { parents: parents.slice(0, -1), key: parent.key, inBlock: yamlBlockIndent !== null, nested: under === 'nested', parts: {} };
      if (!splits.has(map)) entries.push({ split: map });
      splits.set(map, part && split.parts[key] === undefined ? { ...split, parts: { ...split.parts, [key]: part } } : split);
    }
    const rest = line.slice(match[0].length);
    let opens: number | null = null;
    if (LITERAL_BLOCK.test(rest) && newline !== -1 && isYamlShapedBlock(text, newline + 1, indent)) yamlBlockIndent ??= indent;
    else if (/^[ \t]*[|>]/.test(rest)) {
      opens = indent;
      const json = LITERAL_BLOCK.test(rest) && newline !== -1 ? jsonBody(text, newline + 1, indent) : null;
      if (json) for (const reference of jsonBlockImages(file, json, [...parents, key], kindFor, keepInBlock)) if (keep(reference, parents)) entries.push({ reference });
    }
    if (isImageKey(key, snakeKeys)) {
      const found = lineValue(text, lineStart + match[0].length, lineEnd) ?? (newline === -1 ? null : strippedBlockLine(text, rest, newline + 1, indent));
      if (found) {
        let { value, start } = found;
        if (found.literal && value.startsWith(DOCKER_SCHEME)) {
          value = value.slice(DOCKER_SCHEME.length);
          start += DOCKER_SCHEME.length;
        }
        if (looksLikeImageText(value) && !YAML_NOT_STRING.test(value)) {
          const reference = makeReference(file, {
            kind: kindFor(parents, key),
            value,
            parts: [{ role: 'reference', start, end: found.end }],
            ...(found.literal ? {} : { skip: 'unsupported-quoting' as const }),
          });
          entries.push({ reference, line: { parents, chain: stack.slice(0, -1), inBlock: yamlBlockIndent !== null, map, key } });
        }
      }
    }
    return opens;
  });
  return completeEntries(file, entries, { splits, bases, tags, versioned }, kindFor, keep);
}

/** What the line reading found, in document order: an image line's reference with where it stands, or a split image map's key. */
type LineEntry = { reference: Reference; line?: { parents: readonly string[]; chain: readonly KeyEntry[]; inBlock: boolean; map: string; key: string } } | { split: string };

/** The references of the entries, once the whole text has been read: split maps composed, image lines completed by their tag lines or catalog. */
function completeEntries(
  file: SourceFile,
  entries: readonly LineEntry[],
  found: {
    readonly splits: ReadonlyMap<string, SplitLines>;
    readonly bases: ReadonlyMap<string, LineValue>;
    readonly tags: ReadonlyMap<string, LineValue>;
    readonly versioned: VersionedLines;
  },
  kindFor: (parents: readonly string[], key: string) => ReferenceKind,
  keep: (reference: Reference, parents: readonly string[]) => boolean,
): Reference[] {
  const { splits, bases, tags, versioned } = found;
  return entries.flatMap((entry) => {
    if ('split' in entry) {
      const split = splits.get(entry.split);
      const reference = split ? splitLineImage(file, split, kindFor(split.parents, split.key)) : null;
      return reference && split && keep(reference, split.parents) && (!split.inBlock || keepInBlock(reference, split.parents)) ? [reference] : [];
    }
    const { reference, line } = entry;
    if (!line) return [reference];
    const catalog = catalogLineImage(file, reference, line, bases, tags);
    // `image: store-server` + `tag: v2.4.0` in one map, as the parsed reading composes them.
    const tag = tags.get(`${line.map} ${line.key}Tag`) ?? tags.get(`${line.map} ${line.key}_tag`) ?? (line.key === 'image' ? tags.get(`${line.map} tag`) : undefined);
    const joined = catalog ?? (line.key === 'image' ? versionedLineImage(file, reference, line.map, versioned) : null);
    const completed = joined ?? (tag ? withTagLine(file, reference, tag) : reference);
    return keep(completed, line.parents) && (!line.inBlock || keepInBlock(completed, line.parents)) ? [completed] : [];
  });
}

/** The `repository` and `version` lines read, by `<map> <key>`, and the keys of each map. */
interface VersionedLines {
  readonly parts: Map<string, LineValue>;
  readonly keys: Map<string, Set<string>>;
}

/**
 * An `image:` line of one name in a map with a `repository` line (a registry host with an optional path) and a `version`
 * line, and no `tag`, `registry`, `digest`, `name` or `sha` (`repository: registry.example.test/fleet` + `image: agent` +
 * `version: "{{ agent_tag }}"` in a custom resource a role renders), as the parsed reading joins it: `repository/image:version`,
 * reported at the repository and edited at the version (a version `sha256:…` is the digest). Null for any other line.
 */
function versionedLineImage(file: SourceFile, reference: Reference, map: string, versioned: VersionedLines): Reference | null {
  const span = reference.spans[0];
  const repository = versioned.parts.get(`${map} repository`);
  const version = versioned.parts.get(`${map} version`);
  const keys = versioned.keys.get(map);
  if (span === undefined || reference.skip !== 'no-tag' || !repository || !version || !keys || OTHER_IMAGE_PART_KEYS.some((key) => keys.has(key))) return null;
  if (!repository.literal || !version.literal || !PATH_COMPONENT.test(span.text) || !REGISTRY_WITH_PATH.test(repository.value)) return null;
  const digest = /^sha256:[a-f0-9]{64}$/.test(version.value) ? version : null;
  if (!digest && !/^[\w][\w.-]{0,127}$/.test(version.value) && !isTemplatedTag(version.value)) return null;
  const start = span.start - file.base;
  const image = { value: span.text, start, end: start + span.text.length };
  const { parts, value } = composeNamedImage(null, repository, image, digest ? null : version, digest);
  return makeReference(file, { kind: reference.kind, value, parts, anchor: repository.start });
}

/** A key line on the stack of enclosing keys. */
interface KeyEntry {
  readonly indent: number;
  readonly key: string;
  readonly id: number;
  item: number;
  /** The map the key is in (`<parent id>/<item>`). */
  readonly map: string;
}

/**
 * An `image:` line of an image catalog read line by line (image-catalog.ts): under `components` beside a `base:` line,
 * the component's own `image` or the `image` of an entry of its `match` list, with the component's `tag` line.
 */
function catalogLineImage(
  file: SourceFile,
  reference: Reference,
  line: { readonly chain: readonly KeyEntry[]; readonly map: string; readonly key: string },
  bases: ReadonlyMap<string, LineValue>,
  tags: ReadonlyMap<string, LineValue>,
): Reference | null {
  const { chain } = line;
  const span = reference.spans[0];
  if (line.key !== 'image' || reference.skip !== 'no-tag' || span === undefined || !isCatalogName(span.text)) return null;
  let at = chain.length - 1;
  while (at >= 0 && !(chain[at]?.key === 'components' && bases.has(chain[at]?.map ?? ''))) at--;
  const components = chain[at];
  const component = chain[at + 1];
  if (components === undefined || component === undefined) return null;
  const own = chain.length === at + 2 && line.map === `${component.id}/0`;
  const matched = chain.length === at + 3 && chain[at + 2]?.key === 'match' && !line.map.endsWith('/0') && line.map.startsWith(`${chain[at + 2]?.id ?? ''}/`);
  const tag = tags.get(`${component.id}/0 tag`);
  const base = bases.get(components.map);
  if (!(own || matched) || !tag || !base || !tag.literal || !isTag(tag.value)) return null;
  const start = span.start - file.base;
  const { parts } = composeSplitImage(null, { value: span.text, start, end: start + span.text.length }, tag, null);
  return makeReference(file, { kind: reference.kind, value: catalogValue(base.value, span.text, tag.value), parts, anchor: start, detail: catalogDetail(file.position(base.start).line) });
}

type SplitPart = 'registry' | 'repository' | 'tag' | 'digest';

/** A map under an image key read line by line: its keys that write a part of the image. */
interface SplitLines {
  /** The keys above the image key. */
  readonly parents: readonly string[];
  readonly key: string;
  readonly inBlock: boolean;
  /** Deeper under an image key than its own key: an image only with a `tag` line. */
  readonly nested: boolean;
  readonly parts: Partial<Record<SplitPart, LineValue>>;
}

function isSplitPart(key: string): key is SplitPart {
  return key === 'registry' || key === 'repository' || key === 'tag' || key === 'digest';
}

/**
 * `image:` written as a map of parts (`repository: ghcr.io/org/app` + `tag: 1.4.2`, with `registry:` and `digest:` when
 * there are), as the parsed reading takes it under an image key: composed `registry/repository:tag@digest`, one span per
 * part. Null without a `repository` line that holds an image name, with a registry that is a URL, or, for a map nested
 * deeper under the image key (`image:` → `manager:` → `repository:`), without a `tag` line.
 */
function splitLineImage(file: SourceFile, split: SplitLines, kind: ReferenceKind): Reference | null {
  const { registry, repository, tag, digest } = split.parts;
  if (split.nested && !tag) return null;
  if (!repository || repository.value === '' || !looksLikeImageText(repository.value) || YAML_NOT_STRING.test(repository.value)) return null;
  if (registry && (registry.value.includes('://') || /\s/.test(registry.value))) return null;
  const { parts, value } = composeSplitImage(registry, repository, tag, digest);
  const literal = [registry, repository, tag, digest].every((part) => !part || part.literal);
  return makeReference(file, { kind, value, parts, anchor: repository.start, ...(literal ? {} : { skip: 'unsupported-quoting' as const }) });
}

/**
 * A bare name on an image line completed by its `<key>Tag` / `<key>_tag` sibling in the same map
 * (`postgresqlImage: quay.io/org/db` + `postgresqlImageTag: "10"`), as the parsed reading completes it, edited in
 * both places. The tag must be a plain literal tag; anything else leaves the name as it is.
 */
function withTagLine(file: SourceFile, reference: Reference, tag: LineValue): Reference {
  if (!tag.literal || !isTag(tag.value)) return reference;
  return withTagAt(file, reference, tag) ?? reference;
}

/**
 * The body of the literal block that starts at `from` (its key indented `indent`) when it is JSON: its first
 * character other than blanks is `{` or `[`. It ends before the first line that is not blank and not indented
 * deeper than the key.
 */
function jsonBody(text: string, from: number, indent: number): { from: number; to: number } | null {
  let first = from;
  while (first < text.length && /\s/.test(text.charAt(first))) first++;
  if (text[first] !== '{' && text[first] !== '[') return null;
  let lineStart = from;
  while (lineStart < text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd);
    if (line.trim() !== '' && line.length - line.trimStart().length <= indent) break;
    if (newline === -1) return { from, to: text.length };
    lineStart = newline + 1;
  }
  return { from, to: Math.min(lineStart, text.length) };
}

/**
 * The value of `key: >-` (or `|-`) whose body is one line: that line's text, without its indentation, is the
 * value as written (strip chomping drops the line break; one line is not folded), so it is edited there.
 * Null for other block headers, a body of several lines, or one with trailing blanks on its line.
 */
function strippedBlockLine(text: string, rest: string, from: number, indent: number): { value: string; start: number; end: number; literal: boolean } | null {
  if (!/^[ \t]*[>|]-[ \t]*(?:#.*)?$/.test(rest)) return null;
  let found: { value: string; start: number; end: number; literal: boolean } | null = null;
  for (let lineStart = from; lineStart < text.length;) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(lineStart, text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd);
    const lead = line.length - line.trimStart().length;
    if (line.trim() !== '') {
      if (lead <= indent) break;
      if (found !== null || line !== line.trimEnd()) return null;
      found = { value: line.slice(lead), start: lineStart + lead, end: lineStart + line.length, literal: true };
    }
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  return found;
}

/** One line of YAML text as the line readers see it. */
export interface KeyLine {
  /** The line without its `\n` (and `\r`). */
  readonly line: string;
  readonly start: number;
  readonly end: number;
  /** Where its `\n` is; -1 on the last line. */
  readonly newline: number;
  /** Its indentation. */
  readonly lead: number;
  /** Its `key:` (KEY_LINE); null when there is none or the line is in a block scalar's body. */
  readonly match: RegExpExecArray | null;
  /** A list item whose value is a block scalar (`- |`, `- >-`), not in a block scalar's body: the indentation of its dash; else null. */
  readonly itemBlock: number | null;
}

/** `- |` or `- >`: a list item whose value is a block scalar (a script in `args:`). */
const ITEM_BLOCK = /^([ \t]*)-[ \t]+[|>][-+0-9]*[ \t]*(?:#.*)?$/;

/**
 * Walks the lines that start in `lines` (all of them to the end of the text when `to` is its length).
 * `visit` returns the indentation of the key whose block scalar (`key: |`) the line opens, or of the dash of a
 * list item that is one (`itemBlock`), or null: the lines indented deeper than that (and blank ones) are the
 * block's text, seen with no `key:`.
 */
export function walkKeyLines(text: string, lines: { readonly from: number; readonly to: number }, visit: (line: KeyLine) => number | null): void {
  /** Inside a `|` or `>` block scalar: lines indented deeper than its key are text, not keys. */
  let blockIndent: number | null = null;
  let lineStart = lines.from;
  while (lineStart <= text.length && (lineStart < lines.to || lines.to === text.length)) {
    const newline = text.indexOf('\n', lineStart);
    let lineEnd = newline === -1 ? text.length : newline;
    if (text[lineEnd - 1] === '\r') lineEnd--;
    const line = text.slice(lineStart, lineEnd);
    const lead = line.length - line.trimStart().length;
    const inBlock: boolean = blockIndent !== null && (line.trim() === '' || lead > blockIndent);
    if (!inBlock) blockIndent = null;
    const match = inBlock ? null : KEY_LINE.exec(line);
    const itemBlock = inBlock || match !== null ? null : (ITEM_BLOCK.exec(line)?.[1]?.length ?? null);
    const opens = visit({ line, start: lineStart, end: lineEnd, newline, lead, match, itemBlock });
    if (opens !== null) blockIndent = opens;
    if (newline === -1) break;
    lineStart = newline + 1;
  }
}
