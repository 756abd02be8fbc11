import { isMap, isScalar, isSeq } from 'yaml';
import { compileGlob } from '../../../core/glob.js';
import type { SourceFile } from '../../../core/source-file.js';
import { mapEntries, mapGet, stringScalar, yamlSource } from '../../yaml-source.js';

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

/** A global variable as another file of the same pipeline defines it. */
export interface PipelineVariable {
  /** The text as written (may use other variables: `"${PREFIX}/ruby:3.3"`); null when not a plain string. */
  readonly text: string | null;
  readonly file: string;
  readonly line: number;
}

/** What a GitLab CI scan knows about the whole tree. */
export interface GitlabFacts {
  /** Files pulled into GitLab CI by `include: local` (root-relative, `/`-separated). */
  readonly includes: ReadonlySet<string>;
  /**
   * For each file of a pipeline (a `.gitlab-ci.yml` and what it includes), the global `variables:`
   * the pipeline's files define, by name (the root file's own win; names the included files define
   * differently map to null).
   */
  readonly pipelineVariables?: ReadonlyMap<string, ReadonlyMap<string, PipelineVariable | null>>;
}

const GITLAB_CI_NAME = /(^|\/)\.gitlab-ci\.ya?ml$/i;

/** Turns a GitLab include glob (`ci/*.yml`, `ci/**\/*.yml`) into a matcher over root-relative paths, linear in time (core/glob.ts). */
function globMatcher(glob: string): (path: string) => boolean {
  const compiled = compileGlob(glob.replace(/^\/+/, ''), { globstar: true });
  return (path) => compiled.matches(path);
}

/** The files that GitLab CI files pull in with `include: local`, followed transitively. */
export function gitlabFacts(files: readonly SourceFile[]): GitlabFacts {
  const byPath = new Map(files.map((file) => [file.path, file]));
  const included = new Set<string>();
  const pipelineVariables = new Map<string, Map<string, PipelineVariable | null>>();
  for (const root of files.filter((file) => GITLAB_CI_NAME.test(file.path))) {
    // One pipeline: the root and what it pulls in, transitively, in include order.
    const members: SourceFile[] = [];
    const queue = [root];
    const seen = new Set<string>();
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      if (seen.has(file.path)) continue;
      seen.add(file.path);
      members.push(file);
      for (const glob of gitlabLocalIncludes(file)) {
        const matches = globMatcher(glob);
        for (const [path, target] of byPath) {
          if (!matches(path) || seen.has(path)) continue;
          included.add(path);
          queue.push(target);
        }
      }
    }
    if (members.length < 2) continue;
    const variables = new Map<string, PipelineVariable | null>();
    members.forEach((member, index) => {
      for (const [name, variable] of globalVariables(member)) {
        const known = variables.get(name);
        if (known === undefined) variables.set(name, variable);
        else if (index > 0 && known !== null && known.file !== root.path && known.text !== variable.text) variables.set(name, null);
      }
    });
    for (const member of members) pipelineVariables.set(member.path, variables);
  }
  return { includes: included, pipelineVariables };
}

/** The top-level `variables:` of a CI file: each value's text (`{value: …}` maps too), and where it is. */
export function globalVariables(file: SourceFile): Map<string, PipelineVariable> {
  const found = new Map<string, PipelineVariable>();
  for (const document of yamlSource(file).documents) {
    const root = document.contents;
    if (!isMap(root)) continue;
    const block = mapGet(root, 'variables');
    if (!isMap(block)) continue;
    for (const [name, node] of mapEntries(block)) {
      const value = isMap(node) ? mapGet(node, 'value') : node;
      const scalar = isScalar(value) ? stringScalar(value, file) : null;
      const text = scalar?.literal ? scalar.value : isScalar(value) && typeof value.value === 'number' && value.range ? file.text.slice(value.range[0], value.range[1]) : null;
      const at = isScalar(value) && value.range ? value.range[0] : 0;
      found.set(name, { text, file: file.path, line: file.position(at).line });
    }
  }
  return found;
}
