import { parseDockerTag } from '../lookup/docker-versioning.js';
import type { Held } from '../lookup/find-updates.js';
import type { PlannedUpdate } from './plan-updates.js';

/** One merge request: the updates it carries and where they go. */
export interface PlannedChange {
  readonly branch: string;
  /** Images it updates (`docker.io/library/docker`). */
  readonly images: readonly string[];
  /** Short name for titles (`docker`, `ghcr.io/acme/api`). */
  readonly displayName: string;
  readonly updates: readonly PlannedUpdate[];
  /** Newer versions of its images held back by the gate. */
  readonly held: readonly Held[];
  readonly groupName: string | null;
  readonly isMajor: boolean;
}

/** `docker.io/library/docker` → `docker`, `docker.io/bitnami/redis` → `bitnami/redis`, others keep their host. */
export function displayName(image: string): string {
  return image.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '');
}

export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').replace(/\.{2,}/g, '.');
}

/** Deterministic branch name: `<prefix><image>-<major>.x` for version updates, `<prefix><image>-digest` otherwise. */
export function branchFor(prefix: string, update: Pick<PlannedUpdate, 'image' | 'tag' | 'updateType'>, groupName: string | null): string {
  if (groupName) return `${prefix}${slug(groupName)}`;
  const base = `${prefix}${slug(displayName(update.image))}`;
  if (update.updateType === 'digest' || update.updateType === 'pin') return `${base}-digest`;
  const parsed = update.tag === null ? null : parseDockerTag(update.tag);
  const major = parsed?.release[0];
  return major === undefined ? `${base}-digest` : `${base}-${parsed!.prefix}${major}.x`;
}

/** Groups per-reference updates into changes (one MR each), sorted by branch. Pure. */
export function groupChanges(
  updates: readonly PlannedUpdate[],
  held: readonly Held[],
  options: { branchPrefix: string; groupNameFor: (image: string) => string | null },
): PlannedChange[] {
  const byBranch = new Map<string, PlannedUpdate[]>();
  for (const update of updates) {
    const branch = branchFor(options.branchPrefix, update, options.groupNameFor(update.image));
    const list = byBranch.get(branch) ?? [];
    list.push(update);
    byBranch.set(branch, list);
  }
  return [...byBranch]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([branch, list]) => {
      const images = [...new Set(list.map((update) => update.image))].sort();
      const groupName = options.groupNameFor(images[0]!);
      return {
        branch,
        images,
        displayName: groupName ?? images.map(displayName).join(', '),
        updates: list,
        held: held.filter((item) => images.includes(item.image)),
        groupName,
        isMajor: list.some((update) => update.updateType === 'major'),
      };
    });
}
