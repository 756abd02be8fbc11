import type { SourceFile } from '../core/source-file.js';
import { defines, evaluate, newWork, NotRendered, renderInclude, renderUpTo, valuesAt, type Work } from './helm-render.js';

/**
 * How a chart's templates put an image together from its values, where the values alone do not say:
 * `{{ include "registry" . }}/{{ .image.name }}` (a registry the templates choose, often from an empty
 * top-level `registry:` value and the chart's defaults) or `{{ .image.repository }}/{{ .image.name }}`
 * (a repository that holds only the registry and namespace, joined to a `name`).
 */
export interface ChartImageJoins {
  /** The templates join a values `repository` and `name` with a slash. */
  readonly repositoryName: boolean;
  /**
   * What the templates write before `/{{ … .name }}` for the values map at `path` (`['agents', 'image']`), rendered
   * with the default values: from the joins that name that map (`.Values.agents.image.name`), else from those that take
   * the image as a parameter (`.image.name` in a helper); null when no template joins a registry to its name.
   */
  readonly registryFor: (path: readonly string[]) => RenderedRegistry | null;
  /**
   * The registry that the templates' `merge .Values.<path> .Values.<other>` gives the values map at `path` when it has
   * none of its own (Sprig's merge fills the first map's missing or empty keys from the next ones): the first `registry`
   * of the other maps, with the default values; null when no template merges that map.
   */
  readonly mergedRegistry: (path: readonly string[]) => RenderedRegistry | null;
  /**
   * What the templates write before `/{{ .Values.<path>.repository }}` for the values map at `path` that has no registry
   * of its own (`{{ .Values.global.imageRegistry }}/{{ .Values.server.image.repository }}`), rendered with the default
   * values; null when no template writes anything there, or it renders empty. `ownSlash`: the repository starts with
   * `/` (`repository: /team/csi`), and what counts is what the templates write right before it, with no slash between
   * (`{{ .Values.image.baseRepo }}{{ .Values.image.csi.repository }}`).
   */
  readonly registryBeforeRepository: (path: readonly string[], ownSlash?: boolean) => RenderedRegistry | null;
  /**
   * What the templates write before `/{{ .Values.<path>.image }}:{{ .Values.<path>.version }}` for the values map at `path`
   * (`{{ .Values.docker.registry }}/{{ .Values.app.image }}:{{ .Values.app.version }}`: a map of a one-string `image` and its
   * `version`, joined to a registry value), rendered with the default values; null when no template writes the map so, or
   * the registry renders empty.
   */
  readonly registryBeforeImage: (path: readonly string[]) => RenderedRegistry | null;
  /**
   * What the templates write before `/{{ .Values.<path> }}:{{ .Values.<tag> }}` for the values field at `path` that they join
   * to a tag field (`{{ .Values.global.hub }}/{{ .Values.global.proxy.image }}:{{ .Values.global.tag }}`), rendered with the
   * default values; null when some template writes the field and its tag with nothing before it, or none writes it so.
   */
  readonly registryBeforeField?: (path: readonly string[]) => RenderedRegistry | null;
  /**
   * The values field that the templates write as the tag after the values field at `path` (`{{ .Values.proxyImage }}:{{
   * .Values.proxyVersion }}`: a name and its version kept apart, each a value of its own), and where they join them; null
   * when no template writes it so, or the templates put different fields after it.
   */
  readonly tagAfter: (path: readonly string[]) => JoinedTag | null;
  /**
   * The key of the values map at `path` that every template writing its `name` after a slash writes between the map's
   * own registry and that name (`{{ .Values.image.registry }}/{{ .Values.image.org }}/{{ .Values.image.name }}`: `org`);
   * null when no template does, or they do not agree.
   */
  readonly keyBetweenRegistryAndName?: (path: readonly string[]) => string | null;
  /**
   * How the subchart in `charts/<key>/` joins its image parts, with the values the parent chart gives it under `key`
   * over its own defaults; null when there is no such subchart.
   */
  readonly subchart?: (key: string) => ChartImageJoins | null;
}

export interface JoinedTag {
  readonly path: readonly string[];
  readonly where: string;
  /** How many times the templates write the name with that tag. */
  readonly count: number;
}

export type RenderedRegistry = { readonly known: true; readonly value: string; readonly where: string } | { readonly known: false; readonly where: string; readonly why: string };

export interface ChartTemplate {
  readonly file: SourceFile;
  /** The file's path relative to the chart folder (`templates/_helpers.tpl`). */
  readonly path: string;
}

