import { isMap, isScalar, isSeq, type Document, type YAMLMap } from 'yaml';
import type { SourceFile } from '../core/source-file.js';
import type { Reference } from '../core/types.js';
import { localImageTask } from './ansible-image-modules.js';
import { chartFolders, isChartTemplate } from './helm-template-images.js';
import { isTag } from '../core/image-ref.js';
import { withTagAt } from './make-reference.js';
import { mapEntries, mapGet, stringScalar, walkMaps, yamlSource } from './yaml-source.js';

/**
 * How a scan's YAML and templates use Ansible variables that may hold an image, worked out once over all files:
 * a variable written before `/` and more of a name is a registry prefix; one that names the image of a task that
 * builds it is the repository's own build; one whose every use names an image a task pushes, removes, tags or
 * saves (an image already on the host) names nothing to pull. The templates of a Helm chart are Helm's, not Ansible's:
 * they are not read for it.
 */
export interface VariableUses {
  /** Variables written as `{{ name }}/` (`"{{ csi_image_repo }}/csi-attacher"`): a registry and path that other names extend. */
  readonly prefixes: ReadonlySet<string>;
  /** Variables a task builds an image under (`name: "{{ operator_image }}"` with `source: build`), with where the first such task is. */
  readonly built: ReadonlyMap<string, { readonly file: string; readonly line: number }>;
  /** Variables whose every template use is the image of a task that does not pull it (push, remove, tag, save). */
  readonly localOnly: ReadonlySet<string>;
  /** Name variables and the tag variables the templates join them with (`{{ ldap_image }}:{{ suite_version }}`). */
  readonly tagJoins: ReadonlyMap<string, ReadonlySet<string>>;
}

