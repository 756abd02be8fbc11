import { isMap, isScalar, isSeq } from 'yaml';
import type { SourceFile } from '../../core/source-file.js';
import { mapEntries, mapGet, yamlSource } from '../yaml-source.js';

const REMOTE = /^[a-z][a-z0-9+.-]*:\/\//i;

/** A local include path as GitLab resolves it: relative to the repository root, whether or not it starts with `/`. */
function rootRelative(path: string): string | null {
  const trimmed = path.trim();
  if (trimmed === '' || REMOTE.test(trimmed) || trimmed.includes('$')) return null;
  const relative = trimmed.replace(/^\/+/, '').replace(/^(?:\.\/)+/, '');
  return relative === '' ? null : relative;
}

function includeEntry(node: unknown): string | null {
  if (isScalar(node)) return typeof node.value === 'string' ? rootRelative(node.value) : null;
  if (isMap(node)) {
    const local = mapGet(node, 'local');
    if (isScalar(local) && typeof local.value === 'string') return rootRelative(local.value);
  }
  return null;
}

/**
 * The root-relative paths a GitLab CI file pulls in with `include: local` (`include: 'path'`,
 * `include: [a, {local: b}]`, `include: {local: c}`). Globs are returned as written, for the caller
 * to expand; remote, project, template and component includes, and paths with variables, are left out.
 * Child pipeline files (`trigger: {include: …}`) count as local includes.
 */
export function gitlabLocalIncludes(file: SourceFile): string[] {
  const found: string[] = [];
  for (const document of yamlSource(file).documents) {
    const root = document.contents;
    if (!isMap(root)) continue;
    const includes = [mapGet(root, 'include')];
    // Child pipelines: `trigger: {include: …}` in a job names local configuration files too.
    for (const [, job] of mapEntries(root)) {
      const trigger = isMap(job) ? mapGet(job, 'trigger') : undefined;
      if (isMap(trigger)) includes.push(mapGet(trigger, 'include'));
    }
    for (const include of includes) {
      const entries = isSeq(include) ? include.items : [include];
      for (const entry of entries) {
        const path = includeEntry(entry);
        if (path !== null && !found.includes(path)) found.push(path);
      }
    }
  }
  return found;
}
