/** Explicit upstream lists: `.gitlab-deps` (one project path per line, as gitlab-deps reads it) and `archpin.json` `chain`. */
import { parseImageRef } from '../core/image-ref.js';
import type { ChainProblem, Publication, UpstreamEntry } from './types.js';

export const GITLAB_DEPS_FILE = '.gitlab-deps';

/** `group/project`, or a project URL (`https://gitlab.example.com/group/project.git`) reduced to its path. */
function projectPath(text: string): string | null {
  let value = text.trim();
  const url = /^[a-z][a-z0-9+.-]*:\/\/[^/]+\/(.*)$/i.exec(value);
  if (url) [, value = ''] = url;
  value = value.replace(/\.git$/, '').replace(/^\/+|\/+$/g, '');
  return /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/.test(value) ? value : null;
}

/** One project path per line; blank lines and `#` comments are skipped; anything else is reported with its line. */
export function readGitlabDeps(project: string, text: string): { upstream: UpstreamEntry[]; problems: ChainProblem[] } {
  const upstream: UpstreamEntry[] = [];
  const problems: ChainProblem[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const path = projectPath(line);
    if (path === null) {
      problems.push({ project, file: GITLAB_DEPS_FILE, line: index + 1, code: 'invalid-upstream-file', message: `${GITLAB_DEPS_FILE}:${index + 1}: "${line}" is not a project path` });
      return;
    }
    if (!upstream.some((entry) => entry.path === path)) upstream.push({ path, source: 'gitlab-deps', file: GITLAB_DEPS_FILE, line: index + 1 });
  });
  return { upstream, problems };
}

export interface ChainSettings {
  readonly upstream: UpstreamEntry[] | null;
  readonly publishes: Publication[];
  readonly problems: ChainProblem[];
}

function lineOf(text: string, needle: string): number {
  const at = text.indexOf(JSON.stringify(needle));
  return at === -1 ? 1 : text.slice(0, at).split('\n').length;
}

/** The `chain` key of a project's `archpin.json`: `upstream` (project paths) and `publishes` (image references). */
export function readChainSettings(project: string, fileName: string, text: string): ChainSettings {
  const problems: ChainProblem[] = [];
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { upstream: null, publishes: [], problems: [{ project, file: fileName, line: null, code: 'parse-error', message: `${fileName}: ${(error as Error).message}` }] };
  }
  const chain = data && typeof data === 'object' ? (data as Record<string, unknown>).chain : undefined;
  if (!chain || typeof chain !== 'object') return { upstream: null, publishes: [], problems };
  const { upstream: rawUpstream, publishes: rawPublishes } = chain as Record<string, unknown>;
  let upstream: UpstreamEntry[] | null = null;
  if (Array.isArray(rawUpstream)) {
    upstream = [];
    for (const entry of rawUpstream) {
      const path = typeof entry === 'string' ? projectPath(entry) : null;
      if (path === null)
        problems.push({ project, file: fileName, line: null, code: 'invalid-upstream-file', message: `${fileName}: chain.upstream entry ${JSON.stringify(entry)} is not a project path` });
      else upstream.push({ path, source: 'chain.upstream', file: fileName, line: lineOf(text, String(entry)) });
    }
  }
  const publishes: Publication[] = [];
  if (Array.isArray(rawPublishes)) {
    for (const entry of rawPublishes) {
      const parsed = typeof entry === 'string' ? parseImageRef(entry) : null;
      if (!parsed) {
        problems.push({ project, file: fileName, line: null, code: 'unresolved-publish', message: `${fileName}: chain.publishes entry ${JSON.stringify(entry)} is not an image reference` });
        continue;
      }
      publishes.push({ value: entry as string, image: `${parsed.registry}/${parsed.repository}`, tag: parsed.tag, source: 'chain.publishes', file: fileName, line: lineOf(text, entry as string) });
    }
  }
  return { upstream, publishes, problems };
}
