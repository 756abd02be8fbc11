/** Request/response plumbing shared by the GitHub double's routes: routing, errors, pagination. */
import type { IncomingHttpHeaders } from 'node:http';
import type { GithubState, RepoRecord } from './github-double-state.js';
import type { Urls } from './github-double-views.js';

export interface DoubleRequest {
  readonly method: string;
  /** Raw (still percent-encoded) path, without the query. */
  readonly rawPath: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON body (undefined when there is none). */
  readonly body: any;
  readonly urls: Urls;
  readonly state: GithubState;
}

export interface DoubleResponse {
  readonly status: number;
  readonly json?: unknown;
  readonly raw?: { readonly contentType: string; readonly bytes: Uint8Array };
  readonly headers?: Readonly<Record<string, string>>;
}

export type RouteHandler = (request: DoubleRequest, params: string[]) => DoubleResponse;

export interface Route {
  readonly method: string;
  /** Matched against the raw path; capture groups are passed percent-decoded. */
  readonly pattern: RegExp;
  readonly handler: RouteHandler;
}

export interface ValidationError {
  readonly resource: string;
  readonly code: string;
  readonly field?: string;
  readonly message?: string;
}

/** Thrown by handlers; the server turns it into GitHub's error body. */
export class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: readonly ValidationError[],
    readonly documentation = 'https://docs.github.com/rest',
  ) {
    super(message);
  }
}

export const notFound = (): HttpFailure => new HttpFailure(404, 'Not Found');

export function unprocessable(message: string, errors?: readonly ValidationError[]): HttpFailure {
  return new HttpFailure(422, message, errors, 'https://docs.github.com/rest/git');
}

export function validationFailed(...errors: ValidationError[]): HttpFailure {
  return new HttpFailure(422, 'Validation Failed', errors, 'https://docs.github.com/rest/pulls/pulls');
}

export function errorBody(failure: HttpFailure) {
  return {
    message: failure.message,
    ...(failure.errors ? { errors: failure.errors } : {}),
    documentation_url: failure.documentation,
    status: String(failure.status),
  };
}

export function ok(json: unknown, status = 200): DoubleResponse {
  return { status, json };
}

export function repoOf(request: DoubleRequest, owner: string, name: string): RepoRecord {
  const repo = request.state.repos.get(`${owner}/${name}`.toLowerCase());
  if (!repo) throw notFound();
  return repo;
}

/** One page of `items` with GitHub's `Link` header (absolute URLs repeating every query parameter). */
export function paginate(request: DoubleRequest, items: readonly unknown[]): DoubleResponse {
  const perPage = Math.min(Math.max(Number(request.query.get('per_page') ?? 30) || 30, 1), 100);
  const page = Math.max(Number(request.query.get('page') ?? 1) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (n: number): string => {
    const query = new URLSearchParams(request.query);
    query.set('per_page', String(perPage));
    query.set('page', String(n));
    return `${request.urls.api}${request.rawPath}?${query.toString()}`;
  };
  const rels: string[] = [];
  if (page > 1) rels.push(`<${link(page - 1)}>; rel="prev"`);
  if (page < last) rels.push(`<${link(page + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`);
  if (page > 1) rels.push(`<${link(1)}>; rel="first"`);
  return {
    status: 200,
    json: items.slice((page - 1) * perPage, page * perPage),
    ...(rels.length > 0 ? { headers: { link: rels.join(', ') } } : {}),
  };
}

export function requireString(value: unknown, resource: string, field: string): string {
  if (typeof value !== 'string' || value === '') throw validationFailed({ resource, code: 'missing_field', field });
  return value;
}
