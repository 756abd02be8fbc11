/**
 * In-memory git object store for the GitHub double: blobs, trees and commits hashed the way git
 * hashes them (sha1 of `<type> <len>\0<payload>`), so shas look and behave like real ones.
 */
import { createHash } from 'node:crypto';

export type TreeMode = '100644' | '100755' | '040000' | '160000' | '120000';

export interface TreeItem {
  readonly name: string;
  readonly mode: TreeMode;
  readonly type: 'blob' | 'tree' | 'commit';
  readonly sha: string;
}

export interface CommitObject {
  readonly sha: string;
  readonly tree: string;
  readonly parents: readonly string[];
  readonly message: string;
  readonly date: string;
}

/** A flattened tree entry: full path → mode and blob sha. */
export interface FlatEntry {
  readonly mode: TreeMode;
  readonly sha: string;
  readonly type: 'blob' | 'commit';
}

const AUTHOR = 'Archpin Test <test@example.com>';

function objectSha(type: string, payload: Uint8Array): string {
  const header = Buffer.from(`${type} ${payload.byteLength}\0`, 'latin1');
  return createHash('sha1').update(header).update(payload).digest('hex');
}

export class GitStore {
  readonly blobs = new Map<string, Uint8Array>();
  readonly trees = new Map<string, readonly TreeItem[]>();
  readonly commits = new Map<string, CommitObject>();
  private clock = Date.UTC(2026, 4, 2, 9, 0, 0) / 1000;

  writeBlob(content: Uint8Array): string {
    const sha = objectSha('blob', content);
    this.blobs.set(sha, Uint8Array.from(content));
    return sha;
  }

  writeTreeItems(items: readonly TreeItem[]): string {
    const sorted = [...items].sort((a, b) => compareGitNames(a, b));
    const parts: Buffer[] = [];
    for (const item of sorted) {
      const mode = item.mode === '040000' ? '40000' : item.mode;
      parts.push(Buffer.from(`${mode} ${item.name}\0`, 'utf8'), Buffer.from(item.sha, 'hex'));
    }
    const sha = objectSha('tree', Buffer.concat(parts));
    this.trees.set(sha, sorted);
    return sha;
  }

  /** Builds (and stores) the nested trees for a flat path map; returns the root tree sha. */
  writeFlatTree(entries: ReadonlyMap<string, FlatEntry>): string {
    const root = new Map<string, Map<string, unknown> | FlatEntry>();
    for (const [path, entry] of entries) {
      const parts = path.split('/');
      let dir = root;
      for (const part of parts.slice(0, -1)) {
        let next = dir.get(part);
        if (!(next instanceof Map)) {
          next = new Map();
          dir.set(part, next);
        }
        dir = next as Map<string, Map<string, unknown> | FlatEntry>;
      }
      dir.set(parts[parts.length - 1]!, entry);
    }
    const write = (dir: Map<string, Map<string, unknown> | FlatEntry>): string => {
      const items: TreeItem[] = [];
      for (const [name, value] of dir) {
        if (value instanceof Map) {
          items.push({ name, mode: '040000', type: 'tree', sha: write(value as Map<string, Map<string, unknown> | FlatEntry>) });
        } else {
          items.push({ name, mode: value.mode, type: value.type, sha: value.sha });
        }
      }
      return this.writeTreeItems(items);
    };
    return write(root);
  }

  /** Every non-tree entry below `treeSha`, by full path. */
  flatten(treeSha: string): Map<string, FlatEntry> {
    const out = new Map<string, FlatEntry>();
    const walk = (sha: string, prefix: string): void => {
      for (const item of this.trees.get(sha) ?? []) {
        const path = prefix + item.name;
        if (item.type === 'tree') walk(item.sha, `${path}/`);
        else out.set(path, { mode: item.mode, sha: item.sha, type: item.type });
      }
    };
    walk(treeSha, '');
    return out;
  }

  /** Every entry below `treeSha` including subtrees, in git's recursive listing order. */
  listRecursive(treeSha: string): Array<{ path: string; item: TreeItem }> {
    const out: Array<{ path: string; item: TreeItem }> = [];
    const walk = (sha: string, prefix: string): void => {
      for (const item of this.trees.get(sha) ?? []) {
        const path = prefix + item.name;
        out.push({ path, item });
        if (item.type === 'tree') walk(item.sha, `${path}/`);
      }
    };
    walk(treeSha, '');
    return out;
  }

  writeCommit(tree: string, parents: readonly string[], message: string): CommitObject {
    this.clock += 60;
    const date = new Date(this.clock * 1000).toISOString().replace('.000Z', 'Z');
    const lines = [`tree ${tree}`, ...parents.map((p) => `parent ${p}`), `author ${AUTHOR} ${this.clock} +0000`, `committer ${AUTHOR} ${this.clock} +0000`, '', message];
    const sha = objectSha('commit', Buffer.from(lines.join('\n'), 'utf8'));
    const commit: CommitObject = { sha, tree, parents: [...parents], message, date };
    this.commits.set(sha, commit);
    return commit;
  }

  /** True when `ancestor` is `sha` or reachable from it through parents. */
  isAncestor(ancestor: string, sha: string): boolean {
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (next === ancestor) return true;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(this.commits.get(next)?.parents ?? []));
    }
    return false;
  }
}

/** Git sorts tree entries by name, comparing a subtree's name as if it ended with `/`. */
function compareGitNames(a: TreeItem, b: TreeItem): number {
  const an = Buffer.from(a.type === 'tree' ? `${a.name}/` : a.name, 'utf8');
  const bn = Buffer.from(b.type === 'tree' ? `${b.name}/` : b.name, 'utf8');
  return Buffer.compare(an, bn);
}
