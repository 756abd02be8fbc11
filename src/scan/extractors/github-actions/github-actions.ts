import { isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import type { SourceFile } from '../../../core/source-file.js';
import type { Reference } from '../../../core/types.js';
import type { Extractor } from '../../extractor.js';
import { BUILD_PUSH_ACTIONS } from '../../build-push-actions.js';
import { actionInputImages, imageInputNodes } from './action-inputs.js';
import { jsonMatrixImages } from './json-matrix-items.js';
import { isBrokenTemplate, templateLineImages } from '../../helm-template-lines.js';
import { mapEntries, mapGet, yamlSource } from '../../yaml-source.js';
import { baseName, isImageKey, isYamlPath, looksLikeImageText, scalarImage, sortByPosition } from '../../yaml-image-fields.js';

/**
 * GitHub Actions: workflow `jobs.*.container` (a string or `.image`), `jobs.*.services.*.image`,
 * `docker://` steps, image inputs of well-known actions (action-inputs.ts; one written `${{ env.NAME }}` through the
 * step's, job's or workflow's `env`), and the `strategy.matrix` values those images are built from (`${{ matrix.db }}`,
 * reported instead of the use when the workflow lists them all)
 * or that are named as images (`search-image`, `node_image`); action metadata `runs.image` and its
 * `docker://` steps. A workflow kept outside `.github/workflows/` (a runner's test workflows, a
 * template, `.gitea/workflows/`) is recognised by its content: a top-level `on` and `jobs` whose
 * entries are all jobs (`runs-on`, `steps` or a reusable `uses`), at least one of them run here.
 */

const MATRIX_USE = /^\s*\$\{\{\s*matrix\.([A-Za-z_][\w-]*)\s*\}\}\s*$/;

function isMatrixImageKey(key: string): boolean {
  return isImageKey(key, true) || /(^|[-_])image$/i.test(key);
}

const WORKFLOW = /(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/i;

export function isGithubWorkflow(path: string): boolean {
  return WORKFLOW.test(path);
}

/** Cheap test before parsing: both top-level keys are written at the start of a line. */
const WORKFLOW_KEYS = /^["']?on["']?[ \t]*:/m;
const JOBS_KEY = /^jobs[ \t]*:/m;

/** Is this parsed document a workflow (`on` + `jobs` of jobs), wherever the file lives? */
export function looksLikeWorkflow(root: unknown): boolean {
  if (!isMap(root) || mapGet(root, 'on') === undefined) return false;
  const jobs = mapGet(root, 'jobs');
  if (!isMap(jobs) || jobs.items.length === 0) return false;
  const entries = mapEntries(jobs);
  if (entries.length !== jobs.items.length) return false;
  const runsHere = (job: YAMLMap): boolean => mapGet(job, 'runs-on') !== undefined || isSeq(mapGet(job, 'steps'));
  const isJob = (job: unknown): boolean => isMap(job) && (runsHere(job) || isScalar(mapGet(job, 'uses')));
  return entries.every(([, job]) => isJob(job)) && entries.some(([, job]) => isMap(job) && runsHere(job));
}

function isWorkflowByContent(file: SourceFile): boolean {
  if (!isYamlPath(file.path) || !WORKFLOW_KEYS.test(file.text) || !JOBS_KEY.test(file.text)) return false;
  return yamlSource(file).documents.some((document) => looksLikeWorkflow(document.contents));
}

export function isGithubAction(path: string): boolean {
  return /^action\.ya?ml$/.test(baseName(path));
}

/** `docker://alpine:3.20`: a step or action that runs an image (not `Dockerfile`, not an action path). */
function dockerScheme(node: unknown): boolean {
  return isScalar(node) && typeof node.value === 'string' && node.value.startsWith('docker://');
}

/**
 * Every step of a job's or a composite action's `steps`, with the steps written inside a step as a list of its own
 * (`- parallel: [{uses: docker://…}, …]`), at any depth, in the order written.
 */
function allSteps(steps: unknown, depth = 0): YAMLMap[] {
  if (!isSeq(steps) || depth > 8) return [];
  const found: YAMLMap[] = [];
  for (const step of steps.items) {
    if (!isMap(step)) continue;
    found.push(step);
    for (const [key, value] of mapEntries(step)) if (key !== 'with' && key !== 'env' && isSeq(value)) found.push(...allSteps(value, depth + 1));
  }
  return found;
}

/**
 * The images of a job's or a composite action's steps; `envs` are the `env` maps around them (the job's, the workflow's),
 * and `envTaken` the `env` values already reported in this file (one that several steps take is one reference).
 */
function stepImages(file: SourceFile, steps: unknown, envs: readonly unknown[] = [], envTaken = new Set<number>()): Reference[] {
  const references: Reference[] = [];
  for (const step of allSteps(steps)) {
    const uses = mapGet(step, 'uses');
    const reference = dockerScheme(uses) ? scalarImage(file, uses, 'yaml-image') : null;
    if (reference) references.push(reference);
    for (const input of actionInputImages(file, step, envs, envTaken)) references.push(input);
  }
  return references;
}

/**
 * A whole-value expression that computes the image at run time (`${{ matrix.container && matrix.container.image || null }}`,
 * `${{ fromJson(…) }}`): it may give no container at all, and names no image here. A plain `${{ matrix.db }}` is still shown.
 */
const COMPUTED = /^\$\{\{(?:(?!\}\}).)*(?:&&|\|\||==|!=|\()(?:(?!\}\}).)*\}\}$/s;

