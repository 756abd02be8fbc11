import { isMap, isScalar, isSeq, Scalar, type Document, type YAMLMap } from 'yaml';
import type { SourceFile } from '../../../core/source-file.js';
import { deref, mapEntries, mapGet, stringScalar, yamlSource } from '../../yaml-source.js';
import { GITLAB_GLOBAL_KEYS } from './gitlab-ci-sniff.js';
import { effectiveGet, mergeSources } from './gitlab-ci-yaml.js';
import { describeInclude, includeEntries } from './gitlab-ci-outside.js';

/** Where a variable is given its value: the file, the position and the text of the value. */
export interface VariableDefinition {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The value's characters in that file's text (inside the quotes, if quoted). */
  readonly start: number;
  readonly end: number;
  /** Byte offset of the file's text (3 after a UTF-8 BOM): bytes = base + offset. */
  readonly base: number;
  /** The value as GitLab reads it (may use other variables); null when it is not a plain string or integer. */
  readonly text: string | null;
  /** The characters in the file are the value itself (no escapes, no folding): it can be edited in place. */
  readonly editable: boolean;
  /** The quote around the value in the file, when it is quoted. */
  readonly quote?: '"' | "'";
}

/** The text of an image, service or shared string node, and where it is written. */
export interface NodeText {
  readonly text: string;
  readonly file: string;
  readonly line: number;
}

/**
 * What a variable name means in one job's view. `matrix`: `parallel: matrix` gives it several values.
 * `several`: a child pipeline's variable that the trigger jobs starting it pass down with different values.
 * `null`: set by the job in a way archpin cannot read (not a string, an unresolvable `!reference`).
 */
export type VariableBinding = VariableDefinition | 'matrix' | 'conflict' | 'several' | null;

/**
 * The variables one job sees, looked up layer by layer (rule, job, globals) rather than copied into a map per job:
 * a file with thousands of global variables and thousands of jobs would otherwise hold their product.
 */
export interface VariableScope {
  get(name: string): VariableBinding | undefined;
}

/** `top` over `below`: a name `top` binds (null included) is read there only. */
function layered(top: ReadonlyMap<string, VariableBinding>, below: VariableScope): VariableScope {
  return { get: (name) => (top.has(name) ? top.get(name) : below.get(name)) };
}

/** Where a job's `image:` or one of its `services:` comes from. */
type Place = { readonly kind: 'node'; readonly key: string } | { readonly kind: 'reference'; readonly path: readonly string[] };

/** `trigger: forward:` as written: `yaml` for `yaml_variables`, `pipeline` for `pipeline_variables`. */
interface Forward {
  readonly yaml?: boolean;
  readonly pipeline?: boolean;
}

type OwnVariable = VariableDefinition | { readonly kind: 'reference'; readonly path: readonly string[] } | null;

/** One job or hidden template, as written in one file: only what resolving images needs. */
export interface JobModel {
  readonly name: string;
  readonly file: string;
  readonly extends: readonly string[];
  /** Own `variables:` (merge keys honoured), by name. */
  readonly variables: ReadonlyMap<string, OwnVariable>;
  /** `variables: !reference [job, variables]`: the whole block comes from another job. */
  readonly variablesFrom: readonly (readonly string[])[];
  readonly matrix: readonly string[];
  readonly image?: Place;
  /** Own `services:`; an item that is a `!reference` stands for the list it names. */
  readonly services?: readonly Place[];
  /** Where its `services:` list is written (`file:line`), when it has one. */
  readonly servicesAt?: string;
  /** String values under the job, up to three keys deep (path joined by `/`): what a `!reference` may name. */
  readonly leaves: ReadonlyMap<string, string>;
  /** The text of its own image and service nodes and of its leaves, by node key. */
  readonly texts: ReadonlyMap<string, NodeText>;
  /** The keys of its own image and service nodes. */
  readonly images: readonly string[];
  /** It has its own `trigger:`: a trigger job starts another pipeline and runs no image. */
  readonly trigger: boolean;
  /**
   * Its own `trigger: forward:` (absent, or a key absent: not written): whether it passes its YAML variables down
   * (`yaml_variables`, GitLab's default true) and the variables its own pipeline was given (`pipeline_variables`, default false).
   */
  readonly forward?: Forward;
  /** Its own `tags:` (absent: not written), the runner tags that pick where it runs. */
  readonly tags?: readonly string[];
  /** Its own `inherit:` (absent: not written): `default` and `variables`, each all (true), none (false) or the names listed. */
  readonly inherit?: Inherit;
  /** Its own `rules:` (absent: not written), in order. */
  readonly rules?: readonly RuleModel[];
}

/** One entry of a job's `rules:`: where it is written, whether it keeps the job out, and the variables it sets when it matches. */
export interface RuleModel {
  readonly file: string;
  readonly line: number;
  /** `when: never`: a pipeline where it matches does not run the job. */
  readonly never: boolean;
  /** Its `variables:` (null: it sets none, or it is a `!reference` that is not read), each as `variables:` reads it. */
  readonly variables: ReadonlyMap<string, VariableDefinition | null> | null;
}

