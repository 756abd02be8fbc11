import { isMap, isPair, isScalar, isSeq, type YAMLMap } from 'yaml';
import type { SourceFile } from '../core/source-file.js';
import type { Reference, ReferenceKind } from '../core/types.js';
import { makeReference } from './make-reference.js';
import { aliasTarget, MAX_DEPTH, mapAt, mapEntries, mapGet, stringScalar, walkMaps } from './yaml-source.js';
import { scalarImage } from './yaml-image-fields.js';

/**
 * CircleCI parameters that an image field runs: `image: << pipeline.parameters.builder >>` runs the pipeline parameter's
 * `default` (top-level `parameters:`) unless a trigger gives another value; `image: << parameters.node >>` in a job (or an
 * executor) runs the value each workflow entry of that job gives (`- test: {node: cimg/node:22.11}`, or each value of its
 * `matrix.parameters`), else the job's own `parameters.node.default`. Those literals are where the images are written: each
 * is reported there (and updated there), the detail naming the parameter and the image lines that use it; the use only passes
 * them on and is not reported. A use whose parameter has no default and no literal value in the file is `templated`.
 */

/** `<< pipeline.parameters.x >>` written as the whole value. */
const PIPELINE_PARAMETER = /^<<\s*pipeline\.parameters\.([\w-]+)\s*>>$/;
/** `<< parameters.x >>` written as the whole value. */
const OWN_PARAMETER = /^<<\s*parameters\.([\w-]+)\s*>>$/;

/** A CircleCI config: `.circleci/` files, or a top-level `version` with `jobs` and `workflows`. */
export function isCircleciConfig(path: string, root: unknown): root is YAMLMap {
  if (!isMap(root) || mapGet(root, 'jobs') === undefined) return false;
  return /(^|\/)\.circleci\//.test(path) || (mapGet(root, 'version') !== undefined && isMap(mapGet(root, 'workflows')));
}

interface Use {
  readonly start: number;
  readonly end: number;
  readonly value: string;
  readonly line: number;
}

/** What the workflows give one parameter of a job: each literal value (a string scalar) and whether some entry gives none. */
interface Given {
  readonly values: unknown[];
  defaulted: boolean;
  entries: number;
}

/**
 * The maps that make up a job's, executor's or parameter's map as YAML merge keys define it: the map itself (or the map an
 * alias names, `build: *defaults`), then each map its `<<` pulls in (`<<: *job_defaults`, `<<: [*a, *b]`), in the order
 * their entries apply, and the maps those pull in.
 */
function mergedMaps(node: unknown, file: SourceFile): YAMLMap[] {
  const maps: YAMLMap[] = [];
  const add = (candidate: unknown, depth: number): void => {
    const map = aliasTarget(candidate, file);
    if (!isMap(map) || maps.includes(map) || depth > MAX_DEPTH) return;
    maps.push(map);
    for (const item of map.items) {
      if (!isPair(item) || !isScalar(item.key) || item.key.value !== '<<') continue;
      for (const source of isSeq(item.value) ? item.value.items : [item.value]) add(source, depth + 1);
    }
  };
  add(node, 0);
  return maps;
}

/** A key's value in a map with its merge keys applied (the map's own entry wins), at each key of a path. */
function mergedAt(node: unknown, file: SourceFile, ...keys: string[]): unknown {
  let current = aliasTarget(node, file);
  for (const key of keys) {
    current = aliasTarget(
      mergedMaps(current, file)
        .map((map) => mapGet(map, key))
        .find((value) => value !== undefined),
      file,
    );
  }
  return current;
}

/** The entries that run each job (workflows) or executor (jobs), by name: each entry's map of parameters (null when it gives none). */
function invocations(file: SourceFile, root: YAMLMap, section: 'jobs' | 'executors'): Map<string, Array<YAMLMap | null>> {
  const found = new Map<string, Array<YAMLMap | null>>();
  const add = (name: string, given: YAMLMap | null): void => {
    found.set(name, [...(found.get(name) ?? []), given]);
  };
  if (section === 'jobs') {
    const workflows = mapGet(root, 'workflows');
    if (!isMap(workflows)) return found;
    for (const [, workflow] of mapEntries(workflows)) {
      const jobs = isMap(workflow) ? mapGet(workflow, 'jobs') : undefined;
      if (!isSeq(jobs)) continue;
      for (const item of jobs.items) {
        if (isScalar(item) && typeof item.value === 'string') add(item.value, null);
        else if (isMap(item) && item.items.length === 1) {
          const [entry] = mapEntries(item);
          // `- test: *node_settings`: the parameters an anchor elsewhere gives.
          const parameters = entry ? aliasTarget(entry[1], file) : undefined;
          if (entry) add(entry[0], isMap(parameters) ? parameters : null);
        }
      }
    }
  } else {
    const jobs = mapGet(root, 'jobs');
    if (!isMap(jobs)) return found;
    for (const [, job] of mapEntries(jobs)) {
      const executor = isMap(job) ? mapGet(job, 'executor') : undefined;
      if (isScalar(executor) && typeof executor.value === 'string') add(executor.value, null);
      else if (isMap(executor)) {
        const name = mapGet(executor, 'name');
        if (isScalar(name) && typeof name.value === 'string') add(name.value, executor);
      }
    }
  }
  return found;
}

