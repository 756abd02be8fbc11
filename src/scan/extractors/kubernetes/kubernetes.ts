import { isMap, isScalar, isSeq, type Document, type YAMLMap } from 'yaml';
import type { SourceFile } from '../../../core/source-file.js';
import type { ReferenceKind, ScanProblem } from '../../../core/types.js';
import type { BuiltImage, Extractor } from '../../extractor.js';
import type { Reference } from '../../../core/types.js';
import { mapAt as at, mapGet, scalarText, stringScalar, walkMaps, yamlSource } from '../../yaml-source.js';
import { isTag } from '../../../core/image-ref.js';
import { makeReference, withTagAt } from '../../make-reference.js';
import { withPlanVersion } from './upgrade-plans.js';
import { mutationPolicyImages } from '../../admission-policy-images.js';
import { embeddedYamlImages } from '../../embedded-yaml.js';
import { isJsonCandidate } from '../../json-candidate.js';
import { namedValueLineImages } from '../../named-value-lines.js';
import { withArgoParameterValues } from '../../argo-workflow-params.js';
import { namedValueUse, namesPushTarget, PARAM_IMAGE, withoutDefaultedUses } from '../../tekton-params.js';
import { chartFolders, chartTemplateImage, namedByChartFile, namedByProgramData, type ChartFolders } from '../../helm-template-images.js';
import { firstTemplateLine, isBrokenTemplate, templateLineImages } from '../../helm-template-lines.js';
import { withoutMachineImages } from '../../machine-images.js';
import { withoutCatalogAnnotations } from '../../catalog-annotations.js';
import { imageFields, isYamlPath, looksLikeImageText, repositoryVersionImage, scalarImage, sortByPosition } from '../../yaml-image-fields.js';
import { imageOverride, imageSetting } from '../kustomize/kustomize.js';
import { buildOutputs, inParameters, templateParameters, throughParameters, type TemplateParameters } from './openshift-template.js';
import { replacedByTrigger, triggeredImages } from './image-triggers.js';
import { pushedParamEntries, tektonBundleImages, tektonFacts, throughTaskDefaults, type TektonFacts } from './tekton-pipelines.js';
import { runnerLabelImages } from '../../runner-labels.js';
import { isInRanges } from '../../observed-records.js';

/** What the kubernetes extractor works out over the whole scan: Helm charts, and Tekton tasks and pipelines. */
export type KubernetesFacts = ChartFolders & { readonly tekton?: TektonFacts };

/**
 * Kubernetes manifests, including custom resources and `kind: List`, in YAML or JSON: every `image` field and every
 * `…Image` field, anywhere in the object, and named values that hold a pinned image (`env` entries such
 * as `RELATED_IMAGE_DB`, Tekton and Argo parameters such as `gitInitImage`). CustomResourceDefinitions
 * are schemas, not workloads: skipped. A Skaffold config's `build.artifacts[].image` (also under
 * `profiles`) names what Skaffold builds here: not a reference, and where a manifest uses that name it
 * is marked as built here.
 */

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

function stringField(map: YAMLMap, key: string): string | null {
  return scalarText(mapGet(map, key));
}

/** A Jib CLI build file (`apiVersion: jib/v1alpha1`, `kind: BuildFile`): its `from.image` is the base image Jib pulls. */
function isJibBuildFile(root: unknown): boolean {
  return isMap(root) && stringField(root, 'kind') === 'BuildFile' && (stringField(root, 'apiVersion') ?? '').startsWith('jib/');
}

/**
 * `image: ${baseImage}` in a Jib build file: a template parameter that whoever runs Jib gives (`--parameter baseImage=…`).
 * The file names no image there.
 */
function isJibParameter(reference: Reference): boolean {
  return reference.skip === 'templated' && /^\$\{[A-Za-z_][\w.]*\}$/.test(reference.value);
}

/** A Kubernetes object: a map with string `apiVersion` and `kind`. */
export function isKubernetesObject(node: unknown): node is YAMLMap {
  return isMap(node) && stringField(node, 'apiVersion') !== null && stringField(node, 'kind') !== null;
}

/** An image a BuildConfig of the same file pushes to its ImageStreamTag: made inside the cluster, `local-stage`. */
function builtInCluster(reference: Reference, outputs: ReadonlySet<string>): Reference {
  if (reference.skip !== null && reference.skip !== 'no-tag' && reference.skip !== 'templated') return reference;
  const name = outputs.has(reference.value) ? reference.value : [...outputs].find((output) => output.split(':', 1)[0] === reference.value);
  return name === undefined ? reference : { ...reference, skip: 'local-stage', detail: `the ImageStreamTag ${name} a BuildConfig of this file builds` };
}

/**
 * The whole objects a JSON patch (RFC 6902, a list of operations) writes: the `value` of an `add` or `replace` at the
 * root path `""`, which puts that object in the patched one's place (a post-renderer that swaps a rendered ConfigMap
 * for a CloudNativePG `Cluster`). It is read as an object of its own.
 */
function patchedObjects(node: unknown): YAMLMap[] {
  if (!isSeq(node)) return [];
  return node.items.flatMap((item) => {
    if (!isMap(item) || stringField(item, 'path') !== '') return [];
    const op = stringField(item, 'op');
    const value = mapGet(item, 'value');
    return (op === 'add' || op === 'replace') && isKubernetesObject(value) ? [value] : [];
  });
}

/**
 * The objects a document holds: itself, or each item of a `List` (`kind: List`, `DeploymentList`, …, as
 * `kubectl get -o yaml` writes them or a file bundles several Templates), so that each item's own parameters,
 * values and status are its own.
 */
