/** Pure mapping from GitHub REST payloads to the Forge records. */
import { ArchpinError } from '../../core/errors.js';
import type { ChangeRequest, Issue, Repository } from './forge.js';

export interface GithubRepoPayload {
  readonly full_name: string;
  readonly default_branch?: string;
  readonly archived?: boolean;
  readonly disabled?: boolean;
  readonly html_url: string;
  /** The last push to any branch (GitHub moves it on pushes only, not on issue or pull request activity). */
  readonly pushed_at?: string | null;
}

export interface GithubPullPayload {
  readonly number: number;
  readonly state: string;
  readonly title: string;
  readonly body?: string | null;
  readonly merged_at?: string | null;
  readonly html_url: string;
  readonly head: { readonly ref: string; readonly repo?: { readonly full_name: string } | null };
  readonly base: { readonly ref: string };
  readonly labels?: ReadonlyArray<{ readonly name?: string } | string>;
  readonly created_at?: string;
}

export interface GithubIssuePayload {
  readonly number: number;
  readonly title: string;
  readonly body?: string | null;
  readonly state: string;
  readonly html_url: string;
}

export function toRepository(repo: GithubRepoPayload): Repository {
  return {
    id: repo.full_name,
    path: repo.full_name,
    defaultBranch: repo.default_branch ?? 'main',
    archived: repo.archived === true || repo.disabled === true,
    webUrl: repo.html_url,
    ...(repo.pushed_at ? { activity: repo.pushed_at } : {}),
  };
}

export function labelNames(labels: GithubPullPayload['labels']): string[] {
  return (labels ?? []).map((label) => (typeof label === 'string' ? label : (label.name ?? ''))).filter((name) => name !== '');
}

export function toChangeRequest(pull: GithubPullPayload, labels?: readonly string[]): ChangeRequest {
  return {
    number: pull.number,
    branch: pull.head.ref,
    base: pull.base.ref,
    title: pull.title,
    body: pull.body ?? '',
    state: pull.merged_at ? 'merged' : pull.state === 'open' ? 'open' : 'closed',
    labels: labels ? [...labels] : labelNames(pull.labels),
    url: pull.html_url,
    ...(pull.created_at ? { createdAt: pull.created_at } : {}),
  };
}

export function toIssue(issue: GithubIssuePayload): Issue {
  return {
    number: issue.number,
    title: issue.title,
    body: issue.body ?? '',
    state: issue.state === 'open' ? 'open' : 'closed',
    url: issue.html_url,
  };
}

/** `owner/name` → the two parts octokit wants. */
export function splitRepoPath(path: string): { owner: string; repo: string } {
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1 || path.indexOf('/', slash + 1) >= 0) {
    throw new ArchpinError('config-invalid', `not a GitHub repository path (owner/name): ${path}`);
  }
  return { owner: path.slice(0, slash), repo: path.slice(slash + 1) };
}
