import { parseImageRef } from '../core/image-ref.js';
import { defines, evaluateWith, newWork, NotRendered, renderText, type Work } from './helm-render.js';
import type { ChartTemplate } from './helm-image-joins.js';
import { escapeRegExp } from '../core/regexp.js';

/**
 * The tag a chart's templates give an image of its values that has a repository and no tag (`tag: ""`, or none):
 * found by rendering, with the chart's values, the template lines that write that values map
 * (`image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default $defaultTag }}"` after
 * `{{- $defaultTag := printf "v%s-%s" .Chart.AppVersion .Values.variant -}}`, `{{ template "app.image" (tuple .Values.image
 * $.Chart.AppVersion) }}`, `{{ default .Values.image.tag .Values.sidecar.image.tag }}`). A line counts only when it renders
 * the values entry's own name followed by a tag (and a digest, when they write one after it); every such line must render
 * the same tag and digest. The named templates of the charts Helm renders with it (`library`: its parent charts, and the
 * charts they or it take from a folder of the repository, `repository: file://../app-lib`) are in reach of its lines.
 */
export interface RenderedTag {
  /** The tag, or '' when the lines write the name with a digest alone. */
  readonly tag: string;
  /** What the lines write before the name, when they put a registry (and path) there: `ghcr.io/example/team` of `ghcr.io/example/team/api:1.4.0`. */
  readonly registry: string | null;
  /**
   * The path the lines write after the name, before its tag, when the values entry is only the first part of the name
   * (`printf "%s/%s:%s" .Values.image.repository .Chart.Name …`): `/agent-operator` of `registry.example.test/team/agent-operator:1.4.0`; else ''.
   */
  readonly after: string;
  /** The template lines that render it (`templates/deployment.yaml:36`). */
  readonly where: string;
  /** Whether the rendering read `.Chart.AppVersion`. */
  readonly appVersion: boolean;
  /** The digest the lines write after the tag (`…:26.1.0@sha256:…` from the map's own digest field), or null. */
  readonly digest: string | null;
}

/** `key: value` on one line of a template, the value holding an action. */
const KEY_VALUE = /^[ \t]*(?:-[ \t]+)?([\w./-]+):[ \t]+(\S.*?)[ \t]*$/;
/**
 * An action that puts an image into a container or an env entry it builds as a dict (written out later with `toYaml`):
 * `{{- $_ := set $container "image" (include "app.image" .) }}`, or an entry whose name holds `image`:
 * `dict "name" "RELATED_IMAGE_SERVER" "value" (include "app.serverImage" .)`. The key and the expression, as a `key: value` line gives them.
 */
const SET_IMAGE = /\bset\s+\$[A-Za-z_]\w*\s+"(image)"\s+(\((?:[^()]|\([^()]*\))*\)|\$?\.Values(?:\.[A-Za-z_]\w*)+)/;
const DICT_IMAGE = /\bdict\s+"name"\s+"([\w.-]*image[\w.-]*)"\s+"value"\s+(\((?:[^()]|\([^()]*\))*\)|\$?\.Values(?:\.[A-Za-z_]\w*)+)/i;

function builtImage(line: string): [string, string, string] | null {
  const found = SET_IMAGE.exec(line) ?? DICT_IMAGE.exec(line);
  return found ? [found[0], found[1] ?? '', `{{ ${found[2] ?? ''} }}`] : null;
}

/**
 * A container argument that gives the program an image to run, a flag whose name holds `image` set to the rendered
 * name (`- --backup-image={{ template "app.image" (tuple .Values.backup.image $.Chart.AppVersion) }}`, quoted or not):
 * the flag and its value, as a `key: value` line gives them.
 */
const IMAGE_ARGUMENT = /^[ \t]*-[ \t]+(["']?)--?([\w.-]*image[\w.-]*)=([^\s"']*\{\{.*\}\}[^\s"']*)\1[ \t]*$/i;

function imageArgument(line: string): [string, string, string] | null {
  const found = IMAGE_ARGUMENT.exec(line);
  return found ? [found[0], found[2] ?? '', found[3] ?? ''] : null;
}