function objectRoots(node: unknown): YAMLMap[] {
  if (!isKubernetesObject(node)) return patchedObjects(node);
  const items = stringField(node, 'kind')?.endsWith('List') ? mapGet(node, 'items') : undefined;
  if (!isSeq(items)) return [node];
  const objects = items.items.filter((item) => isKubernetesObject(item));
  return objects.length === items.items.length && objects.length > 0 ? objects : [node];
}

/**
 * The `status` of an object (a Pod dumped with `kubectl get -o yaml`: `containerStatuses[].image`, a
 * node's `images`): what the cluster reports it ran, written by the cluster, not a reference to update.
 */
function isObjectStatus(root: unknown, map: YAMLMap): boolean {
  return isKubernetesObject(root) && mapGet(root, 'status') === map;
}

/**
 * A Flux `ImageRepository` (`image.toolkit.fluxcd.io`): its `spec.image` is the repository whose tags the image
 * automation lists to find a newer one, not an image anything pulls or runs.
 */
function isImageScanSpec(root: unknown, map: YAMLMap): boolean {
  return isKubernetesObject(root) && stringField(root, 'kind') === 'ImageRepository' && (stringField(root, 'apiVersion') ?? '').startsWith('image.toolkit.fluxcd.io/') && mapGet(root, 'spec') === map;
}

/**
 * Where a custom resource's build pushes what it builds: an `output` map with an `image` (Strimzi's `KafkaConnect`
 * `spec.build.output`, Shipwright's `Build` `spec.output`), as a BuildConfig's `output.to` is. Its controller writes
 * the image there and runs what it pushed; nothing pulls the reference as written.
 */
function buildOutputMaps(root: YAMLMap): ReadonlySet<YAMLMap> {
  const maps = new Set<YAMLMap>();
  if (!isCustomResource(root)) return maps;
  walkMaps(root, (map, path) => {
    if (path[path.length - 1] === 'output' && mapGet(map, 'image') !== undefined) maps.add(map);
    return undefined;
  });
  return maps;
}

function isCustomResourceDefinition(map: YAMLMap): boolean {
  return stringField(map, 'kind') === 'CustomResourceDefinition' && stringField(map, 'apiVersion') !== null;
}

/** The file's memo of what `isDefinitionOnly` answered: `claims` and then `extract` ask, and a JSON definition is megabytes to parse twice. */
const DEFINITION_ONLY_MEMO = 'kubernetes:definition-only';

