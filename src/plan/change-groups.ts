import { parseDockerTag } from '../core/docker-versioning.js';
import type { HeldUpdate } from '../core/dependency.js';
import type { PlannedChange, PlannedUpdate } from '../core/planned.js';
import { fileEditsOf } from './plan-updates.js';

/** `docker.io/library/docker` → `docker`, `docker.io/bitnami/redis` → `bitnami/redis`, others keep their host. */
export function displayName(image: string): string {
  return image.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '');
}

export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/\.{2,}/g, '.');
}

/** Deterministic branch name: `<prefix><image>-<major>.x` for version updates, `<prefix><image>-digest` otherwise. */
export function branchFor(prefix: string, update: Pick<PlannedUpdate, 'image' | 'tag' | 'updateType'>, groupName: string | null): string {
  if (groupName) return `${prefix}${slug(groupName)}`;
  const base = `${prefix}${slug(displayName(update.image))}`;
  if (update.updateType === 'digest' || update.updateType === 'pin') return `${base}-digest`;
  const parsed = update.tag === null ? null : parseDockerTag(update.tag);
  const major = parsed?.release[0];
  return parsed === null || major === undefined ? `${base}-digest` : `${base}-${parsed.prefix}${major}.x`;
}

/** Groups per-reference updates into changes (one MR each), sorted by branch. Pure. */
export function groupChanges(updates: readonly PlannedUpdate[], held: readonly HeldUpdate[], options: { branchPrefix: string; groupNameFor: (image: string) => string | null }): PlannedChange[] {
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
      const groupName = images[0] === undefined ? null : options.groupNameFor(images[0]);
      return {
        branch,
        images,
        displayName: groupName ?? images.map(displayName).join(', '),
        updates: list,
        held: held.filter((item) => images.includes(item.image)),
        groupName,
        isMajor: list.some((update) => update.updateType === 'major'),
        fileEdits: fileEditsOf(list),
      };
    });
}
