import { joinRelative } from './extractors/compose/compose-extends.js';

/**
 * Which Dockerfiles of the scan a build reads, for every kind of build the scan sees (a compose service's `build`, a bake
 * target, a build command in a script, a `docker/build-push-action` step), with one set of rules for what cannot be a
 * file of the scan and what cannot be known:
 *
 * - a context BuildKit fetches instead of reading it from the disk (`https://…`, `git://…`, any `scheme://` or `scheme:`
 *   prefix, `git@host:…`, and `github.com/…` unless the scan has such a folder, which BuildKit reads first), and then
 *   whatever Dockerfile it names, an absolute path, a path from the home folder (`~/…`), and a path that leaves the scan's
 *   root read none of the scan's Dockerfiles;
 * - a path written with shell or template expansions (`$VAR`, `${VAR}`, `%VAR%`, `{{ … }}`, a backtick), the standard
 *   input (`-`) and an empty path may be any folder: any Dockerfile may be the one (null).
 */

/** The file a build reads in its context when none is named: `Dockerfile`, or podman's and buildah's `Containerfile` (build commands, compose). */
export const ANY_BUILDER: readonly string[] = ['Dockerfile', 'Containerfile'];
/** Bake reads only `Dockerfile`. */
export const BAKE_DEFAULT: readonly string[] = ['Dockerfile'];

/** A context BuildKit fetches rather than reads from the disk: `scheme://…` (and any `scheme:` prefix), `git@…`. */
const REMOTE = /^(?:[a-z][a-z0-9+.-]*:|git@)/i;
/** A GitHub repository written without a scheme: remote unless a folder of that name is there, which BuildKit reads first. */
const GITHUB = /^github\.com\//i;
/** Written with expansions a shell or a template fills in: the folder is not known. */
const EXPANDED = /[$%{}`]/;

export interface BuildFiles {
  /** The folders a relative path is read from, each a possibility: the compose file's folder, the repository's root. */
  readonly from: readonly string[];
  /** The context as written; undefined when none is given (`.`). */
  readonly context?: string | undefined;
  /** The Dockerfile as written; undefined when none is given (the context's default file). */
  readonly dockerfile?: string | undefined;
  /** The Dockerfile's path is read from the context (compose, bake), not from `from` (a build command's `-f`, the action's `file`). */
  readonly dockerfileInContext: boolean;
  /** The names a build reads in its context when no Dockerfile is given. */
  readonly defaults: readonly string[];
  /** The folder a script runs in is not known: a path may also be the end of a Dockerfile's path. */
  readonly anywhere?: boolean;
}

/** What a path can be: `unknown` (any folder), `none` (no file of the scan), or a path relative to the folder it is read from. */
function pathKind(path: string): 'unknown' | 'none' | 'relative' {
  if (EXPANDED.test(path) || path === '-' || path === '') return 'unknown';
  if (REMOTE.test(path) || path.startsWith('/') || path.startsWith('~')) return 'none';
  return 'relative';
}

/** The Dockerfiles of the scan a build reads; null when any may be the one. */
export function buildDockerfiles(build: BuildFiles, dockerfiles: ReadonlySet<string>): readonly string[] | null {
  const context = build.context ?? '.';
  const contextKind = pathKind(context);
  // A remote context: its Dockerfile, named or not, is in what it fetches.
  if (contextKind === 'none') return [];
  const names = build.dockerfile === undefined ? build.defaults : [build.dockerfile];
  for (const name of names) {
    const kind = pathKind(name);
    if (kind !== 'relative') return kind === 'none' ? [] : null;
  }
  const inContext = build.dockerfile === undefined || build.dockerfileInContext;
  if (inContext && contextKind === 'unknown') return null;
  // `github.com/…` is a local folder only where it is written: not the end of another path.
  const anywhere = build.anywhere === true && !(inContext && GITHUB.test(context));
  const found = new Set<string>();
  for (const name of names) {
    for (const folder of build.from) {
      const path = joinRelative(folder, inContext ? `${context}/${name}` : name);
      if (path === null || path === '') continue;
      if (dockerfiles.has(path)) found.add(path);
      else if (anywhere) for (const candidate of dockerfiles) if (candidate.endsWith(`/${path}`)) found.add(candidate);
    }
  }
  return [...found];
}