/** What a job takes from `default:` and from the global `variables:`. */
export interface Inherit {
  readonly default?: boolean | readonly string[];
  readonly variables?: boolean | readonly string[];
}

function inheritOf(job: YAMLMap, document: Document.Parsed): Inherit | undefined {
  const node = deref(effectiveGet(job, 'inherit', document), document);
  if (!isMap(node)) return undefined;
  const read = (key: string): boolean | string[] | undefined => {
    const value = deref(mapGet(node, key), document);
    if (isScalar(value) && typeof value.value === 'boolean') return value.value;
    if (isSeq(value)) return value.items.flatMap((item) => (isScalar(item) && typeof item.value === 'string' ? [item.value] : []));
    return undefined;
  };
  const inherit: { default?: boolean | string[]; variables?: boolean | string[] } = {};
  const defaults = read('default');
  const variables = read('variables');
  if (defaults !== undefined) inherit.default = defaults;
  if (variables !== undefined) inherit.variables = variables;
  return inherit;
}

/**
 * One job as GitLab merges two definitions of the same name (an included file's, then a later file's or
 * the root's): the later one's keys win, `variables:` and shared strings merge by name.
 */
function mergeJob(earlier: JobModel, later: JobModel): JobModel {
  const image = later.image ?? earlier.image;
  const services = later.services ?? earlier.services;
  const servicesAt = later.services ? later.servicesAt : earlier.servicesAt;
  const inherit = later.inherit || earlier.inherit ? { ...earlier.inherit, ...later.inherit } : undefined;
  const rules = later.rules ?? earlier.rules;
  const tags = later.tags ?? earlier.tags;
  const forward = later.forward || earlier.forward ? { ...earlier.forward, ...later.forward } : undefined;
  return {
    name: later.name,
    file: later.file,
    extends: later.extends.length > 0 ? later.extends : earlier.extends,
    variables: new Map([...earlier.variables, ...later.variables]),
    variablesFrom: [...earlier.variablesFrom, ...later.variablesFrom],
    matrix: later.matrix.length > 0 ? later.matrix : earlier.matrix,
    trigger: later.trigger || earlier.trigger,
    ...(forward ? { forward } : {}),
    leaves: new Map([...earlier.leaves, ...later.leaves]),
    texts: new Map([...earlier.texts, ...later.texts]),
    images: [...earlier.images, ...later.images],
    ...(image ? { image } : {}),
    ...(services ? { services } : {}),
    ...(servicesAt === undefined ? {} : { servicesAt }),
    ...(inherit ? { inherit } : {}),
    ...(rules ? { rules } : {}),
    ...(tags ? { tags } : {}),
  };
}

/** What a pipeline's files reach beyond the repository: files read from outside it, includes not read (null: work them out from the files), whether the forge was asked. */
export interface PipelineReach {
  readonly outside: ReadonlySet<string>;
  readonly unread: readonly string[] | null;
  readonly asked: boolean;
  /** The forge was not asked, and why (the notes in `unread` name the includes with it). */
  readonly notAsked?: string;
  /** A child pipeline's: the parent's global variables that its trigger job passes down (they win over the child's own). */
  readonly passed?: ReadonlyMap<string, VariableBinding>;
}

/** The jobs and global variables of one pipeline: a root CI file and what it includes. */
export interface PipelineModel {
  /** Files of the pipeline, the root first. */
  readonly files: readonly string[];
  /** `conflict`: included files define the name differently (and the root does not define it). */
  readonly globals: ReadonlyMap<string, VariableBinding>;
  /** Jobs and templates by name; one defined in several files is merged (included files in order, then the root). */
  readonly jobs: ReadonlyMap<string, JobModel>;
  /** Includes that were not read (`project`, `template` without a forge or when the forge could not give them, `remote`, `component`), as written, with the reason when there is one. */
  readonly unread: readonly string[];
  /** Files of the pipeline that come from outside the repository (other projects, GitLab's templates): never edited. */
  readonly outside: ReadonlySet<string>;
  /** The forge was asked for `include: project`/`template` files (else a scan reads the repository only). */
  readonly asked: boolean;
  /** The forge could not be asked, and why (no forge configured, no token). */
  readonly notAsked?: string;
  /** A child pipeline's: the global variables its trigger job passes down (see `PipelineReach`). */
  readonly passed?: ReadonlyMap<string, VariableBinding>;
  /**
   * A child pipeline's: its global variables as its own files define them, before what was passed down over them. A trigger
   * job of its own forwards these as YAML variables; what was passed down goes further only with `forward: pipeline_variables`.
   */
  readonly yamlGlobals?: ReadonlyMap<string, VariableBinding>;
  /** The text of every image, service and shared string node of its jobs and defaults, by node key. */
  readonly texts: ReadonlyMap<string, NodeText>;
  /** The `default:` (or top-level) image and services nodes, the root's first; the `default:` runner tags. */
  readonly defaults: { readonly image: string | null; readonly services: readonly string[] | null; readonly tags: readonly string[] | null };
}

