import { compileGlob } from '../../../core/glob.js';
import type { SourceFile } from '../../../core/source-file.js';
import type { OutsideSources } from '../../extractor.js';
import { describeInclude, includeEntries, originOfKey, outsideKey, type IncludeEntry } from './gitlab-ci-outside.js';
import type { PipelineReach, VariableBinding } from './gitlab-ci-model.js';
import { readPipeline, type PipelineReading } from './gitlab-ci-pipeline.js';
import { fileVerdict } from './gitlab-ci-sniff.js';

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

/**
 * Turns a GitLab wildcard include path into a matcher over root-relative paths, as GitLab reads one: `*` is any
 * run of characters but `/`, `**` any run at all (`ci/**.yml`: ci/a.yml and ci/x/b.yml; `ci/**\/*.yml`: only
 * files in ci's subfolders), every other character itself (`?` and `[` too), the whole path matched. Linear in
 * time (core/glob.ts).
 */
function wildcardMatcher(pattern: string): (path: string) => boolean {
  const compiled = compileGlob(pattern.replace(/[?[\\]/g, '\\$&'), { doubleStarCrossesSlash: true });
  return (path) => compiled.matches(path);
}

/** GitLab's order of the files a wildcard names: the repository's path order, byte by byte (git's tree order). */
function gitPathOrder(a: SourceFile, b: SourceFile): number {
  return Buffer.compare(Buffer.from(a.path, 'utf8'), Buffer.from(b.path, 'utf8'));
}

/** Different wildcard paths expanded in one scan at most (GitLab stops a pipeline at 150 includes): a hostile tree costs no more. */
const MAX_WILDCARDS = 150;

/**
 * The files an `include: local` path names (`/` or no `/` first): a path without `*` names one file, looked up;
 * a path with `*` is a wildcard, expanded to the files of the scan it matches, in GitLab's order. Each wildcard
 * is matched once per scan; past MAX_WILDCARDS different ones, a wildcard names no file.
 */
function localResolver(byPath: ReadonlyMap<string, SourceFile>): (pattern: string) => readonly SourceFile[] {
  const expanded = new Map<string, readonly SourceFile[]>();
  return (pattern) => {
    const path = pattern.replace(/^\/+/, '');
    if (!path.includes('*')) {
      const target = byPath.get(path);
      return target === undefined ? [] : [target];
    }
    const known = expanded.get(path);
    if (known !== undefined) return known;
    if (expanded.size >= MAX_WILDCARDS) return [];
    const matches = wildcardMatcher(path);
    const found = [...byPath.values()].filter((file) => matches(file.path)).sort(gitPathOrder);
    expanded.set(path, found);
    return found;
  };
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

/** A child pipeline's file to read as a pipeline of its own, the pipeline whose trigger job starts it, and the parent's includes not read. */
interface ChildRoot {
  readonly file: SourceFile;
  readonly parent: PipelineReading;
  readonly trigger: string;
  readonly unread: Unread;
}

/** The includes a pipeline did not read: notes with their reasons, and those named together because the forge was not asked. */
interface Unread {
  readonly notes: readonly string[];
  readonly notAsked: readonly string[];
}

/**
 * The variables the trigger jobs that start one child pipeline pass down: what each forwards (its YAML variables, see
 * `PipelineView.forwardedVariables`). A name they pass with different values, or that some pass and others do not, is
 * `several`: the child's jobs see one value or the other depending on which trigger started it.
 */
function passedDown(starts: readonly ChildRoot[]): NonNullable<PipelineReach['passed']> {
  const each = starts.map(({ parent, trigger }) => {
    const job = parent.model.jobs.get(trigger);
    return job === undefined ? parent.model.globals : parent.view.forwardedVariables(job);
  });
  const passed = new Map<string, VariableBinding>();
  for (const name of new Set(each.flatMap((variables) => [...variables.keys()]))) {
    const [first, ...others] = each.map((variables) => variables.get(name));
    passed.set(name, first !== undefined && others.every((binding) => binding !== undefined && sameBinding(binding, first)) ? first : 'several');
  }
  return passed;
}

/** The same definition (where it is written), or the same kind of binding. */
function sameBinding(a: VariableBinding, b: VariableBinding): boolean {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) return a.file === b.file && a.start === b.start;
  return a === b;
}

/** The includes not read of every pipeline that starts a child: any of them may define what is passed down. */
function unreadOf(starts: readonly ChildRoot[]): Unread {
  return { notes: [...new Set(starts.flatMap((start) => start.unread.notes))], notAsked: [...new Set(starts.flatMap((start) => start.unread.notAsked))] };
}

/**
 * The files that GitLab CI files pull in, followed transitively: `include: local` from the tree, and
 * `include: project`/`template` from `outside` (read through the forge before the scan). Without
 * `outside`, those are listed as includes a scan does not read. A file that a trigger job names in
 * `trigger: include:` starts a child pipeline: it is read with its own includes as a pipeline of its
 * own, with the global variables the trigger job passes down, and its jobs are not the parent's.
 */
export function gitlabFacts(files: readonly SourceFile[], outside?: OutsideSources): GitlabFacts {
  const byPath = new Map(files.map((file) => [file.path, file]));
  const outsideFiles = new Map((outside?.files ?? []).map((file) => [file.path, file]));
  const reasons = outside ? new Map(outside.unread.map((include) => [include.key, include.reason])) : null;
  const localTargets = localResolver(byPath);
  const included = new Set<string>();
  const pipelines = new Map<string, Pipeline>();
  const children: ChildRoot[] = [];
  const readFrom = (root: SourceFile, parent?: { readonly passed: NonNullable<PipelineReach['passed']>; readonly unread: Unread }): void => {
    // One pipeline: the root and what it pulls in, transitively, in include order.
    const members: SourceFile[] = [];
    // A child's variables may come from its parent's includes not read too (the trigger job passes them down).
    const notes: string[] = [...(parent?.unread.notes ?? [])];
    // Without a forge, the includes of other projects and templates are named together, with the one reason.
    const notAsked: string[] = [...(parent?.unread.notAsked ?? [])];
    // Child pipelines this pipeline's trigger jobs start, each with its trigger job.
    const started: { file: SourceFile; trigger: string }[] = [];
    const queue = [root];
    const seen = new Set<string>();
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      if (seen.has(file.path)) continue;
      seen.add(file.path);
      members.push(file);
      const fromOutside = outsideFiles.has(file.path);
      for (const entry of includeEntries(file, fromOutside ? originOfKey(file.path) : null)) {
        if (entry.child !== undefined) {
          if (entry.kind !== 'local') continue;
          for (const target of localTargets(entry.path)) {
            included.add(target.path);
            started.push({ file: target, trigger: entry.child });
          }
          continue;
        }
        if (entry.kind === 'local') {
          for (const target of localTargets(entry.path)) {
            if (seen.has(target.path)) continue;
            included.add(target.path);
            queue.push(target);
          }
          continue;
        }
        const target = entry.kind === 'other' ? undefined : outsideFiles.get(outsideKey(entry));
        if (target) queue.push(target);
        else if (outside?.notAsked !== undefined && entry.kind !== 'other') {
          const shown = describeInclude(entry);
          if (!notAsked.includes(shown)) notAsked.push(shown);
          if (!notes.includes('')) notes.push('');
        } else {
          const note = unreadNote(entry, reasons);
          if (!notes.includes(note)) notes.push(note);
        }
      }
    }
    const unread = notes.map((note) => (note === '' ? `${notAsked.join(', ')}, not read: ${outside?.notAsked}` : note));
    const reach: PipelineReach = {
      outside: new Set(members.filter((member) => outsideFiles.has(member.path)).map((member) => member.path)),
      unread,
      asked: outside !== undefined && outside.notAsked === undefined,
      ...(outside?.notAsked === undefined ? {} : { notAsked: outside.notAsked }),
      ...(parent === undefined ? {} : { passed: parent.passed }),
    };
    const pipeline = { members, reading: readPipeline(members, reach) };
    for (const member of members) if (!pipelines.has(member.path)) pipelines.set(member.path, pipeline);
    for (const { file, trigger } of started) children.push({ file, parent: pipeline.reading, trigger, unread: { notes, notAsked } });
  };
  for (const root of files.filter((file) => GITLAB_CI_NAME.test(file.path))) readFrom(root);
  // Child pipelines after every root, so a file that a root includes stays in that root's pipeline; each child once,
  // with what all the trigger jobs known to start it pass down.
  for (let child = children.shift(); child !== undefined; child = children.shift()) {
    const path = child.file.path;
    if (pipelines.has(path)) continue;
    const starts = [child, ...children.filter((other) => other.file.path === path)];
    readFrom(child.file, { passed: passedDown(starts), unread: unreadOf(starts) });
  }
  for (const path of pulledInOutsidePipelines(files, byPath, pipelines, localTargets)) included.add(path);
  return { includes: included, pipelines };
}

