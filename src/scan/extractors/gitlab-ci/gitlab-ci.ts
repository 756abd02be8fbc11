import { isMap, isScalar, isSeq, type Document, type YAMLMap } from 'yaml';
import type { SourceFile } from '../../../core/source-file.js';
import type { Reference, ReferenceKind } from '../../../core/types.js';
import type { Extractor } from '../../extractor.js';
import { makeReference, type PartInput } from '../../make-reference.js';
import { mapEntries, mapGet, stringScalar, yamlSource } from '../../yaml-source.js';
import { ciVerdict, GITLAB_GLOBAL_KEYS } from './gitlab-ci-sniff.js';
import { deref, jobScope, mergeSources, readVariables, resolveImage, type VariableScope } from './gitlab-ci-variables.js';

import { gitlabFacts, globalVariables, type GitlabFacts, type PipelineVariable } from './gitlab-ci-includes.js';

export { gitlabFacts, gitlabLocalIncludes, type GitlabFacts } from './gitlab-ci-includes.js';

const CI_NAME = /^\.gitlab-ci\.ya?ml$/i;
const YAML_NAME = /\.ya?ml$/i;

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** One document being scanned: scalars already reported are remembered, so an anchored node is reported once. */
interface Walk {
  readonly file: SourceFile;
  /** Global variables of the pipeline's files (this one included), by name. */
  readonly pipeline: ReadonlyMap<string, PipelineVariable | null>;
  readonly document: Document.Parsed;
  readonly seen: Set<unknown>;
  readonly references: Reference[];
}

function report(walk: Walk, node: unknown, kind: ReferenceKind, scope: VariableScope, where: string): void {
  let target = deref(node, walk.document);
  if (isMap(target)) target = deref(mapGet(target, 'name'), walk.document);
  if (!isScalar(target) || walk.seen.has(target)) return;
  const scalar = stringScalar(target, walk.file);
  if (!scalar) return;
  walk.seen.add(target);
  const { file } = walk;
  const whole: PartInput = { role: 'reference', start: scalar.start, end: scalar.end };
  const detail = where;
  if (!scalar.literal) {
    walk.references.push(makeReference(file, { kind, value: scalar.value, parts: [whole], skip: 'unsupported-quoting', detail }));
    return;
  }
  if (scalar.value.includes('$[[')) {
    // CI/CD component inputs are interpolated before the pipeline exists.
    walk.references.push(makeReference(file, { kind, value: scalar.value, parts: [whole], skip: 'templated', detail }));
    return;
  }
  const resolution = resolveImage(scalar.value, scope);
  switch (resolution.kind) {
    case 'plain':
      walk.references.push(makeReference(file, { kind, value: scalar.value, parts: [whole], detail }));
      return;
    case 'unresolved': {
      // Resolved through other files of the pipeline or variables built from variables: the value is
      // known, but the literal to edit is not the one the image names, so it stays skipped; the detail
      // says where each variable was found, or why it could not be used.
      const across = resolveAcross(scalar.value, scope, walk.pipeline, file.path);
      const value = 'value' in across ? across.value : scalar.value;
      walk.references.push(makeReference(file, { kind, value, parts: [whole], skip: 'templated', detail: `${detail}; ${across.note}` }));
      return;
    }
    case 'resolved': {
      const parts: PartInput[] = [
        { role: 'template', start: scalar.start, end: scalar.end },
        ...resolution.variables.map(({ name, literal }) => ({ role: 'variable' as const, start: literal.start, end: literal.end, variable: name })),
      ];
      walk.references.push(makeReference(file, { kind, value: resolution.value, parts, anchor: scalar.start, detail }));
    }
  }
}

const USE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
const MAX_NESTING = 8;

type Across = { readonly value: string; readonly note: string } | { readonly note: string };