/** `{{ $name := … }}` or `{{ $name = … }}`. */
const ASSIGNMENT = /^(\$[A-Za-z_]\w*)\s*(:?=)\s*([\s\S]+)$/;
const BLOCK_OPEN = /^(?:if|with|range|define|block)\b/;
const CHART_STEPS = 100_000;
const CHART_CHARS = 2_000_000;
const MAX_LINE = 1024;
/** A registry host (with its port) and path written before `/name:tag`, the whole text up to that slash. */
const REGISTRY_BEFORE = /^([A-Za-z0-9][\w.-]*(?::\d+)?(?:\/[\w.-]+)*)\/$/;
/** Path components written after a name, up to its tag or digest: `/agent-operator` of `team/agent-operator:1.4.0`. */
const PATH_AFTER = /^((?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+)(?=[:@])/;

/** The tags of a text with where each is and its inner text, trim markers removed. */
function actions(text: string): { at: number; end: number; inner: string }[] {
  const found: { at: number; end: number; inner: string }[] = [];
  for (let at = text.indexOf('{{'); at !== -1; at = text.indexOf('{{', at)) {
    const close = text.indexOf('}}', at + 2);
    if (close === -1) break;
    let inner = text.slice(at + 2, close).trim();
    if (inner.startsWith('- ') || inner === '-') inner = inner.slice(1).trim();
    if (inner.endsWith(' -')) inner = inner.slice(0, -1).trim();
    found.push({ at, end: close + 2, inner });
    at = close + 2;
  }
  return found;
}

/**
 * The variables assigned before `upTo` in `text` (a named template's body or a whole file), evaluated in order with
 * the chart's root as dot. A variable assigned inside a block that is closed again before `upTo` (`{{ if … }}{{ $tag =
 * … }}{{ end }}`) may or may not hold that value: it is left out, so a line that reads it renders unknown.
 */
export function variablesBefore(text: string, upTo: number, root: unknown, context: { defines: ReadonlyMap<string, { body: string; at: number }>; work: Work }): Map<string, unknown> {
  const variables = new Map<string, unknown>();
  const stack: number[] = [];
  let opened = 0;
  const assigned: { name: string; expression: string; stack: number[] }[] = [];
  for (const action of actions(text.slice(0, upTo))) {
    if (action.inner.startsWith('/*')) continue;
    if (BLOCK_OPEN.test(action.inner)) stack.push((opened += 1));
    else if (action.inner === 'end') stack.pop();
    else {
      const assignment = ASSIGNMENT.exec(action.inner);
      if (assignment) assigned.push({ name: assignment[1] ?? '', expression: assignment[3] ?? '', stack: [...stack] });
    }
  }
  const unknown = new Set<string>();
  for (const { name, expression, stack: at } of assigned) {
    const open = at.every((block, index) => stack[index] === block);
    if (!open) {
      unknown.add(name);
      variables.delete(name);
      continue;
    }
    if (unknown.has(name)) continue;
    try {
      variables.set(name, evaluateWith(expression, root, context, variables));
    } catch (error) {
      if (!(error instanceof NotRendered)) throw error;
      unknown.add(name);
      variables.delete(name);
    }
  }
  return variables;
}

/** A block whose dot is a map of the chart's values: `{{ with .Values.cluster.general }}` … `{{ end }}` (or its `else`). */
interface ValuesScope {
  readonly start: number;
  readonly end: number;
  readonly path: readonly string[];
}

const WITH_VALUES = /^with\s+\$?\.Values((?:\.[A-Za-z_]\w*)+)$/;

/**
 * The `with` blocks of a template file whose dot is a values map: only those under `if` blocks alone, outside named
 * templates, `range` and other `with` blocks, where `.Values` is the chart's.
 */
function valuesScopes(text: string): ValuesScope[] {
  const found: ValuesScope[] = [];
  const open: { kind: string; start: number; path: string[] | null }[] = [];
  for (const action of actions(text)) {
    const kind = /^(if|with|range|define|block|else|end)\b/.exec(action.inner)?.[1];
    if (kind === undefined) continue;
    if (kind === 'end' || kind === 'else') {
      const block = kind === 'end' ? open.pop() : open.at(-1);
      if (block?.path) found.push({ start: block.start, end: action.at, path: block.path });
      if (kind === 'else' && block) block.path = null;
      continue;
    }
    const plain = kind === 'with' && open.every((block) => block.kind === 'if');
    const path = plain ? (WITH_VALUES.exec(action.inner)?.[1]?.slice(1).split('.') ?? null) : null;
    open.push({ kind, start: action.end, path });
  }
  return found;
}

/** A line's actions with their dot-relative fields written from the root: `.image` under `with .Values.cluster.general` as `.Values.cluster.general.image`. */
function rootedAt(line: string, path: readonly string[]): string {
  const prefix = `.Values.${path.join('.')}`;
  return line.replace(/\{\{([\s\S]*?)\}\}/g, (_, inner: string) => {
    const parts = inner.split(/("(?:[^"\\]|\\.)*"|`[^`]*`)/);
    const rooted = parts.map((part, index) =>
      index % 2 === 1 ? part : part.replace(/(^|[\s(|])\.(?=([A-Za-z_])|[\s)|]|$)/g, (__, before: string, letter?: string) => `${before}${prefix}${letter === undefined ? '' : '.'}`),
    );
    return `{{${rooted.join('')}}}`;
  });
}

/** `include "name"` or `template "name"`. */
const CALLED = /\b(?:include|template)\s+"([^"]+)"/g;

