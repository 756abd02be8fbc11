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

/** Labels, reviewers and assignees the package rules give one update. */
export interface Assignments {
  readonly labels: readonly string[];
  readonly reviewers: readonly string[];
  readonly assignees: readonly string[];
}

export interface GroupOptions {
  readonly branchPrefix: string;
  /** The update's group (its image's, or its update type's when a rule with matchUpdateTypes names one). */
  readonly groupNameFor: (image: string, update?: PlannedUpdate) => string | null;
  /** What the package rules add to the change request of an update; a change gets the union over its updates. */
  readonly assignmentsFor?: (update: PlannedUpdate) => Assignments;
}

const unionOf = (lists: ReadonlyArray<readonly string[]>): string[] => [...new Set(lists.flat())].sort();

/** Groups per-reference updates into changes (one MR each), sorted by branch. Pure. */
export function groupChanges(updates: readonly PlannedUpdate[], held: readonly HeldUpdate[], options: GroupOptions): PlannedChange[] {
  const byBranch = new Map<string, PlannedUpdate[]>();
  for (const update of updates) {
    const branch = branchFor(options.branchPrefix, update, update.group ?? options.groupNameFor(update.image, update));
    const list = byBranch.get(branch) ?? [];
    list.push(update);
    byBranch.set(branch, list);
  }
  return [...byBranch]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([branch, list]) => {
      const images = [...new Set(list.map((update) => update.image))].sort();
      const first = list.find((update) => update.image === images[0]);
      const groupName = list.find((update) => update.group !== undefined)?.group ?? (images[0] === undefined ? null : options.groupNameFor(images[0], first));
      const assigned = options.assignmentsFor ? list.map(options.assignmentsFor) : [];
      const assignments =
        assigned.length === 0
          ? {}
          : {
              labels: unionOf(assigned.map((each) => each.labels)),
              reviewers: unionOf(assigned.map((each) => each.reviewers)),
              assignees: unionOf(assigned.map((each) => each.assignees)),
            };
      return {
        ...assignments,
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
