import { isMap, isScalar, isSeq, type Document, type YAMLMap } from 'yaml';
import type { SourceFile } from '../../../core/source-file.js';
import type { Reference, ReferenceKind, Span } from '../../../core/types.js';
import type { Extractor } from '../../extractor.js';
import { makeReference, type PartInput } from '../../make-reference.js';
import { deref, mapEntries, mapGet, stringScalar, yamlSource } from '../../yaml-source.js';
import { fileVerdict, GITLAB_GLOBAL_KEYS } from './gitlab-ci-sniff.js';
import { mergeSources } from './gitlab-ci-yaml.js';
import { outsideVariableNote } from './gitlab-ci-outside.js';
import { gitlabFacts, modelFor, type GitlabFacts } from './gitlab-ci-includes.js';
import { jobModel, nodeKey, type JobModel } from './gitlab-ci-model.js';
import { definitionKey, type PipelineReading } from './gitlab-ci-pipeline.js';
import { readingsOf, wholeLiteral, type LiteralImage, type Reading } from './gitlab-ci-readings.js';
import { sharedLiteralOf, whereDefined, type Resolution } from './gitlab-ci-resolve.js';

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
  readonly pipeline: PipelineReading;
  readonly document: Document.Parsed;
  readonly seen: Set<unknown>;
  readonly references: Reference[];
}

/** Where one image node is used from: the map it is written in, as a job or template of this file. */
interface Site {
  readonly job: JobModel | null;
  readonly where: string;
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
  // The jobs that run this node: each sees its own variables (inherited through `extends:` or not), in each kind of pipeline its rules give.
  const { view } = walk.pipeline;
  const key = nodeKey(file.path, target);
  const users = (key === null ? undefined : walk.pipeline.users.get(key)?.jobs) ?? [];
  // The VM image of a job (or template) on a hosted macOS runner, which no other job runs as a container image.
  if (kind === 'gitlab-ci-image' && users.length === 0 && key !== null && (walk.pipeline.machineImages.has(key) || (site.job !== null && view.runsOnMacosVm(site.job)))) return;
  const reach = { files: view.model.files.length, unread: view.model.unread, asked: view.model.asked, notAsked: view.model.notAsked };
  const all = (users.length > 0 && key !== null ? walk.pipeline.readings.get(key) : undefined) ?? readingsOf(view, scalar.value, file.path, users.length > 0 ? users : [site.job], reach);
  const first = all[0];
  if (first === undefined) return;
  const replaced = users.length === 0 && key !== null && site.job ? overriddenBy(walk, site.job, key) : null;
  if (replaced !== null) {
    const value = first.resolution.kind === 'resolved' || first.resolution.kind === 'unresolved' ? (first.resolution.value ?? scalar.value) : scalar.value;
    walk.references.push(makeReference(file, { kind, value, parts: [whole], skip: 'overridden', detail: `${detail}; ${replaced}` }));
    return;
  }
  if (all.length === 1) {
    walk.references.push(referenceFor(walk, kind, scalar, first.resolution, detail));
    return;
  }
  // Readings whose image is a variable's literal whole are reported at that literal (extract: literalReferences).
  const atLiteral = (reading: Reading): LiteralImage | null => {
    const definition = wholeLiteral(reading.resolution);
    const literal = definition === null ? undefined : walk.pipeline.literals.get(definitionKey(definition));
    return literal !== undefined && literal.nodes.some((node) => node.key === key) ? literal : null;
  };
  const rest = all.filter((reading) => atLiteral(reading) === null);
  if (rest.length === 0) return;
  // Jobs see this node through different values: it is one reference at one place, reported once, not edited.
  // When some of them are reported at their literals, the rest are named first: they are why this one stays.
  const literals = all.flatMap((reading) => {
    const literal = atLiteral(reading);
    return literal === null ? [] : [`${readingNote(reading)}, reported where it is written (${whereDefined(literal.definition, file.path)})`];
  });
  const restNote = (reading: Reading): string => {
    const definition = wholeLiteral(reading.resolution);
    const shared = definition === null ? '' : ` through $${definition.name} (${whereDefined(definition, file.path)}), which another image is also written through: updated with that one`;
    return `${readingNote(reading)}${shared}`;
  };
  const why = literals.length === 0 ? perJobNote(all, file.path) : rest.map(restNote).join('; ');
  const notes = literals.length === 0 ? all.map(readingNote) : literals;
  walk.references.push(
    makeReference(file, {
      kind,
      value: representative(rest) ?? scalar.value,
      parts: [whole],
      skip: 'templated',
      detail: `${detail}; not edited: ${why}; ${notes.join('; ')}`,
    }),
  );
}

/** The value shown for a node that jobs read differently: the one most jobs resolve it to (the first such on a tie), else the first value known. */
function representative(readings: readonly Reading[]): string | null {
  let best: Reading | null = null;
  for (const reading of readings) if (reading.resolution.kind === 'resolved' && (best === null || reading.jobs.length > best.jobs.length)) best = reading;
  if (best !== null && best.resolution.kind === 'resolved') return best.resolution.value;
  for (const { resolution } of readings) if (resolution.kind === 'unresolved' && resolution.value !== undefined) return resolution.value;
  return null;
}

