/**
 * In-memory state of the GitLab double: groups, projects, repositories as commit graphs of flat
 * file maps, branches, merge requests with notes, issues. Tests seed and inspect it directly.
 */
import { createHash } from 'node:crypto';

export type FileMap = ReadonlyMap<string, Uint8Array>;
export type FileChanges = Readonly<Record<string, string | Uint8Array | null>>;

export interface CommitRecord {
  readonly id: string;
  readonly parents: readonly string[];
  readonly message: string;
  readonly authorName: string;
  readonly authorEmail: string;
  readonly createdAt: string;
  readonly files: FileMap;
}

export interface GroupRecord {
  readonly id: number;
  readonly fullPath: string;
  readonly parentId: number | null;
}

export interface NoteRecord {
  readonly id: number;
  readonly body: string;
  readonly createdAt: string;
}

export type MergeRequestState = 'opened' | 'closed' | 'merged' | 'locked';

export interface MergeRequestRecord {
  readonly id: number;
  readonly iid: number;
  title: string;
  description: string;
  state: MergeRequestState;
  readonly sourceBranch: string;
  targetBranch: string;
  labels: string[];
  mergeWhenPipelineSucceeds: boolean;
  /** The MR's head pipeline; null until one is started (GitLab starts one when CI is configured). */
  headPipeline: { readonly id: number; readonly sha: string; status: 'running' | 'success' | 'failed' } | null;
  squash: boolean;
  removeSourceBranch: boolean;
  /** User ids, as the API takes them (reviewer_ids, assignee_ids). */
  reviewerIds: number[];
  assigneeIds: number[];
  readonly createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  mergedAt: string | null;
  readonly notes: NoteRecord[];
}

export interface UserRecord {
  readonly id: number;
  readonly username: string;
  readonly name: string;
}

export interface IssueRecord {
  readonly id: number;
  readonly iid: number;
  title: string;
  description: string;
  state: 'opened' | 'closed';
  labels: string[];
  readonly createdAt: string;
  updatedAt: string;
}

export interface ProjectRecord {
  readonly id: number;
  readonly name: string;
  readonly namespace: GroupRecord;
  readonly pathWithNamespace: string;
  archived: boolean;
  defaultBranch: string | null;
  readonly commits: Map<string, CommitRecord>;
  readonly branches: Map<string, string>;
  readonly protectedBranches: Set<string>;
  readonly mergeRequests: MergeRequestRecord[];
  readonly issues: IssueRecord[];
  /** GitLab's last_activity_at: moved by every commit and every write through the API to this project. */
  lastActivityAt: string;
}

export interface ProjectSeed {
  readonly archived?: boolean;
  readonly defaultBranch?: string;
  readonly files?: FileChanges;
  readonly message?: string;
}

const BOT = { name: 'Archpin Bot', email: 'archpin-bot@example.com' };

export const BOT_USER = { id: 99, username: 'group_12_bot_5c1e0f', name: 'archpin', state: 'active' } as const;

export function toBytes(content: string | Uint8Array): Uint8Array {
  return typeof content === 'string' ? new TextEncoder().encode(content) : Uint8Array.from(content);
}

export class GitlabState {
  readonly groups = new Map<string, GroupRecord>();
  /** Users of the instance (`GET /users?username=`), for reviewers and assignees. */
  readonly users: UserRecord[] = [];
  private nextUserId = 300;
  readonly projects = new Map<number, ProjectRecord>();
  /** The instance's CI templates (`GET /templates/gitlab_ci_ymls/:name`), by key (`Code-Quality`). */
  readonly ciTemplates = new Map<string, string>();
  private nextId = 1;
  private nextProjectId = 100;
  private nextMrId = 5000;
  private nextIssueId = 8000;
  private nextNoteId = 9000;
  private clockTick = 0;

  constructor(readonly baseUrl: () => string) {}

  /** A strictly increasing timestamp, so ordering by creation is deterministic. */
  now(): string {
    this.clockTick += 1;
    return new Date(Date.UTC(2026, 4, 2, 9, 0, 0) + this.clockTick * 1000).toISOString();
  }

  addUser(username: string, name = username): UserRecord {
    const user = { id: this.nextUserId++, username, name };
    this.users.push(user);
    return user;
  }