/** A named template given the root and a values path as string literals (`include "app.image" (list . "pipelines" "api")`). */
const LIST_CALL = /\b(?:include|template)\s+"([^"]+)"\s+\(\s*(?:list|tuple)\s+(?:\$\.?|\.)\s+((?:"[\w-]+"\s*)+)\)/g;
/** A helper that looks a values map up by its parameters: `index $dot.Values $group $name "image" "repository"`. */
const INDEXES_VALUES = /\bindex\s+\$?\w*\.Values\s/;

/**
 * Whether a call gives a helper the path of the map at `path` in a list (`(list . "pipelines" "api")`), the helper looking
 * the rest of the path up itself with `index` and those keys written out (`"image"`).
 */
function callsWithPath(named: ReadonlyMap<string, { body: string }>, text: string, path: readonly string[]): boolean {
  for (const call of text.matchAll(LIST_CALL)) {
    const body = named.get(call[1] ?? '')?.body;
    const keys = [...(call[2] ?? '').matchAll(/"([\w-]+)"/g)].map((key) => key[1] ?? '');
    if (body === undefined || !INDEXES_VALUES.test(body) || keys.length >= path.length || keys.some((key, index) => path[index] !== key)) continue;
    if (path.slice(keys.length).every((key) => body.includes(`"${key}"`))) return true;
  }
  return false;
}

/** The named templates that read a values map (`field`), themselves or through the named templates they call. */
function helpersReading(named: ReadonlyMap<string, { body: string }>, field: RegExp): Set<string> {
  const found = new Set<string>();
  for (const [name, { body }] of named) if (field.test(body)) found.add(name);
  if (found.size === 0) return found;
  for (let grown = true; grown;) {
    grown = false;
    for (const [name, { body }] of named) {
      if (found.has(name) || !body.includes('"')) continue;
      if ([...body.matchAll(CALLED)].some((call) => found.has(call[1] ?? ''))) {
        found.add(name);
        grown = true;
      }
    }
  }
  return found;
}

/** A template file of the chart, where it starts among the chart's texts, its named templates, and its `with` blocks of values maps, found once. */
interface ChartText {
  readonly template: ChartTemplate;
  readonly text: string;
  readonly base: number;
  readonly bodies: { body: string; at: number }[];
  scopes?: ValuesScope[];
}

/**
 * The chart's template files and the named templates in reach of them: the chart's own, then those of the charts rendered
 * with it (its parent charts, a library chart they depend on), as Helm gives every chart of a release all of them.
 */
function chartTexts(templates: readonly ChartTemplate[], library: readonly ChartTemplate[]): { named: Map<string, { body: string; at: number }>; texts: ChartText[] } {
  const named = new Map<string, { body: string; at: number }>();
  const texts: ChartText[] = [];
  let base = 0;
  for (const template of templates) {
    const text = template.file.text;
    const own = defines(text, base);
    for (const [name, body] of own) if (!named.has(name)) named.set(name, body);
    texts.push({ template, text, base, bodies: [...own.values()] });
    base += text.length + 1;
  }
  for (const template of library) {
    const text = template.file.text;
    for (const [name, body] of defines(text, base)) if (!named.has(name)) named.set(name, body);
    base += text.length + 1;
  }
  return { named, texts };
}