const TEMPLATE_FILE = /\.(?:ya?ml|j2|jinja2?|tmpl|tpl)$/i;
/** `{{ name }}` and whether `/` follows it. */
const WHOLE_VARIABLE = /\{\{-?\s*([A-Za-z_]\w*)\s*-?\}\}(\/)?/g;
/** `{{ name }}:{{ tag }}`: a name variable joined to a tag variable. */
const TAG_JOIN = /\{\{-?\s*([A-Za-z_]\w*)\s*-?\}\}:\{\{-?\s*([A-Za-z_]\w*)\s*-?\}\}/g;
/** One template expression (bounded: a hostile file may hold one without end). */
const EXPRESSION = /\{\{([^{}]{0,1000})\}\}/g;
/** A name inside an expression, not an attribute (`.image`) or inside a quoted key. */
const NAME = /(?<![\w.'"])[A-Za-z_]\w*/g;
/** Module words a task that works on a local image is written with: parse only files that have one. */
const MODULE_WORD = /docker_image|podman_image|podman_save|podman_tag/;
/** `"{{ name }}"`, with at most a literal tag after it. */
const VARIABLE_IMAGE = /^\{\{\s*([A-Za-z_]\w*)\s*\}\}(?::[\w][\w.-]*)?$/;

export function variableUses(files: readonly SourceFile[]): VariableUses {
  const prefixes = new Set<string>();
  const built = new Map<string, { file: string; line: number }>();
  const uses = new Map<string, number>();
  const localUses = new Map<string, number>();
  const tagJoins = new Map<string, Set<string>>();
  // The templates of a Helm chart are Helm's, not Ansible's.
  const charts = chartFolders(files);
  for (const file of files) {
    if (!TEMPLATE_FILE.test(file.path) || isChartTemplate(file.path, charts)) continue;
    try {
      const text = file.text;
      if (!text.includes('{{')) continue;
      for (const match of text.matchAll(WHOLE_VARIABLE)) if (match[2] === '/' && match[1] !== undefined) prefixes.add(match[1]);
      for (const [, name = '', tag = ''] of text.matchAll(TAG_JOIN)) tagJoins.set(name, (tagJoins.get(name) ?? new Set()).add(tag));
      countUses(text, uses);
      if (!/\.ya?ml$/i.test(file.path) || !MODULE_WORD.test(text)) continue;
      for (const document of yamlSource(file).documents) {
        localImageUses(document.contents, (name, offset, builds) => {
          if (!builds) localUses.set(name, (localUses.get(name) ?? 0) + 1);
          else if (!built.has(name)) built.set(name, { file: file.path, line: file.position(offset).line });
        });
      }
    } catch {
      // A file that cannot be read again is reported when the scan reaches it.
    } finally {
      file.release();
    }
  }
  return { prefixes, built, localOnly: onlyLocal(localUses, uses), tagJoins };
}

/** Counts each name used in a template expression of `text`. */
function countUses(text: string, uses: Map<string, number>): void {
  for (const expression of text.matchAll(EXPRESSION)) {
    for (const name of (expression[1] ?? '').matchAll(NAME)) uses.set(name[0], (uses.get(name[0]) ?? 0) + 1);
  }
}

/** The names whose every template use is the image of a task that does not pull it. */
function onlyLocal(localUses: ReadonlyMap<string, number>, uses: ReadonlyMap<string, number>): Set<string> {
  return new Set([...localUses].filter(([name, count]) => uses.get(name) === count).map(([name]) => name));
}

/** Each variable that the tasks under `root` name as the image they build (`builds`) or work on without pulling it. */
function localImageUses(root: unknown, visit: (name: string, offset: number, builds: boolean) => void): void {
  walkMaps(root, (map) => {
    for (const [module, args] of mapEntries(map)) {
      if (!isMap(args)) continue;
      const task = localImageTask(module, args);
      if (task === null) continue;
      for (const { name, offset } of variableImages(args, task.key)) visit(name, offset, task.builds);
    }
    return undefined;
  });
}

/** The variables a task's image argument names (`name: "{{ image_name }}"`, or each item of a list of names). */
function variableImages(args: YAMLMap, key: string): Array<{ name: string; offset: number }> {
  const node = mapGet(args, key);
  const nodes = isSeq(node) ? node.items : [node];
  const found: Array<{ name: string; offset: number }> = [];
  for (const item of nodes) {
    if (!isScalar(item) || typeof item.value !== 'string' || !item.range) continue;
    const name = VARIABLE_IMAGE.exec(item.value)?.[1];
    if (name !== undefined) found.push({ name, offset: item.range[0] });
  }
  return found;
}

/** An Ansible variable's name as a key: snake_case with at least one `_` (`csi_image_repo`), not a plain field such as `image`. */
const VARIABLE_KEY = /^[A-Za-z]\w*_\w+$|^_\w+$/;

/**
 * The references of a YAML file as the repository's uses of the variables that hold them show them: an image
 * whose name is written under a variable that is a registry prefix, or that only names an image a task pushes,
 * removes, tags or saves, is left out; one under a variable a task builds is the repository's own (`local-stage`).
 */
export function judgeVariableImages(file: SourceFile, documents: readonly Document.Parsed[], references: readonly Reference[], scanUses: (() => VariableUses) | undefined): Reference[] {
  if (scanUses === undefined || references.length === 0) return [...references];
  const localTasks = MODULE_WORD.test(file.text);
  /** The variable each value is written under, and for a block's or play's `vars:`, what its own tasks make of it. */
  const keys = new Map<number, { key: string; scoped: Judgement | null; map: YAMLMap }>();
  const note = (map: YAMLMap, judged: ((key: string) => Judgement) | null): void => {
    for (const [key, node] of mapEntries(map)) {
      // A quoted value's text starts after its quote; the first note of a value (its `vars:` scope) stands.
      if (!VARIABLE_KEY.test(key) || !isScalar(node) || !node.range || keys.has(node.range[0])) continue;
      const entry = { key, scoped: judged === null ? null : judged(key), map };
      keys.set(node.range[0], entry);
      keys.set(node.range[0] + 1, entry);
    }
  };
  for (const document of documents) {
    walkMaps(document.contents, (map) => {
      const vars = mapGet(map, 'vars');
      if (isMap(vars)) {
        // A scope that runs other files' tasks (a role, included tasks) passes its vars on to them: judged as the scan's.
        if (!includesTasks(map)) {
          const scoped = localTasks ? scopedJudgements(file, map, vars) : new Map<string, Judgement>();
          note(vars, (key) => scoped.get(key) ?? 'kept');
        }
      }
      note(map, null);
      return undefined;
    });
  }
  const entries = references.map((reference) => {
    const name = reference.spans.find((span) => span.role === 'reference' || span.role === 'repository');
    return name === undefined ? undefined : keys.get(name.start - file.base);
  });
  if (entries.every((entry) => entry === undefined)) return [...references];
  const uses = scanUses();
  return references.flatMap((reference, index) => {
    const entry = entries[index];
    if (entry === undefined) return [reference];
    const { key, scoped, map } = entry;
    if (uses.prefixes.has(key) || scoped === 'local' || (scoped === null && uses.localOnly.has(key))) return [];
    const built = scoped !== null && typeof scoped === 'object' ? scoped : scoped === null ? uses.built.get(key) : undefined;
    if (built === undefined) return [joinedTag(file, reference, map, key, uses.tagJoins.get(key)) ?? reference];
    if (reference.skip !== null && reference.skip !== 'no-tag') return [reference];
    return [{ ...reference, skip: 'local-stage' as const, detail: [reference.detail, `built in this repository (${built.file}:${built.line})`].filter(Boolean).join('; ') }];
  });
}

/**
 * A bare name under a variable (`ldap_image: registry.example.test/auth/ldap`) that the templates join to one tag variable
 * (`Image={{ ldap_image }}:{{ suite_version }}` in a unit template) set beside it with a literal tag (`suite_version: "2026.1.4"`):
 * the image is `name:tag`, edited in both places. A name joined to several tag variables, or to one set elsewhere or as a
 * template, is left as it is.
 */
function joinedTag(file: SourceFile, reference: Reference, map: YAMLMap, key: string, tags: ReadonlySet<string> | undefined): Reference | null {
  if (reference.skip !== 'no-tag' || tags === undefined || tags.size !== 1) return null;
  const [tagKey = ''] = tags;
  const node = mapGet(map, tagKey);
  const tag = isScalar(node) && node.range && (typeof node.value === 'string' || typeof node.value === 'number') ? (stringScalar(node, file) ?? numberText(file, node.range)) : null;
  if (!tag || !tag.literal || !isTag(tag.value)) return null;
  const joined = withTagAt(file, reference, tag);
  return joined && { ...joined, detail: `the tag is ${tagKey} (line ${file.position(tag.start).line}), which the templates join to ${key}` };
}

/** A tag written as a plain number (`suite_version: 2026.1`), as written. */
function numberText(file: SourceFile, range: readonly [number, number, number]): { value: string; start: number; end: number; literal: boolean } {
  return { value: file.text.slice(range[0], range[1]), start: range[0], end: range[1], literal: true };
}

/** `include_role`, `import_tasks`, a play's `roles:`…: tasks of other files that see the vars of the map that runs them. */
const INCLUDE_KEY = /^(?:ansible\.builtin\.)?(?:include|import)_(?:role|tasks|playbook)$|^(?:roles|include)$/;

function includesTasks(scope: YAMLMap): boolean {
  let found = false;
  walkMaps(scope, (map) => {
    if (found || mapEntries(map).some(([key]) => INCLUDE_KEY.test(key))) found = true;
    return found ? 'skip' : undefined;
  });
  return found;
}

/** What the tasks of a block or play make of a variable its `vars:` sets: built there, only used locally there, or neither. */
type Judgement = { readonly file: string; readonly line: number } | 'local' | 'kept';

/**
 * A block's or play's `vars:` are seen only by its own tasks: a variable set there is judged by the uses in that block
 * (a test file may set `image_name` to an image it only pushes, beside another block that pulls its own `image_name`).
 */
function scopedJudgements(file: SourceFile, scope: YAMLMap, vars: YAMLMap): Map<string, Judgement> {
  const judged = new Map<string, Judgement>();
  if (!scope.range) return judged;
  const uses = new Map<string, number>();
  countUses(file.text.slice(scope.range[0], scope.range[1]), uses);
  const built = new Map<string, { file: string; line: number }>();
  const localUses = new Map<string, number>();
  localImageUses(scope, (name, offset, builds) => {
    if (!builds) localUses.set(name, (localUses.get(name) ?? 0) + 1);
    else if (!built.has(name)) built.set(name, { file: file.path, line: file.position(offset).line });
  });
  const local = onlyLocal(localUses, uses);
  for (const [key] of mapEntries(vars)) {
    const where = built.get(key);
    if (where !== undefined) judged.set(key, where);
    else if (local.has(key)) judged.set(key, 'local');
  }
  return judged;
}
