import { MAX_REFERENCES_PER_FILE } from '../core/budgets.js';
import type { SourceFile } from '../core/source-file.js';
import type { Reference, ScanProblem, ValueQuoting } from '../core/types.js';
import {
  hasNamePlaceholder,
  hasStandInName,
  isPlaceholder,
  isPlatformStageName,
  isOnlyJoined,
  isRegistryHostAlone,
  isStepFileReference,
  isUnfilledValue,
  onlyDottedInterpolations,
  parseImageRef,
  writtenParts,
} from '../core/image-ref.js';
import type { BuiltImage, Extractor, OutsideSources, ReplacedImage, ScanContext } from './extractor.js';
import { EXTRACTORS } from './extractors/index.js';
import { isTemplateText } from './helm-template-lines.js';
import { isDefinitionsOnly } from './definition-files.js';
import { isInRanges, observedRanges } from './observed-records.js';
import { isParametersOnly } from './tekton-params.js';
import { comparedRanges, testDataPaths } from './test-inputs.js';
import { YAML_RELEVANT } from './yaml-source.js';
import { isYamlPath } from './yaml-image-fields.js';

export interface ScanResult {
  readonly references: readonly Reference[];
  readonly problems: readonly ScanProblem[];
}

/** Runs every extractor's `prepare` over all files of a scan (cross-file formats: GitLab CI includes), with the files read from outside the repository. */
export function prepareScan(files: readonly SourceFile[], extractors: readonly Extractor[] = EXTRACTORS, outside?: OutsideSources): ScanContext {
  const context = new Map<Extractor, unknown>();
  // CustomResourceDefinitions alone hold no image: no extractor needs their facts.
  const read = files.filter((file) => !isDefinitionsOnly(file));
  for (const extractor of extractors) if (extractor.prepare) context.set(extractor, extractor.prepare(read, outside));
  // What the facts needed was read; each file is read again when its turn comes.
  for (const file of files) file.release();
  return context;
}

/**
 * The first extractor that owns the file by name or facts; else the first that claims it. A YAML file
 * that is a template goes, without being parsed, to the first extractor that reads it by lines.
 */
export function extractorFor(file: SourceFile, context: ScanContext, extractors: readonly Extractor[]): Extractor | null {
  if (isYamlPath(file.path) && isTemplateText(file.text)) {
    for (const extractor of extractors) if (extractor.claimsTemplate?.(file)) return extractor;
    return null;
  }
  for (const extractor of extractors) if (extractor.owns?.(file, context.get(extractor))) return extractor;
  for (const extractor of extractors) if (extractor.claims(file, context.get(extractor))) return extractor;
  return null;
}

/** The references, each with the way its extractor writes a new value. */
function withQuoting(references: readonly Reference[], quoting: ValueQuoting): Reference[] {
  return references.map((reference) => (reference.quoting === quoting ? reference : { ...reference, quoting }));
}

/**
 * The references in the parts of a file that its extractor leaves to others (a document of a file of Kubernetes objects that is
 * no object, a Talos machine-config patch beside a `kind: OOMConfig` document), as the next extractor that claims the file reads them.
 */
function readByNext(file: SourceFile, extractor: Extractor, context: ScanContext, extractors: readonly Extractor[]): Reference[] {
  const left = extractor.leftToOthers?.(file) ?? [];
  if (left.length === 0) return [];
  const next = extractors.slice(extractors.indexOf(extractor) + 1).find((other) => other.claims(file, context.get(other)));
  if (next === undefined) return [];
  const found = next.extract(file, context.get(next)).references.filter((reference) => isInRanges(reference, file, left));
  return withQuoting(found, next.quoting);
}

/**
 * Scans source files: each file goes to the extractor that owns or claims it. A file whose extractor
 * throws is reported as a problem and the scan goes on. Pure: files in, references out.
 */
