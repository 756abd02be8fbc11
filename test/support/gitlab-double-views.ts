/** JSON shapes of the GitLab double's responses, following the v4 API entities (snake_case). */
import { BOT_USER, type CommitRecord, type GitlabState, type IssueRecord, type MergeRequestRecord, type NoteRecord, type ProjectRecord } from './gitlab-double-state.js';

export function projectView(state: GitlabState, project: ProjectRecord) {
  const web = `${state.baseUrl()}/${project.pathWithNamespace}`;
  return {
    id: project.id,
    name: project.name,
    path: project.name,
    path_with_namespace: project.pathWithNamespace,
    name_with_namespace: project.pathWithNamespace.split('/').join(' / '),
    namespace: { id: project.namespace.id, kind: 'group', path: project.namespace.fullPath.split('/').pop(), full_path: project.namespace.fullPath },
    default_branch: project.defaultBranch,
    archived: project.archived,
    empty_repo: project.branches.size === 0,
    visibility: 'private',
    web_url: web,
    http_url_to_repo: `${web}.git`,
    merge_requests_access_level: 'enabled',
    issues_access_level: 'enabled',
    last_activity_at: project.lastActivityAt,
  };
}

export function commitView(state: GitlabState, project: ProjectRecord, commit: CommitRecord) {
  const [title] = commit.message.split('\n');
  return {
    id: commit.id,
    short_id: commit.id.slice(0, 8),
    title,
    message: commit.message,
    parent_ids: commit.parents,
    author_name: commit.authorName,
    author_email: commit.authorEmail,
    authored_date: commit.createdAt,
    committer_name: commit.authorName,
    committer_email: commit.authorEmail,
    committed_date: commit.createdAt,
    created_at: commit.createdAt,
    trailers: {},
    extended_trailers: {},
    web_url: `${state.baseUrl()}/${project.pathWithNamespace}/-/commit/${commit.id}`,
  };
}

export function branchView(state: GitlabState, project: ProjectRecord, name: string) {
  const sha = project.branches.get(name)!;
  return {
    name,
    merged: false,
    protected: project.protectedBranches.has(name),
    default: project.defaultBranch === name,
    developers_can_push: false,
    developers_can_merge: false,
    can_push: true,
    web_url: `${state.baseUrl()}/${project.pathWithNamespace}/-/tree/${name}`,
    commit: commitView(state, project, state.getCommit(project, sha)),
  };
}

export function mergeRequestView(state: GitlabState, project: ProjectRecord, mr: MergeRequestRecord) {
  const sha = project.branches.get(mr.sourceBranch) ?? null;
  return {
    id: mr.id,
    iid: mr.iid,
    project_id: project.id,
    title: mr.title,
    description: mr.description,
    state: mr.state,
    created_at: mr.createdAt,
    updated_at: mr.updatedAt,
    merged_at: mr.mergedAt,
    closed_at: mr.closedAt,
    target_branch: mr.targetBranch,
    source_branch: mr.sourceBranch,
    source_project_id: project.id,
    target_project_id: project.id,
    author: BOT_USER,
    assignees: mr.assigneeIds.map((id) => userView(state, id)),
    assignee: mr.assigneeIds[0] === undefined ? null : userView(state, mr.assigneeIds[0]),
    reviewers: mr.reviewerIds.map((id) => userView(state, id)),
    labels: [...mr.labels],
    draft: false,
    work_in_progress: false,
    merge_when_pipeline_succeeds: mr.mergeWhenPipelineSucceeds,
    head_pipeline: mr.headPipeline ? { id: mr.headPipeline.id, sha: mr.headPipeline.sha, ref: mr.sourceBranch, status: mr.headPipeline.status } : null,
    merge_status: mr.state === 'opened' ? 'can_be_merged' : 'cannot_be_merged',
    detailed_merge_status: mr.state === 'opened' ? 'ci_still_running' : 'not_open',
    sha,
    merge_commit_sha: null,
    squash_commit_sha: null,
    squash: mr.squash,
    force_remove_source_branch: mr.removeSourceBranch,
    has_conflicts: false,
    blocking_discussions_resolved: true,
    references: { short: `!${mr.iid}`, relative: `!${mr.iid}`, full: `${project.pathWithNamespace}!${mr.iid}` },
    web_url: `${state.baseUrl()}/${project.pathWithNamespace}/-/merge_requests/${mr.iid}`,
  };
}

export function userView(state: GitlabState, id: number) {
  const user = state.users.find((each) => each.id === id);
  return {
    id,
    username: user?.username ?? `user${id}`,
    name: user?.name ?? `user${id}`,
    state: 'active',
    locked: false,
    avatar_url: null,
    web_url: `${state.baseUrl()}/${user?.username ?? `user${id}`}`,
  };
}

export function noteView(mr: MergeRequestRecord, note: NoteRecord) {
  return {
    id: note.id,
    type: null,
    body: note.body,
    author: BOT_USER,
    created_at: note.createdAt,
    updated_at: note.createdAt,
    system: false,
    noteable_id: mr.id,
    noteable_type: 'MergeRequest',
    noteable_iid: mr.iid,
    resolvable: false,
    confidential: false,
    internal: false,
  };
}

export function issueView(state: GitlabState, project: ProjectRecord, issue: IssueRecord) {
  return {
    id: issue.id,
    iid: issue.iid,
    project_id: project.id,
    title: issue.title,
    description: issue.description,
    state: issue.state,
    labels: [...issue.labels],
    author: BOT_USER,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: null,
    web_url: `${state.baseUrl()}/${project.pathWithNamespace}/-/issues/${issue.iid}`,
  };
}
