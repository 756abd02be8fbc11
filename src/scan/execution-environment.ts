import { isMap, isScalar } from 'yaml';
import type { SourceFile } from '../core/source-file.js';
import type { Reference, ReferenceKind } from '../core/types.js';
import { scalarImage } from './yaml-image-fields.js';
import { mapEntries } from './yaml-source.js';

/** The build arguments ansible-builder's generated Containerfile writes its `FROM` lines with. */
const IMAGE_ARGUMENTS: ReadonlyMap<string, string> = new Map([
  ['EE_BASE_IMAGE', 'the base image'],
  ['EE_BUILDER_IMAGE', 'the builder image'],
]);

/** The top-level keys an ansible-builder definition may have besides `version` and `build_arg_defaults`. */
const DEFINITION_KEYS = new Set(['ansible_config', 'dependencies', 'additional_build_steps', 'additional_build_files', 'images', 'options', 'build_arg_defaults', 'version']);

/**
 * An ansible-builder execution environment definition of format 1 or 2 (`version: 1`, `build_arg_defaults:`): its
 * `EE_BASE_IMAGE` and `EE_BUILDER_IMAGE` build arguments are the images the Containerfile that ansible-builder writes
 * starts `FROM`, pulled when the environment is built. Each is reported where it is written and edited there. A map whose
 * other top-level keys are not the definition's is some other file and is not read.
 */
export function executionEnvironmentImages(file: SourceFile, root: unknown, kind: ReferenceKind): Reference[] {
  if (!isMap(root)) return [];
  const entries = mapEntries(root);
  const keys = entries.map(([key]) => key);
  if (!keys.includes('build_arg_defaults') || !keys.every((key) => DEFINITION_KEYS.has(key))) return [];
  const version = entries.find(([key]) => key === 'version')?.[1];
  if (version !== undefined && !(isScalar(version) && /^[12]$/.test(String(version.value).trim()))) return [];
  const defaults = entries.find(([key]) => key === 'build_arg_defaults')?.[1];
  if (!isMap(defaults)) return [];
  const references: Reference[] = [];
  for (const [key, value] of mapEntries(defaults)) {
    const role = IMAGE_ARGUMENTS.get(key);
    if (role === undefined) continue;
    const reference = scalarImage(file, value, kind);
    if (reference) references.push({ ...reference, detail: reference.detail ?? `${role} ansible-builder builds the execution environment from (${key})` });
  }
  return references;
}