export function scanFiles(files: readonly SourceFile[], extractors: readonly Extractor[] = EXTRACTORS, context: ScanContext = prepareScan(files, extractors)): ScanResult {
  const references: Reference[] = [];
  const problems: ScanProblem[] = [];
  const builds = new Map<string, BuiltImage[]>();
  const sites = new Set<string>();
  const addBuild = (built: BuiltImage): void => {
    sites.add(`${built.file}:${built.line}`);
    const key = imageKey(built.value);
    const known = builds.get(key);
    if (!known) builds.set(key, [built]);
    // One build for the whole repository answers for every file; scoped ones are kept each (bounded by the sites that name them).
    else if (!known.some((other) => other.scope === undefined || other.scope === built.scope)) known.push(built);
  };
  const replaced: ReplacedImage[] = [];
  const importPaths: string[] = [];
  for (const extractor of extractors) {
    const facts = context.get(extractor);
    if (extractor.preparedImportPaths && facts !== undefined) for (const path of extractor.preparedImportPaths(facts)) importPaths.push(path);
    if (extractor.preparedBuilds && facts !== undefined) for (const built of extractor.preparedBuilds(facts)) addBuild(built);
    if (extractor.preparedReplaced && facts !== undefined) for (const image of extractor.preparedReplaced(facts)) replaced.push(image);
  }
  // The objects a Kyverno or Chainsaw test of the repository only evaluates or compares, kept beside it: no cluster runs them.
  const testData = testDataPaths(files);
  for (const file of files) {
    let extractor: Extractor | null = null;
    if (testData.has(file.path)) continue;
    // A YAML file that never mentions an image, repository, service or include holds no reference
    // any extractor could find, nor does one of CustomResourceDefinitions alone: skip the parse, which is most of a scan's cost.
    try {
      if (isYamlPath(file.path) && (!YAML_RELEVANT.test(file.text) || isDefinitionsOnly(file))) {
        file.release();
        continue;
      }
      extractor = extractorFor(file, context, extractors);
      if (!extractor) continue;
      const result = extractor.extract(file, context.get(extractor));
      for (const problem of result.problems) problems.push(problem);
      for (const built of result.builds ?? []) addBuild(built);
      const extracted = [...withQuoting(result.references, extractor.quoting), ...readByNext(file, extractor, context, extractors)];
      if (extracted.length > MAX_REFERENCES_PER_FILE) {
        problems.push({
          file: file.path,
          line: null,
          code: 'too-many-references',
          message: `${extracted.length} image references, over the budget of ${MAX_REFERENCES_PER_FILE} per file; none of them is used`,
        });
      } else {
        // An object as the API server returned it, a log collector's record, a metric's labels: a record of what ran (observed-records.ts).
        // And the objects a Chainsaw test writes inline as the state it compares the cluster with (test-inputs.ts).
        const observed = [...observedRanges(file), ...comparedRanges(file)];
        const written = new Set<string>();
        for (const reference of extracted) {
          // The same characters reported twice at one place (an anchored image used through several aliases) are one reference.
          const where = spansKey(reference);
          if (written.has(where)) continue;
          written.add(where);
          if (observed.length > 0 && isInRanges(reference, file, observed)) continue;
          if (namesNoImage(reference, reference.quoting ?? extractor.quoting)) continue;
          // `github.com/org/app/cmd/server`: a Go import path (ko builds it) or a source address; github.com serves no registry.
          if (isImportPath(reference, importPaths)) continue;
          references.push(reference);
        }
      }
      file.release(); // parsed forms and contents are large; keep memory flat over big trees
    } catch (error) {
      file.release();
      problems.push({
        file: file.path,
        line: null,
        code: 'parse-error',
        message: `${extractor?.name ?? 'scanner'}: ${(error as Error).message}`,
      });
    }
  }
  const run = markReplaced(references, replaced);
  markBuiltHere(run, builds, sites);
  run.sort((a, b) => compareText(a.file, b.file) || a.line - b.line || a.column - b.column);
  problems.sort((a, b) => compareText(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0));
  return { references: run, problems };
}

/** `ko://example.test/app/cmd/server`: a Go import path that `ko resolve` builds and replaces with the image it pushed. */
const KO_SCHEME = 'ko://';

/** Hosts that serve source code and no container registry (GitHub's registry is ghcr.io): a name on one is no image. */
const SOURCE_HOSTS: ReadonlySet<string> = new Set(['github.com']);

