import { parseImageRef } from '../core/image-ref.js';
import type { SourceFile } from '../core/source-file.js';
import type { Reference } from '../core/types.js';
import { chartField } from './chart-metadata.js';
import { NotRendered, defines, newWork, renderText, valuesAt } from './helm-render.js';
import { defaultReplaced, templateDefault } from './helm-template-defaults.js';
import { joinsChartValues, namedByChartValues } from './helm-template-lines.js';
import { withValue } from './make-reference.js';
import { yamlSource } from './yaml-source.js';
import { IMAGE_REPOSITORY_KEY, isImageKey, namedWithPath } from './yaml-image-fields.js';
import { folderOf } from '../core/repo-path.js';

/**
 * The image lines of a chart's templates, seen with the chart's default values. A line whose name is written
 * wholly by template actions passes on an image of the values file, where it is reported; unless its name comes
 * from a values map that holds no image (`{{ .Values.images.repository }}/{{ .Values.cart.name }}:{{ … }}`, where
 * `cart` is `{name: cartservice}`): then no values entry holds the whole image, and the line is the reference.
 * Such a line, and one with a literal name and templated parts (`example/app:{{ .Values.image.tag }}`), is shown
 * with what it renders from `values.yaml` and the chart's `appVersion`, still `templated` (it is set there).
 */

/** The charts of a scan, by folder: the files read, lazily, when a template line needs them. */
export interface ChartFolders {
  readonly charts: ReadonlyMap<string, ChartFiles>;
}

interface ChartFiles {
  readonly chart: SourceFile;
  values?: SourceFile;
  readonly templates: SourceFile[];
  /** Values maps whose `repository` the templates write before `/` and a name, found once. */
  prefixes?: ReadonlySet<string>;
  /** Values, appVersion and the chart's name, read once: null when they cannot be read. */
  root?: { readonly values: Record<string, unknown>; readonly appVersion: string | null; readonly name: string | null } | null;
  /** Named templates whose body is one literal word, found once. */
  literals?: ReadonlyMap<string, LiteralTemplate>;
}

/** A named template that writes one literal word and nothing else (`{{ define "app.alpineTag" -}} 3.20.1 {{- end }}`), and where it is written. */
interface LiteralTemplate {
  readonly body: string;
  readonly at: number;
  readonly file: string;
  readonly line: number;
}

