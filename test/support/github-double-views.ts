/** JSON shapes the GitHub double answers with (the fields of GitHub's REST objects the clients read). */
import type { CommitObject } from './github-double-git.js';
import type { IssueRecord, LabelRecord, RepoRecord } from './github-double-state.js';

export interface Urls {
  /** The double's base URL (API root). */
  readonly api: string;
  /** The web root used for html_url fields. */
  readonly web: string;
}

export function accountJson(urls: Urls, login: string, type: string, id: number) {
  return { login, id, node_id: `MDQ6${id}`, type, url: `${urls.api}/users/${login}`, html_url: `${urls.web}/${login}`, site_admin: false };
}

export function repoJson(urls: Urls, repo: RepoRecord) {
  return {
    id: repo.id,
    node_id: `R_kgDO${repo.id}`,
    name: repo.name,
    full_name: repo.fullName,
    owner: accountJson(urls, repo.owner.login, repo.owner.type, repo.owner.id),
    private: repo.private,
    visibility: repo.private ? 'private' : 'public',
    fork: false,
    archived: repo.archived,
    disabled: repo.disabled,
    default_branch: repo.defaultBranch,
    allow_auto_merge: repo.allowAutoMerge,
    html_url: `${urls.web}/${repo.fullName}`,
    url: `${urls.api}/repos/${repo.fullName}`,
    pushed_at: repo.pushedAt,
  };
}

export function labelJson(urls: Urls, repo: RepoRecord, label: LabelRecord) {
  return {
    id: label.id,
    node_id: `LA_kwDO${label.id}`,
    url: `${urls.api}/repos/${repo.fullName}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    color: label.color,
    default: false,
    description: label.description,
  };
}

function itemLabels(urls: Urls, repo: RepoRecord, item: IssueRecord) {
  return item.labels.map((name) => labelJson(urls, repo, repo.labels.get(name.toLowerCase())!));
}

function userJson(urls: Urls, login: string) {
  return accountJson(urls, login, login.endsWith('[bot]') ? 'Bot' : 'User', 41898282);
}

export function issueJson(urls: Urls, repo: RepoRecord, item: IssueRecord) {
  const kind = item.pull ? 'pull' : 'issues';
  return {
    id: item.id,
    node_id: item.nodeId,
    number: item.number,
    title: item.title,
    body: item.body,
    state: item.state,
    state_reason: item.state === 'closed' ? 'completed' : null,
    labels: itemLabels(urls, repo, item),
    user: userJson(urls, item.author),
    assignee: item.assignees[0] === undefined ? null : userJson(urls, item.assignees[0]),
    assignees: item.assignees.map((login) => userJson(urls, login)),
    comments: item.comments.length,
    created_at: item.createdAt,
    updated_at: item.updatedAt,
    closed_at: item.closedAt,
    url: `${urls.api}/repos/${repo.fullName}/issues/${item.number}`,
    html_url: `${urls.web}/${repo.fullName}/${kind}/${item.number}`,
    ...(item.pull
      ? {
          pull_request: {
            url: `${urls.api}/repos/${repo.fullName}/pulls/${item.number}`,
            html_url: `${urls.web}/${repo.fullName}/pull/${item.number}`,
            merged_at: item.pull.mergedAt,
          },
        }
      : {}),
  };
}

export function pullJson(urls: Urls, repo: RepoRecord, item: IssueRecord, detail: boolean) {
  const pull = item.pull!;
  const headSha = repo.refs.get(`refs/heads/${pull.head}`) ?? null;
  const baseSha = repo.refs.get(`refs/heads/${pull.base}`) ?? null;
  const repoRef = repoJson(urls, repo);
  return {
    id: item.id,
    node_id: item.nodeId,
    number: item.number,
    state: item.state,
    locked: false,
    draft: pull.draft,
    title: item.title,
    body: item.body,
    user: userJson(urls, item.author),
    labels: itemLabels(urls, repo, item),
    assignee: item.assignees[0] === undefined ? null : userJson(urls, item.assignees[0]),
    assignees: item.assignees.map((login) => userJson(urls, login)),
    requested_reviewers: pull.requestedReviewers.map((login) => userJson(urls, login)),
    requested_teams: [],
    head: { label: `${repo.owner.login}:${pull.head}`, ref: pull.head, sha: headSha, repo: repoRef, user: repoRef.owner },
    base: { label: `${repo.owner.login}:${pull.base}`, ref: pull.base, sha: baseSha, repo: repoRef, user: repoRef.owner },
    auto_merge: pull.autoMerge ? { enabled_by: userJson(urls, item.author), merge_method: pull.autoMerge.mergeMethod.toLowerCase(), commit_title: null, commit_message: null } : null,
    created_at: item.createdAt,
    updated_at: item.updatedAt,
    closed_at: item.closedAt,
    merged_at: pull.mergedAt,
    url: `${urls.api}/repos/${repo.fullName}/pulls/${item.number}`,
    html_url: `${urls.web}/${repo.fullName}/pull/${item.number}`,
    issue_url: `${urls.api}/repos/${repo.fullName}/issues/${item.number}`,
    ...(detail ? { merged: pull.mergedAt !== null, mergeable: null, mergeable_state: 'unknown', rebaseable: null, comments: item.comments.length } : {}),
  };
}

export function refJson(urls: Urls, repo: RepoRecord, ref: string, sha: string) {
  return {
    ref,
    node_id: `REF_kwDO${Buffer.from(ref).toString('hex').slice(0, 12)}`,
    url: `${urls.api}/repos/${repo.fullName}/git/${ref}`,
    object: { sha, type: 'commit', url: `${urls.api}/repos/${repo.fullName}/git/commits/${sha}` },
  };
}

export function gitCommitJson(urls: Urls, repo: RepoRecord, commit: CommitObject) {
  const person = { name: 'Archpin Test', email: 'test@example.com', date: commit.date };
  return {
    sha: commit.sha,
    node_id: `C_kwDO${commit.sha.slice(0, 12)}`,
    url: `${urls.api}/repos/${repo.fullName}/git/commits/${commit.sha}`,
    html_url: `${urls.web}/${repo.fullName}/commit/${commit.sha}`,
    author: person,
    committer: person,
    message: commit.message,
    tree: { sha: commit.tree, url: `${urls.api}/repos/${repo.fullName}/git/trees/${commit.tree}` },
    parents: commit.parents.map((sha) => ({
      sha,
      url: `${urls.api}/repos/${repo.fullName}/git/commits/${sha}`,
      html_url: `${urls.web}/${repo.fullName}/commit/${sha}`,
    })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
  };
}

/** Base64 broken into 60-character lines, as GitHub returns blob and contents payloads. */
export function base64Lines(content: Uint8Array): string {
  const text = Buffer.from(content).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += 60) lines.push(text.slice(i, i + 60));
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