/**
 * A name that is a Go import path, not an image: written with ko's `ko://` scheme (in any file kind, a kustomization's
 * `newName` too), on a source host that serves no registry, or, without a tag or digest,
 * the module path of a go.mod of the scan or a package under it (what ko resolves to the image it builds).
 */
function isImportPath(reference: Reference, modules: readonly string[]): boolean {
  if (reference.value.startsWith(KO_SCHEME)) return true;
  const name = writtenParts(reference.value).name;
  const host = name.slice(0, name.indexOf('/')).toLowerCase();
  if (name.includes('/') && SOURCE_HOSTS.has(host)) return true;
  if (modules.length === 0 || reference.image === null || reference.image.tag !== null || reference.image.digest !== null) return false;
  return modules.some((module) => name === module || name.startsWith(`${module}/`));
}

/**
 * Where a reference is reported, its value and the characters it is written in: two references with the same key are
 * one. (Two uses of one variable are two references: each is reported where it is used.)
 */
function spansKey(reference: Reference): string {
  return `${reference.line}:${reference.column}\n${reference.value}\n${reference.spans.map((span) => `${span.file ?? ''}:${span.start}-${span.end}`).join(',')}`;
}

/**
 * A reference as an extractor found it that names no image as written: an empty value, a placeholder a script fills in, a
 * stand-in for the user's own image, a build tool's parameter, a stage picked by the platform.
 */
function namesNoImage(reference: Reference, quoting: Extractor['quoting']): boolean {
  // `image = ""` in a Nomad job's skeleton, `image: ""` in a CI job: an empty value names no image.
  if (reference.value.trim() === '') return true;
  // `image: "@OPERATOR_IMAGE@"`, `"__IMAGE__"`: a script puts the image there; as written it names none.
  if (isPlaceholder(reference.value)) return true;
  // `image: YOUR_CLI_IMAGE`, `FROM REPLACE-ME`, `image: -backup`: the same, written as a name in capitals or a name's remainder.
  if (reference.skip === 'invalid-reference' && isUnfilledValue(reference.value)) return true;
  // `<address>/library/traefik:v3.3.3`, `docker.io/YOUR_ALIAS/app:dev`: an example configuration's placeholder for the user's registry; no image as written.
  if (hasNamePlaceholder(reference.value)) return true;
  // `repository: setme`, `changeme/web:latest`: a stand-in the user replaces with their own image; none is pulled as written.
  if (hasStandInName(reference.value)) return true;
  // `image: registry.example.test`: a registry host where the image goes, the rest of the name left out; nothing serves it.
  if (reference.skip === 'no-tag' && isRegistryHostAlone(reference.value)) return true;
  // `image: auto`: Istio's sidecar injection puts its proxy image in place of the word (an injected gateway's `istio-proxy`); no registry serves it.
  if (reference.skip === 'no-tag' && reference.value === 'auto') return true;
  // `${image.registry}/${image.repository}:${image.tag}` in YAML a FreeMarker (or Spring, Groovy) template renders: it passes on an image set elsewhere.
  // So does `FROM ${docker.base.image}`: a build argument's name holds no dot, and a build tool (Maven's resource filtering) fills it in first.
  if ((quoting === 'yaml' || reference.kind === 'dockerfile-from') && reference.skip === 'templated' && onlyDottedInterpolations(reference.value)) return true;
  // `build_${TARGETARCH}${TARGETVARIANT}`: a build stage picked by the platform, named in a Dockerfile or the settings that render one.
  if (reference.skip === 'templated' && isPlatformStageName(reference.value)) return true;
  // `builder_image: $(inputs.params.builder_image)` in plain YAML: a build tool's parameter; Tekton objects read theirs themselves.
  if ((reference.kind === 'yaml-image' || reference.kind === 'helm-values') && reference.skip === 'templated' && isParametersOnly(reference.value)) return true;
  // `repository: {{ .OperatorImageRepo }}` + `tag: {{ .OperatorImageTag }}` in YAML a program renders: template actions alone, joined as a name, pass on an image set elsewhere.
  if ((reference.kind === 'yaml-image' || reference.kind === 'helm-values') && reference.skip === 'templated' && isActionsOnly(reference.value)) return true;
  // `image: uses:owner/repo/tasks/build.yaml@main`: a Lighthouse step that names a pipeline file to take steps from.
  if (reference.skip === 'invalid-reference' && isStepFileReference(reference.value)) return true;
  return false;
}

