import { isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import type { SourceFile } from '../../../core/source-file.js';
import { mapEntries, mapGet, yamlSource } from '../../yaml-source.js';

/** Top-level keys of a GitLab CI file that are not jobs. */
export const GITLAB_GLOBAL_KEYS: ReadonlySet<string> = new Set([
  'stages',
  'variables',
  'workflow',
  'include',
  'default',
  'image',
  'services',
  'cache',
  'before_script',
  'after_script',
  'types',
  'spec',
]);

const DEFAULT_KEYS = new Set(['after_script', 'artifacts', 'before_script', 'cache', 'hooks', 'id_tokens', 'image', 'interruptible', 'retry', 'services', 'tags', 'timeout']);
const WORKFLOW_KEYS = new Set(['rules', 'name', 'auto_cancel']);
const INCLUDE_KEYS = new Set(['local', 'remote', 'project', 'file', 'ref', 'template', 'component', 'rules', 'inputs', 'integrity', 'cache']);
const JOB_ACTIONS = ['script', 'before_script', 'trigger', 'extends', 'run'];
/** Every keyword a GitLab job or template may hold. */
const JOB_KEYWORDS = new Set([
  'after_script',
  'allow_failure',
  'artifacts',
  'before_script',
  'cache',
  'coverage',
  'dast_configuration',
  'dependencies',
  'environment',
  'except',
  'extends',
  'hooks',
  'id_tokens',
  'identity',
  'image',
  'inherit',
  'interruptible',
  'manual_confirmation',
  'needs',
  'only',
  'pages',
  'parallel',
  'release',
  'resource_group',
  'retry',
  'rules',
  'run',
  'script',
  'secrets',
  'services',
  'stage',
  'tags',
  'timeout',
  'trigger',
  'variables',
  'when',
]);
const IMAGE_KEYS = new Set(['name', 'entrypoint', 'pull_policy', 'docker', 'kubernetes']);
const SERVICE_KEYS = new Set(['name', 'alias', 'entrypoint', 'command', 'variables', 'pull_policy', 'docker', 'kubernetes']);
const JOB_PLACES = ['image', 'services', 'stage'];

function isStringScalar(node: unknown): boolean {
  return isScalar(node) && typeof node.value === 'string';
}

function keysWithin(map: YAMLMap, allowed: ReadonlySet<string>): boolean {
  const keys = mapEntries(map).map(([key]) => key);
  return keys.length > 0 && keys.every((key) => allowed.has(key));
}

function isIncludeEntry(node: unknown): boolean {
  if (isScalar(node)) return typeof node.value === 'string' && /\.ya?ml$/i.test(node.value);
  return isMap(node) && keysWithin(node, INCLUDE_KEYS);
}

/** `image:` as GitLab writes it: a string, or a map with `name:`. Helm's `{repository, tag}` is not. */
function isImageValue(node: unknown): boolean {
  return isStringScalar(node) || (isMap(node) && mapGet(node, 'name') !== undefined);
}

function isKubernetes(root: YAMLMap): boolean {
  return mapGet(root, 'apiVersion') !== undefined && mapGet(root, 'kind') !== undefined;
}

/** Compose: `services:` is a map whose values are service maps. */
function isCompose(root: YAMLMap): boolean {
  const services = mapGet(root, 'services');
  if (!isMap(services)) return false;
  const values = mapEntries(services).map(([, value]) => value);
  return values.length > 0 && values.every((value) => isMap(value) || value == null);
}

function looksLikeJob(node: unknown): boolean {
  if (!isMap(node)) return false;
  const action = JOB_ACTIONS.some((key) => mapGet(node, key) !== undefined);
  const place = JOB_PLACES.some((key) => mapGet(node, key) !== undefined);
  const image = mapGet(node, 'image');
  return action && place && (image === undefined || isImageValue(image));
}

/** `image: {name: …, entrypoint: […]}`: the map form only GitLab writes (Helm and compose have no `entrypoint`/`pull_policy` under `image`). */
function isGitlabImageMap(node: unknown): boolean {
  return isMap(node) && isStringScalar(mapGet(node, 'name')) && keysWithin(node, IMAGE_KEYS) && mapEntries(node).some(([key]) => key !== 'name');
}

/** `services: [{name: …, alias: …}]`: a list of strings and maps in GitLab's service form, one at least with more than a name. */
function isGitlabServiceList(node: unknown): boolean {
  if (!isSeq(node) || node.items.length === 0) return false;
  const maps = node.items.filter(isMap);
  const fits = node.items.every((item) => isStringScalar(item) || (isMap(item) && isStringScalar(mapGet(item, 'name')) && keysWithin(item, SERVICE_KEYS)));
  return fits && maps.some((item) => mapEntries(item).some(([key]) => key !== 'name'));
}

/** A template or job with no `script:` (meant for `extends:`), known by its image or services in GitLab's own map forms. */
function looksLikeTemplate(node: unknown): boolean {
  if (!isMap(node) || !keysWithin(node, JOB_KEYWORDS)) return false;
  return isGitlabImageMap(mapGet(node, 'image')) || isGitlabServiceList(mapGet(node, 'services'));
}

/**
 * A pipeline of named steps (Codefresh: `stages:` names, `steps:` a map of step maps with `image:`):
 * GitLab has no `steps:` keyword, and a job named `steps` holds keywords, not maps.
 */
function isStepPipeline(root: YAMLMap): boolean {
  const steps = mapGet(root, 'steps');
  if (!isMap(steps)) return false;
  const values = mapEntries(steps).map(([, value]) => value);
  return values.length > 0 && values.every((value) => isMap(value));
}

/** What a YAML document says about being GitLab CI configuration. */
export type CiVerdict = 'ci' | 'foreign' | 'neutral';

/**
 * Recognises GitLab CI configuration by content: `stages`, `include`, `default`, `workflow` in their
 * GitLab shapes, a job (`script`/`trigger`/`extends` with `image`/`services`/`stage`), or a template
 * made only of job keywords whose image or services are in GitLab's map forms (`name:` with `alias:`).
 * Kubernetes objects, compose files and pipelines of named steps (`steps:` a map of step maps) are
 * foreign; anything else is neutral.
 */
export function ciVerdict(root: unknown): CiVerdict {
  if (root == null) return 'neutral';
  if (!isMap(root)) return 'foreign';
  if (isKubernetes(root) || isCompose(root) || isStepPipeline(root)) return 'foreign';
  const stages = mapGet(root, 'stages');
  if (isSeq(stages) && stages.items.length > 0 && stages.items.every(isStringScalar)) return 'ci';
  const workflow = mapGet(root, 'workflow');
  if (isMap(workflow) && keysWithin(workflow, WORKFLOW_KEYS)) return 'ci';
  const include = mapGet(root, 'include');
  if (include !== undefined && (isSeq(include) ? include.items.length > 0 && include.items.every(isIncludeEntry) : isIncludeEntry(include))) {
    return 'ci';
  }
  const defaults = mapGet(root, 'default');
  if (isMap(defaults) && keysWithin(defaults, DEFAULT_KEYS)) {
    const image = mapGet(defaults, 'image');
    if (image === undefined || isImageValue(image)) return 'ci';
  }
  for (const [key, value] of mapEntries(root)) {
    if (!GITLAB_GLOBAL_KEYS.has(key) && (looksLikeJob(value) || looksLikeTemplate(value))) return 'ci';
  }
  return 'neutral';
}

/** What a YAML file's content says: `ci` when one document at least says so and none is another format's, `foreign` when one is. */
export function fileVerdict(file: SourceFile): CiVerdict {
  let ci = false;
  for (const document of yamlSource(file).documents) {
    const verdict = ciVerdict(document.contents);
    if (verdict === 'foreign') return 'foreign';
    if (verdict === 'ci') ci = true;
  }
  return ci ? 'ci' : 'neutral';
}