/** The key under which a YAML node is known across files: its file and its start offset. */
export function nodeKey(file: string, node: unknown): string | null {
  return isScalar(node) || isMap(node) ? (node.range ? `${file}#${node.range[0]}` : null) : null;
}

const REFERENCE_TAG = '!reference';
/** The tags of GitLab's hosted macOS runners: `saas-macos-medium-m1`, `saas-macos-large-m2pro`. */
const MACOS_VM_RUNNER = /^saas-macos-/;

/** The path of a `!reference [job, key, …]` tag, or null. */
export function referencePath(node: unknown): string[] | null {
  if (!isSeq(node) || node.tag !== REFERENCE_TAG) return null;
  const path: string[] = [];
  for (const item of node.items) {
    if (!isScalar(item) || typeof item.value !== 'string') return null;
    path.push(item.value);
  }
  return path.length >= 2 ? path : null;
}

/** A variable's value node as a definition (plain strings and integers; `{value: …}` maps). */
export function definitionOf(name: string, node: unknown, file: SourceFile, document: Document.Parsed): VariableDefinition | null {
  let target = deref(node, document);
  if (isMap(target)) target = deref(mapGet(target, 'value'), document);
  if (!isScalar(target) || !target.range) return null;
  const at = (start: number, end: number, text: string, editable: boolean): VariableDefinition => {
    const { line, column } = file.position(start);
    const before = file.text[start - 1];
    const quote = (before === '"' || before === "'") && file.text[end] === before ? before : undefined;
    return { name, file: file.path, line, column, start, end, base: file.base, text, editable, ...(quote === undefined ? {} : { quote }) };
  };
  if (typeof target.value === 'number' && target.type === Scalar.PLAIN) {
    // GitLab takes `VERSION: 27` as the string "27" (it rejects floats, so a float never reaches a runner).
    const [start, end] = target.range;
    const text = file.text.slice(start, end);
    return /^[0-9][0-9._]*$/.test(text) ? at(start, end, text, true) : null;
  }
  const scalar = stringScalar(target, file);
  if (!scalar) return null;
  return at(scalar.start, scalar.end, scalar.value, scalar.literal);
}

function ownVariables(job: YAMLMap, file: SourceFile, document: Document.Parsed): { variables: Map<string, OwnVariable>; from: string[][] } {
  const variables = new Map<string, OwnVariable>();
  const from: string[][] = [];
  const read = (node: unknown, depth: number): void => {
    const reference = referencePath(node);
    if (reference) {
      from.push(reference);
      return;
    }
    const block = deref(node, document);
    if (!isMap(block) || depth > 20) return;
    for (const source of mergeSources(block, document)) read(source, depth + 1);
    for (const [name, value] of mapEntries(block)) {
      const path = referencePath(value);
      variables.set(name, path ? { kind: 'reference', path } : definitionOf(name, value, file, document));
    }
  };
  read(effectiveGet(job, 'variables', document), 0);
  return { variables, from };
}

/** A job's own `rules:` list (undefined when it has none): each entry's `when: never` and `variables:`. */
function rulesOf(job: YAMLMap, file: SourceFile, document: Document.Parsed): RuleModel[] | undefined {
  const list = deref(effectiveGet(job, 'rules', document), document);
  if (!isSeq(list)) return undefined;
  const rules: RuleModel[] = [];
  for (const item of list.items) {
    const entry = deref(item, document);
    const at = isMap(entry) || isSeq(entry) || isScalar(entry) ? entry.range?.[0] : undefined;
    const line = at === undefined ? 0 : file.position(at).line;
    if (!isMap(entry)) {
      rules.push({ file: file.path, line, never: false, variables: null });
      continue;
    }
    const when = deref(effectiveGet(entry, 'when', document), document);
    const block = deref(effectiveGet(entry, 'variables', document), document);
    let variables: Map<string, VariableDefinition | null> | null = null;
    if (isMap(block)) {
      variables = new Map();
      for (const source of mergeSources(block, document)) for (const [name, value] of mapEntries(source)) variables.set(name, definitionOf(name, value, file, document));
      for (const [name, value] of mapEntries(block)) variables.set(name, definitionOf(name, value, file, document));
    }
    rules.push({ file: file.path, line, never: isScalar(when) && when.value === 'never', variables });
  }
  return rules;
}

function matrixNames(job: YAMLMap, document: Document.Parsed): string[] {
  const parallel = deref(effectiveGet(job, 'parallel', document), document);
  if (!isMap(parallel)) return [];
  const matrix = deref(mapGet(parallel, 'matrix'), document);
  if (!isSeq(matrix)) return [];
  const names: string[] = [];
  for (const entry of matrix.items) {
    const axes = deref(entry, document);
    if (isMap(axes)) for (const [name] of mapEntries(axes)) names.push(name);
  }
  return names;
}

