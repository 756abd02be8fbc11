import { isMap } from 'yaml';
import type { SourceFile } from '../../../core/source-file.js';
import type { Reference } from '../../../core/types.js';
import type { Extractor, ExtractResult } from '../../extractor.js';
import { mapEntries, mapGet, yamlSource } from '../../yaml-source.js';
import { scalarImage } from '../../yaml-image-fields.js';

/**
 * ko's configuration (`.ko.yaml`): `defaultBaseImage` and each value of `baseImageOverrides` (keyed by a Go import
 * path) are the base images ko builds on, pulled from a registry: reported. Its `builds` hold no image.
 *
 * What ko builds is named by a Go import path (`ko://example.test/app/cmd/server`, or without the scheme where
 * `ko resolve` fills it in): a build output, not an image. `ko://` values are never images; a bare name under the
 * module path of a `go.mod` of the scan is dropped by the scan (`preparedImportPaths`).
 */

const KIND = 'ko-base-image';
const CONFIG = /(?:^|\/)\.ko\.ya?ml$/;
const GO_MOD = /(?:^|\/)go\.mod$/;
/** `module example.test/app` (the first such line; a quoted path too). */
const MODULE_LINE = /^module[ \t]+"?([^\s"/]+(?:\/[^\s"]+)?)"?[ \t]*(?:\/\/.*)?\r?$/m;
/** At most this many go.mod files are read (a monorepo of modules; a hostile tree of many). */
const MAX_MODULES = 200;

export interface KoFacts {
  /** Module paths of the scan's go.mod files: names under them are Go import paths. */
  readonly modules: readonly string[];
}

function modulePaths(files: readonly SourceFile[]): KoFacts {
  const modules = new Set<string>();
  for (const file of files) {
    if (!GO_MOD.test(file.path) || modules.size >= MAX_MODULES) continue;
    try {
      const path = MODULE_LINE.exec(file.text)?.[1];
      // Only a path with a host (`example.test/app`) can look like an image name; `module app` cannot be confused with one.
      if (path !== undefined && path.includes('.') && path.includes('/')) modules.add(path);
    } catch {
      // A file that cannot be read names no module.
    }
    file.release();
  }
  return { modules: [...modules].sort() };
}

function extract(file: SourceFile): ExtractResult {
  const { documents, problems } = yamlSource(file);
  const references: Reference[] = [];
  const add = (node: unknown): void => {
    const reference = scalarImage(file, node, KIND);
    if (reference) references.push({ ...reference, detail: reference.detail ?? 'a base image ko builds on' });
  };
  for (const document of documents) {
    const root = document.contents;
    if (!isMap(root)) continue;
    add(mapGet(root, 'defaultBaseImage'));
    const overrides = mapGet(root, 'baseImageOverrides');
    if (isMap(overrides)) for (const [, value] of mapEntries(overrides)) add(value);
  }
  return { references, problems };
}

export const koExtractor: Extractor<KoFacts> = {
  name: 'ko',
  kinds: [KIND],
  quoting: 'yaml',
  isCandidate: (path) => CONFIG.test(path) || GO_MOD.test(path),
  prepare: modulePaths,
  preparedImportPaths: (facts) => facts.modules,
  owns: (file) => CONFIG.test(file.path),
  claims: (file) => CONFIG.test(file.path),
  extract,
};