/** What the entries that run a job or executor give its parameter `name`. */
function given(entries: ReadonlyArray<YAMLMap | null>, name: string, file: SourceFile): Given {
  const result: Given = { values: [], defaulted: false, entries: entries.length };
  for (const entry of entries) {
    if (entry === null) {
      result.defaulted = true;
      continue;
    }
    const value = mergedAt(entry, file, name);
    const matrix = mergedAt(entry, file, 'matrix', 'parameters', name);
    if (isSeq(matrix)) for (const item of matrix.items) result.values.push(item);
    else if (value !== undefined && value !== null) result.values.push(value);
    else result.defaulted = true;
  }
  return result;
}

/** The use of a parameter at an image field's (or a given value's) string scalar. */
function useOf(file: SourceFile, scalar: { readonly start: number; readonly end: number; readonly value: string }): Use {
  return { start: scalar.start, end: scalar.end, value: scalar.value, line: file.position(scalar.start).line };
}

function lineList(uses: readonly Use[]): string {
  return uses.map((use) => `line ${use.line}`).join(', ');
}

/** The sequences whose items are steps: a job's or command's `steps`, and a workflow entry's `pre-steps` and `post-steps`. */
const STEP_LISTS = new Set(['steps', 'pre-steps', 'post-steps']);
/** Steps that hold other steps (`when: {condition, steps}`): their own steps are read as steps. */
const STEP_BLOCKS = new Set(['when', 'unless']);

/**
 * The parameter maps of a CircleCI config's invocations: each step's (`- docker-build: {image: team/app, tag: …}`, a
 * command of the config or of an orb) and each workflow entry's (`- deploy: {image: …}`, also through an anchor). They are
 * inputs of a command or job, not images that run: what a step does with `image` (build it, push it, save it) is its
 * own. A value that a job's or executor's image field runs is reported by `circleciParameterImages`.
 */
export function circleciInputMaps(file: SourceFile, root: unknown): ReadonlySet<YAMLMap> {
  const inputs = new Set<YAMLMap>();
  if (!isMap(root) || !(isCircleciConfig(file.path, root) || isCircleciSource(root))) return inputs;
  const take = (node: unknown): void => {
    const target = aliasTarget(node, file);
    if (isMap(target)) inputs.add(target);
  };
  walkMaps(root, (map, path) => {
    const list = path.at(-2);
    const step = list !== undefined && STEP_LISTS.has(list) && /^\d+$/.test(path.at(-1) ?? '');
    if (step) for (const [name, value] of mapEntries(map)) if (!STEP_BLOCKS.has(name)) take(value);
    return undefined;
  });
  const workflows = mapGet(root, 'workflows');
  if (isMap(workflows)) {
    for (const [, workflow] of mapEntries(workflows)) {
      const jobs = isMap(workflow) ? mapGet(workflow, 'jobs') : undefined;
      if (!isSeq(jobs)) continue;
      for (const item of jobs.items) if (isMap(item) && item.items.length === 1) for (const [, value] of mapEntries(item)) take(value);
    }
  }
  return inputs;
}

/** A CircleCI configuration or orb written elsewhere: `version` with `jobs`, `workflows`, `executors` or `orbs` at the top. */
function isCircleciSource(root: YAMLMap): boolean {
  return mapGet(root, 'version') !== undefined && ['jobs', 'workflows', 'executors', 'orbs'].some((key) => isMap(mapGet(root, key)));
}