/** `{{ left }}/{{ right }}` on one line, the right one a values field ending in `.name` under an image (`.Values.agents.image.name`, `.image.name`, `$image.name`). */
// The left action's text is taken whole and trimmed in code: a lazy `[^{}]*?` between `\s*` patterns
// backtracks in cubic time on a line of spaces.
const JOIN = /\{\{([^{}\n]*)\}\}\/(\{\{-?\s*((?:\$[A-Za-z_]\w*)?(?:\.[A-Za-z_]\w*)*\.name)\s*-?\}\})/g;
/** `{{ left }}/{{ .Values.server.image.repository }}` on one line: a values `repository` that the templates write after something else. */
const REPOSITORY_JOIN = /\{\{([^{}\n]*)\}\}(\/?)(\{\{-?\s*(\$?\.Values(?:\.[A-Za-z_]\w*)+)\.repository\s*-?\}\})/g;
/** `{{ left }}/{{ .Values.app.image }}:{{ .Values.app.version }}` on one line: a values map's `image` and `version`, written after something else. */
const IMAGE_VERSION_JOIN = /\{\{([^{}\n]*)\}\}\/(\{\{-?\s*\$?\.Values((?:\.[A-Za-z_]\w*)+)\.image\s*-?\}\}):\{\{-?\s*\$?\.Values((?:\.[A-Za-z_]\w*)+)\.version\s*-?\}\}/g;
/** `{{ .Values.proxyImage }}:{{ .Values.proxyVersion }}` on one line: two values fields, the first written as the name and the second as its tag. */
const FIELD_TAG_JOIN = /\{\{-?[ \t]*\$?\.Values((?:\.[A-Za-z_]\w*)+)[ \t]*-?\}\}:\{\{-?[ \t]*\$?\.Values((?:\.[A-Za-z_]\w*)+)[ \t]*-?\}\}/g;
/** `{{ left }}/{{ .Values.proxyImage }}:{{ .Values.proxyVersion }}`: such a name and tag written after something else. */
const PREFIXED_FIELD_TAG_JOIN = /\{\{([^{}\n]*)\}\}\/(\{\{-?[ \t]*\$?\.Values((?:\.[A-Za-z_]\w*)+)[ \t]*-?\}\}):\{\{-?[ \t]*\$?\.Values(?:\.[A-Za-z_]\w*)+[ \t]*-?\}\}/g;
const IMAGE_FIELD = /(?:^|\.|\$)[A-Za-z_]*[Ii]mage\w*\.name$/;
/** A registry written as text: host, optional port, optional path (`registry.example.test`, `gcr.io/team`). */
const REGISTRY_TEXT = /([A-Za-z0-9][\w.-]*(?::\d+)?(?:\/[\w.-]+)*)\/$/;
/** `printf "%s/%s:%s" <registry> .Values.image.name …`: the same join written as one format. */
const PRINTF_JOIN = /\bprintf\s+"%s\/%s[^"]*"\s+(\((?:[^()]|\([^()]*\))*\)|[$.\w]+)\s+((?:\$[A-Za-z_]\w*)?(?:\.[A-Za-z_]\w*)*\.name)\b/g;
const MAX_REGISTRY_LINE = 1024;
const CHART_STEPS = 200_000;
const CHART_CHARS = 4_000_000;
const INCLUDE = /^\(?\s*include\s+"([^"]+)"/;
/**
 * `merge .Values.controller.image .Values.global.image` (the first map's empty keys filled from the others, in order), or
 * `mergeOverwrite .Values.global.image .Values.controller.image` (the last map's keys win): every argument a values path.
 */
const MERGE = /\bmerge(Overwrite)?((?:[ \t]+\$?\.Values(?:\.[A-Za-z_]\w*)+){2,})(?=[ \t]*[)}-])/g;
/** `{{ .registry }}/`: the template joins the registry of the map it is in (`with (merge …)`) to the name after it. */
const DOT_REGISTRY_JOINED = /\{\{-?\s*\.registry\s*-?\}\}\//;
/** `{{ left }}` on its own: only functions, literals and fields of the chart's root (`.Values`, `$.Values`, `.Chart`). */
const ROOT_FIELD = /^\$?\.(?:Values|Chart)(?:\.|$)/;