/**
 * The path in its repository of a file that a raw-file URL serves: `https://raw.githubusercontent.com/<owner>/<repo>/<ref>/<path>`
 * and GitLab's `https://<host>/<group>/<project>/-/raw/<ref>/<path>`. A ref may hold `/`, so each split after the ref's
 * first segment is tried, shortest ref first, and the first path the tree has is taken. Null for other URLs.
 */
export function rawUrlPath(url: string, has: (path: string) => boolean): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  const segments = parsed.pathname.split('/').filter((segment) => segment !== '');
  let from: number;
  if (parsed.hostname.toLowerCase() === 'raw.githubusercontent.com') from = 2;
  else {
    const raw = segments.findIndex((segment, index) => segment === '-' && segments[index + 1] === 'raw');
    if (raw < 1) return null;
    from = raw + 2;
  }
  for (let start = from + 1; start < segments.length; start++) {
    let path: string;
    try {
      path = segments.slice(start).map(decodeURIComponent).join('/');
    } catch {
      return null;
    }
    if (has(path)) return path;
  }
  return null;
}

const YAML_NAME = /\.ya?ml$/i;
/** A compose file's name (`compose.yaml`, `docker-compose.prod.yml`): compose has an `include:` of its own, a list of compose files. */
const COMPOSE_NAME = /(?:^|\/)(?:docker-)?compose[^/]*\.ya?ml$/i;
const INCLUDE_KEY = /^include[ \t]*:/m;