/** What a rendered line writes for a values entry: its tag (or '' with a digest alone), the registry before it, the path after it. */
interface RenderedImage {
  readonly tag: string;
  readonly registry: string | null;
  readonly after: string;
  readonly digest: string | null;
}

/**
 * How a rendered image line (quotes taken off) writes the values entry `name`: as an image with a tag or a digest, the name
 * alone ('alone'), the name with no tag or an empty one ('other'), or something else (null).
 */
function renderedShape(unquoted: string, name: string): RenderedImage | 'alone' | 'other' | null {
  // The name alone, or after a registry the line writes before it (`{{ include "app.image" (dict "registry" .Values.global.imageRegistry …) }}`).
  const before = Math.max(unquoted.lastIndexOf(`/${name}:`), unquoted.lastIndexOf(`/${name}@`), 0);
  // Or the name first, with more path after it (`{{ .Values.image.repository }}/{{ .Chart.Name }}:…`): the entry is the
  // registry and path the image's last components are written under.
  const after = unquoted.startsWith(`${name}/`) ? (PATH_AFTER.exec(unquoted.slice(name.length))?.[1] ?? '') : '';
  const registry = after !== '' || unquoted.startsWith(`${name}:`) || unquoted.startsWith(`${name}@`) ? '' : (REGISTRY_BEFORE.exec(unquoted.slice(0, before + 1))?.[1] ?? null);
  const image = registry === null ? null : parseImageRef(unquoted);
  const bare = registry === null ? '' : unquoted.slice(registry === '' ? 0 : registry.length + 1);
  const shown = `${name}${after}`;
  // The name and a tag (and a digest), or the name and a digest alone (`{{ if .Values.image.tag }}:…{{ else }}@{{ .Values.image.sha }}{{ end }}`).
  const digestOnly = image !== null && image.tag === null && image.digest !== null && bare === `${shown}@${image.digest}`;
  if (image && (digestOnly || (image.tag !== null && bare === `${shown}:${image.tag}${image.digest === null ? '' : `@${image.digest}`}`))) {
    return { tag: image.tag ?? '', registry: registry === '' ? null : registry, after, digest: image.digest };
  }
  if (unquoted === name) return 'alone';
  if (unquoted.startsWith(`${name}:`) || unquoted.startsWith(`${name}@`)) return 'other';
  return null;
}

/**
 * What renders the tags of a chart's values maps: asked per map path and name, the templates read once. The tag, or
 * 'other' when the lines that render the name give it no tag, different tags (or digests) or a digest alone, or null when no line the
 * rendering can read names the map (none does, or one it does not model).
 */
