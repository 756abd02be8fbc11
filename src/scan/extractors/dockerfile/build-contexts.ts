import { isMap, isSeq } from 'yaml';
import type { SourceFile } from '../../../core/source-file.js';
import { mapEntries, mapGet, stringScalar, yamlSource } from '../../yaml-source.js';

/**
 * Compose `build.additional_contexts` of every service: the names a Dockerfile may use in
 * `COPY --from=name` or `FROM name` (a map `name: ./dir`, or a list `- name=./dir`). Whatever the
 * context is (a folder, a URL, `docker-image://…`), the name in the Dockerfile is not a registry image.
 */
export function composeContexts(file: SourceFile, contexts: Map<string, { file: string; line: number }>): void {
  for (const document of yamlSource(file).documents) {
    const root = document.contents;
    const services = isMap(root) ? mapGet(root, 'services') : undefined;
    if (!isMap(services)) continue;
    for (const [, service] of mapEntries(services)) {
      const build = isMap(service) ? mapGet(service, 'build') : undefined;
      const additional = isMap(build) ? mapGet(build, 'additional_contexts') : undefined;
      const add = (name: string, offset: number): void => {
        if (contexts.has(name)) return;
        contexts.set(name, { file: file.path, line: file.position(offset).line });
      };
      if (isMap(additional)) {
        for (const [name, value, key] of mapEntries(additional)) {
          const scalar = stringScalar(value, file);
          if (scalar) add(name, key?.range?.[0] ?? scalar.start);
        }
      } else if (isSeq(additional)) {
        for (const item of additional.items) {
          const scalar = stringScalar(item, file);
          const equals = scalar?.value.indexOf('=') ?? -1;
          if (scalar && equals > 0) add(scalar.value.slice(0, equals), scalar.start);
        }
      }
    }
  }
}