/**
 * `${{ inputs.tools-image || 'registry.example.test/ci/tools:1.4' }}`: a value of the context (an input, a variable) with
 * a literal image to fall back on when it is empty (written with a tag, a digest or a path). The caller or the context chooses the image: shown `templated`, as a
 * plain `${{ inputs.tools-image }}` is.
 */
const WITH_FALLBACK = /^\$\{\{\s*[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)+\s*\|\|\s*'([^'\s]+)'\s*\}\}$/;

function isComputed(node: unknown): boolean {
  if (!isScalar(node) || typeof node.value !== 'string') return false;
  const value = node.value.trim();
  const fallback = WITH_FALLBACK.exec(value)?.[1];
  // Written as an image, with a tag, a digest or a path (`'none'`, a word a job tests for, names no image).
  if (fallback !== undefined && looksLikeImageText(fallback) && /[/:@]/.test(fallback)) return false;
  return COMPUTED.test(value);
}

/** The matrix key of an image field that is exactly `${{ matrix.key }}` (a part like a tag is not an image). */
function matrixKeysIn(node: unknown, keys: Set<string>): void {
  if (!isScalar(node) || typeof node.value !== 'string') return;
  const match = MATRIX_USE.exec(node.value);
  if (match?.[1] !== undefined) keys.add(match[1]);
}

/** A value that is one `${{ … }}` expression and nothing else. */
const WHOLE_EXPRESSION = /^\$\{\{(?:(?!\}\}).)*\}\}$/s;

/** `owner/name` of a step's `uses: owner/name@ref`, lower-cased. */
function stepAction(step: YAMLMap): string | null {
  const uses = mapGet(step, 'uses');
  return isScalar(uses) && typeof uses.value === 'string' ? (/^([\w.-]+\/[\w.-]+)@/.exec(uses.value)?.[1]?.toLowerCase() ?? null) : null;
}

/** Where a build action takes the names it tags and pushes: `docker/metadata-action` `images`, `docker/build-push-action` `tags` (and its drop-ins'). */
const PUSHED_NAMES_INPUTS: ReadonlyMap<string, string> = new Map([['docker/metadata-action', 'images'], ...BUILD_PUSH_ACTIONS.map((action): [string, string] => [action, 'tags'])]);

