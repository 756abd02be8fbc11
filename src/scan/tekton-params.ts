import type { Reference } from '../core/types.js';

/** `image: $(params.x)` / `$(inputs.params.x)`: a Tekton step or sidecar that runs a parameter as its image. */
export const PARAM_IMAGE = /^\$\((?:inputs\.)?params\.([\w-]+)\)$/;

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
