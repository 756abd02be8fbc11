/** One project's chain facts from its files: Dockerfile uses, CI pushes, explicit upstream lists. Pure. */
import { isConfigFileName } from '../config/defaults.js';
import { DEFAULT_MAX_FILE_SIZE } from '../core/budgets.js';
import { sourceFile } from '../core/source-file.js';
import { isDockerfileName } from '../scan/extractors/dockerfile/dockerfile.js';
import { ciPublications } from './ci-publishes.js';
import { dockerfileUses } from './dockerfile-uses.js';
import type { ChainProblem, ImageUse, ProjectFacts, Publication, UpstreamEntry } from './types.js';
import { GITLAB_DEPS_FILE, readChainSettings, readGitlabDeps } from './upstream-list.js';

export const CI_FILE = '.gitlab-ci.yml';

/** Whether a file (path relative to the project root) matters for the chain graph. */
export function isChainFile(path: string): boolean {
  return path === CI_FILE || path === GITLAB_DEPS_FILE || isConfigFileName(path) || isDockerfileName(path);
}

export interface ProjectInput {
  readonly path: string;
  readonly id?: string | null;
  readonly defaultBranch?: string | null;
  /** The project's chain files (see isChainFile), paths relative to its root. */
  readonly files: ReadonlyArray<{ readonly path: string; readonly bytes: Uint8Array }>;
  /** Chain files that were not read (too large, not a regular file), with why. */
  readonly unread?: ReadonlyArray<{ readonly path: string; readonly code: 'file-too-large' | 'file-unreadable'; readonly message: string }>;
}

export function projectFacts(input: ProjectInput, registry: string | null): ProjectFacts {
  const uses: ImageUse[] = [];
  const publishes: Publication[] = [];
  const problems: ChainProblem[] = [];
  let upstream: UpstreamEntry[] | null = null;
  const addUpstream = (entries: readonly UpstreamEntry[]) => {
    upstream ??= [];
    for (const entry of entries) if (!upstream.some((known) => known.path === entry.path)) upstream.push(entry);
  };
  for (const file of input.unread ?? []) problems.push({ project: input.path, file: file.path, line: null, code: file.code, message: `${file.path}: ${file.message}` });
  const files = [...input.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const file of files) {
    if (file.bytes.length > DEFAULT_MAX_FILE_SIZE) {
      problems.push({
        project: input.path,
        file: file.path,
        line: null,
        code: 'file-too-large',
        message: `${file.path}: ${file.bytes.length} bytes is over the ${DEFAULT_MAX_FILE_SIZE}-byte limit; not read`,
      });
      continue;
    }
    const text = Buffer.from(file.bytes).toString('utf8');
    if (file.path === GITLAB_DEPS_FILE) {
      const read = readGitlabDeps(input.path, text);
      // A file that names no project (empty, or only comments) says nothing: the project's images give its edges.
      if (read.upstream.length > 0) addUpstream(read.upstream);
      for (const problem of read.problems) problems.push(problem);
    } else if (isConfigFileName(file.path)) {
      const read = readChainSettings(input.path, file.path, text);
      if (read.upstream) addUpstream(read.upstream);
      for (const publication of read.publishes) publishes.push(publication);
      for (const problem of read.problems) problems.push(problem);
    } else if (file.path === CI_FILE) {
      const read = ciPublications(file.path, text, { project: input.path, registry });
      for (const publication of read.publishes) publishes.push(publication);
      for (const problem of read.problems) problems.push(problem);
    } else if (isDockerfileName(file.path)) {
      const read = dockerfileUses(input.path, sourceFile(file.path, file.bytes));
      for (const use of read.uses) uses.push(use);
      for (const problem of read.problems) problems.push(problem);
    }
  }
  return { path: input.path, id: input.id ?? null, defaultBranch: input.defaultBranch ?? null, uses, publishes, upstream, problems };
}