/** One name of such an input that is a matrix axis (`${{ matrix.image }}`, `name=${{ matrix.image }}`, `${{ matrix.image }}:latest`): the axis. */
const PUSHED_AXIS = /^(?:name=)?\$\{\{\s*matrix\.([A-Za-z_][\w-]*)\s*\}\}(?::[^,]*)?(?:,.*)?$/;

/** `${{ matrix.key }}` as a command's word, quoted or not, with a tag after it or not: the axis. */
const AXIS_WORD = String.raw`["']?\$\{\{\s*matrix\.([A-Za-z_][\w-]*)\s*\}\}(?=[:"'\s;&|)]|$)`;

/** A command of a `run` script that pushes an axis (`docker push ${{ matrix.image }}`, also `podman`, `docker image push`). */
const RUN_PUSHES = new RegExp(String.raw`\b(?:docker|podman|buildah)\s+(?:image\s+)?push\s+(?:-{1,2}[\w-]+(?:=\S*)?\s+)*` + AXIS_WORD, 'g');

/** A build command of a `run` script that tags its output with an axis (`docker build -t ${{ matrix.image }} .`, `buildx build --tag=…`). */
const RUN_BUILDS = new RegExp(String.raw`\b(?:docker\s+(?:buildx\s+)?build|podman\s+build|buildah\s+(?:bud|build))\b[^\n;&|]*?\s(?:-t|--tag)(?:=|\s+)` + AXIS_WORD, 'g');

/**
 * A command of a `run` script that pulls or runs an axis (anywhere in the command), or re-tags it (its first name): its
 * values are images the job takes, not ones it makes.
 */
const RUN_TAKES = new RegExp(String.raw`\b(?:docker|podman)\s+(?:(?:image\s+|container\s+)?(?:pull|run|create)\b[^\n;&|]*?\s|(?:image\s+)?tag\s+(?:-{1,2}[\w-]+\s+)*)` + AXIS_WORD, 'g');

/**
 * The matrix axes a job's `run` scripts push or tag a build with, and not pull, run or re-tag from
 * (`docker build -t ${{ matrix.image }} . && docker push ${{ matrix.image }}`): the images the job makes.
 */
function runPushedAxes(steps: readonly unknown[]): Set<string> {
  const pushed = new Set<string>();
  const taken = new Set<string>();
  for (const step of steps) {
    const run = isMap(step) ? mapGet(step, 'run') : undefined;
    if (!isScalar(run) || typeof run.value !== 'string' || !run.value.includes('matrix.')) continue;
    // A command continued on the next line is one command.
    const script = run.value.replace(/\\\r?\n/g, ' ');
    for (const pattern of [RUN_PUSHES, RUN_BUILDS]) for (const match of script.matchAll(pattern)) pushed.add(match[1] ?? '');
    for (const match of script.matchAll(RUN_TAKES)) taken.add(match[1] ?? '');
  }
  for (const key of taken) pushed.delete(key);
  return pushed;
}

/**
 * The matrix axes a job's steps hand to a build action as the names it tags and pushes (`images: ${{ matrix.image }}` of
 * `docker/metadata-action`, one name a line or comma-separated), or that its `run` scripts push (runPushedAxes): the images
 * the job makes, not ones it pulls.
 */
function pushedAxes(job: YAMLMap): Set<string> {
  const steps = mapGet(job, 'steps');
  if (!isSeq(steps)) return new Set<string>();
  const keys = runPushedAxes(steps.items);
  for (const step of steps.items) {
    if (!isMap(step)) continue;
    const action = stepAction(step);
    const input = action === null ? undefined : PUSHED_NAMES_INPUTS.get(action);
    const inputs = mapGet(step, 'with');
    const value = input !== undefined && isMap(inputs) ? mapGet(inputs, input) : undefined;
    if (!isScalar(value) || typeof value.value !== 'string') continue;
    const names = action === 'docker/metadata-action' ? value.value.split('\n') : value.value.split(/[\n,]/);
    for (const name of names) {
      const key = PUSHED_AXIS.exec(name.trim())?.[1];
      if (key !== undefined) keys.add(key);
    }
  }
  return keys;
}