/** An image or service node: the scalar itself, or the `name:` of a map. */
function imageNode(node: unknown, document: Document.Parsed): unknown {
  const target = deref(node, document);
  return isMap(target) ? deref(mapGet(target, 'name'), document) : target;
}

function placeOf(node: unknown, file: SourceFile, document: Document.Parsed): Place | null {
  const path = referencePath(node);
  if (path) return { kind: 'reference', path };
  const target = deref(node, document);
  if (isMap(target)) {
    const name = mapGet(target, 'name');
    const inner = referencePath(name);
    if (inner) return { kind: 'reference', path: inner };
  }
  const key = nodeKey(file.path, imageNode(node, document));
  return key === null ? null : { kind: 'node', key };
}

function addText(texts: Map<string, NodeText>, key: string | null, node: unknown, file: SourceFile): void {
  if (key === null || !isScalar(node) || typeof node.value !== 'string' || !node.range) return;
  texts.set(key, { text: node.value, file: file.path, line: file.position(node.range[0]).line });
}

/** The `default:` image and services of a file (the top-level ones when it has no `default:` for them). */
function fileDefaults(file: SourceFile): { image: string | null; services: string[] | null; tags: string[] | null; texts: Map<string, NodeText> } {
  const texts = new Map<string, NodeText>();
  let image: string | null = null;
  let services: string[] | null = null;
  let tags: string[] | null = null;
  for (const document of yamlSource(file).documents) {
    const root = document.contents;
    if (!isMap(root)) continue;
    const defaults = deref(mapGet(root, 'default'), document);
    if (tags === null && isMap(defaults)) tags = tagsOf(mapGet(defaults, 'tags'), document);
    for (const map of isMap(defaults) ? [defaults, root] : [root]) {
      const imageValue = mapGet(map, 'image');
      if (image === null && imageValue !== undefined) {
        const node = imageNode(imageValue, document);
        image = nodeKey(file.path, node);
        addText(texts, image, node, file);
      }
      const list = deref(mapGet(map, 'services'), document);
      if (services === null && isSeq(list)) {
        services = [];
        for (const item of list.items) {
          const node = imageNode(item, document);
          const key = nodeKey(file.path, node);
          if (key === null) continue;
          services.push(key);
          addText(texts, key, node, file);
        }
      }
    }
  }
  return { image, services, tags, texts };
}

/** The strings of a `tags:` list; null when none is written. */
function tagsOf(node: unknown, document: Document.Parsed): string[] | null {
  const list = deref(node, document);
  if (!isSeq(list)) return null;
  return list.items.flatMap((item) => {
    const target = deref(item, document);
    return isScalar(target) && typeof target.value === 'string' ? [target.value] : [];
  });
}

/** Reads one job or template of a file. */
export function jobModel(name: string, job: YAMLMap, file: SourceFile, document: Document.Parsed): JobModel {
  const extendsNode = deref(effectiveGet(job, 'extends', document), document);
  const names = isSeq(extendsNode) ? extendsNode.items : [extendsNode];
  const parents = names.flatMap((item) => (isScalar(item) && typeof item.value === 'string' ? [item.value] : []));
  const { variables, from } = ownVariables(job, file, document);
  const inherit = inheritOf(job, document);
  const rules = rulesOf(job, file, document);
  const imageValue = effectiveGet(job, 'image', document);
  const image = imageValue === undefined ? null : placeOf(imageValue, file, document);
  const tags = tagsOf(effectiveGet(job, 'tags', document), document);
  const servicesValue = effectiveGet(job, 'services', document);
  let services: Place[] | undefined;
  let servicesAt: string | undefined;
  if (servicesValue !== undefined) {
    const at = deref(servicesValue, document);
    if ((isSeq(at) || isScalar(at)) && at.range) servicesAt = `${file.path}:${file.position(at.range[0]).line}`;
    const whole = referencePath(servicesValue);
    const list = deref(servicesValue, document);
    if (whole) services = [{ kind: 'reference', path: whole }];
    else if (isSeq(list)) services = list.items.flatMap((item) => placeOf(item, file, document) ?? []);
    else services = [];
  }
  const leaves = new Map<string, string>();
  const texts = new Map<string, NodeText>();
  const collect = (map: YAMLMap, prefix: string, depth: number): void => {
    for (const [key, value] of mapEntries(map)) {
      const target = deref(value, document);
      const path = prefix === '' ? key : `${prefix}/${key}`;
      const nodeAt = isScalar(target) && typeof target.value === 'string' ? nodeKey(file.path, target) : null;
      if (nodeAt !== null) {
        leaves.set(path, nodeAt);
        if (path.includes('/')) addText(texts, nodeAt, target, file);
      } else if (isMap(target) && depth < 3) collect(target, path, depth + 1);
    }
  };
  collect(job, '', 1);
  const images: string[] = [];
  const serviceList = deref(servicesValue, document);
  for (const node of [...(imageValue === undefined ? [] : [imageValue]), ...(isSeq(serviceList) ? serviceList.items : [])]) {
    const target = imageNode(node, document);
    const key = nodeKey(file.path, target);
    if (key === null || !isScalar(target)) continue;
    images.push(key);
    addText(texts, key, target, file);
  }
  return {
    name,
    file: file.path,
    extends: parents,
    leaves,
    texts,
    images,
    ...(inherit ? { inherit } : {}),
    ...(rules ? { rules } : {}),
    variables,
    variablesFrom: from,
    matrix: matrixNames(job, document),
    trigger: effectiveGet(job, 'trigger', document) !== undefined,
    ...forwardOf(job, document),
    ...(tags ? { tags } : {}),
    ...(image ? { image } : {}),
    ...(services ? { services } : {}),
    ...(servicesAt === undefined ? {} : { servicesAt }),
  };
}