/** What one group of jobs reads a node as: the value, or why it cannot be read. */
function readingNote({ resolution, jobs }: Reading): string {
  const who = jobList(jobs);
  switch (resolution.kind) {
    case 'plain':
      return `${who} ${jobs.length === 1 ? 'sees' : 'see'} it as written`;
    case 'resolved':
      return `${who} ${jobs.length === 1 ? 'sees' : 'see'} ${resolution.value}`;
    case 'unresolved':
      return `for ${who}, ${resolution.value === undefined ? '' : `${resolution.value}: `}${resolution.note}`;
  }
}

/**
 * Why no job runs a node of this definition of a job: the job is defined again (in a later include or
 * the root), and the merged job takes its `image:` or `services:` from that other definition. Null when
 * the merged job still runs this definition's node, or when the job is defined once.
 */
function overriddenBy(walk: Walk, job: JobModel, key: string): string | null {
  const { model } = walk.pipeline.view;
  const merged = model.jobs.get(job.name);
  if (!merged) return null;
  const own = (places: readonly { kind: string; key?: string }[] | undefined): string[] => (places ?? []).flatMap((place) => (place.kind === 'node' && place.key !== undefined ? [place.key] : []));
  const field = own(job.image ? [job.image] : []).includes(key) ? 'image' : own(job.services).includes(key) ? 'services' : null;
  if (field === null) return null;
  const kept = field === 'image' ? own(merged.image ? [merged.image] : []) : own(merged.services);
  if (kept.includes(key) || (field === 'image' ? merged.image : merged.services) === undefined) return null;
  const winner = merged.image?.kind === 'node' ? model.texts.get(merged.image.key) : undefined;
  const where = field === 'services' ? merged.servicesAt : winner ? `${winner.file}:${winner.line}` : undefined;
  return `not run: job ${job.name} is defined again, and its ${field}: ${where === undefined ? 'in another definition' : `at ${where}`} replaces this one`;
}

const jobList = (jobs: readonly string[]): string => `${jobs.length === 1 ? 'job' : 'jobs'} ${jobs.join(', ')}`;

/**
 * Jobs that see one image through different values: a pin written after the template would hold for
 * one of them only, so none is edited. Names each variable whose value differs, and where each job takes it.
 */
function perJobNote(all: readonly Reading[], here: string): string {
  // Jobs that cannot read it are named with their reason by readingNote; the variables are compared between those that can.
  const readings = all.filter((reading) => reading.resolution.kind === 'resolved');
  if (readings.length < 2) return 'jobs see it through different values';
  const names = new Set<string>();
  for (const reading of readings) if (reading.resolution.kind === 'resolved') for (const variable of reading.resolution.variables) names.add(variable.name);
  const differing = [...names].filter((name) => {
    const places = new Set(readings.map((reading) => (reading.resolution.kind === 'resolved' ? (reading.resolution.variables.find((variable) => variable.name === name)?.start ?? -1) : -2)));
    const files = new Set(readings.map((reading) => (reading.resolution.kind === 'resolved' ? (reading.resolution.variables.find((variable) => variable.name === name)?.file ?? '') : '')));
    return places.size > 1 || files.size > 1;
  });
  const parts = differing.map((name) => {
    const where = readings.map((reading) => {
      const variable = reading.resolution.kind === 'resolved' ? reading.resolution.variables.find((candidate) => candidate.name === name) : undefined;
      return `${variable ? whereDefined(variable, here) : 'not resolved'} for ${jobList(reading.jobs)}`;
    });
    return `$${name} is set per job (${where.join('; ')})`;
  });
  return parts.length > 0 ? parts.join(', ') : 'jobs see it through different values';
}

/**
 * Why each variable an image goes through that is defined in a file of another project or a GitLab template
 * is not edited, and what to do, by definition key: an update that would change one of them is held with it.
 */
function outsideNotes(walk: Walk, resolution: Resolution & { kind: 'resolved' }): Map<string, string> {
  const { outside, globals, files } = walk.pipeline.view.model;
  const notes = new Map<string, string>();
  for (const variable of resolution.variables) {
    if (!outside.has(variable.file)) continue;
    const global = globals.get(variable.name);
    const isGlobal = typeof global === 'object' && global !== null && global.file === variable.file && global.start === variable.start;
    notes.set(definitionKey(variable), outsideVariableNote(variable, isGlobal, files[0] ?? '.gitlab-ci.yml'));
  }
  return notes;
}

