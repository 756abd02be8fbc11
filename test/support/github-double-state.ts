/**
 * The GitHub double's state: accounts, repositories with their git objects and refs, and the
 * issues/pull requests of each repository (one number sequence per repository, as on GitHub).
 * Tests seed it and inspect it directly; the HTTP routes read and change the same records.
 */
import { GitStore, type FlatEntry } from './github-double-git.js';

export type AccountType = 'Organization' | 'User';

export interface AccountRecord {
  readonly login: string;
  readonly type: AccountType;
  readonly id: number;
}

export interface CommentRecord {
  readonly id: number;
  readonly body: string;
  readonly createdAt: string;
}

export interface AutoMergeRecord {
  readonly mergeMethod: 'MERGE' | 'SQUASH' | 'REBASE';
  readonly enabledAt: string;
}

export interface PullRecord {
  readonly nodeId: string;
  /** Head branch (same repository). */
  readonly head: string;
  base: string;
  mergedAt: string | null;
  draft: boolean;
  autoMerge: AutoMergeRecord | null;
  /** Logins asked for a review (POST …/requested_reviewers). */
  readonly requestedReviewers: string[];
}

export interface IssueRecord {
  readonly id: number;
  readonly number: number;
  readonly nodeId: string;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  labels: string[];
  /** Logins (POST …/issues/{n}/assignees). */
  readonly assignees: string[];
  readonly comments: CommentRecord[];
  readonly createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  readonly author: string;
  /** Present for pull requests. */
  readonly pull?: PullRecord;
}

export interface LabelRecord {
  readonly id: number;
  readonly name: string;
  readonly color: string;
  readonly description: string | null;
}

export interface RepoRecord {
  readonly id: number;
  readonly owner: AccountRecord;
  readonly name: string;
  readonly fullName: string;
  defaultBranch: string;
  archived: boolean;
  disabled: boolean;
  private: boolean;
  allowAutoMerge: boolean;
  readonly git: GitStore;
  /** Full ref name (`refs/heads/main`) → commit sha; setting or deleting one is a push, which moves `pushedAt`. */
  readonly refs: Map<string, string>;
  /** GitHub's pushed_at: the last push to any branch (issues, pull requests and labels leave it alone). */
  pushedAt: string;
  readonly items: Map<number, IssueRecord>;
  readonly labels: Map<string, LabelRecord>;
  /** Logins (lower case) with access: only they can be asked for a review or assigned. */
  readonly collaborators: Set<string>;
  nextNumber: number;
}

export interface RepoSeed {
  readonly defaultBranch?: string;
  readonly archived?: boolean;
  readonly private?: boolean;
  readonly allowAutoMerge?: boolean;
  /** Files of the initial commit on the default branch. */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
  /** Paths in `files` that are executable (mode 100755). */
  readonly executable?: readonly string[];
}

export type FileChanges = Readonly<Record<string, string | Uint8Array | null>>;

function bytes(content: string | Uint8Array): Uint8Array {
  return typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
}

/** A repository's refs: every change to them is a push. */
class PushedRefs extends Map<string, string> {
  constructor(private readonly pushed: () => void) {
    super();
  }

  override set(ref: string, sha: string): this {
    if (super.get(ref) !== sha) this.pushed();
    return super.set(ref, sha);
  }

  override delete(ref: string): boolean {
    const deleted = super.delete(ref);
    if (deleted) this.pushed();
    return deleted;
  }
}

export class GithubState {
  readonly accounts = new Map<string, AccountRecord>();
  readonly repos = new Map<string, RepoRecord>();
  /** The login the token belongs to (author of everything created through the API). */
  botLogin = 'archpin-bot[bot]';
  /** When set, recursive tree listings with more entries than this are cut and marked truncated. */
  truncateTreesOver: number | null = null;
  private nextId = 1000;
  private clock = Date.UTC(2026, 4, 2, 10, 0, 0);
  private pushClock = Date.UTC(2026, 4, 2, 9, 0, 0);

  id(): number {
    return this.nextId++;
  }

  /** A push's time: its own clock, so that pushes do not shift the times of issues and pull requests. */
  pushTime(): string {
    this.pushClock += 1000;
    return new Date(this.pushClock).toISOString().replace('.000Z', 'Z');
  }

  now(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString().replace('.000Z', 'Z');
  }

  addAccount(login: string, type: AccountType = 'Organization'): AccountRecord {
    const existing = this.accounts.get(login.toLowerCase());
    if (existing) return existing;
    const account = { login, type, id: this.id() };
    this.accounts.set(login.toLowerCase(), account);
    return account;
  }

  addRepo(fullName: string, seed: RepoSeed = {}): RepoRecord {
    const [ownerLogin, name] = fullName.split('/') as [string, string];
    const owner = this.addAccount(ownerLogin);
    const defaultBranch = seed.defaultBranch ?? 'main';
    const repo: RepoRecord = {
      id: this.id(),
      owner,
      name,
      fullName: `${owner.login}/${name}`,
      defaultBranch,
      archived: seed.archived ?? false,
      disabled: false,
      private: seed.private ?? true,
      allowAutoMerge: seed.allowAutoMerge ?? true,
      git: new GitStore(),
      refs: new PushedRefs(() => (repo.pushedAt = this.pushTime())),
      pushedAt: '',
      items: new Map(),
      labels: new Map(),
      collaborators: new Set(),
      nextNumber: 1,
    };
    this.repos.set(repo.fullName.toLowerCase(), repo);
    const entries = new Map<string, FlatEntry>();
    for (const [path, content] of Object.entries(seed.files ?? {})) {
      const mode = seed.executable?.includes(path) ? '100755' : '100644';
      entries.set(path, { mode, type: 'blob', sha: repo.git.writeBlob(bytes(content)) });
    }
    const commit = repo.git.writeCommit(repo.git.writeFlatTree(entries), [], 'Initial commit');
    repo.refs.set(`refs/heads/${defaultBranch}`, commit.sha);
    return repo;
  }