/** Values of the matrix axes (and `include` entries) that hold images. */
function matrixImages(file: SourceFile, job: YAMLMap, usedKeys: ReadonlySet<string>): Reference[] {
  const strategy = mapGet(job, 'strategy');
  const matrix = isMap(strategy) ? mapGet(strategy, 'matrix') : undefined;
  if (!isMap(matrix)) return [];
  // An axis only handed to a build action as the names it pushes is what the job makes (`images: ${{ matrix.image }}`).
  const pushed = pushedAxes(job);
  const wanted = (key: string): boolean => usedKeys.has(key) || (isMatrixImageKey(key) && !pushed.has(key));
  const references: Reference[] = [];
  // An axis the job's container or services use holds images whatever they look like. One that is
  // only named like an image (`image: [base-notebook, …]` passed to a reusable workflow) counts when
  // its values are written as images: with a tag, a digest or a registry path. A value that is one
  // expression (`${{ needs.meta.outputs.image }}`) passes on an image another job or the caller computes.
  const take = (node: unknown, key: string): void => {
    const reference = scalarImage(file, node, 'yaml-image');
    if (!reference) return;
    if (!usedKeys.has(key) && reference.image !== null && reference.image.tag === null && reference.image.digest === null && !reference.value.includes('/')) return;
    if (!usedKeys.has(key) && WHOLE_EXPRESSION.test(reference.value.trim())) return;
    references.push(reference);
  };
  for (const [key, value] of mapEntries(matrix)) {
    if (key === 'include') {
      if (!isSeq(value)) continue;
      for (const entry of value.items) {
        if (!isMap(entry)) continue;
        for (const [entryKey, entryValue] of mapEntries(entry)) if (wanted(entryKey)) take(entryValue, entryKey);
      }
    } else if (key !== 'exclude' && wanted(key)) {
      if (isSeq(value)) for (const item of value.items) take(item, key);
      else take(value, key);
    }
  }
  return references;
}

