import { isMap, isScalar, isSeq, type Document, type YAMLMap } from 'yaml';
import type { SourceFile } from '../../../core/source-file.js';
import type { Reference, ReferenceKind } from '../../../core/types.js';
import type { Extractor } from '../../extractor.js';
import { makeReference, type PartInput } from '../../make-reference.js';
import { mapEntries, mapGet, stringScalar, yamlSource } from '../../yaml-source.js';
import { ciVerdict, GITLAB_GLOBAL_KEYS } from './gitlab-ci-sniff.js';
import { deref, jobScope, mergeSources, readVariables, resolveImage, type VariableScope } from './gitlab-ci-variables.js';

import { gitlabFacts, type GitlabFacts } from './gitlab-ci-includes.js';

export { gitlabFacts, gitlabLocalIncludes, type GitlabFacts } from './gitlab-ci-includes.js';

const CI_NAME = /^\.gitlab-ci\.ya?ml$/i;
const YAML_NAME = /\.ya?ml$/i;

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** One document being scanned: scalars already reported are remembered, so an anchored node is reported once. */
interface Walk {
  readonly file: SourceFile;
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
    case 'unresolved':
      walk.references.push(makeReference(file, { kind, value: scalar.value, parts: [whole], skip: 'templated', detail }));
      return;
    case 'resolved': {
      const parts: PartInput[] = [
        { role: 'template', start: scalar.start, end: scalar.end },
        ...resolution.variables.map(({ name, literal }) => ({ role: 'variable' as const, start: literal.start, end: literal.end, variable: name })),
      ];
      walk.references.push(makeReference(file, { kind, value: resolution.value, parts, anchor: scalar.start, detail }));
    }
  }
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
  extract(file) {
    const { documents, problems } = yamlSource(file);
    const references: Reference[] = [];
    for (const document of documents) {
      const root = document.contents;
      if (isMap(root)) scanDocument({ file, document, seen: new Set(), references }, root);
    }
    return { references, problems };
  },
};