/** `trigger: {forward: {yaml_variables: false, pipeline_variables: true}}`: what the trigger job passes down, where written. */
function forwardOf(job: YAMLMap, document: Document.Parsed): { forward?: Forward } {
  const trigger = effectiveGet(job, 'trigger', document);
  const node = isMap(trigger) ? mapGet(trigger, 'forward') : undefined;
  if (!isMap(node)) return {};
  const flag = (key: string): boolean | undefined => {
    const value = mapGet(node, key);
    return isScalar(value) && typeof value.value === 'boolean' ? value.value : undefined;
  };
  const [yaml, pipeline] = [flag('yaml_variables'), flag('pipeline_variables')];
  return yaml === undefined && pipeline === undefined ? {} : { forward: { ...(yaml === undefined ? {} : { yaml }), ...(pipeline === undefined ? {} : { pipeline }) } };
}

/** The global `variables:` of a CI file, each with where its value is written. */
export function fileGlobals(file: SourceFile): Map<string, VariableDefinition | null> {
  const found = new Map<string, VariableDefinition | null>();
  for (const document of yamlSource(file).documents) {
    const root = document.contents;
    if (!isMap(root)) continue;
    const block = deref(mapGet(root, 'variables'), document);
    if (!isMap(block)) continue;
    for (const source of mergeSources(block, document)) {
      for (const [name, node] of mapEntries(source)) if (!found.has(name)) found.set(name, definitionOf(name, node, file, document));
    }
    for (const [name, node] of mapEntries(block)) found.set(name, definitionOf(name, node, file, document));
  }
  return found;
}

/** The jobs and templates of a CI file (top-level maps that are not GitLab's global keywords). */
export function fileJobs(file: SourceFile): JobModel[] {
  const jobs: JobModel[] = [];
  for (const document of yamlSource(file).documents) {
    const root = document.contents;
    if (!isMap(root)) continue;
    for (const [name, value] of mapEntries(root)) {
      const job = deref(value, document);
      if (!GITLAB_GLOBAL_KEYS.has(name) && isMap(job)) jobs.push(jobModel(name, job, file, document));
    }
  }
  return jobs;
}

/**
 * Builds the model of one pipeline from its files, the root first. A global variable that included
 * files define differently (and the root does not define) is null: which value a job sees depends on
 * include order that GitLab merges, so it is not guessed.
 */
export function pipelineModel(members: readonly SourceFile[], reach: PipelineReach): PipelineModel {
  const globals = new Map<string, VariableBinding>();
  const jobs = new Map<string, JobModel>();
  const texts = new Map<string, NodeText>();
  let defaults: PipelineModel['defaults'] = { image: null, services: null, tags: null };
  const root = members[0]?.path;
  members.forEach((member, index) => {
    const own = fileDefaults(member);
    for (const [key, text] of own.texts) texts.set(key, text);
    defaults = { image: defaults.image ?? own.image, services: defaults.services ?? own.services, tags: defaults.tags ?? own.tags };
    for (const [name, definition] of fileGlobals(member)) {
      if (!globals.has(name)) globals.set(name, definition);
      else if (index > 0) {
        const known = globals.get(name);
        if (typeof known === 'object' && known !== null && known.file !== root && known.text !== definition?.text) globals.set(name, 'conflict');
      }
    }
  });
  // What a trigger job passes down is a variable of the child pipeline, over those of its own files (as GitLab ranks them).
  const yamlGlobals = reach.passed === undefined ? undefined : new Map(globals);
  for (const [name, definition] of reach.passed ?? []) globals.set(name, definition);
  const perFile = members.map(fileJobs);
  for (const job of perFile.flat()) for (const [key, text] of job.texts) texts.set(key, text);
  // A job defined in several files is merged as GitLab does: included files in order, the root last (it wins).
  for (const list of [...perFile.slice(1), ...perFile.slice(0, 1)]) {
    for (const job of list) {
      const known = jobs.get(job.name);
      jobs.set(job.name, known ? mergeJob(known, job) : job);
    }
  }
  const unread = reach.unread ?? [
    ...new Set(members.flatMap((member) => includeEntries(member, null).flatMap((entry) => (entry.kind === 'local' || entry.child !== undefined ? [] : [describeInclude(entry)])))),
  ];
  return {
    files: members.map((member) => member.path),
    globals,
    jobs,
    unread,
    outside: reach.outside,
    asked: reach.asked,
    ...(reach.notAsked === undefined ? {} : { notAsked: reach.notAsked }),
    ...(reach.passed === undefined ? {} : { passed: reach.passed }),
    ...(yamlGlobals === undefined ? {} : { yamlGlobals }),
    texts,
    defaults,
  };
}

