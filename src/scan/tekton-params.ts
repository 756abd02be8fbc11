import type { Reference } from '../core/types.js';
import { hasDigestPlaceholder, isOnlyJoined, isTemplated } from '../core/image-ref.js';
import { namedByChartValues } from './helm-template-lines.js';

/** `image: $(params.x)` / `$(inputs.params.x)`: a Tekton step or sidecar that runs a parameter as its image. */
export const PARAM_IMAGE = /^\$\((?:inputs\.)?params\.([\w-]+)\)$/;

/** `$(params.x)` / `$(inputs.params.x)` anywhere in a value, the parameter's name captured. */
export const PARAM_USE = /\$\((?:inputs\.)?params\.([\w-]+)\)/g;

/**
 * A value made only of such parameter placeholders (`$(inputs.params.builder_image)`, `$(params.registry)/$(params.name)`):
 * outside a Tekton object (a build tool's inventory written in the same style) it passes on an image the tool's caller gives.
 */
export function isParametersOnly(value: string): boolean {
  return isOnlyJoined(value, PARAM_USE);
}

/** Template actions, variables and substitution placeholders: what is left of a value without them is written in the file. */
const WRITTEN_ELSEWHERE = /\{\{[\s\S]*?\}\}|\$\{[^}]*\}|\$[A-Za-z_]\w*|%\{[^}]*\}|<%[\s\S]*?%>|\[\[[\s\S]*?\]\]|@[A-Za-z_]\w*@|__[A-Z][A-Z0-9_]*__/g;

/**
 * What a templated `default` of a parameter that a step runs as its image is (or a templated `value` a run gives it):
 * - `image`: it writes part of the image's name itself (`{{ include "team.registry" . }}/tools/lint:1.4.2` in a chart's
 *   template, `${REGISTRY}/tools/lint:1.4.2` filled in by envsubst): the image, `templated`, where it is written;
 * - `passed-on`: a chart template names it wholly by template actions (`'{{ $image }}'`, `{{ .Values.lintImage }}`), as a
 *   chart template's `image: {{ .Values.image }}` passes on the image its values set;
 * - null: a placeholder a script fills in (`{{TARGET}}`, `${IMAGE}`), or a Tekton substitution a run gives (`$(params.base)`).
 * With `image` and `passed-on` the uses of the parameter pass it on, as they pass on a literal default.
 */
export function templatedDefault(path: string, value: string): 'image' | 'passed-on' | null {
  if (value.includes('$(')) return null;
  if (namedByChartValues(path, value)) return 'passed-on';
  const written = value.replace(WRITTEN_ELSEWHERE, '');
  const nameEnd = written.search(/[:@]/);
  return /[A-Za-z0-9]/.test(nameEnd === -1 ? written : written.slice(0, nameEnd)) ? 'image' : null;
}

/**
 * Leaves out the uses of parameters whose `default` is reported as the image: `image: $(params.builder)` runs
 * the default unless a run gives another value, and the default is where the image is written and updated, so
 * the use only passes it on. A use of a parameter without such a default (a run must give it) stays `templated`.
 */
export function withoutDefaultedUses(references: readonly Reference[], defaulted: ReadonlySet<string>): Reference[] {
  if (defaulted.size === 0) return [...references];
  return references.filter((reference) => {
    if (reference.skip !== 'templated') return true;
    const name = PARAM_IMAGE.exec(reference.value)?.[1];
    return name === undefined || !defaulted.has(name);
  });
}

/**
 * A named value whose name says it is where something is pushed (`output-image`, `IMAGE_DESTINATION`, `dest_image`,
 * `pushImage`): a build's or an upload's output, as an OpenShift BuildConfig's `output.to` is, not an image anything
 * pulls. A parameter that a step runs as its image is not judged by its name.
 */
export function namesPushTarget(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .split(/[-_.\s]+/);
  return words.some((word) => word === 'output' || word === 'destination' || word === 'dest' || word === 'push');
}

/** A literal name (no variable or template in it) whose digest alone is a placeholder: `registry.example.test/db@sha256:<db_SHA_value>`. */
function hasLiteralNameWithDigestPlaceholder(value: string): boolean {
  const at = value.indexOf('@');
  return at > 0 && hasDigestPlaceholder(value) && !isTemplated(value.slice(0, at));
}

/** A content digest alone (`sha256:` and its hex), which reads as a name and a tag. */
const CONTENT_DIGEST = /^sha(?:256|384|512):[0-9a-f]{32,}$/i;

/**
 * What a named value's image (`- name: python-image` + `value: python:3.11`, a parameter's `default`) is, read parsed or
 * line by line: `report` when it is listed, `passes` when the uses of the parameter (`runs`: a step runs it as its image) pass
 * it on. Kept: a reference with a tag or digest; a `default` without a tag of a parameter a step runs; a templated value of
 * such a parameter as `templatedDefault` judges it; a literal name whose digest is a placeholder (`templated`). Null for anything else.
 */
export function namedValueUse(path: string, reference: Reference, key: string, runs: boolean): { readonly report: boolean; readonly passes: boolean } | null {
  // `- name: scanner:ImageID` + `value: sha256:…`: an image's ID (a scan report's record), a digest alone, not an image name with a tag.
  if (CONTENT_DIGEST.test(reference.value)) return null;
  if (runs && reference.skip === 'templated') {
    const through = templatedDefault(path, reference.value);
    return through === null ? null : { report: through === 'image', passes: true };
  }
  // `- name: RELATED_IMAGE_DB` + `value: registry.example.test/team/db@sha256:<update_db_SHA_value>`: the image is written in
  // full and a release script fills in its digest; such a digest is `templated` in any field, and so it is here.
  if (reference.skip === 'templated' && hasLiteralNameWithDigestPlaceholder(reference.value)) return { report: true, passes: false };
  if (reference.skip !== null && !(runs && key === 'default' && reference.skip === 'no-tag')) return null;
  // A run's or a pipeline task's `value` for the parameter is passed on the same way (propagated into an embedded spec).
  return { report: true, passes: runs };
}