const MAX_VALUE = 1024;
/** Fields a line may read for its rendering to mean what Helm renders: the chart's values and Chart.yaml, from the root. */
const FIELD = /(?:^|[\s(|])(\$?\.[A-Za-z_][\w.]*|\$[A-Za-z_]\w*(?:\.[\w.]*)?)/g;
const ROOT_FIELD = /^\$?\.(?:Values|Chart\.AppVersion|Chart\.Name)(?:\.|$)/;

/** Folders with a Chart.yaml and their values.yaml. */
export function chartFolders(files: readonly SourceFile[]): ChartFolders {
  const charts = new Map<string, ChartFiles>();
  for (const file of files) if (/(?:^|\/)Chart\.yaml$/.test(file.path)) charts.set(folderOf(file.path), { chart: file, templates: [] });
  if (charts.size === 0) return { charts };
  for (const file of files) {
    const template = chartOf(file.path, { charts });
    if (template) template.files.templates.push(file);
    if (!/(?:^|\/)values\.ya?ml$/.test(file.path)) continue;
    const owner = charts.get(folderOf(file.path));
    if (owner && owner.values === undefined) owner.values = file;
  }
  return { charts };
}

/** Is this a helper file (`_helpers.tpl`) in the `templates/` folder of a chart of the scan? */
export function isChartHelper(path: string, folders: ChartFolders | undefined): boolean {
  return folders !== undefined && /\.tpl$/.test(path) && isChartTemplate(path, folders);
}

/** Is this file in the `templates/` folder of a chart of the scan, which Helm renders? */
export function isChartTemplate(path: string, folders: ChartFolders): boolean {
  return chartOf(path, folders) !== null;
}

/** The chart whose `templates/` holds this file. */
function chartOf(path: string, folders: ChartFolders): { folder: string; files: ChartFiles } | null {
  const at = `/${path}`.lastIndexOf('/templates/');
  if (at === -1) return null;
  const folder = path.slice(0, Math.max(at - 1, 0));
  const files = folders.charts.get(folder);
  return files ? { folder, files } : null;
}

/** Is this file in a chart of the scan: a `Chart.yaml` in its folder or one above it? */
function inChart(path: string, folders: ChartFolders | undefined): boolean {
  if (!folders || folders.charts.size === 0) return false;
  if (folders.charts.has('')) return true;
  for (let at = path.lastIndexOf('/'); at > 0; at = path.lastIndexOf('/', at - 1)) if (folders.charts.has(path.slice(0, at))) return true;
  return false;
}

/** One Go template action of a program's own: functions and the exported fields of its data (`imagePath .CrSpec.Repository .CrSpec.Version`), no literal. */
const PROGRAM_ACTION = /^-?\s*(?:(?:[A-Za-z_]\w*|\.[A-Z]\w*(?:\.[A-Z]\w*)*|[|()])\s*)+-?$/;
/** The roots of the data Helm renders a chart's templates with. */
const HELM_ROOT = /(?:^|[\s(|])\.(?:Values|Chart|Release|Capabilities|Files|Template)\b/;

/**
 * Is this image value, outside any chart, made only of Go template actions that read the exported fields of the data
 * a program renders the file with (`{{ imagePath .CrSpec.Repository .CrSpec.Image .CrSpec.Version }}`,
 * `{{ .RuntimeSpec.DriverImageName }}`, an operator's manifest that its controller fills in from a custom resource)?
 * Such a value passes on the image the resource sets and names none of its own. Only `/`, `:` or `@` may join the
 * actions; a literal part, a variable or a string in an action, or a field Helm gives (`.Values`) leaves it as it is.
 */
export function namedByProgramData(reference: Reference, folders: ChartFolders | undefined): boolean {
  const value = reference.value.trim();
  if (reference.skip !== 'templated' || !value.startsWith('{{') || inChart(reference.file, folders)) return false;
  let at = 0;
  let fields = 0;
  while (at < value.length) {
    const open = value.indexOf('{{', at);
    if (open === -1 || !/^[/:@]?$/.test(value.slice(at, open))) return false;
    const close = value.indexOf('}}', open + 2);
    if (close === -1) return false;
    const action = value.slice(open + 2, close);
    if (!PROGRAM_ACTION.test(action) || HELM_ROOT.test(action)) return false;
    fields += (action.match(/\.[A-Z]/g) ?? []).length;
    at = close + 2;
  }
  return fields > 0;
}

/**
 * Is this image value, in a chart's folder but outside its `templates/` (a manifest the chart reads with `.Files.Glob` or
 * `.Files.Get` and renders with `tpl`, such as `files/custom-resource/cr.yaml` or `manifests/coredns.yaml`), made only of
 * Helm actions that read the chart (`{{ .Values.agent.image.registry }}/{{ .Values.agent.image.repository }}:{{ .Values.agent.image.tag }}`,
 * `{{ template "app.image" . }}`)? As on a line of the chart's templates, it passes on the image the chart's values set.
 */
export function namedByChartFile(reference: Reference, folders: ChartFolders | undefined): boolean {
  if (reference.skip !== 'templated' || !inChart(reference.file, folders) || (folders !== undefined && isChartTemplate(reference.file, folders))) return false;
  return joinsChartValues(reference.value.trim());
}

function rootOf(files: ChartFiles): ChartFiles['root'] {
  if (files.root !== undefined) return files.root;
  try {
    const appVersion = chartField(files.chart.text, 'appVersion')?.value ?? null;
    const name = chartField(files.chart.text, 'name')?.value ?? null;
    let values: Record<string, unknown> = {};
    if (files.values) {
      const contents: unknown = yamlSource(files.values).documents[0]?.toJS({ maxAliasCount: 100 });
      if (contents !== null && typeof contents === 'object' && !Array.isArray(contents)) values = contents as Record<string, unknown>;
    }
    files.root = { values, appVersion, name };
  } catch {
    files.root = null;
  } finally {
    // Chart.yaml was scanned before the templates; values.yaml comes after them and is read with what was parsed here.
    files.chart.release();
  }
  return files.root;
}

const IMAGE_KEY = /image/i;
const TAG_KEYS = ['tag', 'digest', 'version', 'image'];

/** The actions of a value (`{{ … }}`, without the braces), in the text before its tag or digest, and in all of it. */
function actionsOf(value: string): { readonly name: string[]; readonly all: string[] } {
  const name: string[] = [];
  const all: string[] = [];
  let inName = true;
  let at = 0;
  while (at < value.length) {
    const open = value.indexOf('{{', at);
    const text = value.slice(at, open === -1 ? value.length : open);
    if (/[:@]/.test(text)) inName = false;
    if (open === -1) break;
    const close = value.indexOf('}}', open + 2);
    const action = value.slice(open + 2, close === -1 ? value.length : close);
    all.push(action);
    if (inName) name.push(action);
    if (close === -1) break;
    at = close + 2;
  }
  return { name, all };
}

const NAME_FIELD = /^-?\s*\$?\.Values\.([\w.]+)\.([A-Za-z_]\w*)\s*-?$/;

/**
 * Does the name of this wholly templated value come from a values map that is no image (no tag, digest, version
 * or image in it, and not under an image key)? The last action of the name decides (`.Values.cart.name`), given without its braces.
 */
function namedOutsideImages(last: string, values: Record<string, unknown>): boolean {
  const field = NAME_FIELD.exec(last.trim());
  const path = field?.[1]?.split('.');
  // A name read from a field that the values file reads as an image (`imageName`, `operatorImageRepository`, `proxyImage`) is that image.
  if (!path || path.some((key) => IMAGE_KEY.test(key)) || isImageKey(field?.[2] ?? '')) return false;
  const key = field?.[2] ?? '';
  if (IMAGE_REPOSITORY_KEY.test(key)) {
    const name = valuesAt(values, [...path, key]);
    if (!key.endsWith('Name') || (typeof name === 'string' && namedWithPath(name))) return false;
  }
  const map = valuesAt(values, path);
  if (map === null || typeof map !== 'object' || Array.isArray(map)) return false;
  return !TAG_KEYS.some((key) => key in map);
}

/** `.Chart.Name` as an action of its own: the chart's `name` from its Chart.yaml. */
const CHART_NAME = /^-?\s*\$?\.Chart\.Name\s*-?$/;
/** A plain values field as an action of its own (`.Values.registry`, `$.Values.global.org`). */
const VALUES_FIELD = /^-?\s*\$?\.Values\.([\w.]+)\s*-?$/;

/**
 * Is this wholly templated name the chart's own name after values that hold no image (`{{ .Values.registry }}/{{
 * .Values.org }}/{{ .Chart.Name }}`)? Each action before the name must read a plain string of the values, under no key
 * that names an image: no values entry then holds the image, and the line is the reference. After a values map read as
 * an image (`{{ .Values.image.repository }}/{{ .Chart.Name }}`), that entry is the image, as before.
 */
function namedAfterChart(name: readonly string[], values: Record<string, unknown>): boolean {
  if (!CHART_NAME.test(name.at(-1) ?? '')) return false;
  return name.slice(0, -1).every((action) => {
    const path = VALUES_FIELD.exec(action)?.[1]?.split('.');
    return path !== undefined && !path.some((key) => IMAGE_KEY.test(key) || isImageKey(key)) && typeof valuesAt(values, path) === 'string';
  });
}

/**
 * The chart's named templates (in any file of its `templates/` folder, such as `_helpers.tpl`) whose body, as its trim
 * markers leave it, is one word with no action: what `{{ template "name" . }}` or `{{ include "name" . }}` writes is
 * then known without the values. The first definition of a name is kept, as for the chart's other named templates.
 */
function literalTemplates(chart: ChartFiles): ReadonlyMap<string, LiteralTemplate> {
  if (chart.literals !== undefined) return chart.literals;
  const found = new Map<string, LiteralTemplate>();
  const seen = new Set<string>();
  for (const template of chart.templates) {
    try {
      const text = template.text;
      if (!text.includes('define')) continue;
      for (const [name, { body, at }] of defines(text)) {
        if (seen.has(name)) continue;
        seen.add(name);
        if (/^[^\s{}"'`]+$/.test(body)) found.set(name, { body, at, file: template.path, line: text.slice(0, at).split('\n').length });
      }
    } catch {
      // A template that cannot be read again is reported when the scan reaches it.
    } finally {
      template.release();
    }
  }
  chart.literals = found;
  return found;
}

/** The named templates a value writes with `template` or `include`. */
const NAMED_USE = /\b(?:template|include)\s+"([^"]+)"/g;

/** The root a line of the chart's templates renders with: its values, appVersion and name. */
function renderRoot(root: NonNullable<ChartFiles['root']>): Record<string, unknown> {
  return { Values: root.values, Chart: { AppVersion: root.appVersion ?? undefined, Name: root.name ?? undefined }, Release: {}, Capabilities: {} };
}

/**
 * A template line's image as the chart's default values render it; null when it reads anything but the chart's
 * values and appVersion from the root (or `variables` assigned from them before the line), or renders no reference
 * with a tag or digest.
 */
function rendered(
  value: string,
  root: NonNullable<ChartFiles['root']>,
  variables: ReadonlyMap<string, unknown> = new Map(),
  literals: ReadonlyMap<string, LiteralTemplate> = new Map(),
): string | null {
  if (value.length > MAX_VALUE) return null;
  for (const action of actionsOf(value).all) for (const match of action.matchAll(FIELD)) if (!ROOT_FIELD.test(match[1] ?? '') && !variables.has(/^\$\w+/.exec(match[1] ?? '')?.[0] ?? '')) return null;
  try {
    const text = renderText(value, renderRoot(root), { defines: literals, work: newWork() }, variables).trim();
    const image = parseImageRef(text);
    return image && (image.tag !== null || image.digest !== null) ? text : null;
  } catch (error) {
    if (error instanceof NotRendered) return null;
    throw error;
  }
}

/** A chart template's image reference as the chart's values leave it: itself, resolved, or null (passed on to the values file). */
export function chartTemplateImage(reference: Reference, folders: ChartFolders | undefined, file: SourceFile): Reference | null {
  // Only a value written with template actions is a template's to pass on or render (and a rendered one is left as it is).
  if (!reference.value.includes('{{')) return reference;
  const whole = namedByChartValues(reference.file, reference.value);
  if (reference.skip !== 'templated' && !whole) return reference;
  const chart = folders === undefined ? null : chartOf(reference.file, folders);
  const root = chart ? rootOf(chart.files) : null;
  const last = whole ? actionsOf(reference.value).name.at(-1) : undefined;
  const fallback = last === undefined ? null : templateDefault(last);
  // A default the chart's values replace is never used: the line reads the values as if it had none.
  const known = fallback !== null && root ? defaultReplaced(fallback, renderRoot(root), file, reference.line) : null;
  const replaced = known?.replaced === true;
  const named = fallback !== null && !replaced ? fallback.name : null;
  if (named !== null) {
    // The template writes the name itself, as a default a value may replace: the image is here unless the values replace it.
    const value = root ? rendered(reference.value, root, known?.variables) : null;
    if (value === null) return { ...reference, skip: 'templated', detail: [reference.detail, `the name is the template's default ${named} unless a value replaces it`].filter(Boolean).join('; ') };
    if (value !== named && !value.startsWith(`${named}:`) && !value.startsWith(`${named}@`)) return null;
    // A whole image written as the default (`{{ default "registry.example.test/team/proxy:v0.0.2" .Values.proxy.image }}`), which the values leave unset.
    const image = value === named ? parseImageRef(value) : null;
    if (image && (image.tag !== null || image.digest !== null)) {
      const values = chart?.files.values?.path;
      const note = `the template's default ${named}, used where the chart's values${values === undefined ? '' : ` (${values})`} set no other image`;
      return { ...withValue(reference, value, image), skip: 'templated', detail: [reference.detail, note].filter(Boolean).join('; ') };
    }
  }
  if (!chart || !root) return whole ? null : reference;
  if (whole && named === null && !namedOutsideImages(replaced ? (fallback?.from ?? '') : (last ?? ''), root.values) && !namedAfterChart(actionsOf(reference.value).name, root.values)) return null;
  const literals = whole ? new Map<string, LiteralTemplate>() : literalTemplates(chart.files);
  const value = rendered(reference.value, root, new Map(), literals);
  if (value === null) return whole ? null : reference;
  const image = parseImageRef(value);
  if (!image) return whole ? null : reference;
  const usedTemplates = [...new Set([...reference.value.matchAll(NAMED_USE)].map((match) => match[1] ?? ''))].flatMap((name) => {
    const literal = literals.get(name);
    return literal ? [`the named template ${name} (${literal.file}:${literal.line})`] : [];
  });
  const valuesRead = /\.Values\b/.test(reference.value) || usedTemplates.length === 0;
  const where = [
    valuesRead ? chart.files.values?.path : undefined,
    /\.Chart\.AppVersion/.test(reference.value) && root.appVersion !== null ? `appVersion ${root.appVersion} (${chart.files.chart.path})` : '',
    /\.Chart\.Name\b/.test(reference.value) && root.name !== null ? `name ${root.name} (${chart.files.chart.path})` : '',
    ...usedTemplates,
  ]
    .filter(Boolean)
    .join(' and ');
  return {
    ...withValue(reference, value, image),
    skip: 'templated',
    detail: [reference.detail, `rendered from the chart's defaults: ${where}; set there, not edited here`].filter(Boolean).join('; '),
  };
}

/** `{{ .Values.images.repository }}/`: a values `repository` written before a slash and more of the name. */
const PREFIX_USE = /\$?\.Values\.([\w.]+)\.repository\s*-?\}\}\//g;