  repo(fullName: string): RepoRecord {
    const repo = this.repos.get(fullName.toLowerCase());
    if (!repo) throw new Error(`no repository ${fullName} in the GitHub double`);
    return repo;
  }

  branchSha(fullName: string, branch: string): string | null {
    return this.repo(fullName).refs.get(`refs/heads/${branch}`) ?? null;
  }

  /** Commits `changes` (null deletes) on top of `branch` (created from the default branch when missing). */
  pushCommit(fullName: string, branch: string, changes: FileChanges, message = 'Update files'): string {
    const repo = this.repo(fullName);
    const parent = this.branchSha(fullName, branch) ?? this.branchSha(fullName, repo.defaultBranch)!;
    const entries = repo.git.flatten(repo.git.commits.get(parent)!.tree);
    for (const [path, content] of Object.entries(changes)) {
      if (content === null) entries.delete(path);
      else entries.set(path, { mode: entries.get(path)?.mode ?? '100644', type: 'blob', sha: repo.git.writeBlob(bytes(content)) });
    }
    const commit = repo.git.writeCommit(repo.git.writeFlatTree(entries), [parent], message);
    repo.refs.set(`refs/heads/${branch}`, commit.sha);
    return commit.sha;
  }

  /** Resolves a branch name or commit sha to a commit sha. */
  resolve(fullName: string, ref: string): string | null {
    const repo = this.repo(fullName);
    if (repo.git.commits.has(ref)) return ref;
    return repo.refs.get(`refs/heads/${ref}`) ?? repo.refs.get(`refs/tags/${ref}`) ?? null;
  }

  /** The files (path → bytes) at a branch or commit. */
  files(fullName: string, ref: string): Map<string, Uint8Array> {
    const repo = this.repo(fullName);
    const sha = this.resolve(fullName, ref);
    if (!sha) throw new Error(`no ref ${ref} in ${fullName}`);
    const out = new Map<string, Uint8Array>();
    for (const [path, entry] of repo.git.flatten(repo.git.commits.get(sha)!.tree)) {
      if (entry.type === 'blob') out.set(path, repo.git.blobs.get(entry.sha)!);
    }
    return out;
  }

  fileText(fullName: string, ref: string, path: string): string | null {
    const content = this.files(fullName, ref).get(path);
    return content === undefined ? null : Buffer.from(content).toString('utf8');
  }

  commit(fullName: string, sha: string) {
    return this.repo(fullName).git.commits.get(sha) ?? null;
  }

  pulls(fullName: string): IssueRecord[] {
    return [...this.repo(fullName).items.values()].filter((item) => item.pull);
  }

  issues(fullName: string): IssueRecord[] {
    return [...this.repo(fullName).items.values()].filter((item) => !item.pull);
  }

  item(fullName: string, number: number): IssueRecord {
    const item = this.repo(fullName).items.get(number);
    if (!item) throw new Error(`no issue or pull request #${number} in ${fullName}`);
    return item;
  }

  /** Seeds a pull request directly (no validation), e.g. one opened by someone else. */
  addPull(fullName: string, input: { head: string; base?: string; title: string; body?: string; state?: 'open' | 'closed'; labels?: string[] }): IssueRecord {
    const repo = this.repo(fullName);
    return this.addItem(
      repo,
      input.title,
      input.body ?? '',
      input.labels ?? [],
      {
        nodeId: `PR_kwDO${repo.id}n${repo.nextNumber}`,
        head: input.head,
        base: input.base ?? repo.defaultBranch,
        mergedAt: null,
        draft: false,
        autoMerge: null,
        requestedReviewers: [],
      },
      input.state,
    );
  }

  addIssue(fullName: string, input: { title: string; body?: string; state?: 'open' | 'closed'; labels?: string[] }): IssueRecord {
    return this.addItem(this.repo(fullName), input.title, input.body ?? '', input.labels ?? [], undefined, input.state);
  }

  /** Marks a pull request merged (closed with merged_at). */
  mergePull(fullName: string, number: number): void {
    const item = this.item(fullName, number);
    const at = this.now();
    item.state = 'closed';
    item.closedAt = at;
    item.updatedAt = at;
    item.pull!.mergedAt = at;
  }

  addItem(repo: RepoRecord, title: string, body: string | null, labels: string[], pull: PullRecord | undefined, state: 'open' | 'closed' = 'open'): IssueRecord {
    const number = repo.nextNumber++;
    const at = this.now();
    for (const label of labels) this.label(repo, label);
    const item: IssueRecord = {
      id: this.id(),
      number,
      nodeId: pull ? pull.nodeId : `I_kwDO${repo.id}n${number}`,
      title,
      body,
      state,
      labels: [...new Set(labels)],
      assignees: [],
      comments: [],
      createdAt: at,
      updatedAt: at,
      closedAt: state === 'closed' ? at : null,
      author: this.botLogin,
      ...(pull ? { pull } : {}),
    };
    repo.items.set(number, item);
    return item;
  }

  /** The repository label `name`, created with GitHub's default colour when missing. */
  label(repo: RepoRecord, name: string): LabelRecord {
    const key = name.toLowerCase();
    let label = repo.labels.get(key);
    if (!label) {
      label = { id: this.id(), name, color: 'ededed', description: null };
      repo.labels.set(key, label);
    }
    return label;
  }
}
