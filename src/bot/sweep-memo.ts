/**
 * What the last sweep left settled in each repository, so that the next sweep can skip a repository
 * without a single forge call: its activity stamp (from the bulk listing), the images it uses and a
 * fingerprint of what their lookups said. Kept in the cache directory for `archpin run`, in Redis for
 * the distributed bot. Losing it costs one full run per repository, nothing else: the forge stays the
 * database.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImageLocation } from '../core/dependency.js';
import type { OutsideRead, ReferenceContent } from '../core/types.js';

export interface MemoDependency {
  readonly key: string;
  readonly location: ImageLocation;
  readonly tag: string | null;
  readonly digest: string | null;
  /** A shared literal's image looked up again below these tags (Dependency.ceilings). */
  readonly ceilings?: readonly string[];
  /** What it pulls when not a container image to run (Dependency.content). */
  readonly content?: ReferenceContent;
}

export interface SweepMemoEntry {
  /** The repository's activity stamp when it was left settled. */
  readonly activity: string;
  /** Epoch ms of the full run that left it settled: past `forge.fullCheckInterval` it runs in full again. */
  readonly settledAt: number;
  /** The global configuration it was settled under. */
  readonly configHash: string;
  /** The configuration its lookups ran with, when the repository's own archpin.json changed it (else null). */
  readonly config: unknown;
  readonly dependencies: readonly MemoDependency[];
  /** sha256 of the lookup results (updates, holds); a new tag or digest changes it. */
  readonly results: string;
  /** The files of other projects and templates its CI includes, as read (asked again before it is skipped). */
  readonly includes?: readonly OutsideRead[];
  /** Its change requests, reported as unchanged when it is skipped. */
  readonly changes: ReadonlyArray<{ readonly branch: string; readonly title: string }>;
}

export interface SweepMemo {
  get(key: string): Promise<SweepMemoEntry | null>;
  /** Several entries at once, in the order of `keys`. */
  getMany(keys: readonly string[]): Promise<Array<SweepMemoEntry | null>>;
  /** Records an entry; null forgets the repository (its next sweep runs it in full). */
  set(key: string, entry: SweepMemoEntry | null): Promise<void>;
  /** Persists what was recorded (a no-op for stores that write through). */
  save(): Promise<void>;
}

const FILE = 'sweep-memo.json';
const VERSION = 2;

/** A JSON file in the cache directory; entries are only written back by `save`. */
export async function openFileSweepMemo(cacheDir: string, name = FILE): Promise<SweepMemo> {
  const file = path.join(cacheDir, name);
  let entries: Record<string, SweepMemoEntry> = {};
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { version?: number; entries?: Record<string, SweepMemoEntry> };
    if (parsed.version === VERSION && parsed.entries && typeof parsed.entries === 'object') entries = parsed.entries;
  } catch {
    // missing or unreadable: every repository runs in full once
  }
  let dirty = false;
  return {
    get: (key) => Promise.resolve(entries[key] ?? null),
    getMany: (keys) => Promise.resolve(keys.map((key) => entries[key] ?? null)),
    set(key, entry) {
      if (entry === null) {
        const { [key]: _dropped, ...kept } = entries;
        entries = kept;
      } else entries[key] = entry;
      dirty = true;
      return Promise.resolve();
    },
    async save() {
      if (!dirty) return;
      await mkdir(cacheDir, { recursive: true });
      const temporary = `${file}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify({ version: VERSION, entries }));
      await rename(temporary, file);
      dirty = false;
    },
  };
}

/** Only in memory: each process starts from nothing. */
export function memorySweepMemo(): SweepMemo {
  const entries = new Map<string, SweepMemoEntry>();
  return {
    get: (key) => Promise.resolve(entries.get(key) ?? null),
    getMany: (keys) => Promise.resolve(keys.map((key) => entries.get(key) ?? null)),
    set(key, entry) {
      if (entry === null) entries.delete(key);
      else entries.set(key, entry);
      return Promise.resolve();
    },
    save: () => Promise.resolve(),
  };
}
