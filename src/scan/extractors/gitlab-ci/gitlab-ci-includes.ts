import { compileGlob } from '../../../core/glob.js';
import type { SourceFile } from '../../../core/source-file.js';
import type { OutsideSources } from '../../extractor.js';
import { describeInclude, includeEntries, originOfKey, outsideKey, type IncludeEntry } from './gitlab-ci-outside.js';
import { readPipeline, type PipelineReading } from './gitlab-ci-pipeline.js';

/**
 * The root-relative paths a GitLab CI file pulls in with `include: local` (`include: 'path'`,
 * `include: [a, {local: b}]`, `include: {local: c}`). Globs are returned as written, for the caller
 * to expand; remote, project, template and component includes, and paths with variables, are left out.
 * Child pipeline files (`trigger: {include: …}`) count as local includes.
 */
export function gitlabLocalIncludes(file: SourceFile): string[] {
  const found: string[] = [];
  for (const entry of includeEntries(file, null)) if (entry.kind === 'local' && !found.includes(entry.path)) found.push(entry.path);
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

/**
 * How an include that lives outside the repository reads in a skip reason: as written, and why it was not
 * read when the forge was asked (`project acme/ci@v4 (jobs/lint.yml), not read: 404 File Not Found`).
 */
function unreadNote(entry: IncludeEntry, reasons: ReadonlyMap<string, string> | null): string {
  const shown = describeInclude(entry);
  if (reasons === null || (entry.kind !== 'project' && entry.kind !== 'template')) return shown;
  return `${shown}, not read: ${reasons.get(outsideKey(entry)) ?? 'not asked for'}`;
}

/**
 * The files that GitLab CI files pull in, followed transitively: `include: local` from the tree, and
 * `include: project`/`template` from `outside` (read through the forge before the scan). Without
 * `outside`, those are listed as includes a scan does not read.
 */
export function gitlabFacts(files: readonly SourceFile[], outside?: OutsideSources): GitlabFacts {
  const byPath = new Map(files.map((file) => [file.path, file]));
  const outsideFiles = new Map((outside?.files ?? []).map((file) => [file.path, file]));
  const reasons = outside ? new Map(outside.unread.map((include) => [include.key, include.reason])) : null;
  const included = new Set<string>();
  const pipelines = new Map<string, Pipeline>();
  for (const root of files.filter((file) => GITLAB_CI_NAME.test(file.path))) {
    // One pipeline: the root and what it pulls in, transitively, in include order.
    const members: SourceFile[] = [];
    const unread: string[] = [];
    // Without a forge, the includes of other projects and templates are named together, with the one reason.
    const notAsked: string[] = [];
    const queue = [root];
    const seen = new Set<string>();
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      if (seen.has(file.path)) continue;
      seen.add(file.path);
      members.push(file);
      const fromOutside = outsideFiles.has(file.path);
      for (const entry of includeEntries(file, fromOutside ? originOfKey(file.path) : null)) {
        if (entry.kind === 'local') {
          // A path without wildcards names one file: looked up, not matched against every file of the tree.
          const literal = /[*?[\\]/.test(entry.path) ? null : entry.path.replace(/^\/+/, '');
          const matches = literal === null ? globMatcher(entry.path) : null;
          const targets = literal === null ? byPath : [[literal, byPath.get(literal)] as const];
          for (const [path, target] of targets) {
            if (target === undefined || seen.has(path) || (matches !== null && !matches(path))) continue;
            included.add(path);
            queue.push(target);
          }
          continue;
        }
        const target = entry.kind === 'other' ? undefined : outsideFiles.get(outsideKey(entry));
        if (target) queue.push(target);
        else if (outside?.notAsked !== undefined && entry.kind !== 'other') {
          const shown = describeInclude(entry);
          if (!notAsked.includes(shown)) notAsked.push(shown);
          if (notAsked.length === 1) unread.push('');
        } else {
          const note = unreadNote(entry, reasons);
          if (!unread.includes(note)) unread.push(note);
        }
      }
    }
    if (notAsked.length > 0) unread[unread.indexOf('')] = `${notAsked.join(', ')}, not read: ${outside?.notAsked}`;
    const reach = {
      outside: new Set(members.filter((member) => outsideFiles.has(member.path)).map((member) => member.path)),
      unread,
      asked: outside !== undefined && outside.notAsked === undefined,
      ...(outside?.notAsked === undefined ? {} : { notAsked: outside.notAsked }),
    };
    const pipeline = { members, reading: readPipeline(members, reach) };
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
  if (!pipeline) return readPipeline([file], { outside: new Set(), unread: null, asked: false });
  if (pipeline.members.includes(file)) return pipeline.reading;
  const { outside, unread, asked, notAsked } = pipeline.reading.model;
  return readPipeline(
    pipeline.members.map((member) => (member.path === file.path ? file : member)),
    { outside, unread, asked, ...(notAsked === undefined ? {} : { notAsked }) },
  );
}