/** The images that CircleCI parameters run in a config: defaults and values given, and the uses that stay `templated`. */
export function circleciParameterImages(file: SourceFile, root: unknown, kind: ReferenceKind): Reference[] {
  if (!isCircleciConfig(file.path, root)) return [];
  const pipelineUses = new Map<string, Use[]>();
  const ownUses = new Map<string, Use[]>();
  const addUse = (uses: Map<string, Use[]>, key: string, use: Use): void => {
    const known = uses.get(key) ?? [];
    if (!known.some((other) => other.start === use.start)) uses.set(key, [...known, use]);
  };
  const imageUses = (node: unknown, visit: (use: Use, scalar: string) => void): void => {
    walkMaps(node, (map) => {
      const scalar = stringScalar(mapGet(map, 'image'), file);
      if (scalar) visit(useOf(file, scalar), scalar.value);
      return undefined;
    });
  };
  imageUses(root, (use, value) => {
    const pipeline = PIPELINE_PARAMETER.exec(value)?.[1];
    if (pipeline !== undefined) addUse(pipelineUses, pipeline, use);
  });
  // A job's or executor's own parameters, also where its map merges in another (`<<: *job_defaults`, whose `docker` and
  // `parameters` the job then has): each such use belongs to every job or executor that merges that map in.
  for (const section of ['jobs', 'executors'] as const) {
    const owners = mapGet(root, section);
    if (!isMap(owners)) continue;
    for (const [owner, body] of mapEntries(owners)) {
      for (const map of mergedMaps(body, file)) {
        imageUses(map, (use, value) => {
          const pipeline = PIPELINE_PARAMETER.exec(value)?.[1];
          if (pipeline !== undefined) addUse(pipelineUses, pipeline, use);
          const own = OWN_PARAMETER.exec(value)?.[1];
          if (own !== undefined) addUse(ownUses, `${section}\u0000${owner}\u0000${own}`, use);
        });
      }
    }
  }
  // A job's parameter given a pipeline parameter (`- build: {image: << pipeline.parameters.builder >>}`) runs that one's default.
  const runs = { jobs: invocations(file, root, 'jobs'), executors: invocations(file, root, 'executors') };
  const passed = new Map<string, Given>();
  for (const key of ownUses.keys()) {
    const [section = 'jobs', owner = '', name = ''] = key.split('\u0000');
    const values = given((section === 'jobs' ? runs.jobs : runs.executors).get(owner) ?? [], name, file);
    passed.set(key, values);
    for (const value of values.values) {
      const scalar = stringScalar(value, file);
      const pipeline = scalar ? PIPELINE_PARAMETER.exec(scalar.value)?.[1] : undefined;
      if (scalar && pipeline !== undefined) {
        pipelineUses.set(pipeline, [...(pipelineUses.get(pipeline) ?? []), useOf(file, scalar)]);
      }
    }
  }
  const references: Reference[] = [];
  const templated = (uses: readonly Use[], detail: string): void => {
    for (const use of uses) references.push(makeReference(file, { kind, value: use.value, parts: [{ role: 'reference', start: use.start, end: use.end }], skip: 'templated', detail }));
  };
  const literal = (node: unknown, detail: string): boolean => {
    const reference = scalarImage(file, node, kind);
    if (!reference) return false;
    references.push({ ...reference, detail: reference.detail === undefined ? detail : `${detail}; ${reference.detail}` });
    return true;
  };
  for (const [name, uses] of pipelineUses) {
    const fallback = mapAt(root, 'parameters', name, 'default');
    const detail = `the default of the pipeline parameter ${name}: image << pipeline.parameters.${name} >> (${lineList(uses)}) runs it unless the pipeline is triggered with another value`;
    if (!literal(fallback, detail)) templated(uses, `the pipeline parameter ${name} has no default written in this file: each pipeline gives it`);
  }
  for (const [key, uses] of ownUses) {
    const [section = 'jobs', owner = '', name = ''] = key.split('\u0000');
    const what = section === 'jobs' ? `job ${owner}` : `executor ${owner}`;
    const values = passed.get(key) ?? { values: [], defaulted: false, entries: 0 };
    const line = lineList(uses);
    let found = false;
    for (const value of values.values) {
      const scalar = stringScalar(value, file);
      if (scalar && PIPELINE_PARAMETER.test(scalar.value)) {
        found = true;
        continue;
      }
      found = literal(value, `the parameter ${name} given to the ${what}, whose image << parameters.${name} >> (${line}) runs it`) || found;
    }
    const fallback = mergedAt(mapAt(root, section, owner), file, 'parameters', name, 'default');
    if (values.defaulted || values.entries === 0) {
      found =
        literal(
          fallback,
          `the default of the parameter ${name} of the ${what}: image << parameters.${name} >> (${line}) runs it where the ${section === 'jobs' ? 'workflow' : 'job'} gives no other value`,
        ) || found;
    }
    if (!found) templated(uses, `the parameter ${name} of the ${what} has no default or value written in this file`);
  }
  // A default or a use that several jobs share through one merged map is reported once, for the first of them.
  const seen = new Set<number | undefined>();
  return references.filter((reference) => {
    const start = reference.spans[0]?.start;
    if (seen.has(start)) return false;
    seen.add(start);
    return true;
  });
}
