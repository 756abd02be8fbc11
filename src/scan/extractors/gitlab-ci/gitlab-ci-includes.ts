import { isMap, isScalar, isSeq } from 'yaml';
import { compileGlob } from '../../../core/glob.js';
import type { SourceFile } from '../../../core/source-file.js';
import { mapEntries, mapGet, yamlSource } from '../../yaml-source.js';
import { readPipeline, type PipelineReading } from './gitlab-ci-pipeline.js';

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

/** What a GitLab CI scan knows about the whole tree. */
export interface GitlabFacts {
  /** Files pulled into GitLab CI by `include: local` (root-relative, `/`-separated). */
  readonly includes: ReadonlySet<string>;
  /** For each file of a pipeline (a `.gitlab-ci.yml` and what it includes), the pipeline's files and its model. */
  readonly pipelines?: ReadonlyMap<string, Pipeline>;
}

/** One pipeline: its files as the scan read them (the root first) and what was read from them. */
export interface Pipeline {
  readonly members: readonly SourceFile[];
  readonly reading: PipelineReading;
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
  const pipelines = new Map<string, Pipeline>();
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
    const pipeline = { members, reading: readPipeline(members) };
    for (const member of members) if (!pipelines.has(member.path)) pipelines.set(member.path, pipeline);
  }
  return { includes: included, pipelines };
}

/**
 * The model of the pipeline a file belongs to. A file whose bytes are not the ones the facts were
 * built from (a re-scan after an edit) gets a model rebuilt with its new bytes in its place.
 */
export function modelFor(file: SourceFile, facts: GitlabFacts | undefined): PipelineReading {
  const pipeline = facts?.pipelines?.get(file.path);
  if (!pipeline) return readPipeline([file]);
  if (pipeline.members.includes(file)) return pipeline.reading;
  return readPipeline(pipeline.members.map((member) => (member.path === file.path ? file : member)));
}
