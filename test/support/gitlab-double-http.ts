/** Request/response plumbing shared by the GitLab double's routes. */
import type { GitlabState, ProjectRecord } from './gitlab-double-state.js';

export interface GlRequest {
  readonly method: string;
  /** Raw (undecoded) path after `/api/v4`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Record<string, unknown>;
  /** Absolute URL of this request on the double, for building `link` headers. */
  readonly url: URL;
  readonly state: GitlabState;
  /** Whether the token may write (scope `api`). */
  readonly canWrite: boolean;
}

export interface GlResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** JSON value, or raw bytes (with their own content-type header). */
  readonly json?: unknown;
  readonly bytes?: Uint8Array;
  /** A plain-text body (RackAttack's 429). */
  readonly text?: string;
}

export type GlHandler = (request: GlRequest, params: readonly string[]) => GlResponse;

export interface GlRoute {
  readonly method: string;
  /** Matched against the raw path after `/api/v4`; groups are raw (still encoded) segments. */
  readonly pattern: RegExp;
  readonly write?: boolean;
  readonly handler: GlHandler;
}

export class GlFailure extends Error {
  constructor(
    readonly status: number,
    readonly payload: Record<string, unknown>,
  ) {
    super(JSON.stringify(payload));
  }
}

export const message = (status: number, text: unknown): GlFailure => new GlFailure(status, { message: text });
export const notFound = (what: string): GlFailure => message(404, `404 ${what} Not Found`);
export const badRequest = (text: string): GlFailure => message(400, text);
export const missing = (field: string): GlFailure => new GlFailure(400, { error: `${field} is missing` });

export const json = (value: unknown, status = 200): GlResponse => ({ status, json: value });

export function projectOf(request: GlRequest, rawId: string): ProjectRecord {
  const project = request.state.findProject(decodeURIComponent(rawId));
  if (!project) throw notFound('Project');
  return project;
}

export function stringField(request: GlRequest, field: string, required = true): string | undefined {
  const value = request.body[field];
  if (value === undefined || value === null || value === '') {
    if (required) throw missing(field);
    return undefined;
  }
  return String(value);
}

export function boolParam(value: unknown): boolean | undefined {
  if (value === null || value === undefined) return undefined;
  if (value === true || value === 'true' || value === '1') return true;
  if (value === false || value === 'false' || value === '0') return false;
  return undefined;
}

/**
 * Offset pagination as GitLab does it: x-* headers and a `link` header whose URLs repeat every
 * query parameter of the request with only `page` changed.
 */
export function paginate(request: GlRequest, items: readonly unknown[]): GlResponse {
  const perPage = Math.min(Math.max(Number(request.query.get('per_page') ?? 20) || 20, 1), 100);
  const page = Math.max(Number(request.query.get('page') ?? 1) || 1, 1);
  const totalPages = Math.max(Math.ceil(items.length / perPage), 1);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const link = (target: number): string => {
    const url = new URL(request.url.href);
    url.searchParams.set('page', String(target));
    url.searchParams.set('per_page', String(perPage));
    url.searchParams.sort();
    return url.href;
  };
  const links: string[] = [];
  if (page < totalPages) links.push(`<${link(page + 1)}>; rel="next"`);
  if (page > 1) links.push(`<${link(page - 1)}>; rel="prev"`);
  links.push(`<${link(1)}>; rel="first"`, `<${link(totalPages)}>; rel="last"`);
  return {
    status: 200,
    json: slice,
    headers: {
      link: links.join(', '),
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-next-page': page < totalPages ? String(page + 1) : '',
      'x-prev-page': page > 1 ? String(page - 1) : '',
      'x-total': String(items.length),
      'x-total-pages': String(totalPages),
    },
  };
}