  /** Creates the group and any missing parent groups (`acme/platform/images`). */
  addGroup(fullPath: string): GroupRecord {
    const existing = this.groups.get(fullPath);
    if (existing) return existing;
    const slash = fullPath.lastIndexOf('/');
    const parent = slash < 0 ? null : this.addGroup(fullPath.slice(0, slash));
    const group: GroupRecord = { id: this.nextId++, fullPath, parentId: parent?.id ?? null };
    this.groups.set(fullPath, group);
    return group;
  }

  /** Creates a project `group/…/name` with one initial commit on its default branch (unless no files). */
  addProject(pathWithNamespace: string, seed: ProjectSeed = {}): ProjectRecord {
    const slash = pathWithNamespace.lastIndexOf('/');
    if (slash < 0) throw new Error(`project path needs a namespace: ${pathWithNamespace}`);
    if (this.findProject(pathWithNamespace)) throw new Error(`project exists: ${pathWithNamespace}`);
    const namespace = this.addGroup(pathWithNamespace.slice(0, slash));
    const project: ProjectRecord = {
      id: this.nextProjectId++,
      name: pathWithNamespace.slice(slash + 1),
      namespace,
      pathWithNamespace,
      archived: seed.archived ?? false,
      defaultBranch: null,
      commits: new Map(),
      branches: new Map(),
      protectedBranches: new Set(),
      mergeRequests: [],
      issues: [],
      lastActivityAt: this.now(),
    };
    this.projects.set(project.id, project);
    if (seed.files !== undefined) {
      const branch = seed.defaultBranch ?? 'main';
      const sha = this.commit(project, null, seed.files, seed.message ?? 'Initial commit');
      project.branches.set(branch, sha);
      project.protectedBranches.add(branch);
      project.defaultBranch = branch;
    }
    return project;
  }

  /** By numeric id or full path. */
  findProject(idOrPath: string | number): ProjectRecord | undefined {
    const text = String(idOrPath);
    if (/^\d+$/.test(text)) return this.projects.get(Number(text));
    for (const project of this.projects.values()) if (project.pathWithNamespace === text) return project;
    return undefined;
  }

  project(idOrPath: string | number): ProjectRecord {
    const project = this.findProject(idOrPath);
    if (!project) throw new Error(`no project ${idOrPath}`);
    return project;
  }

  /** Descendant groups of `group` including itself. */
  subtree(group: GroupRecord): GroupRecord[] {
    const byId = new Map([...this.groups.values()].map((g) => [g.id, g]));
    const isBelow = (candidate: GroupRecord): boolean => {
      for (let parent = candidate.parentId; parent !== null; parent = byId.get(parent)?.parentId ?? null) {
        if (parent === group.id) return true;
      }
      return false;
    };
    return [group, ...[...this.groups.values()].filter(isBelow)];
  }

  /** Records a commit on top of `parent` applying `changes` (null deletes); returns its sha. */
  commit(project: ProjectRecord, parent: string | null, changes: FileChanges, message: string, author = BOT): string {
    const files = new Map(parent ? this.getCommit(project, parent).files : []);
    for (const [path, content] of Object.entries(changes)) {
      if (content === null) files.delete(path);
      else files.set(path, toBytes(content));
    }
    return this.writeCommit(project, parent ? [parent] : [], files, message, author);
  }

  writeCommit(project: ProjectRecord, parents: readonly string[], files: FileMap, message: string, author = BOT): string {
    const createdAt = this.now();
    const hash = createHash('sha1');
    hash.update(`${project.id}\0${parents.join(',')}\0${message}\0${createdAt}\0${this.nextId++}`);
    for (const [path, bytes] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) hash.update(path).update('\0').update(bytes);
    const id = hash.digest('hex');
    project.commits.set(id, { id, parents, message, authorName: author.name, authorEmail: author.email, createdAt, files });
    project.lastActivityAt = createdAt;
    return id;
  }

  getCommit(project: ProjectRecord, sha: string): CommitRecord {
    const commit = project.commits.get(sha);
    if (!commit) throw new Error(`no commit ${sha} in ${project.pathWithNamespace}`);
    return commit;
  }

  /** A branch name or a full sha to a commit, if any. */
  resolveRef(project: ProjectRecord, ref: string): CommitRecord | undefined {
    const sha = project.branches.get(ref) ?? ref;
    return project.commits.get(sha);
  }

