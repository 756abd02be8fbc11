import { isMap, isScalar, isSeq, type Document, type YAMLMap } from 'yaml';
import type { SourceFile } from '../../../core/source-file.js';
import type { Reference, ReferenceKind } from '../../../core/types.js';
import type { Extractor } from '../../extractor.js';
import { makeReference, type PartInput } from '../../make-reference.js';
import { mapEntries, mapGet, stringScalar, yamlSource } from '../../yaml-source.js';
import { ciVerdict, GITLAB_GLOBAL_KEYS } from './gitlab-ci-sniff.js';
import { deref, mergeSources } from './gitlab-ci-yaml.js';
import { gitlabFacts, modelFor, type GitlabFacts } from './gitlab-ci-includes.js';
import { jobModel, nodeKey, PipelineView, type JobModel, type VariableBinding } from './gitlab-ci-model.js';
import { resolveImage, whereDefined, type Resolution } from './gitlab-ci-resolve.js';

export { gitlabFacts, gitlabLocalIncludes, type GitlabFacts } from './gitlab-ci-includes.js';

/** `.gitlab-ci.yml`, and the `<name>.gitlab-ci.yml` that CI templates are called by convention. */
const CI_NAME = /^(?:.+)?\.gitlab-ci\.ya?ml$/i;
const YAML_NAME = /\.ya?ml$/i;

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** One document being scanned: scalars already reported are remembered, so an anchored node is reported once. */
interface Walk {
  readonly file: SourceFile;
  readonly view: PipelineView;
  /** The jobs of the pipeline that use each image or service node (through `extends:`, `!reference`, or their own). */
  readonly users: ReadonlyMap<string, Users>;
  readonly document: Document.Parsed;
  readonly seen: Set<unknown>;
  readonly references: Reference[];
}

/** The jobs that run one node, and as what (the first use decides). */
interface Users {
  readonly kind: ReferenceKind;
  readonly jobs: JobModel[];
}

/** Where one image node is used from: the map it is written in, as a job or template of this file. */
interface Site {
  readonly job: JobModel | null;
  readonly where: string;
}

function scopeOf(walk: Walk, job: JobModel | null): ReadonlyMap<string, VariableBinding> {
  return job ? walk.view.scopeOf(job) : walk.view.model.globals;
}

function report(walk: Walk, node: unknown, kind: ReferenceKind, site: Site): void {
  let target = deref(node, walk.document);
  if (isMap(target)) target = deref(mapGet(target, 'name'), walk.document);
  if (!isScalar(target) || walk.seen.has(target)) return;
  const scalar = stringScalar(target, walk.file);
  if (!scalar) return;
  walk.seen.add(target);
  const { file } = walk;
  const whole: PartInput = { role: 'reference', start: scalar.start, end: scalar.end };
  const detail = site.where;
  if (!scalar.literal) {
    walk.references.push(makeReference(file, { kind, value: scalar.value, parts: [whole], skip: 'unsupported-quoting', detail }));
    return;
  }
  if (scalar.value.includes('$[[')) {
    // CI/CD component inputs are interpolated before the pipeline exists.
    walk.references.push(makeReference(file, { kind, value: scalar.value, parts: [whole], skip: 'templated', detail }));
    return;
  }
  // The jobs that run this node: each sees its own variables (inherited through `extends:` or not).
  const key = nodeKey(file.path, target);
  const users = (key === null ? undefined : walk.users.get(key)?.jobs) ?? [];
  const reach = { files: walk.view.model.files.length, unread: walk.view.model.unread };
  const readings = new Map<string, { resolution: Resolution; jobs: string[] }>();
  for (const job of users.length > 0 ? users : [site.job]) {
    const resolution = resolveImage(scalar.value, scopeOf(walk, job), file.path, reach);
    const signature = JSON.stringify(resolution);
    const reading = readings.get(signature);
    if (reading) reading.jobs.push(job?.name ?? '');
    else readings.set(signature, { resolution, jobs: [job?.name ?? ''] });
  }
  const several = readings.size > 1;
  for (const { resolution, jobs } of readings.values()) {
    const seenBy = several ? `; as ${jobs.length === 1 ? 'job' : 'jobs'} ${jobs.join(', ')} ${jobs.length === 1 ? 'sees' : 'see'} it` : '';
    walk.references.push(referenceFor(file, kind, scalar, resolution, `${detail}${seenBy}`));
  }
}

