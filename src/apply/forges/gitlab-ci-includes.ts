/**
 * Reading the files GitLab CI includes from other projects (`include: project`) and GitLab's own CI
 * templates (`include: template`) through the API, for the scan of a repository whose pipeline uses them.
 */
import { createHash } from 'node:crypto';
import { isArchpinError } from '../../core/errors.js';
import type { CiIncludeReader, IncludeRead } from './forge.js';
import type { GitlabClient } from './gitlab-client.js';
import type { GlProject } from './gitlab-mappers.js';

interface GlFile {
  readonly content?: unknown;
  readonly encoding?: unknown;
  readonly blob_id?: unknown;
}

interface GlTemplate {
  readonly content?: unknown;
}

const SUFFIX = '.gitlab-ci.yml';

/** The API gives a template no id or ETag: its content's hash stands for it. */
const contentIdentity = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/**
 * The key the templates API serves a template under. The API finds a template by its base name in the
 * folders it lists (the top folder, `Pages`, `Verify`, `autodeploy`, and `Security` for SAST only); a
 * template in any other folder (`Jobs/Build.gitlab-ci.yml`) cannot be read through it.
 */
export function templateKey(name: string): string | null {
  if (!name.endsWith(SUFFIX)) return null;
  const path = name.slice(0, -SUFFIX.length);
  const slash = path.lastIndexOf('/');
  const folder = slash === -1 ? '' : path.slice(0, slash);
  const base = path.slice(slash + 1);
  if (!/^[\w.+-]+$/.test(base)) return null;
  if (folder === '' || folder === 'Pages' || folder === 'Verify' || folder === 'autodeploy' || (folder === 'Security' && base === 'SAST')) return base;
  return null;
}

/** The client's own per-request timeout, and the caller's signal when there is one: whichever ends first stops the request. */
function requestSignal(queryTimeout: number | null | undefined, signal: AbortSignal | undefined): AbortSignal | undefined {
  const own = queryTimeout === null ? undefined : AbortSignal.timeout(queryTimeout ?? 300_000);
  return own && signal ? AbortSignal.any([own, signal]) : (own ?? signal);
}

export function gitlabIncludeReader(gl: GitlabClient): CiIncludeReader {
  const defaultBranches = new Map<string, Promise<string | null>>();
  const failure = (error: unknown): IncludeRead => ({ ok: false, reason: isArchpinError(error) || error instanceof Error ? error.message : String(error) });
  // Requests go through the resources' requesters: gitbeaker's show() takes no signal of the caller's.
  const projects = gl.api.Projects;
  const files = gl.api.RepositoryFiles;
  const defaultBranch = (project: string, signal: AbortSignal | undefined): Promise<string | null> => {
    let known = defaultBranches.get(project);
    if (!known) {
      known = gl
        .call<GlProject>(
          `read project ${project}`,
          async () => (await projects.requester.get(`projects/${encodeURIComponent(project)}`, { signal: requestSignal(projects.queryTimeout, signal) })).body,
        )
        .then((found) => found.default_branch);
      // A failed answer (a stopped request) is not kept: the next include of the project asks again.
      known.catch(() => defaultBranches.delete(project));
      defaultBranches.set(project, known);
    }
    return known;
  };
  return {
    async projectFile(project, path, ref, signal) {
      try {
        const at = ref ?? (await defaultBranch(project, signal));
        if (at === null) return { ok: false, reason: `${project} has no default branch` };
        const file = await gl.call<GlFile>(
          `read ${path} of ${project} at ${at}`,
          async () =>
            (
              await files.requester.get(`projects/${encodeURIComponent(project)}/repository/files/${encodeURIComponent(path)}`, {
                searchParams: { ref: at },
                signal: requestSignal(files.queryTimeout, signal),
              })
            ).body,
        );
        if (typeof file.content !== 'string') return { ok: false, reason: `GitLab gave no content for ${path} of ${project} at ${at}` };
        const bytes = file.encoding === 'base64' ? new Uint8Array(Buffer.from(file.content, 'base64')) : new TextEncoder().encode(file.content);
        // The blob id names the content; without one (an old or unusual server), the content's own hash.
        return { ok: true, bytes, identity: typeof file.blob_id === 'string' && file.blob_id !== '' ? `blob ${file.blob_id}` : contentIdentity(bytes) };
      } catch (error) {
        return failure(error);
      }
    },
    async template(name, signal) {
      const key = templateKey(name);
      if (key === null) return { ok: false, reason: `GitLab's templates API does not serve ${name} (it serves templates of its top folder, Pages, Verify and autodeploy, and Security/SAST)` };
      try {
        // Through the resource's requester: its show() prints a deprecation warning on every call.
        const resource = gl.api.GitLabCIYMLTemplates;
        const template = await gl.call<GlTemplate>(
          `read the CI template ${name}`,
          async () => (await resource.requester.get<Record<string, unknown>>(encodeURIComponent(key), { signal: requestSignal(resource.queryTimeout, signal) })).body,
        );
        if (typeof template.content !== 'string') return { ok: false, reason: `GitLab gave no content for the CI template ${name}` };
        const bytes = new TextEncoder().encode(template.content);
        return { ok: true, bytes, identity: contentIdentity(bytes) };
      } catch (error) {
        return failure(error);
      }
    },
  };
}