const EXPRESSION = /\$\{\{/;

/** A node written as a `${{ … }}` expression: its text, or null. */
function expressionText(node: unknown): string | null {
  return isScalar(node) && typeof node.value === 'string' && EXPRESSION.test(node.value) ? node.value.trim() : null;
}

/**
 * Why the values of `matrix.<key>` cannot all be listed from the workflow (null: they can, and each is
 * reported at its own line): the matrix, the axis or an `include` is an expression known only when the
 * workflow runs, or the job's matrix does not set the key. An `exclude` only takes values away.
 */
function unlistedAxis(job: YAMLMap, key: string): string | null {
  const strategy = mapGet(job, 'strategy');
  const matrix = isMap(strategy) ? mapGet(strategy, 'matrix') : undefined;
  const runtime = (text: string, what: string): string => `matrix.${key} comes from ${what}${text}, known only when the workflow runs`;
  const whole = expressionText(matrix);
  if (whole !== null) return runtime(whole, 'strategy.matrix: ');
  if (!isMap(matrix)) return `matrix.${key} is not set: the job has no strategy.matrix`;
  const axis = mapGet(matrix, key);
  const axisExpression = expressionText(axis);
  if (axisExpression !== null) return runtime(axisExpression, '');
  const include = mapGet(matrix, 'include');
  const includeExpression = expressionText(include);
  if (includeExpression !== null) return runtime(includeExpression, 'include: ');
  const included = isSeq(include) && include.items.some((entry) => isMap(entry) && mapGet(entry, key) !== undefined);
  if (axis === undefined && !included) return `matrix.${key} is not set in the job's strategy.matrix`;
  return null;
}

/**
 * The use of a matrix axis as an image (`image: ${{ matrix.image }}`, `node_image: ${{ matrix.k8s }}`): when the
 * workflow lists every value of the axis, those values are the references (each at its own line) and the use is
 * not reported; otherwise it is `templated`, the detail naming the expression it comes from.
 */
function matrixUses(job: YAMLMap, references: readonly Reference[], usedKeys: ReadonlySet<string>): Reference[] {
  return references.flatMap((reference) => {
    const key = MATRIX_USE.exec(reference.value)?.[1];
    if (key === undefined || !usedKeys.has(key) || reference.skip !== 'templated') return [reference];
    const why = unlistedAxis(job, key);
    return why === null ? [] : [{ ...reference, detail: [reference.detail, why].filter(Boolean).join('; ') }];
  });
}

export function workflowImages(file: SourceFile, root: unknown): Reference[] {
  if (!isMap(root)) return [];
  const jobs = mapGet(root, 'jobs');
  if (!isMap(jobs)) return [];
  const references: Reference[] = [];
  const envTaken = new Set<number>();
  for (const [, job] of mapEntries(jobs)) {
    if (!isMap(job)) continue;
    const jobStart = references.length;
    const usedKeys = new Set<string>();
    const container = mapGet(job, 'container');
    const containerImage = isMap(container) ? mapGet(container, 'image') : container;
    matrixKeysIn(containerImage, usedKeys);
    const fromContainer = isComputed(containerImage) ? null : scalarImage(file, containerImage, 'yaml-image');
    if (fromContainer) references.push(fromContainer);
    const services = mapGet(job, 'services');
    if (isMap(services)) {
      for (const [, service] of mapEntries(services)) {
        if (!isMap(service)) continue;
        matrixKeysIn(mapGet(service, 'image'), usedKeys);
        const reference = isComputed(mapGet(service, 'image')) ? null : scalarImage(file, mapGet(service, 'image'), 'yaml-image');
        if (reference) references.push(reference);
      }
    }
    const steps = mapGet(job, 'steps');
    for (const step of allSteps(steps)) for (const node of imageInputNodes(step)) matrixKeysIn(node, usedKeys);
    for (const reference of matrixImages(file, job, usedKeys)) references.push(reference);
    for (const reference of jsonMatrixImages(file, job, allSteps(steps))) references.push(reference);
    for (const reference of stepImages(file, mapGet(job, 'steps'), [mapGet(job, 'env'), mapGet(root, 'env')], envTaken)) references.push(reference);
    for (const reference of matrixUses(job, references.splice(jobStart), usedKeys)) references.push(reference);
  }
  return references;
}

export function actionImages(file: SourceFile, root: unknown): Reference[] {
  if (!isMap(root)) return [];
  const runs = mapGet(root, 'runs');
  if (!isMap(runs)) return [];
  const references: Reference[] = [];
  const image = mapGet(runs, 'image');
  const reference = dockerScheme(image) ? scalarImage(file, image, 'yaml-image') : null;
  if (reference) references.push(reference);
  for (const reference of stepImages(file, mapGet(runs, 'steps'))) references.push(reference);
  return references;
}

export const githubActionsExtractor: Extractor = {
  name: 'github-actions',
  kinds: ['yaml-image'],
  quoting: 'yaml',
  isCandidate: (path) => isGithubWorkflow(path) || isGithubAction(path),
  claimsTemplate: (file) => isGithubWorkflow(file.path) || isGithubAction(file.path),
  owns: (file) => isGithubWorkflow(file.path) || isGithubAction(file.path),
  claims: (file) => isGithubWorkflow(file.path) || isGithubAction(file.path) || isWorkflowByContent(file),
  extract(file) {
    const named = isGithubWorkflow(file.path) || isGithubAction(file.path);
    if (named && isBrokenTemplate(file)) return { references: templateLineImages(file, () => 'yaml-image', true), problems: [] };
    const { documents, problems } = yamlSource(file);
    const workflow = isGithubWorkflow(file.path) || (!isGithubAction(file.path) && documents.some((document) => looksLikeWorkflow(document.contents)));
    const references = documents.flatMap((document) => (workflow ? workflowImages(file, document.contents) : actionImages(file, document.contents)));
    return { references: sortByPosition(references), problems };
  },
};
