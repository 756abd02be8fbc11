import { isScalar } from 'yaml';
import type { SourceFile } from '../core/source-file.js';
import type { Reference, ReferenceKind } from '../core/types.js';
import { mapEntries, walkMaps } from './yaml-source.js';
import { isImageKey, isYamlPath, scalarImage } from './yaml-image-fields.js';

/**
 * Matrix data kept in a file of its own: a GitHub workflow that names a YAML file of the repository by its path
 * (`matrix_file=".github/matrix-full.yml"`, turned into a job output with `yq -o=json`) and takes a job's matrix from an
 * expression (`include: ${{ fromJSON(needs.meta.outputs.matrix)['build-images'] }}`) runs the entries of that file. Their
 * keys are the matrix axes, read as an axis written in the workflow is: one that the workflow uses (`matrix.base-image`)
 * and that is named like an image with a hyphen (`base-image`; `image`, `…Image` and `…_image` are read in any YAML)
 * holds images when its values are written as images, with a tag, a digest or a registry path.
 */

const WORKFLOW = /(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/i;
/** A job's matrix, or its `include`, taken from a computed expression. */
const MATRIX_FROM_JSON = /\$\{\{\s*fromJSON\s*\(/i;
/** A repository path written in the workflow's text, ending in `.yml` / `.yaml`. */
const YAML_PATH = /(?<![\w./-])(?:\.\/)?((?:[\w.-]+\/)*[\w.-]+\.ya?ml)(?![\w/-])/g;
const MATRIX_KEY = /\bmatrix\.([A-Za-z_][\w-]*)/g;
/** Named like an image with a hyphen or underscore before `image` (`base-image`, `build-image`). */
const HYPHEN_IMAGE_KEY = /[-_]image$/i;

/** For each YAML file a workflow loads as matrix data, the hyphenated image axes the workflow uses. */
export function workflowMatrixFiles(files: readonly SourceFile[]): ReadonlyMap<string, ReadonlySet<string>> {
  const paths = new Set(files.map((file) => file.path));
  const found = new Map<string, Set<string>>();
  for (const file of files) {
    if (!WORKFLOW.test(file.path)) continue;
    const text = file.text;
    if (!MATRIX_FROM_JSON.test(text)) continue;
    const keys = new Set<string>();
    for (const match of text.matchAll(MATRIX_KEY)) {
      const key = match[1] ?? '';
      if (HYPHEN_IMAGE_KEY.test(key) && !isImageKey(key, true)) keys.add(key);
    }
    if (keys.size === 0) continue;
    for (const match of text.matchAll(YAML_PATH)) {
      const path = match[1] ?? '';
      if (!paths.has(path) || WORKFLOW.test(path) || !isYamlPath(path)) continue;
      const known = found.get(path) ?? new Set<string>();
      for (const key of keys) known.add(key);
      found.set(path, known);
    }
  }
  return found;
}

/** A value that is one `${{ … }}` expression and nothing else: an image another job computes. */
const WHOLE_EXPRESSION = /^\$\{\{(?:(?!\}\}).)*\}\}$/s;

/** The values of the file's image axes (`base-image: ubuntu:24.04` in each entry), each where it is written. */
export function matrixFileImages(file: SourceFile, root: unknown, kind: ReferenceKind, keys: ReadonlySet<string> | undefined): Reference[] {
  if (keys === undefined || keys.size === 0) return [];
  const references: Reference[] = [];
  walkMaps(root, (map) => {
    for (const [key, value] of mapEntries(map)) {
      if (!keys.has(key) || !isScalar(value)) continue;
      const reference = scalarImage(file, value, kind);
      if (!reference || WHOLE_EXPRESSION.test(reference.value.trim())) continue;
      if (reference.image !== null && reference.image.tag === null && reference.image.digest === null && !reference.value.includes('/')) continue;
      references.push(reference);
    }
  });
  return references;
}