/** One kind of pipeline a job runs in: the rule that set its variables (null: none did) and the variables it then sees. */
export interface ScopeVariant {
  readonly rule: RuleModel | null;
  readonly scope: VariableScope;
  /** More rules set other values than are read (MAX_VARIANTS). */
  readonly cut?: boolean;
}

/** Distinct `rules: variables` sets read per job; more leave its images templated. */
const MAX_VARIANTS = 16;

/** GitLab follows `extends` at most this deep; deeper chains are an error there, and cut here. */
const MAX_EXTENDS = 11;

/**
 * Resolves jobs against one pipeline: what each job inherits through `extends:` and takes through
 * `!reference`. Every answer is computed once per job: a job that extends many templates, each extending many
 * more, is otherwise read once per path to it, which grows as the width to the power of the depth.
 */
export class PipelineView {
  private readonly images = new Map<string, string | null>();
  private readonly serviceLists = new Map<string, readonly string[] | null>();
  private readonly scopes = new Map<string, VariableScope>();
  private readonly variants = new Map<string, readonly ScopeVariant[]>();
  private readonly triggers = new Map<string, boolean>();
  private readonly forwardTables = { yaml: new Map<string, boolean | null>(), pipeline: new Map<string, boolean | null>() };
  private readonly tagLists = new Map<string, readonly string[] | null>();
  private readonly ruleLists = new Map<string, readonly RuleModel[] | null>();
  private readonly matrices = new Map<string, readonly string[] | null>();
  private readonly inheritedVariables = new Map<string, ReadonlyMap<string, VariableBinding>>();

  constructor(readonly model: PipelineModel) {}

  /** `compute()` for `job`, kept in `table` when `job` is the pipeline's job of that name (not a stand-in). */
  private once<T>(table: Map<string, T>, job: JobModel, compute: () => T): T {
    const shared = this.model.jobs.get(job.name) === job;
    if (shared && table.has(job.name)) return table.get(job.name) as T;
    const found = compute();
    if (shared) table.set(job.name, found);
    return found;
  }

  /** The first answer `read` gives for a parent of `job`, the last parent first (the last one `extends:` names wins), kept per job. */
  private fromParents<T>(table: Map<string, T | null>, job: JobModel, depth: number, read: (parent: JobModel, depth: number) => T | null): T | null {
    return this.once(table, job, () => {
      for (const parent of [...job.extends].reverse()) {
        const model = this.model.jobs.get(parent);
        const found = model ? read(model, depth + 1) : null;
        if (found !== null) return found;
      }
      return null;
    });
  }

  /** One `inherit:` key of a job: its own, else the last parent's that sets it (true when none does). */
  inherits(job: JobModel, key: 'default' | 'variables', name: string, depth = 0): boolean {
    const own = job.inherit?.[key];
    if (own !== undefined) return own === true || (Array.isArray(own) && own.includes(name));
    if (depth > MAX_EXTENDS) return true;
    for (const parent of [...job.extends].reverse()) {
      const model = this.model.jobs.get(parent);
      if (model?.inherit?.[key] !== undefined || model?.extends.length) return this.inherits(model, key, name, depth + 1);
    }
    return true;
  }

  /** A trigger job (its own `trigger:` or one it extends) starts another pipeline and runs no image or services. */
  isTrigger(job: JobModel, depth = 0): boolean {
    if (job.trigger) return true;
    if (depth > MAX_EXTENDS) return false;
    return this.once(this.triggers, job, () =>
      job.extends.some((parent) => {
        const model = this.model.jobs.get(parent);
        return model !== undefined && this.isTrigger(model, depth + 1);
      }),
    );
  }

  /**
   * The variables a trigger job passes down to the pipeline it starts, by name. Its YAML variables (GitLab's
   * `forward: yaml_variables`, true unless the job or one it extends says false): the global variables it inherits as this
   * pipeline's files define them, then its own and those it inherits from other jobs, which win; a `parallel: matrix` axis
   * and a variable its `rules:` set pass several values. What this pipeline was itself passed down goes further only with
   * `forward: pipeline_variables` (false unless set); a name passed both ways with different values is `several`.
   */
  forwardedVariables(job: JobModel): Map<string, VariableBinding> {
    const passed = new Map<string, VariableBinding>();
    if (this.forwards(job, 'yaml', 0) ?? true) {
      for (const [name, definition] of this.model.yamlGlobals ?? this.model.globals) if (this.inherits(job, 'variables', name)) passed.set(name, definition);
      for (const [name, binding] of this.inherited(job, 0)) passed.set(name, binding);
      for (const name of this.matrixOf(job, 0)) passed.set(name, 'several');
      // A variable its `rules:` set goes down with the value of whichever rule matched: not one value to resolve with.
      for (const rule of this.rulesOf(job) ?? []) if (!rule.never) for (const name of rule.variables?.keys() ?? []) passed.set(name, 'several');
    }
    if (this.forwards(job, 'pipeline', 0) ?? false) {
      for (const [name, binding] of this.model.passed ?? []) passed.set(name, passed.has(name) && passed.get(name) !== binding ? 'several' : binding);
    }
    return passed;
  }