/**
 * Whether a file may be GitLab CI through another CI file's include: a YAML file that is not a compose file by its
 * name and whose content is not another format's (a Kubernetes object, a compose file, a pipeline of named steps).
 * A file that cannot be read is left to the scan, which reports it.
 */
function mayBeCi(file: SourceFile): boolean {
  if (!YAML_NAME.test(file.path) || COMPOSE_NAME.test(file.path)) return false;
  try {
    return fileVerdict(file) !== 'foreign';
  } catch {
    return false;
  }
}

/**
 * Files that CI files of no pipeline pull in (a repository of CI templates, whose files are included by other
 * projects and by each other): what such a file includes by path (`include: local`), and what it includes by a
 * raw-file URL that names a path of this tree (the repository including its own file at a ref), are GitLab CI too,
 * followed transitively. The including file must be GitLab CI by its content, and not a compose file by its name
 * (compose's `include:` lists compose files); an included file whose content or name is another format's is left
 * to that format. They are recognised only: each is read as its own pipeline, as a file found by content is.
 */
function pulledInOutsidePipelines(
  files: readonly SourceFile[],
  byPath: ReadonlyMap<string, SourceFile>,
  pipelines: ReadonlyMap<string, Pipeline>,
  localTargets: (pattern: string) => readonly SourceFile[],
): Set<string> {
  const found = new Set<string>();
  const queue: SourceFile[] = [];
  for (const file of files) {
    if (pipelines.has(file.path) || !YAML_NAME.test(file.path) || COMPOSE_NAME.test(file.path)) continue;
    try {
      if (INCLUDE_KEY.test(file.text) && fileVerdict(file) === 'ci') queue.push(file);
    } catch {
      // A file that cannot be read is reported when the scan reaches it.
    }
  }
  const seen = new Set(queue.map((file) => file.path));
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    let entries: ReturnType<typeof includeEntries>;
    try {
      entries = includeEntries(file, null);
    } catch {
      continue;
    }
    for (const entry of entries) {
      const url = entry.kind === 'other' ? entry.url : undefined;
      const remote = url === undefined ? null : rawUrlPath(url, (path) => byPath.has(path));
      const fetched = remote === null ? undefined : byPath.get(remote);
      const targets = entry.kind === 'local' ? localTargets(entry.path) : fetched !== undefined ? [fetched] : [];
      for (const target of targets) {
        if (seen.has(target.path) || pipelines.has(target.path)) continue;
        seen.add(target.path);
        if (!mayBeCi(target)) continue;
        found.add(target.path);
        queue.push(target);
      }
    }
  }
  return found;
}

/**
 * The model of the pipeline a file belongs to. A file whose bytes are not the ones the facts were
 * built from (a re-scan after an edit) gets a model rebuilt with its new bytes in its place.
 */
export function modelFor(file: SourceFile, facts: GitlabFacts | undefined): PipelineReading {
  const pipeline = facts?.pipelines?.get(file.path);
  if (!pipeline) return readPipeline([file], { outside: new Set(), unread: null, asked: false });
  if (pipeline.members.includes(file)) return pipeline.reading;
  const { outside, unread, asked, notAsked, passed } = pipeline.reading.model;
  return readPipeline(
    pipeline.members.map((member) => (member.path === file.path ? file : member)),
    { outside, unread, asked, ...(notAsked === undefined ? {} : { notAsked }), ...(passed === undefined ? {} : { passed }) },
  );
}
