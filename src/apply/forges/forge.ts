/**
 * The one interface archpin's bot uses to talk to GitLab or GitHub. The forge is the database:
 * branches are deterministic, change requests are found by branch, the dashboard issue by title.
 * Every method does I/O; errors are `ArchpinError`s with forge-* codes and no tokens in messages.
 */

export type ForgeType = 'gitlab' | 'github';

/** Which repositories to work on. GitLab: groups (subgroups included) and projects; GitHub: owners and repositories. */
export interface ForgeTargets {
  readonly groups?: readonly string[];
  readonly projects?: readonly string[];
  readonly owners?: readonly string[];
  readonly repositories?: readonly string[];
}

export interface Repository {
  /** GitLab: numeric project id as a string; GitHub: `owner/name`. */
  readonly id: string;
  /** `group/sub/project` or `owner/name`. */
  readonly path: string;
  readonly defaultBranch: string;
  readonly archived: boolean;
  readonly webUrl: string;
  /**
   * When the forge last saw activity in the repository, as its bulk listing says (GitLab
   * `last_activity_at`, GitHub `pushed_at`); absent when the forge gives nothing trustworthy. A sweep skips a repository
   * whose activity has not moved and whose images have nothing new.
   */
  readonly activity?: string;
}

export interface TreeEntry {
  readonly path: string;
  readonly size: number | null;
}

export interface BranchHead {
  readonly sha: string;
  /** Parents of the head commit (a bot branch has exactly one: the base it was made on). */
  readonly parents: readonly string[];
}

export interface FileWrite {
  readonly path: string;
  readonly content: Uint8Array;
}

export interface CommitRequest {
  readonly branch: string;
  /** The commit the branch is (re)created on: the default branch head it was planned against. */
  readonly baseSha: string;
  /** The base branch name (GitLab needs it alongside the sha). */
  readonly baseBranch: string;
  readonly message: string;
  readonly files: readonly FileWrite[];
}

export type ChangeRequestState = 'open' | 'closed' | 'merged';

export interface ChangeRequest {
  /** GitLab MR iid / GitHub PR number. */
  readonly number: number;
  readonly branch: string;
  readonly base: string;
  readonly title: string;
  readonly body: string;
  readonly state: ChangeRequestState;
  readonly labels: readonly string[];
  readonly url: string;
  /** ISO time it was opened, when the forge says (used by prHourlyLimit). */
  readonly createdAt?: string;
}

export interface ChangeRequestInput {
  readonly branch: string;
  readonly base: string;
  readonly title: string;
  readonly body: string;
  readonly labels: readonly string[];
  /** User names asked for a review (GitLab reviewers, GitHub requested reviewers). */
  readonly reviewers?: readonly string[];
  /** User names the change request is assigned to. */
  readonly assignees?: readonly string[];
}

/** A change request just opened or updated, with what could not be done on it (an unknown reviewer): it is open all the same. */
export type OpenedChangeRequest = ChangeRequest & { readonly problems?: readonly string[] };

/** What to change on an open change request. */
export interface ChangeRequestUpdate {
  readonly title?: string;
  readonly body?: string;
  /** Replaces every label. */
  readonly labels?: readonly string[];
  /**
   * Added to what it has; nothing is taken away, so people's own labels, reviewers and assignees stay. A reviewer or
   * assignee the forge does not accept is left out and named in `problems`.
   */
  readonly add?: { readonly labels?: readonly string[]; readonly reviewers?: readonly string[]; readonly assignees?: readonly string[] };
}

export interface Issue {
  readonly number: number;
  readonly title: string;
  readonly body: string;
  readonly state: 'open' | 'closed';
  readonly url: string;
}

/** A file read, or why it could not be (the forge's own words, never the token). */
/**
 * A file read for a CI include, or why not. `identity` says which version was read, as the forge names it
 * (a project file's blob id, a template's content hash): the same identity later means the same file.
 */
export type IncludeRead = { readonly ok: true; readonly bytes: Uint8Array; readonly identity: string } | { readonly ok: false; readonly reason: string };

export interface CiIncludeReader {
  /**
   * A file of another project at `ref`; null: the project's default branch, as GitLab reads it. `signal` stops
   * the requests in flight (the include budget's time); the read then fails.
   */
  projectFile(project: string, path: string, ref: string | null, signal?: AbortSignal): Promise<IncludeRead>;
  /** One of GitLab's CI templates, by the name written after `template:` (`Jobs/Build.gitlab-ci.yml`). */
  template(name: string, signal?: AbortSignal): Promise<IncludeRead>;
}

export interface Forge {
  readonly type: ForgeType;
  /** GitLab: reads the files CI includes from other projects and GitLab's CI templates. */
  readonly ciIncludes?: CiIncludeReader;
  /** All non-archived repositories of the targets (GitLab subgroups included), deduplicated, sorted by path. */
  listRepositories(targets: ForgeTargets): Promise<Repository[]>;
  getRepository(id: string): Promise<Repository>;
  /** The head of a branch, or null when the branch does not exist. */
  branchHead(repo: Repository, branch: string): Promise<BranchHead | null>;
  /** Every file (blob) of the tree at `ref`, recursively. */
  listTree(repo: Repository, ref: string): Promise<TreeEntry[]>;
  /** Raw bytes of a file at `ref` (binary-safe), or null when it does not exist. */
  readFile(repo: Repository, path: string, ref: string): Promise<Uint8Array | null>;
  /**
   * Creates `branch` as one commit on `baseSha` holding `files`; when the branch exists it is
   * overwritten (force) the same way. Returns the new head sha.
   */
  commitFiles(repo: Repository, request: CommitRequest): Promise<string>;
  deleteBranch(repo: Repository, branch: string): Promise<void>;
  /** The newest change request from `branch` in any state, or null. */
  findChangeRequest(repo: Repository, branch: string): Promise<ChangeRequest | null>;
  /** Open change requests whose source branch starts with `branchPrefix`. */
  listOpenChangeRequests(repo: Repository, branchPrefix: string): Promise<ChangeRequest[]>;
  /**
   * Opens it with its labels, reviewers and assignees. A reviewer or assignee the forge does not accept is left out
   * and named in `problems`; the change request is opened all the same.
   */
  openChangeRequest(repo: Repository, input: ChangeRequestInput): Promise<OpenedChangeRequest>;
  updateChangeRequest(repo: Repository, number: number, input: ChangeRequestUpdate): Promise<OpenedChangeRequest>;
  /** Closes it, leaving a comment first when one is given. */
  closeChangeRequest(repo: Repository, number: number, comment: string | null): Promise<void>;
  /**
   * GitLab: merge when the pipeline succeeds; GitHub: GraphQL enablePullRequestAutoMerge.
   * `waiting` when it cannot be switched on safely yet (GitLab: no head pipeline — GitLab would
   * merge at once without one); the caller tries again on a later run.
   */
  enableAutomerge(repo: Repository, number: number): Promise<'enabled' | 'waiting'>;
  /** The open issue with exactly this title, or null. */
  findIssue(repo: Repository, title: string): Promise<Issue | null>;
  createIssue(repo: Repository, title: string, body: string): Promise<Issue>;
  updateIssue(repo: Repository, number: number, body: string): Promise<Issue>;
}