/**
 * The values maps (dotted paths, `images`) of the chart in `folder` whose `repository` its templates write as a
 * prefix: `{{ .Values.images.repository }}/{{ .Values.cart.name }}`. Such a repository is a registry and path
 * that the templates join with names, not an image.
 */
export function registryPrefixes(folder: string, folders: ChartFolders | undefined): ReadonlySet<string> {
  const chart = folders?.charts.get(folder);
  if (!chart) return new Set();
  if (chart.prefixes === undefined) {
    chart.prefixes = templatePrefixes(chart.templates);
    for (const template of chart.templates) template.release();
  }
  return chart.prefixes;
}

/**
 * `chartFolders` with each chart's `registryPrefixes` found while the scan is prepared, when its YAML templates are read
 * anyway: found later, when the values file is scanned, they would be read a second time.
 */
export function chartFoldersWithPrefixes(files: readonly SourceFile[]): ChartFolders {
  const folders = chartFolders(files);
  for (const chart of folders.charts.values()) chart.prefixes = templatePrefixes(chart.templates);
  return folders;
}

/** `join "/" (`: a helper that joins a list of parts with slashes (`join "/" (compact (list .Values.registry .Values.org $name))`). */
const SLASH_JOIN = /\bjoin\s+"\/"\s+\(/g;
/** A values field or a variable's field read in a template: one part of such a list. */
const LIST_PART = /(?:\$\w*|\.Values)((?:\.\w+)+)/g;

/**
 * The values `*Repository` fields a `join "/"` list writes before another part (`{{ join "/" (compact (list (default
 * .Values.defaultImageRegistry $v.registry) (default .Values.defaultImageRepository $v.repository) $v.name)) }}`): the
 * namespace the helper puts names under, as a `repository` written before `/` is. Their dotted paths, each ending at the field.
 */
function joinedRepositories(text: string): string[] {
  const found: string[] = [];
  for (const join of text.matchAll(SLASH_JOIN)) {
    let depth = 1;
    let end = join.index + join[0].length;
    while (end < text.length && depth > 0 && text[end] !== '}') {
      if (text[end] === '(') depth++;
      else if (text[end] === ')') depth--;
      end++;
    }
    if (depth !== 0) continue;
    const parts = [...text.slice(join.index + join[0].length, end).matchAll(LIST_PART)];
    for (const part of parts.slice(0, -1)) if (part[0].startsWith('.Values.') && /Repository$/.test(part[1] ?? '')) found.push((part[1] ?? '').slice(1));
  }
  return found;
}

function templatePrefixes(templates: readonly SourceFile[]): ReadonlySet<string> {
  const found = new Set<string>();
  for (const template of templates) {
    try {
      for (const match of template.text.matchAll(PREFIX_USE)) if (match[1]) found.add(match[1]);
      for (const path of joinedRepositories(template.text)) found.add(path);
    } catch {
      // A template that cannot be read again is reported when the scan reaches it.
    }
  }
  return found;
}
