import { isMap, isSeq } from 'yaml';
import type { SourceFile } from '../../../core/source-file.js';
import type { Reference } from '../../../core/types.js';
import { writtenParts } from '../../../core/image-ref.js';
import { bakeTargets } from '../../bake-targets.js';
import { makeReference } from '../../make-reference.js';
import { parseHcl } from '../nomad/hcl-body.js';
import { mapEntries, mapGet, stringScalar, yamlSource } from '../../yaml-source.js';

/** The value under `key` (`additional_contexts`, `args`) of each compose service's `build` map in the file. */
function composeBuildEntries(file: SourceFile, key: string): unknown[] {
  const found: unknown[] = [];
  for (const document of yamlSource(file).documents) {
    const root = document.contents;
    const services = isMap(root) ? mapGet(root, 'services') : undefined;
    if (!isMap(services)) continue;
    for (const [, service] of mapEntries(services)) {
      const build = isMap(service) ? mapGet(service, 'build') : undefined;
      const value = isMap(build) ? mapGet(build, key) : undefined;
      if (value !== undefined) found.push(value);
    }
  }
  return found;
}

/**
 * Compose `build.additional_contexts` of every service: the names a Dockerfile may use in
 * `COPY --from=name` or `FROM name` (a map `name: ./dir`, or a list `- name=./dir`). Whatever the
 * context is (a folder, a URL, `docker-image://…`), the name in the Dockerfile is not a registry image.
 */
export function composeContexts(file: SourceFile, contexts: Map<string, { file: string; line: number }>): void {
  const add = (name: string, offset: number): void => {
    if (contexts.has(name)) return;
    contexts.set(name, { file: file.path, line: file.position(offset).line });
  };
  for (const additional of composeBuildEntries(file, 'additional_contexts')) {
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

/**
 * Compose `build.args` of every service, by name (a map `VERSION: …`, or a list `- VERSION=…` or `- VERSION`): the
 * arguments the build passes to a Dockerfile's `ARG`s.
 */
export function composeBuildArgs(file: SourceFile, args: Map<string, { file: string; line: number }>): void {
  const add = (name: string, offset: number): void => {
    if (!args.has(name) && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) args.set(name, { file: file.path, line: file.position(offset).line });
  };
  for (const passed of composeBuildEntries(file, 'args')) {
    if (isMap(passed)) {
      for (const [name, , key] of mapEntries(passed)) add(name, key?.range?.[0] ?? 0);
    } else if (isSeq(passed)) {
      for (const item of passed.items) {
        const scalar = stringScalar(item, file);
        if (!scalar) continue;
        const equals = scalar.value.indexOf('=');
        add(equals === -1 ? scalar.value : scalar.value.slice(0, equals), scalar.start);
      }
    }
  }
}

/**
 * docker-bake `contexts` values that are registry images (`base = "docker-image://alpine:3.20"`, HCL or
 * JSON): BuildKit pulls them like a `FROM`, so they are references, edited after the prefix. Only the
 * text of a double-quoted string is read, and the name it is given is named in the detail. An image written
 * with the file's variables and named after one of its targets (`base = "docker-image://${ORG}/base:${VERSION}"`
 * beside `target "base"`) is what that target builds and pushes for the others: `local-stage`.
 */
export function bakeContextImages(file: SourceFile): Reference[] {
  const references: Reference[] = [];
  const targets = new Map(bakeTargets(file).map((target) => [target.name, target]));
  let defaults: ReadonlyMap<string, string> | undefined;
  for (const match of file.text.matchAll(/"?([A-Za-z0-9_.-]+)"?\s*[=:]\s*"docker-image:\/\/([^"\\\s]+)"/g)) {
    const [whole, name = '', image = ''] = match;
    // `docker-image://scratch`: an empty context, as `FROM scratch` is no image.
    if (image.toLowerCase() === 'scratch') continue;
    const start = match.index + whole.length - 1 - image.length;
    const reference = makeReference(file, { kind: 'bake-context', value: image, parts: [{ role: 'reference', start, end: start + image.length }], detail: `build context ${name}` });
    const built = reference.skip === 'templated' ? targets.get(lastName(image)) : undefined;
    if (!built) {
      references.push(reference);
      continue;
    }
    const detail = `build context ${name}: built by the target "${built.name}" of this file (line ${file.position(built.offset).line})`;
    // Shown as bake names it when the environment sets nothing: each variable's literal default.
    defaults ??= variableDefaults(file);
    const resolved = withDefaults(image, defaults);
    references.push(
      resolved === null
        ? { ...reference, skip: 'local-stage', detail }
        : makeReference(file, {
            kind: 'bake-context',
            value: resolved.value,
            parts: [{ role: 'reference', start, end: start + image.length }],
            skip: 'local-stage',
            detail: `${detail}; shown with the defaults of ${resolved.names.join(', ')}`,
          }),
    );
  }
  return references;
}

/** The literal string defaults of an HCL bake file's top-level `variable` blocks (`variable "ORG" { default = "registry.example.test/team" }`), by name. */
function variableDefaults(file: SourceFile): ReadonlyMap<string, string> {
  const defaults = new Map<string, string>();
  if (!/\.hcl$/i.test(file.path)) return defaults;
  for (const block of parseHcl(file.text).root.blocks) {
    if (block.type !== 'variable' || block.labels.length !== 1) continue;
    const [token, ...rest] = block.attributes.find((attribute) => attribute.name === 'default')?.value ?? [];
    if (token?.type !== 'string' || token.templated || token.escaped || rest.length > 0) continue;
    defaults.set(block.labels[0] ?? '', file.text.slice(token.start + 1, token.end - 1));
  }
  return defaults;
}

/** `${ORG}/base:${VERSION}` with each variable's default put in (the names, as written); null when one has none, or for other interpolation. */
function withDefaults(image: string, defaults: ReadonlyMap<string, string>): { value: string; names: string[] } | null {
  const names: string[] = [];
  let value = '';
  let at = 0;
  for (const match of image.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_-]*)\}/g)) {
    const found = defaults.get(match[1] ?? '');
    if (found === undefined || found.includes('$')) return null;
    if (!names.includes(match[0])) names.push(match[0]);
    value += image.slice(at, match.index) + found;
    at = match.index + match[0].length;
  }
  value += image.slice(at);
  return value.includes('$') || names.length === 0 ? null : { value, names };
}

/** The last path component of a reference's name, without tag or digest (`${ORG}/base:${VERSION}` → `base`). */
function lastName(image: string): string {
  const name = writtenParts(image).name;
  return name.slice(name.lastIndexOf('/') + 1);
}
