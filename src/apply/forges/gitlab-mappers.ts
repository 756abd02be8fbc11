/** GitLab v4 payloads (snake_case, as gitbeaker returns them uncamelized) to the Forge types. */
import type { ChangeRequest, ChangeRequestState, Issue, Repository } from './forge.js';

export interface GlProject {
  readonly id: number;
  readonly path_with_namespace: string;
  readonly default_branch: string | null;
  readonly archived?: boolean;
  readonly empty_repo?: boolean;
  readonly web_url: string;
  readonly last_activity_at?: string | null;
}

export interface GlMergeRequest {
  readonly iid: number;
  readonly title: string;
  readonly description: string | null;
  readonly state: string;
  readonly source_branch: string;
  readonly target_branch: string;
  readonly labels: readonly (string | { name: string })[];
  readonly web_url: string;
  readonly created_at: string;
  readonly sha?: string | null;
  readonly reviewers?: ReadonlyArray<{ readonly id: number }>;
  readonly assignees?: ReadonlyArray<{ readonly id: number }>;
}

export interface GlIssue {
  readonly iid: number;
  readonly title: string;
  readonly description: string | null;
  readonly state: string;
  readonly web_url: string;
}

export interface GlCommit {
  readonly id: string;
  readonly parent_ids?: readonly string[];
}

export interface GlBranch {
  readonly name: string;
  readonly commit: GlCommit;
}

export interface GlTreeItem {
  readonly path: string;
  readonly type: string;
}

export function toRepository(project: GlProject): Repository {
  return {
    id: String(project.id),
    path: project.path_with_namespace,
    defaultBranch: project.default_branch ?? '',
    archived: project.archived === true,
    webUrl: project.web_url,
    ...(project.last_activity_at ? { activity: project.last_activity_at } : {}),
  };
}

const MR_STATES: Readonly<Record<string, ChangeRequestState>> = { opened: 'open', closed: 'closed', locked: 'closed', merged: 'merged' };

export function toChangeRequest(mr: GlMergeRequest): ChangeRequest {
  return {
    number: mr.iid,
    branch: mr.source_branch,
    base: mr.target_branch,
    title: mr.title,
    body: mr.description ?? '',
    state: MR_STATES[mr.state] ?? 'closed',
    labels: mr.labels.map((label) => (typeof label === 'string' ? label : label.name)),
    url: mr.web_url,
    ...(mr.created_at ? { createdAt: mr.created_at } : {}),
  };
}

export function toIssue(issue: GlIssue): Issue {
  return {
    number: issue.iid,
    title: issue.title,
    body: issue.description ?? '',
    state: issue.state === 'opened' ? 'open' : 'closed',
    url: issue.web_url,
  };
}

/** Labels as GitLab takes them in one string; an empty list clears them. */
export function labelsParam(labels: readonly string[]): string {
  return labels.join(',');
}