export function chartRenderedTags(
  templates: readonly ChartTemplate[],
  values: unknown,
  appVersion: string | null,
  library: readonly ChartTemplate[] = [],
  chartName: string | null = null,
): (path: readonly string[], name: string) => RenderedTag | 'other' | null {
  const { named, texts } = chartTexts(templates, library);
  let readAppVersion = false;
  const chart: Record<string, unknown> = {};
  Object.defineProperty(chart, 'AppVersion', {
    get: () => {
      readAppVersion = true;
      if (appVersion === null) throw new NotRendered('appVersion, which Chart.yaml does not set');
      return appVersion;
    },
    enumerable: true,
  });
  // The chart's name, which a helper may write after the values repository (`printf "%s/%s:%s" .Values.image.repository .Chart.Name …`).
  if (chartName !== null) chart.Name = chartName;
  // Helm gives every chart a `global` map of values, empty when no values file sets it.
  const withGlobal = values !== null && typeof values === 'object' && !Array.isArray(values) && !('global' in values) ? { ...values, global: {} } : values;
  const root = { Values: withGlobal, Chart: chart, Release: {}, Capabilities: {}, Template: {} };
  const work = newWork(CHART_STEPS, CHART_CHARS);
  const context = { defines: named, work };
  return (path, name) => {
    const field = new RegExp(String.raw`\.Values\.${escapeRegExp(path.join('.'))}(?![\w])(?:\.(?:repository|registry|tag|image|digest)\b|(?!\.))`);
    const helpers = helpersReading(named, field);
    const uses = (text: string): boolean => field.test(text) || [...text.matchAll(CALLED)].some((call) => helpers.has(call[1] ?? '')) || callsWithPath(named, text, path);
    const tags = new Map<string, RenderedImage & { where: string[]; appVersion: boolean }>();
    /** A line rendered the name with no tag, an empty one, or a digest without a tag. */
    let other = false;
    /** A line rendered the name and nothing else (`value: {{ .Values.image.repository }}` of an env entry). */
    let alone = false;
    for (const entry of texts) {
      const { template, text, base: start, bodies } = entry;
      // The blocks whose dot is this map or one holding it (`with .Values.cluster.general`, its lines reading `.image`).
      const scopes = text.includes('with') ? (entry.scopes ??= valuesScopes(text)).filter((scope) => scope.path.every((key, index) => path[index] === key)) : [];
      if (!uses(text) && scopes.length === 0) continue;
      let lineStart = 0;
      let lineNumber = 1;
      while (lineStart <= text.length) {
        let lineEnd = text.indexOf('\n', lineStart);
        if (lineEnd === -1) lineEnd = text.length;
        const scope = scopes.find((candidate) => candidate.start <= lineStart && lineEnd <= candidate.end);
        const line = scope ? rootedAt(text.slice(lineStart, lineEnd), scope.path) : text.slice(lineStart, lineEnd);
        const written = line.length <= MAX_LINE && line.includes('{{') && uses(line) ? (KEY_VALUE.exec(line) ?? builtImage(line) ?? imageArgument(line)) : null;
        const value = written?.[2];
        // A line that names the map, or an image line that calls a helper reading it (`image: {{ include "app.image" . }}`).
        if (value !== undefined && (field.test(value) || (/image/i.test(written?.[1] ?? '') && uses(value)))) {
          const body = bodies.find((entry) => start + lineStart >= entry.at && start + lineStart < entry.at + entry.body.length);
          const scopeText = body ? body.body : text;
          const upTo = body ? start + lineStart - body.at : lineStart;
          readAppVersion = false;
          let rendered: string;
          try {
            const variables = variablesBefore(scopeText, upTo, root, context);
            rendered = renderText(value, root, context, variables).trim();
          } catch (error) {
            if (!(error instanceof NotRendered)) throw error;
            // An image line that writes this map and cannot be rendered may give it another tag (a label, `version:`, says nothing).
            if (/image/i.test(written?.[1] ?? '')) return null;
            lineStart = lineEnd + 1;
            lineNumber += 1;
            continue;
          }
          const unquoted = /^(["'])(.*)\1$/.exec(rendered)?.[2] ?? rendered;
          const shape = renderedShape(unquoted, name);
          if (shape === 'alone') alone = true;
          else if (shape === 'other') other = true;
          else if (shape !== null) {
            const key = `${shape.registry}\n${shape.after}\n${shape.tag}\n${shape.digest ?? ''}`;
            const entry = tags.get(key) ?? { ...shape, where: [], appVersion: false };
            entry.where.push(`${template.path}:${lineNumber}`);
            entry.appVersion ||= readAppVersion;
            tags.set(key, entry);
          }
        }
        lineStart = lineEnd + 1;
        lineNumber += 1;
      }
    }
    const [only, ...more] = tags.values();
    // The name alone beside lines that write more path after it is that path's prefix, passed on as it is (an operator
    // told where its images live: `IMAGE_REPOSITORY`), not an image without a tag.
    if (other || more.length > 0 || (alone && (only === undefined || only.after === ''))) return 'other';
    if (!only) return null;
    const where = only.where;
    return {
      tag: only.tag,
      registry: only.registry,
      after: only.after,
      digest: only.digest,
      where: where.length > 3 ? `${where.slice(0, 3).join(', ')} and ${where.length - 3} more` : where.join(', '),
      appVersion: only.appVersion,
    };
  };
}