/** Expands `$VAR`s through the literals in scope, the pipeline's other files and variables built from variables. */
function resolveAcross(text: string, scope: VariableScope, pipeline: ReadonlyMap<string, PipelineVariable | null>, path: string, depth = 0): Across {
  const used: string[] = [];
  // Set inside the replace callback below, which the compiler's narrowing does not follow.
  let missing = null as string | null;
  const value = text.replace(USE, (use, braced: string | undefined, plain: string | undefined) => {
    if (missing !== null) return use;
    const name = (braced ?? plain)!;
    const literal = scope.get(name);
    if (literal) return literal.value;
    const defined = pipeline.get(name);
    if (literal === null && (defined?.text === null || defined?.text.includes('$') !== true)) {
      // The job's own definition (a `parallel: matrix` axis, a value from another variable) wins.
      missing = `$${name} is set by the job to several values or from another variable`;
      return use;
    }
    if (defined === undefined) {
      missing = `$${name} is not defined in ${pipeline.size > 0 ? "this pipeline's files" : 'this file'} (a CI/CD setting or predefined variable)`;
      return use;
    }
    if (defined === null || defined.text === null) {
      missing = defined === null ? `$${name} is defined differently by included files` : `$${name} (${defined.file}:${defined.line}) is not a plain string`;
      return use;
    }
    let resolved = defined.text;
    if (resolved.includes('$')) {
      if (depth >= MAX_NESTING) {
        missing = `$${name} nests variables too deeply`;
        return use;
      }
      const inner = resolveAcross(resolved, new Map(), pipeline, path, depth + 1);
      if (!('value' in inner)) {
        missing = `$${name} (${defined.file}:${defined.line}) is built from other variables: ${inner.note}`;
        return use;
      }
      resolved = inner.value;
      used.push(`$${name} from other variables (${where(defined, path)})`);
    } else used.push(`$${name} (${where(defined, path)})`);
    return resolved;
  });
  if (missing !== null) return { note: missing };
  const stillTemplated = value.includes('$');
  if (stillTemplated) return { note: 'built from variables archpin cannot expand' };
  return { value, note: `resolved through ${used.join(', ')}; not edited: the literal is in another file or built from other variables` };
}

function where(variable: PipelineVariable, path: string): string {
  return variable.file === path ? `line ${variable.line}` : `${variable.file}:${variable.line}`;
}

/** `image:` and `services:` of one map (a job, a template, `default:`, or the top level). */
function reportImages(walk: Walk, map: YAMLMap, scope: VariableScope, where: string): void {
  report(walk, mapGet(map, 'image'), 'gitlab-ci-image', scope, where);
  const services = deref(mapGet(map, 'services'), walk.document);
  if (isSeq(services)) for (const service of services.items) report(walk, service, 'gitlab-ci-service', scope, where);
}

function scanDocument(walk: Walk, root: YAMLMap): void {
  const global = readVariables(mapGet(root, 'variables'), walk.file, walk.document);
  reportImages(walk, root, global, 'global');
  const defaults = deref(mapGet(root, 'default'), walk.document);
  if (isMap(defaults)) reportImages(walk, defaults, global, 'default');
  for (const [name, value] of mapEntries(root)) {
    if (GITLAB_GLOBAL_KEYS.has(name) || !isMap(value)) continue;
    const scope = jobScope(value, global, walk.file, walk.document);
    const where = name.startsWith('.') ? `template ${name}` : `job ${name}`;
    reportImages(walk, value, scope, where);
    for (const source of mergeSources(value, walk.document)) reportImages(walk, source, scope, where);
  }
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
    // Another file of the pipeline wins only where this file does not define the name itself.
    const pipeline = new Map<string, PipelineVariable | null>(facts?.pipelineVariables?.get(file.path) ?? []);
    for (const [name, variable] of globalVariables(file)) pipeline.set(name, variable);
    for (const document of documents) {
      const root = document.contents;
      if (isMap(root)) scanDocument({ file, document, seen: new Set(), references, pipeline }, root);
    }
    return { references, problems };
  },
};
