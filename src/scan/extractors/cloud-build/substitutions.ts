import { isMap, type Document } from 'yaml';
import type { SourceFile } from '../../../core/source-file.js';
import type { Reference } from '../../../core/types.js';
import { makeReference, type PartInput } from '../../make-reference.js';
import { mapEntries, mapGet, stringScalar, type StringScalar } from '../../yaml-source.js';
import { looksLikeImageText, scalarImage } from '../../yaml-image-fields.js';
import { definitionOf, type VariableDefinition } from '../gitlab-ci/gitlab-ci-model.js';
import { definitionKey, resolveImage, sharedLiteralOf, type LiteralUse, type Resolution } from '../gitlab-ci/gitlab-ci-resolve.js';

/**
 * Cloud Build substitutions in step images (`gcr.io/cloud-builders/gcloud:$_SDK_VERSION`). A user-defined
 * substitution (`_NAME`) whose default the file's own `substitutions:` map gives is resolved through that
 * default, and an update edits the default's literal, as a GitLab CI variable's is. Built-in substitutions
 * (`$PROJECT_ID`, `$SHORT_SHA`, …) and ones the file does not define are known only when a build runs.
 */

/** Substitutions Cloud Build sets itself, for every build or for builds a pull request starts. */
const BUILT_IN = new Set([
  'PROJECT_ID',
  'PROJECT_NUMBER',
  'BUILD_ID',
  'LOCATION',
  'TRIGGER_NAME',
  'TRIGGER_BUILD_CONFIG_PATH',
  'COMMIT_SHA',
  'REVISION_ID',
  'SHORT_SHA',
  'REPO_NAME',
  'REPO_FULL_NAME',
  'BRANCH_NAME',
  'TAG_NAME',
  'REF_NAME',
  'SERVICE_ACCOUNT',
  'SERVICE_ACCOUNT_EMAIL',
  '_HEAD_BRANCH',
  '_BASE_BRANCH',
  '_HEAD_REPO_URL',
  '_PR_NUMBER',
]);

const USE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** The file's `substitutions:` defaults, by name (null: a value that is not a plain string or integer). */
function substitutionsOf(file: SourceFile, document: Document.Parsed): Map<string, VariableDefinition | null> {
  const defaults = new Map<string, VariableDefinition | null>();
  const root = document.contents;
  const block = isMap(root) ? mapGet(root, 'substitutions') : undefined;
  if (isMap(block)) for (const [name, value] of mapEntries(block)) defaults.set(name, definitionOf(name, value, file, document));
  return defaults;
}

/** Why a step image cannot be resolved through the file's substitutions, or null when every one it uses has a literal default. */
function unresolvable(text: string, defaults: ReadonlyMap<string, VariableDefinition | null>): string | null {
  const notes: string[] = [];
  for (const match of text.matchAll(USE)) {
    const name = match[1] ?? match[2] ?? '';
    const definition = defaults.get(name);
    if (definition !== undefined && !BUILT_IN.has(name)) {
      if (definition === null || definition.text === null) notes.push(`$${name} (line ${definition?.line ?? '?'}) is not a plain string`);
      else if (definition.text.includes('$')) notes.push(`$${name} (line ${definition.line}) is built from other substitutions`);
      continue;
    }
    if (BUILT_IN.has(name)) notes.push(`$${name} is a built-in substitution Cloud Build sets when the build runs`);
    else notes.push(`$${name} is not in this file's substitutions (given when the build is started)`);
  }
  return notes.length > 0 ? [...new Set(notes)].join('; ') : null;
}

interface StepImage {
  readonly scalar: StringScalar;
  readonly resolution: Resolution;
}

/**
 * The references of step images that use substitutions (`name: 'gcr.io/cloud-builders/gcloud:$_SDK'`),
 * reported at the step's line; every other step name is read as a plain image. `nodes` are the steps' `name` nodes.
 */
export function stepImages(file: SourceFile, document: Document.Parsed, nodes: readonly unknown[]): Reference[] {
  const defaults = substitutionsOf(file, document);
  const scope = new Map<string, VariableDefinition>();
  for (const [name, definition] of defaults) if (definition !== null && !BUILT_IN.has(name)) scope.set(name, definition);
  const reach = { files: 1, unread: [], asked: false };
  const steps: Array<StepImage | { readonly node: unknown }> = nodes.map((node) => {
    const scalar = stringScalar(node, file);
    if (!scalar?.literal || !scalar.value.includes('$') || !looksLikeImageText(scalar.value)) return { node };
    const note = unresolvable(scalar.value, defaults);
    const resolution: Resolution = note === null ? resolveImage(scalar.value, scope, file.path, reach) : { kind: 'unresolved', note };
    return { scalar, resolution };
  });
  // Every step image each default's literal is part of: one literal in the tags of several images moves them together.
  const uses = new Map<string, LiteralUse[]>();
  for (const step of steps) {
    if (!('resolution' in step) || step.resolution.kind !== 'resolved') continue;
    const { line } = file.position(step.scalar.start);
    for (const definition of step.resolution.variables) {
      const key = definitionKey(definition);
      uses.set(key, [...(uses.get(key) ?? []), { value: step.resolution.value, file: file.path, line }]);
    }
  }
  const references: Reference[] = [];
  for (const step of steps) {
    const reference = 'resolution' in step ? substituted(file, step, (definition) => uses.get(definitionKey(definition)) ?? []) : scalarImage(file, step.node, 'yaml-image');
    if (reference) references.push(reference);
  }
  return references;
}

function substituted(file: SourceFile, { scalar, resolution }: StepImage, usesOf: (definition: VariableDefinition) => readonly LiteralUse[]): Reference {
  const whole: PartInput = { role: 'reference', start: scalar.start, end: scalar.end };
  if (resolution.kind === 'plain') return makeReference(file, { kind: 'yaml-image', value: scalar.value, parts: [whole] });
  if (resolution.kind === 'unresolved') {
    return makeReference(file, { kind: 'yaml-image', value: resolution.value ?? scalar.value, parts: [whole], skip: 'templated', detail: resolution.note });
  }
  const through = `resolved through ${resolution.variables.map((definition) => `$${definition.name} (line ${definition.line})`).join(', ')}, the defaults in this file's substitutions`;
  const sharing = sharedLiteralOf(resolution, file.path, usesOf);
  if (sharing !== null && 'blocker' in sharing) {
    return makeReference(file, { kind: 'yaml-image', value: resolution.value, parts: [whole], skip: 'templated', detail: `${through}; not edited: ${sharing.blocker}` });
  }
  const shared = sharing === null ? null : sharing.shared;
  const parts: PartInput[] = [
    { role: 'template', start: scalar.start, end: scalar.end },
    ...resolution.variables.map((definition) => ({ role: 'variable' as const, start: definition.start, end: definition.end, variable: definition.name })),
  ];
  const sharedWith = shared === null ? '' : `; ${shared.variable} is the tag of ${shared.uses.length} images: it moves only when all of them have the same new tag`;
  const made = makeReference(file, { kind: 'yaml-image', value: resolution.value, parts, anchor: scalar.start, detail: `${through}${sharedWith}` });
  return shared === null ? made : { ...made, shared };
}