  /** One `forward:` key of a job: its own, else the last parent's that sets it (`extends:` merges `trigger:` as a hash); null when none does. */
  private forwards(job: JobModel, key: keyof Forward, depth: number): boolean | null {
    const own = job.forward?.[key];
    if (own !== undefined || depth > MAX_EXTENDS) return own ?? null;
    return this.fromParents(this.forwardTables[key], job, depth, (parent, next) => this.forwards(parent, key, next));
  }

  /** The runner tags of a job: its own, else the last parent's that has them, else the `default:` tags unless `inherit: default:` leaves them out. */
  tagsOf(job: JobModel): readonly string[] | null {
    return this.ownTagsOf(job, 0) ?? (this.inherits(job, 'default', 'tags') ? this.model.defaults.tags : null);
  }

  /** A job's own runner tags, else the last parent's that has them. */
  private ownTagsOf(job: JobModel, depth: number): readonly string[] | null {
    if (job.tags) return job.tags;
    if (depth > MAX_EXTENDS) return null;
    return this.fromParents(this.tagLists, job, depth, (parent, next) => this.ownTagsOf(parent, next));
  }

  /**
   * A job on one of GitLab's hosted macOS runners (a `saas-macos-…` tag): the runner starts a virtual machine,
   * and the job's `image:` names its macOS and Xcode VM image (`macos-14-xcode-15`), not a container image.
   */
  runsOnMacosVm(job: JobModel): boolean {
    return this.tagsOf(job)?.some((tag) => MACOS_VM_RUNNER.test(tag)) === true;
  }

  /** The image a job runs: its own or inherited one, else the `default:` image unless `inherit: default:` leaves it out. */
  runImageOf(job: JobModel): string | null {
    return this.imageOf(job) ?? (this.inherits(job, 'default', 'image') ? this.model.defaults.image : null);
  }

  /** The services a job runs: its own or inherited list, else the `default:` services unless `inherit: default:` leaves them out. */
  runServicesOf(job: JobModel): readonly string[] | null {
    return this.servicesOf(job) ?? (this.inherits(job, 'default', 'services') ? this.model.defaults.services : null);
  }

  /** The node key of a job's image, through its own `image:`, `!reference` and `extends:` (the last parent wins). */
  imageOf(job: JobModel, depth = 0): string | null {
    const memo = this.images.get(job.name);
    if (memo !== undefined && this.model.jobs.get(job.name) === job) return memo;
    let found: string | null = null;
    if (depth <= MAX_EXTENDS) {
      if (job.image) found = this.place(job.image, 'image', depth);
      else {
        for (const parent of [...job.extends].reverse()) {
          const model = this.model.jobs.get(parent);
          found = model ? this.imageOf(model, depth + 1) : null;
          if (found !== null) break;
        }
      }
    }
    if (this.model.jobs.get(job.name) === job) this.images.set(job.name, found);
    return found;
  }

  /** The node keys of a job's services (a list is replaced, never merged, by `extends:`). */
  servicesOf(job: JobModel, depth = 0): readonly string[] | null {
    const memo = this.serviceLists.get(job.name);
    if (memo !== undefined && this.model.jobs.get(job.name) === job) return memo;
    let found: readonly string[] | null = null;
    if (depth <= MAX_EXTENDS) {
      if (job.services) {
        const keys: string[] = [];
        for (const place of job.services) {
          if (place.kind === 'node') keys.push(place.key);
          else {
            const target = this.model.jobs.get(place.path[0] ?? '');
            if (!target) continue;
            if (place.path.length === 2 && place.path[1] === 'services') keys.push(...(this.servicesOf(target, depth + 1) ?? []));
            else {
              const leaf = target.leaves.get(place.path.slice(1).join('/'));
              if (leaf !== undefined) keys.push(leaf);
            }
          }
        }
        found = keys;
      } else {
        for (const parent of [...job.extends].reverse()) {
          const model = this.model.jobs.get(parent);
          found = model ? this.servicesOf(model, depth + 1) : null;
          if (found !== null) break;
        }
      }
    }
    if (this.model.jobs.get(job.name) === job) this.serviceLists.set(job.name, found);
    return found;
  }