function referenceFor(walk: Walk, kind: ReferenceKind, scalar: { value: string; start: number; end: number }, resolution: Resolution, detail: string): Reference {
  const { file } = walk;
  const whole: PartInput = { role: 'reference', start: scalar.start, end: scalar.end };
  switch (resolution.kind) {
    case 'plain':
      return makeReference(file, { kind, value: scalar.value, parts: [whole], detail });
    case 'unresolved':
      // The detail says where each variable was found, or why it could not be used.
      return makeReference(file, { kind, value: resolution.value ?? scalar.value, parts: [whole], skip: 'templated', detail: `${detail}; ${resolution.note}` });
    case 'resolved': {
      const through = resolution.variables.map((variable) => `$${variable.name} (${whereDefined(variable, file.path)})`).join(', ');
      const outside = outsideNotes(walk, resolution);
      const found = sharedLiteralOf(resolution, file.path, (definition) => walk.pipeline.uses.get(definitionKey(definition)) ?? []);
      // A literal of another project's file that several images share is not grouped: archpin never edits it.
      const sharing = found !== null && 'shared' in found && outside.has(found.shared.key) ? { blocker: outside.get(found.shared.key) ?? '' } : found;
      const blocker = sharing !== null && 'blocker' in sharing ? sharing.blocker : null;
      const shared = sharing !== null && 'shared' in sharing ? sharing.shared : null;
      if (blocker !== null) {
        return makeReference(file, { kind, value: resolution.value, parts: [whole], skip: 'templated', detail: `${detail}; resolved through ${through}; not edited: ${blocker}` });
      }
      const elsewhere = resolution.variables.some((variable) => variable.file !== file.path);
      const parts: PartInput[] = [
        { role: 'template', start: scalar.start, end: scalar.end },
        ...resolution.variables.filter((variable) => variable.file === file.path).map((variable) => ({ role: 'variable' as const, start: variable.start, end: variable.end, variable: variable.name })),
      ];
      // A literal in another file (an included one) is edited there: its span names the file.
      const foreign: Span[] = resolution.variables
        .filter((variable) => variable.file !== file.path)
        .map((variable) => ({
          role: 'variable',
          file: variable.file,
          start: variable.base + variable.start,
          end: variable.base + variable.end,
          text: variable.text ?? '',
          line: variable.line,
          column: variable.column,
          variable: variable.name,
          ...(variable.quote === undefined ? {} : { quote: variable.quote }),
          ...(outside.has(definitionKey(variable)) ? { outside: outside.get(definitionKey(variable)) } : {}),
        }));
      const sharedWith = shared === null ? '' : `; ${shared.variable} is the tag of ${shared.uses.length} images: it moves only when all of them have the same new tag`;
      const held = outside.size === 0 ? '' : `; held if an update changes it: ${[...outside.values()].join('; ')}`;
      const made = makeReference(file, { kind, value: resolution.value, parts, anchor: scalar.start, detail: `${elsewhere ? `${detail}; resolved through ${through}` : detail}${sharedWith}${held}` });
      // `registry.example.test/app@sha256:$BASE_DIGEST` with `BASE_DIGEST: "put-the-digest-here"`: the pipeline must be given the value.
      if (made.skip === 'invalid-reference') {
        const why = `${through} gives ${resolution.value}, not a valid reference: the pipeline must set another value`;
        return makeReference(file, { kind, value: scalar.value, parts: [whole], skip: 'templated', detail: `${detail}; ${why}` });
      }
      const spans = foreign.length === 0 ? made.spans : [...made.spans, ...foreign];
      return { ...made, spans, ...(shared === null ? {} : { shared }) };
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
      const use = walk.pipeline.users.get(key);
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

/**
 * The variable literals of this file that are whole images which jobs run through a node they read differently
 * (a job or a rule's `variables:` sets the variable another way): each is reported, and updated, where it is written.
 */
function literalReferences(file: SourceFile, pipeline: PipelineReading): Reference[] {
  const references: Reference[] = [];
  for (const literal of pipeline.literals.values()) {
    const { definition } = literal;
    if (definition.file !== file.path) continue;
    const nodes = literal.nodes.map((node) => `${node.text} (${node.file === file.path ? `line ${node.line}` : `${node.file}:${node.line}`})`).join(', ');
    const detail = `$${definition.name}: ${literal.kind === 'gitlab-ci-image' ? 'image' : 'service'} ${nodes} as ${jobList(literal.jobs)} ${literal.jobs.length === 1 ? 'runs' : 'run'} it`;
    references.push(makeReference(file, { kind: literal.kind, value: definition.text ?? '', parts: [{ role: 'reference', start: definition.start, end: definition.end }], detail }));
  }
  return references;
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
    return YAML_NAME.test(name) && fileVerdict(file) === 'ci';
  },
  extract(file, facts) {
    const { documents, problems } = yamlSource(file);
    const references: Reference[] = [];
    // A file of no pipeline (scanned on its own, or found by content) is its own pipeline.
    const pipeline = modelFor(file, facts);
    for (const document of documents) {
      const root = document.contents;
      if (isMap(root)) scanDocument({ file, pipeline, document, seen: new Set(), references }, root);
    }
    references.push(...literalReferences(file, pipeline));
    return { references, problems };
  },
};