interface Join {
  readonly template: ChartTemplate;
  readonly left: string;
  /** Where the `{{ … .name }}` action starts in the template's text. */
  readonly nameAt: number;
  readonly line: number;
  /** Where the template's text starts among all the chart's templates. */
  readonly base: number;
  /** Written as `printf "%s/%s…" left name`: the left operand is evaluated on its own. */
  readonly printf: boolean;
  /** The values map whose `name` is joined (`agents.image` for `.Values.agents.image.name`), or null for a helper's parameter. */
  readonly valuesPath: string | null;
  /**
   * The values map's part written after the slash: its `name`, its `repository` (`.Values.server.image.repository`), its
   * `image` beside its `version`, or a values field written with another as its tag (`field`: the path is the field's own).
   */
  readonly part: 'name' | 'repository' | 'image' | 'field';
  /** `{{ .Values.image.baseRepo }}{{ .Values.image.csi.repository }}`: no slash between, the repository writes its own (`/team/csi`). */
  readonly adjacent?: true;
}

/** `.Values.agents.image.name` → `agents.image`; a parameter (`.image.name`, `$image.name`) → null. */
/** The text of an action between `{{` and `}}`, without its trim markers and spaces. */
function actionText(raw: string): string {
  const text = raw.startsWith('-') ? raw.slice(1).trim() : raw.trim();
  return text.endsWith('-') ? text.slice(0, -1).trimEnd() : text;
}

function valuesPathOf(right: string): string | null {
  const path = /^\$?\.Values\.((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*)\.name$/.exec(right)?.[1];
  return path ?? null;
}

function findJoins(templates: readonly ChartTemplate[]): Join[] {
  const joins: Join[] = [];
  let base = 0;
  for (const template of templates) {
    const text = template.file.text;
    const start = base;
    base += text.length + 1;
    /** Where one join of this template starts: its match, the name's offset in the text and the action on its left. */
    const at = (index: number, nameAt: number, left: string) => ({ template, left, nameAt: start + nameAt, line: template.file.position(index).line, base: start, printf: false });
    if (text.includes('.repository')) {
      for (const match of text.matchAll(REPOSITORY_JOIN)) {
        const valuesPath = /^\$?\.Values\.(.+)$/.exec(match[4] ?? '')?.[1];
        if (valuesPath === undefined) continue;
        const nameAt = match.index + match[0].length - (match[3] ?? '').length;
        const adjacent = match[2] === '' ? { adjacent: true as const } : {};
        joins.push({ ...at(match.index, nameAt, actionText(match[1] ?? '')), valuesPath, part: 'repository', ...adjacent });
      }
    }
    if (text.includes('.image') && text.includes('.version')) {
      for (const match of text.matchAll(IMAGE_VERSION_JOIN)) {
        // The image and the version of one map (`.Values.app.image` with `.Values.app.version`).
        if (match[3] !== match[4]) continue;
        const nameAt = match.index + (match[1] ?? '').length + 5;
        joins.push({ ...at(match.index, nameAt, actionText(match[1] ?? '')), valuesPath: (match[3] ?? '').slice(1), part: 'image' });
      }
    }
    if (text.includes('}}:{{')) {
      for (const match of text.matchAll(PREFIXED_FIELD_TAG_JOIN)) {
        const nameAt = match.index + (match[1] ?? '').length + 5;
        joins.push({ ...at(match.index, nameAt, actionText(match[1] ?? '')), valuesPath: (match[3] ?? '').slice(1), part: 'field' });
      }
    }
    if (!text.includes('.name')) continue;
    for (const match of text.matchAll(JOIN)) {
      const right = match[3] ?? '';
      if (!IMAGE_FIELD.test(right)) continue;
      const nameAt = match.index + match[0].length - (match[2] ?? '').length;
      joins.push({ ...at(match.index, nameAt, actionText(match[1] ?? '')), valuesPath: valuesPathOf(right), part: 'name' });
    }
    if (!text.includes('printf')) continue;
    for (const match of text.matchAll(PRINTF_JOIN)) {
      const right = match[2] ?? '';
      if (!IMAGE_FIELD.test(right)) continue;
      const left = (match[1] ?? '').replace(/^\(\s*([\s\S]*?)\s*\)$/, '$1');
      joins.push({ ...at(match.index, match.index, left), printf: true, valuesPath: valuesPathOf(right), part: 'name' });
    }
  }
  return joins;
}

/** A per-image field (`.image.registry`, `.image.repository`) on the left: the values entry holds it itself. */
function perImageField(left: string): 'repository' | 'registry' | null {
  const field = /^(?:\$[A-Za-z_]\w*)?(?:\.[A-Za-z_]\w*)*\.(repository|registry)$/.exec(left);
  if (!field || !/[Ii]mage/.test(left)) return null;
  return field[1] === 'repository' ? 'repository' : 'registry';
}

/** The named template or file that holds `at`, as text to render from. */
function enclosing(join: Join, named: ReadonlyMap<string, { body: string; at: number }>): { text: string; offset: number } {
  for (const body of named.values()) {
    if (join.nameAt >= body.at && join.nameAt < body.at + body.body.length) return { text: body.body, offset: body.at };
  }
  return { text: join.template.file.text, offset: join.base };
}

/** A rendered value as Go's templates print it. */
function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new NotRendered('a map or list as the registry');
}