  private place(place: Place, key: 'image', depth: number): string | null {
    if (place.kind === 'node') return place.key;
    const [name, field, sub] = place.path;
    const target = this.model.jobs.get(name ?? '');
    if (!target) return null;
    if (field === key && (sub === undefined || sub === 'name')) return this.imageOf(target, depth + 1);
    // `!reference [.images, ruby]`: a string kept under a template for jobs to share.
    return target.leaves.get(place.path.slice(1).join('/')) ?? null;
  }

  /** The variables a job sees: globals, then what it inherits (`extends:` in order), then its own; matrix axes last. */
  scopeOf(job: JobModel): VariableScope {
    const shared = this.model.jobs.get(job.name) === job;
    const memo = shared ? this.scopes.get(job.name) : undefined;
    if (memo) return memo;
    // `inherit: variables: false` (or a list) keeps the global variables out of the job (or all but those named).
    const globals: VariableScope = { get: (name) => (this.inherits(job, 'variables', name) ? this.model.globals.get(name) : undefined) };
    const own = new Map(this.inherited(job, 0));
    for (const name of this.matrixOf(job, 0)) own.set(name, 'matrix');
    const scope = layered(own, globals);
    if (shared) this.scopes.set(job.name, scope);
    return scope;
  }

  /** A job's `rules:`: its own, else the last parent's that has them (`extends:` replaces a list, never merges it). */
  rulesOf(job: JobModel, depth = 0): readonly RuleModel[] | undefined {
    if (job.rules || depth > MAX_EXTENDS) return job.rules;
    return this.fromParents(this.ruleLists, job, depth, (parent, next) => this.rulesOf(parent, next) ?? null) ?? undefined;
  }

  /**
   * The variables a job sees in each kind of pipeline its `rules:` let it run in: the variables of a rule that
   * matches are set over the job's own (not over `parallel: matrix` axes). `rule` is null for the job's
   * variables as written (no rules, or a rule without `variables:`); a rule with `when: never` runs nothing.
   * Rules that set the same values are one variant, the first of them named; at most MAX_VARIANTS are read.
   */
  variantsOf(job: JobModel): readonly ScopeVariant[] {
    const shared = this.model.jobs.get(job.name) === job;
    const memo = shared ? this.variants.get(job.name) : undefined;
    if (memo) return memo;
    const scope = this.scopeOf(job);
    const rules = this.rulesOf(job);
    const variants: ScopeVariant[] = [];
    const seen = new Set<string>();
    let base = rules === undefined;
    let cut = false;
    for (const rule of rules ?? []) {
      if (rule.never) continue;
      if (rule.variables === null || rule.variables.size === 0) {
        base = true;
        continue;
      }
      const signature = JSON.stringify([...rule.variables].map(([name, definition]) => [name, definition === null ? null : `${definition.file}#${definition.start}`]));
      if (seen.has(signature)) continue;
      if (seen.size >= MAX_VARIANTS) {
        cut = true;
        continue;
      }
      seen.add(signature);
      const overlaid = new Map<string, VariableBinding>();
      for (const [name, definition] of rule.variables) if (scope.get(name) !== 'matrix') overlaid.set(name, definition);
      variants.push({ rule, scope: layered(overlaid, scope) });
    }
    // Rules that all end in `when: never` (or an empty list) leave the job out of every pipeline; it is read as written.
    if (base || variants.length === 0) variants.unshift({ rule: null, scope });
    const found = cut ? variants.map((variant) => ({ ...variant, cut: true })) : variants;
    if (shared) this.variants.set(job.name, found);
    return found;
  }

  private matrixOf(job: JobModel, depth: number): readonly string[] {
    if (job.matrix.length > 0 || depth > MAX_EXTENDS) return job.matrix;
    return (
      this.fromParents(this.matrices, job, depth, (parent, next) => {
        const names = this.matrixOf(parent, next);
        return names.length > 0 ? names : null;
      }) ?? []
    );
  }

  /** A job's own and inherited variables (no globals): parents in `extends:` order, then its own. */
  private inherited(job: JobModel, depth: number): ReadonlyMap<string, VariableBinding> {
    if (depth > MAX_EXTENDS) return new Map();
    return this.once(this.inheritedVariables, job, () => this.readInherited(job, depth));
  }

  private readInherited(job: JobModel, depth: number): Map<string, VariableBinding> {
    const result = new Map<string, VariableBinding>();
    for (const parent of job.extends) {
      const model = this.model.jobs.get(parent);
      if (model) for (const [name, binding] of this.inherited(model, depth + 1)) result.set(name, binding);
    }
    for (const path of job.variablesFrom) {
      const target = this.model.jobs.get(path[0] ?? '');
      if (target && path.length === 2 && path[1] === 'variables') for (const [name, binding] of this.inherited(target, depth + 1)) result.set(name, binding);
    }
    for (const [name, own] of job.variables) {
      if (own === null || !('kind' in own)) {
        result.set(name, own);
        continue;
      }
      const [source, field, variable] = own.path;
      const target = this.model.jobs.get(source ?? '');
      result.set(name, target && field === 'variables' && variable !== undefined ? (this.inherited(target, depth + 1).get(variable) ?? null) : null);
    }
    return result;
  }
}
