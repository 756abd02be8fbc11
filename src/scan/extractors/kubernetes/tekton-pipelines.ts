import { isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import { parseImageRef } from '../../../core/image-ref.js';
import type { SourceFile } from '../../../core/source-file.js';
import type { Reference, Span } from '../../../core/types.js';
import { makeSpan, withValue } from '../../make-reference.js';
import { PARAM_IMAGE, PARAM_USE } from '../../tekton-params.js';
import { isYamlPath, looksLikeImageText, scalarImage, yamlValueText } from '../../yaml-image-fields.js';
import { mapGet, scalarText, walkMaps, yamlSource } from '../../yaml-source.js';
import { escapeRegExp } from '../../../core/regexp.js';

/**
 * Tekton tasks and pipelines across the files of a scan: which parameters a task's steps push an image to (a build's
 * output, not an image anything pulls), which a pipeline hands on to such a parameter, and which parameters of a task
 * its callers (pipeline tasks, TaskRuns) give a value.
 */
export interface TektonFacts {
  /** Task and ClusterTask names → the parameters their steps push to. */
  readonly taskPushes: ReadonlyMap<string, ReadonlySet<string>>;
  /** Pipeline names → the parameters their tasks push to. */
  readonly pipelinePushes: ReadonlyMap<string, ReadonlySet<string>>;
  /** Task names → the parameters a pipeline task or a TaskRun gives, with where the first one is given. */
  readonly given: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

const TEKTON_OBJECT = /^[ \t]*apiVersion:[ \t]*["']?tekton\.dev\//m;

/**
 * Build tasks of the Tekton catalog (Tekton Hub, OpenShift Pipelines) whose `IMAGE` parameter names the image they build
 * and push: a pipeline that refers to one by name without defining it in the repository uses the catalog's.
 */
const CATALOG_BUILD_TASK = /^(?:kaniko|buildah|buildpacks(?:-phases)?|jib-(?:maven|gradle)|s2i(?:-[a-z0-9]+)?)$/;
const CATALOG_OUTPUT = 'IMAGE';

function items(node: unknown): YAMLMap[] {
  return isSeq(node) ? node.items.filter((item): item is YAMLMap => isMap(item)) : [];
}

/** What a step writes: its script, and its command and arguments joined as a shell would see them. */
function stepText(step: YAMLMap): string {
  const words = [mapGet(step, 'command'), mapGet(step, 'args')].flatMap((node) => (isSeq(node) ? node.items.map((item) => scalarText(item) ?? '') : []));
  return [scalarText(mapGet(step, 'script')) ?? '', words.join(' ')].join('\n');
}

/**
 * Does the text push to this use (`$(params.IMAGE)`, or an environment variable the step sets to it): kaniko's
 * `--destination`, a `docker`, `podman` or `buildah` `push` line, or the `IMAGE_URL` result a build task records.
 */
function pushesTo(written: string, use: string): boolean {
  return (
    new RegExp(`--destination(?:=|\\s+)["']?${use}`).test(written) ||
    new RegExp(`\\b(?:docker|podman|buildah)\\s+(?:image\\s+)?push\\b[^\\n]*${use}`).test(written) ||
    new RegExp(`${use}[^\\n]*\\$\\(results\\.IMAGE_URL\\.path\\)`).test(written)
  );
}

/** The parameters a task spec's steps push to. */
function stepsPush(spec: YAMLMap): Set<string> {
  const declared = items(mapGet(spec, 'params'))
    .map((param) => scalarText(mapGet(param, 'name')))
    .filter((name): name is string => name !== null);
  const pushed = new Set<string>();
  for (const step of items(mapGet(spec, 'steps'))) {
    const written = stepText(step);
    for (const name of declared) {
      const param = `\\$\\((?:inputs\\.)?params\\.${escapeRegExp(name)}\\)`;
      const uses = [param];
      // `env: [{name: IMAGE, value: $(params.IMAGE)}]` and then `--destination "$IMAGE"` in the script.
      for (const env of items(mapGet(step, 'env'))) {
        const variable = scalarText(mapGet(env, 'name'));
        if (variable !== null && new RegExp(`^${param}$`).test(scalarText(mapGet(env, 'value')) ?? '')) uses.push(`\\$\\{?${escapeRegExp(variable)}\\b\\}?`);
      }
      if (uses.some((use) => pushesTo(written, use))) pushed.add(name);
    }
  }
  return pushed;
}

/** The name a map refers to (`taskRef: {name: kaniko}`, `pipelineRef: {name: build}`). */
function refName(map: YAMLMap, key: string): string | null {
  const ref = mapGet(map, key);
  return isMap(ref) ? scalarText(mapGet(ref, 'name')) : null;
}

/** What a pipeline task or TaskRun (a map with `taskRef` or `taskSpec`) pushes to, by the task's parameter names. */
function taskTargets(map: YAMLMap, taskPushes: ReadonlyMap<string, ReadonlySet<string>>): ReadonlySet<string> {
  const spec = mapGet(map, 'taskSpec');
  if (isMap(spec)) return stepsPush(spec);
  const name = refName(map, 'taskRef');
  if (name === null) return new Set();
  return taskPushes.get(name) ?? (CATALOG_BUILD_TASK.test(name) ? new Set([CATALOG_OUTPUT]) : new Set());
}

/** The parameters of a pipeline spec whose value its tasks hand on whole (`value: $(params.image-reference)`) to a parameter they push to. */
function pipelinePush(spec: YAMLMap, taskPushes: ReadonlyMap<string, ReadonlySet<string>>): Set<string> {
  const pushed = new Set<string>();
  for (const task of [...items(mapGet(spec, 'tasks')), ...items(mapGet(spec, 'finally'))]) {
    const targets = taskTargets(task, taskPushes);
    if (targets.size === 0) continue;
    for (const param of items(mapGet(task, 'params'))) {
      const name = scalarText(mapGet(param, 'name'));
      const passed = PARAM_IMAGE.exec(scalarText(mapGet(param, 'value'))?.trim() ?? '')?.[1];
      if (name !== null && passed !== undefined && targets.has(name)) pushed.add(passed);
    }
  }
  return pushed;
}

function kindOf(root: unknown): string | null {
  return isMap(root) && (scalarText(mapGet(root, 'apiVersion')) ?? '').startsWith('tekton.dev/') ? scalarText(mapGet(root, 'kind')) : null;
}

function metadataName(root: YAMLMap): string | null {
  const metadata = mapGet(root, 'metadata');
  return isMap(metadata) ? scalarText(mapGet(metadata, 'name')) : null;
}

/** The Tekton objects of the scan's YAML files, read once. */
export function tektonFacts(files: readonly SourceFile[]): TektonFacts {
  const roots: YAMLMap[] = [];
  for (const file of files) {
    if (!isYamlPath(file.path) || !TEKTON_OBJECT.test(file.text)) continue;
    for (const document of yamlSource(file).documents) if (kindOf(document.contents) !== null) roots.push(document.contents as YAMLMap);
  }
  const taskPushes = new Map<string, ReadonlySet<string>>();
  const pipelinePushes = new Map<string, ReadonlySet<string>>();
  const given = new Map<string, Map<string, string>>();
  for (const root of roots) {
    const name = metadataName(root);
    const spec = mapGet(root, 'spec');
    if (name !== null && isMap(spec) && (kindOf(root) === 'Task' || kindOf(root) === 'ClusterTask')) taskPushes.set(name, stepsPush(spec));
  }
  for (const root of roots) {
    const name = metadataName(root);
    const spec = mapGet(root, 'spec');
    if (name !== null && isMap(spec) && kindOf(root) === 'Pipeline') pipelinePushes.set(name, pipelinePush(spec, taskPushes));
    walkMaps(root, (map) => {
      const task = refName(map, 'taskRef');
      if (task === null) return undefined;
      const byParam = given.get(task) ?? new Map<string, string>();
      given.set(task, byParam);
      const caller = `${kindOf(root) ?? 'a Tekton object'} ${metadataName(root) ?? ''}`.trim();
      for (const param of items(mapGet(map, 'params'))) {
        const paramName = scalarText(mapGet(param, 'name'));
        if (paramName !== null && !byParam.has(paramName)) byParam.set(paramName, caller);
      }
      return undefined;
    });
  }
  return { taskPushes, pipelinePushes, given };
}

/**
 * The parameter entries of a Tekton object (`{name, value}` a run or a pipeline task gives, `{name, default}` a pipeline
 * or task declares) whose value is pushed, not pulled: given to a task parameter whose steps push to it (kaniko's
 * `--destination=$(params.IMAGE)`), to the `IMAGE` of a catalog build task the repository does not define
 * (`taskRef: {name: kaniko}`), or to a pipeline parameter that its tasks hand on whole to such a parameter.
 */
export function pushedParamEntries(root: unknown, facts: TektonFacts | undefined): Set<YAMLMap> {
  const entries = new Set<YAMLMap>();
  if (kindOf(root) === null) return entries;
  const taskPushes = facts?.taskPushes ?? new Map<string, ReadonlySet<string>>();
  walkMaps(root, (map) => {
    const params = items(mapGet(map, 'params'));
    if (params.length === 0) return undefined;
    const targets = new Set<string>();
    const add = (names: ReadonlySet<string>): void => names.forEach((name) => targets.add(name));
    if (mapGet(map, 'taskRef') !== undefined || isMap(mapGet(map, 'taskSpec'))) add(taskTargets(map, taskPushes));
    const pipelineSpec = mapGet(map, 'pipelineSpec');
    if (isMap(pipelineSpec)) add(pipelinePush(pipelineSpec, taskPushes));
    const pipeline = refName(map, 'pipelineRef');
    if (pipeline !== null) add(facts?.pipelinePushes.get(pipeline) ?? new Set());
    if (isSeq(mapGet(map, 'steps'))) add(stepsPush(map));
    if (isSeq(mapGet(map, 'tasks'))) add(pipelinePush(map, taskPushes));
    for (const param of params) if (targets.has(scalarText(mapGet(param, 'name')) ?? '')) entries.add(param);
    return undefined;
  });
  return entries;
}

interface TaskParameter {
  readonly name: string;
  readonly line: number;
  readonly span: Span | null;
  readonly value: string | null;
}

/**
 * An image a Task's step writes with its parameters in part (`docker.io/library/python:$(params.version)`), resolved with
 * the parameters' `default`s when each is a plain literal and no pipeline task or TaskRun of the scan gives it: the
 * image the task runs, reported where the step writes it and edited in the default, as a Dockerfile `ARG` default is.
 * A parameter without a default, or one a caller gives, leaves it `templated`.
 */
export function throughTaskDefaults(file: SourceFile, root: unknown, references: readonly Reference[], facts: TektonFacts | undefined): Reference[] {
  const kind = kindOf(root);
  const spec = isMap(root) ? mapGet(root, 'spec') : undefined;
  if ((kind !== 'Task' && kind !== 'ClusterTask') || !isMap(root) || !isMap(spec)) return [...references];
  const task = metadataName(root);
  const byName = new Map<string, TaskParameter>();
  for (const param of items(mapGet(spec, 'params'))) {
    const nameNode = mapGet(param, 'name');
    const name = scalarText(nameNode);
    if (name === null || byName.has(name)) continue;
    const line = isScalar(nameNode) && nameNode.range ? file.position(nameNode.range[0]).line : 0;
    const found = yamlValueText(mapGet(param, 'default'), file, true);
    const plain = found !== null && found.skip === undefined && found.templated !== true && found.text !== '';
    byName.set(name, { name, line, span: plain ? makeSpan(file, { role: 'variable', start: found.start, end: found.end, variable: name }) : null, value: found === null ? null : found.text });
  }
  if (byName.size === 0) return [...references];
  return references.map((reference) => {
    const whole = reference.spans[0];
    if (!whole || reference.spans.length !== 1 || whole.role !== 'reference' || reference.skip !== 'templated' || PARAM_IMAGE.test(reference.value)) return reference;
    const uses = [...reference.value.matchAll(PARAM_USE)];
    if (uses.length === 0 || reference.value.replace(PARAM_USE, '').includes('$')) return reference;
    const found: Array<{ parameter: TaskParameter; use: string }> = [];
    for (const use of uses) {
      const parameter = byName.get(use[1] ?? '');
      if (!parameter) return reference;
      const caller = task === null ? undefined : facts?.given.get(task)?.get(parameter.name);
      if (caller !== undefined) return { ...reference, detail: `parameter ${parameter.name} (line ${parameter.line}) is given by ${caller}` };
      if (parameter.span === null || parameter.value === null || parameter.value.includes('$')) return reference;
      if (!found.some((other) => other.parameter === parameter)) found.push({ parameter, use: use[0] });
    }
    const value = reference.value.replace(PARAM_USE, (use, name: string) => byName.get(name)?.value ?? use);
    const image = looksLikeImageText(value) ? parseImageRef(value) : null;
    if (!image) return reference;
    const where = found.map(({ parameter }) => `${parameter.name} (line ${parameter.line})`).join(', ');
    const spans: Span[] = [{ ...whole, role: 'template' }, ...found.map(({ parameter, use }) => ({ ...(parameter.span as Span), use }))];
    const skip = image.tag === null && image.digest === null ? ('no-tag' as const) : null;
    return { ...withValue(reference, value, image), skip, spans, detail: `through the Task's parameter ${where}, edited there` };
  });
}

/** The references that named a bundle in a field of their own before the bundles resolver: a pipeline task's or a TaskRun's `taskRef`, a run's `pipelineRef`. */
const BUNDLE_FIELD_REFS = new Set(['taskRef', 'pipelineRef']);

function paramValue(map: YAMLMap, name: string): unknown {
  const entry = [...items(mapGet(map, 'params')), ...items(mapGet(map, 'resource'))].find((param) => scalarText(mapGet(param, 'name')) === name);
  return entry === undefined ? undefined : mapGet(entry, 'value');
}

/**
 * Tekton bundles: OCI images holding the Task, Pipeline or StepAction a reference resolves to, which Tekton pulls from the
 * registry. The bundles resolver takes the image from its `bundle` parameter (`resolver: bundles` + `params: [{name: bundle,
 * value: registry.example.test/ci/task-lint:0.3@sha256:…}]`; its `name` and `kind` parameters say what to take out of it and
 * are no images); the older `taskRef.bundle` / `pipelineRef.bundle` field names it directly. Each is reported where it is
 * written, and updated there; its candidates are judged as bundles (`content`), not as images to run.
 */
export function tektonBundleImages(file: SourceFile, root: unknown): Reference[] {
  const references: Reference[] = [];
  walkMaps(root, (map, path) => {
    const resolver = scalarText(mapGet(map, 'resolver'));
    const node = resolver === 'bundles' ? paramValue(map, 'bundle') : resolver === null && BUNDLE_FIELD_REFS.has(path[path.length - 1] ?? '') ? mapGet(map, 'bundle') : undefined;
    const found = node === undefined ? null : scalarImage(file, node, 'kubernetes-image');
    if (!found) return undefined;
    const kind = scalarText(paramValue(map, 'kind')) ?? scalarText(mapGet(map, 'kind'))?.toLowerCase() ?? (path[path.length - 1] === 'pipelineRef' ? 'pipeline' : 'task');
    const name = scalarText(paramValue(map, 'name')) ?? scalarText(mapGet(map, 'name'));
    references.push({ ...found, detail: `a Tekton bundle holding the ${kind}${name === null ? '' : ` ${name}`}`, content: 'tekton-bundle' });
    return undefined;
  });
  return references;
}