/**
 * A left action whose value does not depend on where it stands: no variable, and every field one of the chart's root
 * (`default .Values.image.registry .Values.agent.image.registry`). Beside a `.Values.….name` it is evaluated alone,
 * whether or not the default values reach that line.
 */
function standsAlone(left: string): boolean {
  const code = left.replace(/"(?:[^"\\]|\\.)*"|`[^`]*`/g, '""');
  if (/\$[A-Za-z_]/.test(code)) return false;
  const fields = code.match(/\$?\.[A-Za-z_][\w.]*/g) ?? [];
  return fields.length > 0 && fields.every((field) => ROOT_FIELD.test(field));
}

/** The registry a join renders with `dot`. */
function renderJoin(join: Join, dot: unknown, named: ReadonlyMap<string, { body: string; at: number }>, definedAt: ReadonlyMap<string, string>, work: Work): RenderedRegistry | 'empty' {
  const where = `${join.template.path}:${join.line}`;
  const helper = INCLUDE.exec(join.left)?.[1];
  const described = helper === undefined ? where : `template "${helper}" (${definedAt.get(helper) ?? where})`;
  try {
    let before: string | null;
    if (helper !== undefined) before = `${renderInclude(helper, dot, { defines: named, work })}/`;
    else if (join.printf || (join.valuesPath !== null && standsAlone(join.left))) before = `${text(evaluate(join.left, dot, { defines: named, work }))}/`;
    else {
      const { text, offset } = enclosing(join, named);
      before = renderUpTo(text, offset, join.nameAt, dot, { defines: named, work });
      // The repository that follows without a slash starts with its own: what is rendered before it is the registry.
      if (before !== null && join.adjacent) before = `${before}/`;
    }
    if (before === null) return { known: false, where: described, why: 'not reached with the default values' };
    // A registry is on the line it ends (the pattern is tried from each place in it: a line is kept short).
    const line = before.slice(before.lastIndexOf('\n') + 1).trimStart();
    // Nothing before the slash (an empty `global.imageRegistry`): no registry; a repository after it stands alone.
    if (join.part !== 'name' && /^["']?\/$/.test(line)) return 'empty';
    if (line.length > MAX_REGISTRY_LINE) return { known: false, where: described, why: `renders a line of ${line.length} characters before the name` };
    const registry = REGISTRY_TEXT.exec(line)?.[1];
    if (registry === undefined) return { known: false, where: described, why: `renders ${JSON.stringify(before.slice(-80))}` };
    return { known: true, value: registry, where: described };
  } catch (error) {
    if (!(error instanceof NotRendered)) throw error;
    return { known: false, where: described, why: `uses ${error.message}` };
  }
}

/**
 * How the chart's templates join image parts, rendered with `values` (the chart's values as Helm would
 * merge them) and the chart's `Chart.yaml` facts.
 */
export function chartImageJoins(templates: readonly ChartTemplate[], values: unknown, chart: { readonly appVersion: string }): ChartImageJoins {
  const found = findJoins(templates);
  const joins = found.filter((join) => join.part === 'name');
  const repositoryName = joins.some((join) => perImageField(join.left) === 'repository');
  const registryJoins = joins.filter((join) => perImageField(join.left) === null);
  // `{{ .Values.server.image.registry }}/{{ .Values.server.image.repository }}`: the map's own registry, read with it.
  const repositoryJoins = found.filter((join) => join.part === 'repository' && perImageField(join.left) === null);
  const imageJoins = found.filter((join) => join.part === 'image' && perImageField(join.left) === null);
  const fieldJoins = found.filter((join) => join.part === 'field');
  const mergedRegistry = mergedRegistries(templates, values);
  const tagAfter = tagFields(templates);
  if (registryJoins.length === 0 && repositoryJoins.length === 0 && imageJoins.length === 0 && fieldJoins.length === 0) {
    return { repositoryName, registryFor: () => null, mergedRegistry, registryBeforeRepository: () => null, registryBeforeImage: () => null, tagAfter };
  }
  const named = new Map<string, { body: string; at: number }>();
  const definedAt = new Map<string, string>();
  let base = 0;
  for (const template of templates) {
    for (const [name, body] of defines(template.file.text, base)) {
      if (named.has(name)) continue;
      named.set(name, body);
      definedAt.set(name, `${template.path}:${template.file.position(Math.max(template.file.text.lastIndexOf('define', body.at - base), 0)).line}`);
    }
    base += template.file.text.length + 1;
  }
  const root = {
    ...(values !== null && typeof values === 'object' && !Array.isArray(values) ? values : {}),
    Values: values,
    Chart: { AppVersion: chart.appVersion },
    Release: {},
    Capabilities: {},
  };
  // One budget for all of the chart's renderings: a template of thousands of joins, each rendering the
  // file up to itself, stays bounded as one deep helper does.
  const work = newWork(CHART_STEPS, CHART_CHARS);
  const rendered = new Map<Join, RenderedRegistry | 'empty'>();
  const renderedOf = (join: Join): RenderedRegistry | 'empty' => {
    let found = rendered.get(join);
    if (!found) {
      found = renderJoin(join, root, named, definedAt, work);
      rendered.set(join, found);
    }
    return found;
  };
  const parameters = registryJoins.filter((join) => join.valuesPath === null);
  return {
    repositoryName,
    mergedRegistry,
    tagAfter,
    keyBetweenRegistryAndName: (path) => keyBetween(registryJoins, path),
    registryFor: (path) => {
      const own = registryJoins.filter((join) => join.valuesPath === path.join('.'));
      // A name join is never `empty`: that is only told apart for a repository.
      return agreed((own.length > 0 ? own : parameters).map(renderedOf).filter((entry) => entry !== 'empty'));
    },
    registryBeforeRepository: (path, ownSlash = false) => {
      const own = repositoryJoins.filter((join) => join.valuesPath === path.join('.') && (join.adjacent === true) === ownSlash).map(renderedOf);
      // Every template that writes the repository must put the same registry before it (or none).
      if (own.length === 0 || own.every((entry) => entry === 'empty')) return null;
      return agreed(own.map((entry) => (entry === 'empty' ? { known: true, value: '', where: 'a template' } : entry)));
    },
    registryBeforeImage: (path) => {
      const own = imageJoins.filter((join) => join.valuesPath === path.join('.')).map(renderedOf);
      // Every template that writes the map must put one registry before it; one that renders nothing there leaves it alone.
      if (own.length === 0 || own.some((entry) => entry === 'empty')) return null;
      return agreed(own.filter((entry) => entry !== 'empty'));
    },
    registryBeforeField: (path) => {
      const own = fieldJoins.filter((join) => join.valuesPath === path.join('.'));
      // Every template that writes the field with its tag must write the same registry before it.
      if (own.length === 0 || own.length !== tagAfter(path)?.count) return null;
      const rendered = own.map(renderedOf);
      if (rendered.some((entry) => entry === 'empty')) return null;
      return agreed(rendered.filter((entry) => entry !== 'empty'));
    },
  };
}

/**
 * The values fields the templates write as a tag right after another values field (`{{ .Values.proxyImage }}:{{
 * .Values.proxyVersion }}`), by the first field's path: one field when every such join agrees, else none.
 */
function tagFields(templates: readonly ChartTemplate[]): (path: readonly string[]) => JoinedTag | null {
  const found = new Map<string, { tags: Set<string>; where: string; count: number }>();
  for (const template of templates) {
    const text = template.file.text;
    if (!text.includes('}}:{{')) continue;
    for (const match of text.matchAll(FIELD_TAG_JOIN)) {
      const name = (match[1] ?? '').slice(1);
      const entry = found.get(name) ?? { tags: new Set<string>(), where: `${template.path}:${template.file.position(match.index).line}`, count: 0 };
      entry.tags.add((match[2] ?? '').slice(1));
      entry.count += 1;
      found.set(name, entry);
    }
  }
  return (path) => {
    const entry = found.get(path.join('.'));
    const [tag, ...others] = entry ? [...entry.tags] : [];
    return entry && tag !== undefined && others.length === 0 ? { path: tag.split('.'), where: entry.where, count: entry.count } : null;
  };
}

/** A values field of one map, as a template writes it alone in an action: `{{ .Values.image.org }}` → `image`, `org`. */
const MAP_FIELD = /^\$?\.Values\.((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*)\.([A-Za-z_]\w*)$/;
/** `{{ .Values.image.registry }}/{{ …left… }}/` at the end of the text before a name: the map's registry written first. */
const REGISTRY_FIRST = /\{\{-?\s*\$?\.Values\.((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*)\.registry\s*-?\}\}\/\{\{[^{}\n]*\}\}\/$/;

/** The key that every join of the map at `path` writes between the map's own `registry` and its `name`, or null. */
function keyBetween(joins: readonly Join[], path: readonly string[]): string | null {
  const own = joins.filter((join) => join.valuesPath === path.join('.') && !join.printf);
  const keys = new Set<string>();
  for (const join of own) {
    const field = MAP_FIELD.exec(join.left);
    const text = join.template.file.text;
    const at = join.nameAt - join.base;
    const before = REGISTRY_FIRST.exec(text.slice(Math.max(text.lastIndexOf('\n', at - 1) + 1, at - MAX_REGISTRY_LINE), at));
    if (!field || field[1] !== join.valuesPath || before?.[1] !== join.valuesPath) return null;
    keys.add(field[2] ?? '');
  }
  const [key] = keys;
  return keys.size === 1 && key !== undefined && !['registry', 'repository', 'name', 'tag'].includes(key) ? key : null;
}

/** One registry when every join renders the same, else what keeps it from being known. */
function agreed(rendered: readonly RenderedRegistry[]): RenderedRegistry | null {
  const [first] = rendered;
  if (!first) return null;
  const known = new Set(rendered.flatMap((entry) => (entry.known ? [entry.value] : [])));
  const unknown = rendered.find((entry) => !entry.known);
  if (unknown) return unknown;
  if (known.size === 1) return first;
  return { known: false, where: rendered.map((entry) => entry.where).join(', '), why: `they render different registries (${[...known].join(', ')})` };
}

/** A values map that a template merges others into: the maps whose keys fill its empty ones, in order, and where. */
interface ValuesMerge {
  readonly sources: readonly string[];
  readonly where: string;
}

/**
 * What `merge .Values.<path> .Values.<other>` gives each merged values map as its registry, in templates that join a
 * registry so (`{{ .registry }}/{{ .image }}` inside `with (merge …)`); `mergeOverwrite` puts the last map first.
 */
function mergedRegistries(templates: readonly ChartTemplate[], values: unknown): (path: readonly string[]) => RenderedRegistry | null {
  const merges = new Map<string, ValuesMerge[]>();
  for (const template of templates) {
    const text = template.file.text;
    if (!text.includes('merge') || !DOT_REGISTRY_JOINED.test(text)) continue;
    for (const match of text.matchAll(MERGE)) {
      const args = (match[2] ?? '')
        .trim()
        .split(/\s+/)
        .map((arg) => arg.replace(/^\$?\.Values\./, ''));
      const ordered = match[1] === undefined ? args : [...args].reverse();
      const [target, ...sources] = ordered;
      if (target === undefined) continue;
      const list = merges.get(target) ?? [];
      list.push({ sources, where: `${template.path}:${template.file.position(match.index).line}` });
      merges.set(target, list);
    }
  }
  if (merges.size === 0) return () => null;
  return (path) => {
    const found = merges.get(path.join('.'));
    if (!found) return null;
    const rendered = found.map((merge): RenderedRegistry => {
      for (const source of merge.sources) {
        const registry = valuesAt(values, [...source.split('.'), 'registry']);
        if (typeof registry === 'string' && registry !== '') {
          return /^[A-Za-z0-9][\w.-]*(?::\d+)?(?:\/[\w.-]+)*\/?$/.test(registry)
            ? { known: true, value: registry.replace(/\/+$/, ''), where: `${source}.registry, merged in by ${merge.where}` }
            : { known: false, where: `${source}.registry (${merge.where})`, why: `is ${JSON.stringify(registry.slice(0, 80))}` };
        }
      }
      return { known: false, where: merge.where, why: 'merges in no registry with the default values' };
    });
    const known = rendered.filter((entry) => entry.known);
    // A merge that gives no registry leaves the map's own (none): only a registry every merge agrees on is taken.
    return known.length === rendered.length ? agreed(rendered) : null;
  };
}