const DEFINITION_KIND = /^kind:[ \t]*(["']?)CustomResourceDefinition\1[ \t]*(?:#.*)?$/m;

/** A `helm.sh/hook` annotation line: its value (the hooks, comma-separated, maybe quoted). */
const HOOK_LINE = /^[ \t]*(["']?)helm\.sh\/hook\1[ \t]*:[ \t]*(["']?)([\w, \t-]*)\2[ \t]*(?:#.*)?\r?$/gm;
/** Helm's test hook, and Helm 2's `test-success` / `test-failure`. */
const TEST_HOOKS = new Set(['test', 'test-success', 'test-failure']);

/** Does the text annotate an object as a Helm test hook (`helm.sh/hook: test`, also among other hooks)? */
function hasTestHook(text: string): boolean {
  for (const line of text.matchAll(HOOK_LINE)) if ((line[3] ?? '').split(',').some((hook) => TEST_HOOKS.has(hook.trim()))) return true;
  return false;
}

/**
 * A Helm test hook written with template actions (`name: '{{ include "app.fullname" . }}-test'`) in a chart's folder but
 * outside its `templates/` (a `tests/` folder beside it): Helm renders and runs only what is under `templates/`, and the
 * file is no manifest anyone applies as written, so it runs nowhere.
 */
function isUnrenderedTestHook(file: SourceFile, charts: ChartFolders | undefined): boolean {
  if (!charts || charts.charts.size === 0 || !file.text.includes('{{') || !file.text.includes('helm.sh/hook') || !hasTestHook(file.text)) return false;
  const path = `/${file.path}`;
  for (let at = path.lastIndexOf('/'); at > 0; at = path.lastIndexOf('/', at - 1)) {
    const folder = path.slice(1, at);
    const rest = path.slice(at + 1);
    if (charts.charts.has(folder)) return !/^(?:templates|charts)\//.test(rest);
  }
  return charts.charts.has('') && !/^(?:templates|charts)\//.test(file.path);
}

/**
 * A file that is one CustomResourceDefinition and nothing else, told from its text without building its YAML: a
 * definition's schema names no image, so the file is claimed and nothing in it is read. GitOps and operator
 * repositories carry hundreds of them, up to megabytes each, and as JSON they are slow to parse as YAML. YAML must be a
 * single document whose top-level `kind:` says so (quoted keys, several documents or template actions go the usual way).
 */
function isDefinitionOnly(file: SourceFile): boolean {
  const known = file.memo.get(DEFINITION_ONLY_MEMO);
  if (typeof known === 'boolean') return known;
  const answer = readsAsDefinitionOnly(file);
  file.memo.set(DEFINITION_ONLY_MEMO, answer);
  return answer;
}

function readsAsDefinitionOnly(file: SourceFile): boolean {
  const text = file.text;
  if (!text.includes('CustomResourceDefinition') || text.includes('{{')) return false;
  if (isJsonCandidate(file.path)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return false;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    const object = value as Record<string, unknown>;
    return object['kind'] === 'CustomResourceDefinition' && typeof object['apiVersion'] === 'string';
  }
  if (!DEFINITION_KIND.test(text) || !/^apiVersion:[ \t]*\S/m.test(text) || text.match(/^kind:/gm)?.length !== 1) return false;
  // One document: no marker after the first line that is not blank or a comment (`---` may open it).
  const body = text.replace(/^(?:[ \t]*(?:#[^\n]*)?\r?\n)*(?:---[ \t]*\r?\n)?/, '');
  return !/^(?:---|\.\.\.)(?:[ \t]|\r?$)/m.test(body) && !/^%/m.test(body);
}

/**
 * The `image` nodes of a Skaffold config's build artifacts, top level and per profile (also an artifact a profile
 * adds with a patch: `op: add`, `path: /build/artifacts/1`, `value: {image: …}`), and the `requires[].image` by which
 * an artifact names another artifact of the build.
 */
function skaffoldArtifactImages(root: YAMLMap): { artifacts: unknown[]; required: unknown[] } {
  const artifacts: unknown[] = [];
  const required: unknown[] = [];
  const apiVersion = stringField(root, 'apiVersion');
  if (apiVersion === null || !apiVersion.startsWith('skaffold/')) return { artifacts, required };
  const fromArtifact = (artifact: unknown): void => {
    if (!isMap(artifact) || mapGet(artifact, 'image') === undefined) return;
    artifacts.push(mapGet(artifact, 'image'));
    const requires = mapGet(artifact, 'requires');
    if (isSeq(requires)) for (const entry of requires.items) if (isMap(entry) && mapGet(entry, 'image') !== undefined) required.push(mapGet(entry, 'image'));
  };
  const fromBuild = (build: unknown): void => {
    const list = isMap(build) ? mapGet(build, 'artifacts') : undefined;
    if (isSeq(list)) for (const artifact of list.items) fromArtifact(artifact);
  };
  fromBuild(mapGet(root, 'build'));
  const profiles = mapGet(root, 'profiles');
  if (!isSeq(profiles)) return { artifacts, required };
  for (const profile of profiles.items) {
    if (!isMap(profile)) continue;
    fromBuild(mapGet(profile, 'build'));
    const patches = mapGet(profile, 'patches');
    if (!isSeq(patches)) continue;
    for (const patch of patches.items) {
      const path = isMap(patch) ? stringField(patch, 'path') : null;
      if (isMap(patch) && path !== null && /^\/build\/artifacts\/(?:\d+|-)$/.test(path)) fromArtifact(mapGet(patch, 'value'));
    }
  }
  return { artifacts, required };
}

/** An artifact's `requires[].image`: another artifact of the Skaffold build (from this config or one it requires), never pulled. */
function requiredArtifact(reference: Reference): Reference {
  return { ...reference, skip: 'local-stage', detail: 'another artifact of the Skaffold build (requires)' };
}

/**
 * Helm values written inside a resource that installs a chart: Flux `HelmRelease` `spec.values`, and
 * Argo CD `helm.valuesObject` of an `Application` (`spec.source`, each of `spec.sources`) or an
 * `ApplicationSet` template. They are read with the Helm values rules (split `repository` + `tag` maps
 * under any key, `*_image` keys), as in a values file.
 */
function helmValuesMaps(root: YAMLMap): YAMLMap[] {
  const apiVersion = stringField(root, 'apiVersion') ?? '';
  const kind = stringField(root, 'kind');
  const maps: YAMLMap[] = [];
  const push = (node: unknown): void => {
    if (isMap(node)) maps.push(node);
  };
  if (apiVersion.startsWith('helm.toolkit.fluxcd.io/') && kind === 'HelmRelease') push(at(root, 'spec', 'values'));
  if (apiVersion.startsWith('argoproj.io/') && (kind === 'Application' || kind === 'ApplicationSet')) {
    const spec = kind === 'Application' ? at(root, 'spec') : at(root, 'spec', 'template', 'spec');
    push(at(spec, 'source', 'helm', 'valuesObject'));
    const sources = at(spec, 'sources');
    if (isSeq(sources)) for (const source of sources.items) push(at(source, 'helm', 'valuesObject'));
  }
  return maps;
}

/**
 * What the other rules read inside such values (a container's `--sidecar-image=…` flag, a pod spec carried as text in a
 * value) is part of the chart's values too, and is listed as `helm-values` like the rest of them.
 */
function asValuesKind(references: Reference[], file: SourceFile, ranges: ReadonlyArray<readonly [number, number]>): Reference[] {
  if (ranges.length === 0) return references;
  return references.map((reference) => (reference.kind !== 'helm-values' && isInRanges(reference, file, ranges) ? { ...reference, kind: 'helm-values' } : reference));
}

/**
 * Image overrides of the resources that run kustomize for a GitOps controller: a Flux `Kustomization`'s `spec.images`
 * (`name` + `newName` / `newTag` / `digest`, as in a kustomization), and Argo CD `kustomize.images` of an `Application`'s
 * `source` or each of its `sources` (also an `ApplicationSet` template): strings `[name=]image:tag`.
 */
function gitopsKustomizeImages(file: SourceFile, root: YAMLMap): Reference[] {
  const apiVersion = stringField(root, 'apiVersion') ?? '';
  const kind = stringField(root, 'kind');
  const references: Reference[] = [];
  if (apiVersion.startsWith('kustomize.toolkit.fluxcd.io/') && kind === 'Kustomization') {
    const images = at(root, 'spec', 'images');
    if (isSeq(images))
      for (const entry of images.items) {
        const reference = isMap(entry) ? imageOverride(file, entry) : null;
        if (reference) references.push(reference);
      }
  }
  if (apiVersion.startsWith('argoproj.io/') && (kind === 'Application' || kind === 'ApplicationSet')) {
    const spec = kind === 'Application' ? at(root, 'spec') : at(root, 'spec', 'template', 'spec');
    const sources = at(spec, 'sources');
    for (const source of [at(spec, 'source'), ...(isSeq(sources) ? sources.items : [])]) {
      const images = at(source, 'kustomize', 'images');
      if (!isSeq(images)) continue;
      for (const entry of images.items) {
        const reference = imageSetting(file, entry);
        if (reference) references.push(reference);
      }
    }
  }
  return references;
}

/** A Skaffold config's buildpacks `builder` images (`artifacts[].buildpacks.builder`, also under `profiles`): pulled to build. */
function skaffoldBuilderImages(file: SourceFile, root: YAMLMap): Reference[] {
  const apiVersion = stringField(root, 'apiVersion');
  if (apiVersion === null || !apiVersion.startsWith('skaffold/')) return [];
  const builds = [mapGet(root, 'build')];
  const profiles = mapGet(root, 'profiles');
  if (isSeq(profiles)) for (const profile of profiles.items) if (isMap(profile)) builds.push(mapGet(profile, 'build'));
  const references: Reference[] = [];
  for (const build of builds) {
    const artifacts = isMap(build) ? mapGet(build, 'artifacts') : undefined;
    if (!isSeq(artifacts)) continue;
    for (const artifact of artifacts.items) {
      const buildpacks = isMap(artifact) ? mapGet(artifact, 'buildpacks') : undefined;
      const reference = isMap(buildpacks) ? scalarImage(file, mapGet(buildpacks, 'builder'), 'kubernetes-image') : null;
      if (reference) references.push(reference);
    }
  }
  return references;
}

/**
 * A Kubernetes object written as JSON (`kubectl … -o json`, a test's input): JSON is YAML, read the same way.
 * Only a text with `"apiVersion": "…"` and `"kind": "…"` string members is parsed: a JSON schema of a
 * resource names the same keys with objects as values (`"apiVersion": {"type": …}`), and can be megabytes.
 */
function isJsonManifest(file: SourceFile): boolean {
  return /"apiVersion"\s*:\s*"/.test(file.text) && /"kind"\s*:\s*"/.test(file.text) && yamlSource(file).documents.some((document) => isKubernetesObject(document.contents));
}

/**
 * A file with a document that does not parse (a Helm template, or YAML only a lenient parser takes) but plainly is a manifest:
 * `apiVersion` and `kind` keys at any indentation (a document written indented, a `List`'s items).
 */
function isBrokenManifest(file: SourceFile): boolean {
  return yamlSource(file).broken && /^[ \t]*(?:-[ \t]+)?apiVersion:[ \t]*\S/m.test(file.text) && /^[ \t]*(?:-[ \t]+)?kind:[ \t]*\S/m.test(file.text);
}

/**
 * `image:` lines and named values of the documents that did not parse. The parse problem is still reported, but an
 * error elsewhere in a document (a stray quote in `args`) should not hide its images.
 */
function brokenDocumentImages(file: SourceFile, parsed: readonly Document.Parsed[]): Reference[] {
  const ranges = parsed.flatMap((document) => {
    const range = (document.contents as { range?: [number, number, number] } | null)?.range;
    return range ? [range] : [];
  });
  const inParsed = (offset: number): boolean => ranges.some(([start, , end]) => offset >= start && offset <= end);
  return brokenLineImages(file).filter((reference) => {
    const start = reference.spans[0]?.start;
    return start !== undefined && !inParsed(start - file.base);
  });
}

/**
 * An Argo CD `ApplicationSet` is read as YAML before Argo CD fills in its `{{ … }}` templates, so a template
 * written unquoted where a value starts (`name: {{ .path.basename }}`) is a file Argo CD cannot read either: a
 * problem at that line, while its images are read line by line. Under a Helm chart's `templates/` the file is
 * Helm's to render first: no problem.
 */
function unfilledTemplateProblems(file: SourceFile): ScanProblem[] {
  if (!/^kind:[ \t]*["']?ApplicationSet\b/m.test(file.text) || `/${file.path}`.includes('/templates/')) return [];
  const offset = firstTemplateLine(file.text);
  const line = offset === null ? (yamlSource(file).problems[0]?.line ?? null) : file.position(offset).line;
  const text =
    offset === null
      ? ''
      : ` (${
          file.text
            .slice(offset, offset + 200)
            .split('\n')[0]
            ?.trim() ?? ''
        })`;
  return [
    {
      file: file.path,
      line,
      code: 'parse-error',
      message: `not YAML: a {{ … }} template is written unquoted${text}; Argo CD reads an ApplicationSet as YAML before it fills in templates, so quote the value. Its image lines are read one by one`,
    },
  ];
}

/**
 * A manifest read line by line: its image lines and its named values (`- name: python-image` + `value: …`); the use
 * of a Tekton parameter whose default is reported passes the default on.
 */
function brokenLineImages(file: SourceFile): Reference[] {
  const named = namedValueLineImages(file);
  return sortByPosition([...withoutDefaultedUses(templateLineImages(file, lineKindFor), named.defaulted), ...named.references]);
}

/** One `${{ … }}` expression: Kargo's (and GitHub Actions') syntax, evaluated by the tool that reads the object. */
const DOLLAR_EXPRESSION = String.raw`\$\{\{(?:(?!\}\}).)*\}\}`;
const ONLY_EXPRESSIONS = new RegExp(`^${DOLLAR_EXPRESSION}(?:[/:@]${DOLLAR_EXPRESSION})*$`, 's');

/**
 * `image: ${{ vars.imageRepo }}` in a Kargo promotion step (`kustomize-set-image`, `helm-update-image`), or
 * `${{ vars.repo }}:${{ imageFrom(vars.repo).Tag }}`: a value made only of such expressions passes on an image set elsewhere
 * (the Stage's `vars`, the Freight being promoted) and names none here, as in a GitHub Actions workflow.
 */
function isOnlyExpressions(reference: Reference): boolean {
  return reference.skip === 'templated' && ONLY_EXPRESSIONS.test(reference.value.trim());
}

/**
 * In a chart's templates, an image named wholly by template actions passes on the values' image and is left out; others
 * are shown rendered. So is one made only of `${{ … }}` expressions, anywhere, one outside any chart made only of Go
 * template actions on the fields of the data a program renders the manifest with, and one in a chart's other files (which
 * the chart renders itself) made only of Helm actions that read the chart.
 */
function asChartRenders(references: readonly Reference[], charts: ChartFolders | undefined, file: SourceFile): Reference[] {
  return references.flatMap((reference) =>
    isOnlyExpressions(reference) || namedByProgramData(reference, charts) || namedByChartFile(reference, charts) ? [] : (chartTemplateImage(reference, charts, file) ?? []),
  );
}

function kindFor(path: readonly string[], key: string): ReferenceKind {
  const list = path[path.length - 2];
  return key === 'image' && list !== undefined && CONTAINER_LISTS.has(list) ? 'kubernetes-container' : 'kubernetes-image';
}

function lineKindFor(parents: readonly string[], key: string): ReferenceKind {
  const parent = parents[parents.length - 1];
  return key === 'image' && parent !== undefined && CONTAINER_LISTS.has(parent) ? 'kubernetes-container' : 'kubernetes-image';
}

/**
 * `{name: …Image…, value|default: ref}` entries: environment variables and workflow parameters that
 * carry an image. Only values that are a complete reference with a tag or digest count; a parameter
 * passed on (`{{inputs.parameters.image}}`) or a bare registry is not an image reference. A Tekton
 * parameter that a step runs as its image (`image: $(params.runtime)`) carries an image whatever its
 * name: its default is the image (a bare name too, `default: node`), and so is a value a PipelineRun or a pipeline
 * task gives it in the same file (`params: [{name: runner, value: …}]` over an embedded `pipelineSpec` or `taskSpec`);
 * one written through a template is `templated` there, or left out when a chart's template names it wholly
 * (`templatedDefault`); `defaulted` names it: its uses pass that image on.
 */
function namedValueImages(file: SourceFile, root: unknown, resolve: (reference: Reference) => Reference | null, tekton: TektonFacts | undefined): { references: Reference[]; defaulted: Set<string> } {
  const references: Reference[] = [];
  const defaulted = new Set<string>();
  const runAsImage = paramsRunAsImage(root);
  const pushed = pushedParamEntries(root, tekton);
  walkMaps(root, (map) => {
    if (isCustomResourceDefinition(map) || isObjectStatus(root, map)) return 'skip';
    const name = stringField(map, 'name');
    if (name === null) return undefined;
    const runs = runAsImage.has(name);
    if (!runs && (!/image/i.test(name) || namesPushTarget(name) || pushed.has(map))) return undefined;
    for (const key of ['value', 'default']) {
      const found = scalarImage(file, mapGet(map, key), 'kubernetes-image');
      const reference = found && resolve(found);
      if (!reference) continue;
      const use = namedValueUse(file.path, reference, key, runs);
      if (use?.report) references.push(reference);
      if (use?.passes) defaulted.add(name);
    }
    return undefined;
  });
  return { references, defaulted };
}

/** A flag written with its value, `--postgres-image=…` or `-sidecar-image=…`: the flag's name and what follows the `=`. */
const FLAG_WITH_VALUE = /^(--?([A-Za-z0-9][\w.-]*))=(.+)$/;

/** A flag whose last word is `image` (`--postgres-image`, `--config_reloader_image`, `--sidecarImage`, `--image`): not `--image-tag` or `--image-registry`. */
function namesImage(flag: string): boolean {
  const words = flag
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .split(/[-_.]+/);
  return words[words.length - 1] === 'image' && !namesPushTarget(flag);
}

/**
 * Images an operator's container passes to its program as flags in `args` or `command`
 * (`--postgres-image=registry.example.test/db/postgres@sha256:…`, the workloads it starts, often the same images a
 * ClusterServiceVersion lists in `relatedImages`): a flag whose last word is `image`, and not one naming where a build
 * pushes, written with `=` and a complete reference with a tag or digest. Reported and edited after the `=`.
 */
function containerFlagImages(file: SourceFile, root: unknown): Reference[] {
  const references: Reference[] = [];
  walkMaps(root, (map, path) => {
    if (isCustomResourceDefinition(map) || isObjectStatus(root, map)) return 'skip';
    const list = path[path.length - 2];
    if (list === undefined || !CONTAINER_LISTS.has(list)) return undefined;
    for (const key of ['args', 'command']) {
      const items = mapGet(map, key);
      if (!isSeq(items)) continue;
      for (const item of items.items) {
        const scalar = stringScalar(item, file);
        const flag = scalar?.literal ? FLAG_WITH_VALUE.exec(scalar.value) : null;
        if (!scalar || !flag || !namesImage(flag[2] ?? '')) continue;
        const value = flag[3] ?? '';
        if (!looksLikeImageText(value)) continue;
        const start = scalar.start + (flag[1] ?? '').length + 1;
        const reference = makeReference(file, { kind: 'kubernetes-image', value, parts: [{ role: 'reference', start, end: start + value.length }] });
        if (reference.skip === null) references.push(reference);
      }
    }
    return undefined;
  });
  return references;
}

/** A literal name with a registry or path whose tag alone is a variable: `ghcr.io/example/postgresql:${PG_VERSION}`, `…:{{ .Version }}`. */
const VARIABLE_TAG = /^[a-z0-9][a-z0-9._-]*(?::\d+)?(?:\/[a-z0-9][a-z0-9._-]*)+:(?:\$\{[A-Za-z_]\w*(?::?[-=][^{}$]*)?\}|\{\{[^{}]*\}\})$/;

/**
 * `imageName` of a custom resource (CloudNativePG `Cluster.spec.imageName`): the image the operator runs,
 * when written in full with a tag or digest (elsewhere the word names an image without saying where it is), or as a
 * literal name whose tag is a variable that another program fills in (`templated`).
 */
function imageNameFields(file: SourceFile, root: unknown): Reference[] {
  const references: Reference[] = [];
  walkMaps(root, (map) => {
    if (isCustomResourceDefinition(map) || isObjectStatus(root, map)) return 'skip';
    const reference = scalarImage(file, mapGet(map, 'imageName'), 'kubernetes-image');
    if (reference?.skip === null || (reference?.skip === 'templated' && VARIABLE_TAG.test(reference.value))) references.push(reference);
    return undefined;
  });
  return references;
}

/**
 * A Grafana operator `Grafana`'s `spec.version`: a version alone (`12.2.0`) is a tag of the operator's own default image,
 * which it chooses; a whole image (`registry.example.test/grafana/grafana-enterprise:12.2.0`, `grafana/grafana@sha256:…`,
 * anything with `/`, `:` or `@`) is the image the operator runs.
 */
function grafanaVersionImage(file: SourceFile, root: YAMLMap): Reference[] {
  if (stringField(root, 'kind') !== 'Grafana' || !stringField(root, 'apiVersion')?.startsWith('grafana.integreatly.org/')) return [];
  const version = at(root, 'spec', 'version');
  const written = isScalar(version) && typeof version.value === 'string' ? version.value : '';
  if (!/[/:@]/.test(written) || written.startsWith('sha256:')) return [];
  const reference = scalarImage(file, version, 'kubernetes-image');
  return reference ? [reference] : [];
}

/** The Crossplane package kinds whose `spec.package` is the OCI image the package manager pulls and installs. */
const CROSSPLANE_PACKAGE_KINDS = new Set(['Provider', 'Configuration', 'Function']);

/**
 * A Crossplane `Provider`, `Configuration` or `Function` (`apiVersion: pkg.crossplane.io/…`) names in `spec.package` the
 * package Crossplane pulls from its registry (`xpkg.upbound.io/…/provider-aws:v1.2.0`), an OCI image: reported there.
 */
function crossplanePackageImage(file: SourceFile, root: YAMLMap): Reference[] {
  if (!CROSSPLANE_PACKAGE_KINDS.has(stringField(root, 'kind') ?? '') || !stringField(root, 'apiVersion')?.startsWith('pkg.crossplane.io/')) return [];
  const reference = scalarImage(file, at(root, 'spec', 'package'), 'kubernetes-image');
  return reference ? [reference] : [];
}

/**
 * A ConfigMap data key that names an image in kebab-case, snake_case or capitals: `queue-sidecar-image`, `default_image`, `KUBECTL_IMAGE`;
 * also an operator's dotted setting whose last part is `imageRef` (`node.collector.imageRef`).
 */
const DATA_IMAGE_KEY = /(?:^|[-_.])(?:image|IMAGE)$|\.imageRef$/;
/** `scanner.repository` + `scanner.tag`: an operator's dotted settings that write one image in two keys. */
const DATA_REPOSITORY_KEY = /^(.+)\.repository$/;
/** A repository on a registry host, with a path: `registry.example.test/sec/scanner`. */
const HOSTED_PATH = /^(?:localhost(?::\d+)?|[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?)\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
/**
 * A ConfigMap that holds images by name: the word `image` or `images` is a part of its name between hyphens, dots or
 * underscores (`eventing-integrations-images`, `related_images`, `csi-operator-image-set-configmap`).
 */
const IMAGES_CONFIG_MAP = /(?:^|[-_.])images?(?:[-_.]|$)/i;

/**
 * Images a controller reads from a ConfigMap's `data` to start its own workloads (Knative's `queue-sidecar-image`, the
 * source and sink images of `eventing-integrations-images`): a value written as a complete reference, with a tag or
 * digest, under a key that names an image, or any such value in a ConfigMap named for its images. (camelCase `…Image`
 * keys are read as image fields everywhere.) Other settings, and text blocks, are not.
 */
function configMapDataImages(file: SourceFile, root: YAMLMap): Reference[] {
  if (stringField(root, 'kind') !== 'ConfigMap' || stringField(root, 'apiVersion') !== 'v1') return [];
  const data = mapGet(root, 'data');
  if (!isMap(data)) return [];
  const metadata = mapGet(root, 'metadata');
  const named = isMap(metadata) && IMAGES_CONFIG_MAP.test(stringField(metadata, 'name') ?? '');
  const references: Reference[] = [];
  for (const pair of data.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const split = DATA_REPOSITORY_KEY.exec(key);
    if (split) {
      const reference = dottedRepositoryImage(file, data, pair.value, `${split[1] ?? ''}.tag`);
      if (reference) references.push(reference);
      continue;
    }
    if (!named && !DATA_IMAGE_KEY.test(key)) continue;
    const reference = scalarImage(file, pair.value, 'kubernetes-image');
    if (reference?.skip === null && reference.value.includes('/')) references.push(reference);
  }
  return references;
}

/**
 * `scanner.repository: registry.example.test/sec/scanner` + `scanner.tag: "0.72.0"` in a ConfigMap's data: the image the operator
 * runs, `repository:tag`, reported at the repository and edited at the tag. Only a repository on a registry host with a path, and a
 * literal tag beside it; alone, or beside other keys (`scanner.dbRepository`, an artifact's), nothing.
 */
function dottedRepositoryImage(file: SourceFile, data: YAMLMap, node: unknown, tagKey: string): Reference | null {
  const repository = scalarImage(file, node, 'kubernetes-image');
  if (!repository || repository.skip !== 'no-tag' || !HOSTED_PATH.test(repository.value)) return null;
  const tag = stringScalar(mapGet(data, tagKey), file);
  if (!tag || !tag.literal || !isTag(tag.value)) return null;
  return withTagAt(file, repository, tag);
}

/** A custom resource: its group is a domain name of its own (`acid.example.test/v1`); Kubernetes' own groups are not (`apps/v1`, `v1`, `….k8s.io`). */
function isCustomResource(root: YAMLMap): boolean {
  const group = /^([^/]+)\/[^/]+$/.exec(stringField(root, 'apiVersion') ?? '')?.[1] ?? '';
  return group.includes('.') && !/(?:^|\.)k8s\.io$/.test(group);
}

/** Objects that install or fetch a Helm chart (or another source): their `repository` + `version` name a chart. */
const CHART_KINDS = new Set(['HelmRelease', 'HelmChart', 'HelmChartConfig', 'HelmRepository', 'OCIRepository', 'GitRepository', 'Bucket', 'Application', 'ApplicationSet']);

/**
 * A custom resource's image written as `repository` + `version` (an operator's `spec.repository: ghcr.io/team/agent` +
 * `spec.version: v1.4.2`): the image its controller runs, `repository:version`, reported at the repository and updated
 * at the version. Not in an object that installs a chart.
 */
function repositoryVersionImages(file: SourceFile, root: YAMLMap, skipMap: (map: YAMLMap) => boolean): Reference[] {
  if (!isCustomResource(root) || CHART_KINDS.has(stringField(root, 'kind') ?? '')) return [];
  const references: Reference[] = [];
  walkMaps(root, (map) => {
    if (skipMap(map)) return 'skip';
    const reference = repositoryVersionImage(file, map, 'kubernetes-image');
    if (reference) references.push(reference);
    return undefined;
  });
  return references;
}

/**
 * OpenShift `{kind: DockerImage, name: …}` (an ImageStream's `spec.tags[].from`, a BuildConfig's strategy `from`
 * and `source.images[].from`): an image pulled from a registry. Under `to` (a BuildConfig's `output.to`) it is
 * where the build pushes: not a reference.
 */
function dockerImageNames(file: SourceFile, root: unknown): Reference[] {
  const references: Reference[] = [];
  walkMaps(root, (map, path) => {
    if (isCustomResourceDefinition(map) || isObjectStatus(root, map)) return 'skip';
    if (stringField(map, 'kind') !== 'DockerImage' || path[path.length - 1] === 'to') return undefined;
    const reference = scalarImage(file, mapGet(map, 'name'), 'kubernetes-image');
    if (reference) references.push(reference);
    return undefined;
  });
  return references;
}

/**
 * An OpenShift Template's images: none in its `parameters` (a parameter is an image only where an object uses
 * it as one), and those written through parameters resolved to their values.
 */
function templateImages(file: SourceFile, parameters: TemplateParameters | null, references: Reference[]): Reference[] {
  if (parameters === null) return references;
  return references.filter((reference) => !inParameters(file, parameters, reference)).map((reference) => throughParameters(reference, parameters));
}

/** The parameters a Tekton step or sidecar runs as its image (`image: $(params.x)` / `$(inputs.params.x)`). */
function paramsRunAsImage(root: unknown): Set<string> {
  const names = new Set<string>();
  if (!isMap(root) || !(stringField(root, 'apiVersion') ?? '').startsWith('tekton.dev/')) return names;
  walkMaps(root, (map) => {
    const image = stringField(map, 'image');
    const match = image === null ? null : PARAM_IMAGE.exec(image);
    if (match?.[1]) names.add(match[1]);
    return undefined;
  });
  return names;
}

/**
 * The documents of a file of Kubernetes objects that are none, with neither `apiVersion` nor `kind` (a Talos machine-config
 * patch before a `kind: OOMConfig` document): other YAML, left to the reader of other YAML.
 */
function plainDocuments(file: SourceFile): Array<[number, number]> {
  if (!isYamlPath(file.path) || isBrokenTemplate(file)) return [];
  const { documents, broken } = yamlSource(file);
  if (broken || documents.length < 2 || !documents.some((document) => isKubernetesObject(document.contents))) return [];
  return documents.flatMap((document): Array<[number, number]> => {
    const root = document.contents;
    if (!isMap(root) || mapGet(root, 'apiVersion') !== undefined || mapGet(root, 'kind') !== undefined) return [];
    return [[root.range[0], root.range[2]]];
  });
}

export const kubernetesExtractor: Extractor<KubernetesFacts> = {
  name: 'kubernetes',
  kinds: ['kubernetes-container', 'kubernetes-image', 'helm-values', 'kustomize-image'],
  quoting: 'yaml',
  isCandidate: (path) => isYamlPath(path) || isJsonCandidate(path),
  // Helm charts, for the image lines of their templates.
  prepare: (files) => ({ ...chartFolders(files), tekton: tektonFacts(files) }),
  claimsTemplate: (file) => /^apiVersion:[ \t]*\S/m.test(file.text) && /^kind:[ \t]*\S/m.test(file.text),
  claims(file) {
    if (isDefinitionOnly(file)) return true;
    if (isJsonCandidate(file.path)) return isJsonManifest(file);
    if (!isYamlPath(file.path)) return false;
    return yamlSource(file).documents.some((document) => isKubernetesObject(document.contents)) || isBrokenManifest(file);
  },
  extract(file, charts) {
    if (isDefinitionOnly(file) || isUnrenderedTestHook(file, charts)) return { references: [], problems: [] };
    if (isBrokenTemplate(file)) return { references: asChartRenders(brokenLineImages(file), charts, file), problems: unfilledTemplateProblems(file) };
    const { documents, problems } = yamlSource(file);
    const builds: BuiltImage[] = [];
    const outputs = new Set<string>();
    const triggered = new Map<string, string>();
    const roots = documents.flatMap((document) => objectRoots(document.contents));
    const valuesRanges: Array<readonly [number, number]> = [];
    const references = roots.flatMap((root) => {
      const artifacts = new Set<number | undefined>();
      const skaffold = skaffoldArtifactImages(root);
      for (const node of skaffold.artifacts) {
        const built = scalarImage(file, node, 'kubernetes-image');
        if (!built) continue;
        artifacts.add(built.spans[0]?.start);
        if (built.skip === null || built.skip === 'no-tag') builds.push({ value: built.value, file: built.file, line: built.line, scope: file.path.slice(0, file.path.lastIndexOf('/') + 1) });
      }
      const valuesMaps = helmValuesMaps(root);
      for (const values of valuesMaps) if (values.range) valuesRanges.push([values.range[0], values.range[2]]);
      const pushedTo = buildOutputMaps(root);
      const skipMap = (map: YAMLMap): boolean => isCustomResourceDefinition(map) || valuesMaps.includes(map) || isObjectStatus(root, map) || isImageScanSpec(root, map) || pushedTo.has(map);
      // A custom resource's snake_case image fields (`docker_image`, `logical_backup_docker_image` of an operator's configuration
      // object) name the images its controller starts when written as a complete reference; Kubernetes' own fields are camelCase.
      const fields = imageFields(file, root, {
        kindFor,
        splitKind: 'kubernetes-image',
        splitAnywhere: false,
        snakeKeys: false,
        completeSnakeKeys: isCustomResource(root),
        completeImageKeys: isCustomResource(root),
        skipMap,
      });
      for (const values of valuesMaps) {
        for (const reference of imageFields(file, values, { kindFor: () => 'helm-values', splitKind: 'helm-values', splitAnywhere: true, snakeKeys: true })) fields.push(reference);
      }
      const taken = new Set(fields.map((reference) => `${reference.line}:${reference.column}`));
      const parameters = templateParameters(file, root);
      for (const output of buildOutputs(root, parameters)) outputs.add(output);
      for (const [where, stream] of triggeredImages(file, root)) triggered.set(where, stream);
      const resolve = (reference: Reference): Reference | null => (parameters === null ? reference : inParameters(file, parameters, reference) ? null : throughParameters(reference, parameters));
      const others = [
        ...skaffoldBuilderImages(file, root),
        ...gitopsKustomizeImages(file, root),
        ...imageNameFields(file, root),
        ...containerFlagImages(file, root),
        ...dockerImageNames(file, root),
        ...configMapDataImages(file, root),
        ...grafanaVersionImage(file, root),
        ...crossplanePackageImage(file, root),
        ...repositoryVersionImages(file, root, skipMap),
        ...mutationPolicyImages(file, root),
        ...tektonBundleImages(file, root),
        ...runnerLabelImages(file, root, 'kubernetes-image'),
      ];
      const unresolved = [...fields, ...others.filter((reference) => !taken.has(`${reference.line}:${reference.column}`))];
      const values = namedValueImages(file, root, resolve, charts?.tekton);
      const named = values.references.filter((reference) => !taken.has(`${reference.line}:${reference.column}`));
      const through = throughTaskDefaults(file, root, withoutDefaultedUses(templateImages(file, parameters, unresolved), values.defaulted), charts?.tekton);
      const all = [...through, ...named];
      const required = new Set(skaffold.required.map((node) => scalarImage(file, node, 'kubernetes-image')?.spans[0]?.start));
      const built = artifacts.size === 0 ? all : all.filter((reference) => !artifacts.has(reference.spans[0]?.start));
      const own = isJibBuildFile(root) ? built.filter((reference) => !isJibParameter(reference)) : built;
      const planned = withPlanVersion(file, root, own);
      return required.size === 0
        ? planned
        : planned.map((reference) => (required.has(reference.spans[0]?.start) && (reference.skip === null || reference.skip === 'no-tag') ? requiredArtifact(reference) : reference));
    });
    const objects = documents.filter((document) => isKubernetesObject(document.contents) && !isCustomResourceDefinition(document.contents));
    const manifests = (block: SourceFile): readonly Reference[] => kubernetesExtractor.extract(block, charts).references;
    for (const reference of embeddedYamlImages(file, objects, lineKindFor, references, manifests)) references.push(reference);
    const argo = withArgoParameterValues(file, roots, references);
    const built = outputs.size > 0 ? argo.map((reference) => builtInCluster(reference, outputs)) : argo;
    const all = triggered.size > 0 ? built.map((reference) => replacedByTrigger(reference, triggered)) : built;
    if (problems.length > 0 && isBrokenManifest(file)) for (const reference of brokenDocumentImages(file, documents)) all.push(reference);
    const found = asChartRenders(withoutCatalogAnnotations(withoutMachineImages(all, documents, file.base), documents, file.base), charts, file);
    return { references: sortByPosition(asValuesKind(found, file, valuesRanges)), problems, builds };
  },
  leftToOthers: plainDocuments,
};