  /** The last commit reachable from `from` (first parents) that changed `path`. */
  lastCommitFor(project: ProjectRecord, from: string, path: string): string | null {
    let current: CommitRecord | undefined = project.commits.get(from);
    while (current) {
      const mine = current.files.get(path);
      const parent: CommitRecord | undefined = current.parents[0] ? project.commits.get(current.parents[0]) : undefined;
      const theirs = parent?.files.get(path);
      if (mine !== undefined && (theirs === undefined || !sameBytes(mine, theirs))) return current.id;
      if (mine === undefined) return null;
      current = parent;
    }
    return null;
  }

  /** A commit on `branch` (default branch when omitted) as a person would push it. */
  push(idOrPath: string | number, changes: FileChanges, message = 'Manual change', branch?: string): string {
    const project = this.project(idOrPath);
    const name = branch ?? project.defaultBranch ?? 'main';
    // A new branch starts from the default branch head, as `git switch -c` would.
    const head = project.branches.get(name) ?? (project.defaultBranch ? project.branches.get(project.defaultBranch) : undefined) ?? null;
    const sha = this.commit(project, head, changes, message, { name: 'Dana Developer', email: 'dana@example.com' });
    project.branches.set(name, sha);
    if (project.defaultBranch === null) project.defaultBranch = name;
    return sha;
  }

  /** Files of a branch or commit as text (latin1 for non-UTF-8 is not attempted: bytes stay bytes). */
  files(idOrPath: string | number, ref: string): Map<string, Uint8Array> {
    const project = this.project(idOrPath);
    const commit = this.resolveRef(project, ref);
    if (!commit) throw new Error(`no ref ${ref}`);
    return new Map(commit.files);
  }

  addMergeRequest(
    project: ProjectRecord,
    fields: {
      title: string;
      description: string;
      sourceBranch: string;
      targetBranch: string;
      labels: string[];
      squash?: boolean;
      removeSourceBranch?: boolean;
      reviewerIds?: number[];
      assigneeIds?: number[];
    },
  ): MergeRequestRecord {
    const createdAt = this.now();
    const record: MergeRequestRecord = {
      id: this.nextMrId++,
      iid: project.mergeRequests.length + 1,
      title: fields.title,
      description: fields.description,
      state: 'opened',
      sourceBranch: fields.sourceBranch,
      targetBranch: fields.targetBranch,
      labels: fields.labels,
      mergeWhenPipelineSucceeds: false,
      headPipeline: null,
      squash: fields.squash ?? false,
      removeSourceBranch: fields.removeSourceBranch ?? false,
      reviewerIds: fields.reviewerIds ?? [],
      assigneeIds: fields.assigneeIds ?? [],
      createdAt,
      updatedAt: createdAt,
      closedAt: null,
      mergedAt: null,
      notes: [],
    };
    project.mergeRequests.push(record);
    return record;
  }

  addNote(mr: MergeRequestRecord, body: string): NoteRecord {
    const note: NoteRecord = { id: this.nextNoteId++, body, createdAt: this.now() };
    mr.notes.push(note);
    return note;
  }

  addIssue(project: ProjectRecord, fields: { title: string; description: string; labels: string[]; state?: 'opened' | 'closed' }): IssueRecord {
    const createdAt = this.now();
    const record: IssueRecord = {
      id: this.nextIssueId++,
      iid: project.issues.length + 1,
      title: fields.title,
      description: fields.description,
      state: fields.state ?? 'opened',
      labels: fields.labels,
      createdAt,
      updatedAt: createdAt,
    };
    project.issues.push(record);
    return record;
  }

  /** Starts a pipeline for the MR's current head, as GitLab does on a push when CI is configured. */
  startPipeline(idOrPath: string | number, iid: number): void {
    const project = this.project(idOrPath);
    const mr = this.mergeRequest(idOrPath, iid);
    mr.headPipeline = { id: 5000 + project.id * 100 + iid, sha: project.branches.get(mr.sourceBranch)!, status: 'running' };
  }

  mergeRequest(idOrPath: string | number, iid: number): MergeRequestRecord {
    const mr = this.project(idOrPath).mergeRequests.find((m) => m.iid === iid);
    if (!mr) throw new Error(`no merge request !${iid}`);
    return mr;
  }
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Labels as GitLab accepts them: a comma-separated string or an array; trimmed, deduplicated. */
export function parseLabels(value: unknown): string[] {
  const parts = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [];
  const out: string[] = [];
  for (const part of parts) {
    const label = part.trim();
    if (label && !out.includes(label)) out.push(label);
  }
  return out;
}
