/**
 * Reads, through the forge, the files a repository's GitLab CI pulls in from other projects
 * (`include: project`) and from GitLab's templates (`include: template`), so that the scan resolves
 * variables and `extends:` through them as through `include: local`. Bounded: includes of included files
 * are followed `depth` deep, at most `count` files and `bytes` bytes are read, within `timeMs`: a request still
 * in flight when the time is up is stopped. Every include that is not read is named with its file, line and
 * reason; the rest goes on.
 */
import type { CiIncludeReader, IncludeRead } from '../apply/forges/forge.js';
import { CI_INCLUDE_BUDGET } from '../core/budgets.js';
import { looksBinary, sourceFile, type SourceFile } from '../core/source-file.js';
import type { OutsideRead } from '../core/types.js';
import type { OutsideSources, UnreadInclude } from '../scan/extractor.js';
import { includeEntries, originOfKey, outsideKey, type OutsideEntry } from '../scan/extractors/gitlab-ci/gitlab-ci-outside.js';

export interface IncludeBudget {
  readonly depth: number;
  readonly count: number;
  readonly bytes: number;
  readonly timeMs: number;
}

/** A YAML file that may name an include of another project or a template (cheap test before parsing). */
const MAY_INCLUDE = /^\s*(?:-\s*)?(?:project|template)\s*:/m;
const YAML_NAME = /\.ya?ml$/i;

interface Pending {
  readonly entry: OutsideEntry;
  readonly file: string;
  readonly depth: number;
}

export async function readOutsideIncludes(files: readonly SourceFile[], reader: CiIncludeReader, budget: IncludeBudget = CI_INCLUDE_BUDGET, now: () => number = Date.now): Promise<OutsideSources> {
  const deadline = now() + budget.timeMs;
  // The same limit in real time, for the request in flight: one that stalls is stopped when the time is up.
  const stop = AbortSignal.timeout(budget.timeMs);
  // Read through a call: the signal changes while a request is awaited, which narrowing does not see.
  const stopped = (): boolean => stop.aborted;
  const tooLong = `reading includes took longer than ${duration(budget.timeMs)}`;
  const read: SourceFile[] = [];
  const unread: UnreadInclude[] = [];
  const seen = new Set<string>();
  const asked: OutsideRead[] = [];
  let bytes = 0;
  const queue: Pending[] = [];
  const enqueue = (file: SourceFile, origin: ReturnType<typeof originOfKey>, depth: number): void => {
    for (const entry of includeEntries(file, origin)) {
      if (entry.kind === 'project' || entry.kind === 'template') queue.push({ entry, file: file.path, depth });
    }
  };
  for (const file of files) {
    if (!YAML_NAME.test(file.path) || !MAY_INCLUDE.test(file.text)) continue;
    try {
      enqueue(file, null, 1);
    } catch {
      // A file that does not parse names no includes; its own scan reports it.
    }
  }
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const { entry, file, depth } = next;
    const key = outsideKey(entry);
    if (seen.has(key)) continue;
    seen.add(key);
    const refuse = (reason: string): void => {
      unread.push({ key, file, line: entry.line, reason });
    };
    if (depth > budget.depth) {
      refuse(`not read: included ${depth} deep, past the limit of ${budget.depth}`);
      continue;
    }
    if (read.length >= budget.count) {
      refuse(`not read: ${budget.count} included files were read already, the limit`);
      continue;
    }
    const remember = (identity: string): void => {
      asked.push(entry.kind === 'project' ? { kind: 'project', project: entry.project, path: entry.path, ref: entry.ref, identity } : { kind: 'template', name: entry.name, identity });
    };
    if (now() >= deadline || stopped()) {
      refuse(`not read: ${tooLong}`);
      // Remembered as not read: a remembered scan asks for it again, and one it can read now means the scan runs again.
      // (The depth and count limits refuse the same files again as long as the files read are the same.)
      remember('unread');
      continue;
    }
    const result = await readOne(reader, entry, stop);
    remember(identityOf(result));
    if (!result.ok) {
      refuse(stopped() ? `not read: ${tooLong}; the request for ${describeRead(entry)} was stopped` : result.reason);
      continue;
    }
    if (bytes + result.bytes.length > budget.bytes) {
      refuse(`not read: ${result.bytes.length} bytes would take the included files past ${budget.bytes} bytes together`);
      continue;
    }
    if (looksBinary(result.bytes)) {
      refuse('not read: a binary file (NUL byte)');
      continue;
    }
    bytes += result.bytes.length;
    const included = sourceFile(key, result.bytes);
    read.push(included);
    // Templates' own includes are GitLab's (other templates): read with the same rules.
    try {
      enqueue(included, originOfKey(key), depth + 1);
    } catch {
      // Its problems show when the pipeline is read.
    }
  }
  return { files: read, unread, asked };
}

const readOne = (reader: CiIncludeReader, entry: OutsideRead | OutsideEntry, signal?: AbortSignal): Promise<IncludeRead> =>
  entry.kind === 'project' ? reader.projectFile(entry.project, entry.path, entry.ref, signal) : reader.template(entry.name, signal);

/** An include as a reason names it: `jobs/docker.yml of shared/ci@v2`, `the CI template Code-Quality.gitlab-ci.yml`. */
const describeRead = (entry: OutsideEntry): string => (entry.kind === 'project' ? `${entry.path} of ${entry.project}${entry.ref === null ? '' : ` at ${entry.ref}`}` : `the CI template ${entry.name}`);

const duration = (ms: number): string => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`);

/** What a read is known by: the forge's identity of the version read, or `unread` (a file the forge would not give). */
const identityOf = (result: IncludeRead): string => (result.ok ? result.identity : 'unread');

/**
 * Whether the files a scan read for CI includes are still the ones it read: each is asked again (no tree of the
 * repository is read). The first that differs is named (`shared/ci@v2:jobs/docker.yml`), or null when none does.
 * An include the time limit left unread is in `asked` as not read, so it is asked now; one the depth or count
 * limit refused is not: those limits refuse the same files while the files read are the same (a file that
 * changes which files it includes changes itself). One refused by size was read, and is in `asked` as read.
 * Bounded by the include budget's time: a file whose answer did not come in time counts as changed (the scan then
 * runs again, with its own bound).
 */
export async function changedInclude(reader: CiIncludeReader, asked: readonly OutsideRead[], timeMs: number = CI_INCLUDE_BUDGET.timeMs): Promise<string | null> {
  const stop = AbortSignal.timeout(timeMs);
  for (const entry of asked) {
    const now = identityOf(await readOne(reader, entry, stop));
    if (now !== entry.identity || stop.aborted) return entry.kind === 'template' ? `template:${entry.name}` : `${entry.project}${entry.ref === null ? '' : `@${entry.ref}`}:${entry.path}`;
  }
  return null;
}