/** A template action that reads one variable or field, with no default or filter. */
const PLAIN_ACTION = /\{\{-?\s*[$.]?[A-Za-z_][\w.]*\s*-?\}\}/g;

/**
 * Template actions that each read one variable or field (`{{ .RelayImageRepo }}`, `{{ relay.image }}`) and nothing else but
 * the `/`, `:` or `@` between them. An action with a default or a filter (`{{ .tag | default "1.0" }}`) writes text of its own.
 */
function isActionsOnly(value: string): boolean {
  return isOnlyJoined(value, PLAIN_ACTION);
}

/** The full name of an image (`nginx:1` and `docker.io/library/nginx:1` are one image), or the text when it does not parse. */
function imageKey(value: string): string {
  const image = parseImageRef(value);
  return image ? `${image.registry}/${image.repository}:${image.tag ?? 'latest'}` : value;
}

/**
 * A Dockerfile image shown with the defaults of its `ARG`s but not edited (a build passes the argument, or the defaults
 * are built from other ARGs): when those defaults name an image this repository builds, that is what it is.
 */
function shownWithDefaults(reference: Reference): boolean {
  return reference.kind === 'dockerfile-from' && reference.skip === 'templated' && !/[${}]/.test(reference.value);
}

/**
 * A base image that this repository builds itself (a compose service with `build:` names it with
 * `image:`, a Skaffold artifact, a bake target's `tags`, `docker build -t` in CI), used by a Dockerfile `FROM`/`COPY --from` or a compose build argument: it comes from
 * the local build, not from a registry, so it is not updated. `sites` are the `file:line` of every name given to a build.
 */
function markBuiltHere(references: Reference[], builds: ReadonlyMap<string, readonly BuiltImage[]>, sites: ReadonlySet<string>): void {
  if (builds.size === 0) return;
  for (const [index, reference] of references.entries()) {
    if (reference.skip !== null && reference.skip !== 'no-tag' && !shownWithDefaults(reference)) continue;
    const built = builds.get(imageKey(reference.value))?.find((candidate) => candidate.scope === undefined || reference.file.startsWith(candidate.scope));
    // A name that itself says what is built (a compose service's `image:` beside `build:`) stays as it is, wherever else the same name is built.
    if (!built || sites.has(`${reference.file}:${reference.line}`)) continue;
    references[index] = { ...reference, skip: 'local-stage', detail: [reference.detail, `built in this repository (${built.file}:${built.line})`].filter(Boolean).join('; ') };
  }
}

/**
 * A manifest's container image that kustomize replaces (every kustomization listing its file has an `images:`
 * entry for its name) never runs as written: `overridden`, the detail naming the entry, which is reported. The
 * name may be one no registry could serve (`image: dashboardImage`): kustomize matches it all the same. An entry
 * whose `newName` is a `ko://` import path gives what ko builds: neither it nor the name it replaces is an image.
 */
function markReplaced(references: readonly Reference[], replaced: readonly ReplacedImage[]): Reference[] {
  if (replaced.length === 0) return [...references];
  const by = new Map(replaced.map((image) => [`${image.file}\n${image.name}`, image.by]));
  const marked: Reference[] = [];
  for (const reference of references) {
    const entry =
      reference.kind === 'kubernetes-container' && (reference.skip === null || reference.skip === 'no-tag' || reference.skip === 'invalid-reference')
        ? by.get(`${reference.file}\n${writtenParts(reference.value).name}`)
        : undefined;
    if (!entry) marked.push(reference);
    else if (!entry.value.startsWith(KO_SCHEME)) {
      const detail = `not run: kustomize replaces it with ${entry.value} (${entry.file}:${entry.line})`;
      marked.push({ ...reference, skip: 'overridden', detail: [reference.detail, detail].filter(Boolean).join('; ') });
    }
  }
  return marked;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
