import { isMap, isScalar } from 'yaml';
import type { SourceFile } from '../../../core/source-file.js';
import { mapEntries, mapGet, yamlSource } from '../../yaml-source.js';
import { isYamlPath } from '../../yaml-image-fields.js';
import { folderOf } from '../../../core/repo-path.js';

/**
 * Services that get `build:` through `extends:` (`extends: {file: common.yaml, service: web}`, or a service
 * of the same file): compose merges the extended service's keys into theirs, so their `image:` names what
 * they build, as if `build:` were written there. Read once over the scan's files, bounded: chains of at
 * most MAX_CHAIN services, at most MAX_FILES files parsed.
 */

const MAX_CHAIN = 10;
const MAX_FILES = 500;
const EXTENDS_LINE = /^[ \t]*extends[ \t]*:/m;

interface ServiceFacts {
  readonly build: boolean;
  /** The service it extends: its file (root-relative) and name. */
  readonly extends: { readonly file: string; readonly service: string } | null;
}

/** `folder` + a relative path, `.` and `..` resolved; null when it leaves the repository or is absolute. */
export function joinRelative(folder: string, relative: string): string | null {
  if (relative.startsWith('/') || relative === '') return null;
  const parts = folder === '' ? [] : folder.split('/');
  for (const part of relative.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

function readServices(file: SourceFile): Map<string, ServiceFacts> {
  const services = new Map<string, ServiceFacts>();
  for (const document of yamlSource(file).documents) {
    const root = document.contents;
    const map = isMap(root) ? mapGet(root, 'services') : undefined;
    if (!isMap(map)) continue;
    for (const [name, service] of mapEntries(map)) {
      if (!isMap(service)) continue;
      const extended = mapGet(service, 'extends');
      let target: ServiceFacts['extends'] = null;
      if (isScalar(extended) && typeof extended.value === 'string') target = { file: file.path, service: extended.value };
      else if (isMap(extended)) {
        const serviceNode = mapGet(extended, 'service');
        const fileNode = mapGet(extended, 'file');
        const targetFile = isScalar(fileNode) && typeof fileNode.value === 'string' ? joinRelative(folderOf(file.path), fileNode.value) : fileNode === undefined ? file.path : null;
        if (isScalar(serviceNode) && typeof serviceNode.value === 'string' && targetFile !== null) target = { file: targetFile, service: serviceNode.value };
      }
      services.set(name, { build: mapGet(service, 'build') !== undefined, extends: target });
    }
  }
  return services;
}

/** Compose files by path → names of their services that have no `build:` of their own but inherit one through `extends:`. */
export function servicesBuiltThroughExtends(files: readonly SourceFile[]): Map<string, Set<string>> {
  const byPath = new Map(files.filter((file) => isYamlPath(file.path)).map((file) => [file.path, file]));
  const read = new Map<string, Map<string, ServiceFacts>>();
  const servicesOf = (path: string): Map<string, ServiceFacts> | undefined => {
    const known = read.get(path);
    if (known) return known;
    const file = byPath.get(path);
    if (!file || read.size >= MAX_FILES) return undefined;
    let services = new Map<string, ServiceFacts>();
    try {
      services = readServices(file);
    } catch {
      // A file that cannot be read extends nothing.
    }
    read.set(path, services);
    return services;
  };
  const inherits = (path: string, name: string): boolean => {
    let at: { file: string; service: string } | null = { file: path, service: name };
    for (let step = 0; at !== null && step <= MAX_CHAIN; step++) {
      const facts: ServiceFacts | undefined = servicesOf(at.file)?.get(at.service);
      if (!facts) return false;
      if (facts.build) return step > 0;
      at = facts.extends;
    }
    return false;
  };
  const result = new Map<string, Set<string>>();
  for (const file of byPath.values()) {
    try {
      if (!EXTENDS_LINE.test(file.text)) continue;
    } catch {
      continue; // a file that cannot be read is reported when the scan reaches it
    }
    const services = servicesOf(file.path);
    if (!services) continue;
    for (const [name, facts] of services) {
      if (facts.build || facts.extends === null || !inherits(file.path, name)) continue;
      const names = result.get(file.path) ?? new Set<string>();
      names.add(name);
      result.set(file.path, names);
    }
  }
  return result;
}