function referenceFor(file: SourceFile, kind: ReferenceKind, scalar: { value: string; start: number; end: number }, resolution: Resolution, detail: string): Reference {
  const whole: PartInput = { role: 'reference', start: scalar.start, end: scalar.end };
  switch (resolution.kind) {
    case 'plain':
      return makeReference(file, { kind, value: scalar.value, parts: [whole], detail });
    case 'unresolved':
      // The detail says where each variable was found, or why it could not be used.
      return makeReference(file, { kind, value: resolution.value ?? scalar.value, parts: [whole], skip: 'templated', detail: `${detail}; ${resolution.note}` });
    case 'resolved': {
      const elsewhere = resolution.variables.filter((variable) => variable.file !== file.path);
      if (elsewhere.length > 0) {
        const through = resolution.variables.map((variable) => `$${variable.name} (${whereDefined(variable, file.path)})`).join(', ');
        return makeReference(file, { kind, value: resolution.value, parts: [whole], skip: 'templated', detail: `${detail}; resolved through ${through}; not edited: the literal is in another file` });
      }
      const parts: PartInput[] = [
        { role: 'template', start: scalar.start, end: scalar.end },
        ...resolution.variables.map((variable) => ({ role: 'variable' as const, start: variable.start, end: variable.end, variable: variable.name })),
      ];
      return makeReference(file, { kind, value: resolution.value, parts, anchor: scalar.start, detail });
    }
  }
}

/** `image:` and `services:` of one map (a job, a template, `default:`, or the top level). */
function reportImages(walk: Walk, map: YAMLMap, site: Site): void {
  report(walk, mapGet(map, 'image'), 'gitlab-ci-image', site);
  const services = deref(mapGet(map, 'services'), walk.document);
  if (isSeq(services)) for (const service of services.items) report(walk, service, 'gitlab-ci-service', site);
}

function scanDocument(walk: Walk, root: YAMLMap): void {
  reportImages(walk, root, { job: null, where: 'global' });
  const defaults = deref(mapGet(root, 'default'), walk.document);
  if (isMap(defaults)) reportImages(walk, defaults, { job: null, where: 'default' });
  const sites: Array<{ map: YAMLMap; site: Site & { job: JobModel } }> = [];
  for (const [name, value] of mapEntries(root)) {
    const map = deref(value, walk.document);
    if (GITLAB_GLOBAL_KEYS.has(name) || !isMap(map)) continue;
    const job = jobModel(name, map, walk.file, walk.document);
    const site = { job, where: name.startsWith('.') ? `template ${name}` : `job ${name}` };
    reportImages(walk, map, site);
    for (const source of mergeSources(map, walk.document)) reportImages(walk, source, site);
    sites.push({ map, site });
  }
  // Strings that jobs take through `!reference [template, key]` from under other keys (`.images: {ruby: …}`).
  for (const { map, site } of sites) {
    for (const [path, key] of site.job.leaves) {
      const use = walk.users.get(key);
      if (use) report(walk, leafAt(map, path.split('/'), walk.document), use.kind, site);
    }
  }
}

function leafAt(map: YAMLMap, path: readonly string[], document: Document.Parsed): unknown {
  let node: unknown = map;
  for (const key of path) {
    const target = deref(node, document);
    if (!isMap(target)) return undefined;
    node = mapGet(target, key);
  }
  return node;
}

/** For each image and service node, the jobs (not templates) that run it. */
function usersOf(view: PipelineView): Map<string, Users> {
  const users = new Map<string, Users>();
  const add = (key: string | null, kind: ReferenceKind, job: JobModel): void => {
    if (key === null) return;
    const known = users.get(key);
    if (!known) users.set(key, { kind, jobs: [job] });
    else if (!known.jobs.includes(job)) known.jobs.push(job);
  };
  for (const job of view.model.jobs.values()) {
    if (job.name.startsWith('.')) continue;
    add(view.imageOf(job), 'gitlab-ci-image', job);
    for (const key of view.servicesOf(job) ?? []) add(key, 'gitlab-ci-service', job);
  }
  return users;
}

/**
 * GitLab CI: `image:` and `services:` at the top level, under `default:`, in jobs and hidden
 * templates. Images built from `variables:` literals are updatable through the variable.
 */
export const gitlabCiExtractor: Extractor<GitlabFacts> = {
  name: 'gitlab-ci',
  kinds: ['gitlab-ci-image', 'gitlab-ci-service'],
  quoting: 'yaml',
  isCandidate: (path) => YAML_NAME.test(path),
  prepare: gitlabFacts,
  owns: (file, facts) => CI_NAME.test(baseName(file.path)) || facts?.includes.has(file.path) === true,
  claims(file, facts) {
    const name = baseName(file.path);
    if (CI_NAME.test(name) || facts?.includes.has(file.path) === true) return true;
    if (!YAML_NAME.test(name)) return false;
    let ci = false;
    for (const document of yamlSource(file).documents) {
      const verdict = ciVerdict(document.contents);
      if (verdict === 'foreign') return false;
      if (verdict === 'ci') ci = true;
    }
    return ci;
  },
  extract(file, facts) {
    const { documents, problems } = yamlSource(file);
    const references: Reference[] = [];
    // A file of no pipeline (scanned on its own, or found by content) is its own pipeline.
    const view = new PipelineView(modelFor(file, facts));
    const users = usersOf(view);
    for (const document of documents) {
      const root = document.contents;
      if (isMap(root)) scanDocument({ file, view, users, document, seen: new Set(), references }, root);
    }
    return { references, problems };
  },
};
