import { isMap, isSeq } from 'yaml';
import type { SourceFile } from '../core/source-file.js';
import type { Reference, ReferenceKind } from '../core/types.js';
import { listImages, loopedVariables } from './ansible-image-modules.js';
import { variableUses, type VariableUses } from './ansible-variable-uses.js';
import { mapEntries, yamlSource } from './yaml-source.js';

/**
 * What a scan knows of Ansible variables across files: the lists that a role's pull tasks loop over, worked out once
 * per scan from the role task files, and how the scan uses its variables.
 */
export interface AnsibleFacts {
  /** Role folder (`roles/media`) → the variables whose lists its pull tasks loop over. */
  readonly loopedLists: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * How the scan's YAML and templates use the variables that may hold images (ansible-variable-uses.ts): worked
   * out on first use, so a scan whose values name no such variable never reads its templates for it.
   */
  readonly uses: () => VariableUses;
}

const ROLE_VARIABLE_FILE = /^((?:.*\/)?roles\/[^/]+)\/(?:defaults|vars)\/(?:[^/]+\/)*[^/]+\.ya?ml$/i;
const ROLE_TASK_FILE = /^((?:.*\/)?roles\/[^/]+)\/tasks\/(?:[^/]+\/)*[^/]+\.ya?ml$/i;
/** Cheap text checks before a task file is parsed: a pull module and a loop over a template. */
const PULL_WORD = /docker_image|podman_image/;
const LOOP_OVER_TEMPLATE = /\b(?:loop|with_items):[ \t]*["']?\{\{/;

export function ansibleFacts(files: readonly SourceFile[]): AnsibleFacts {
  const loopedLists = new Map<string, Set<string>>();
  for (const file of files) {
    const task = ROLE_TASK_FILE.exec(file.path);
    if (!task) continue;
    try {
      const text = file.text;
      if (PULL_WORD.test(text) && LOOP_OVER_TEMPLATE.test(text)) {
        const role = task[1] ?? '';
        for (const document of yamlSource(file).documents) {
          for (const name of loopedVariables(document.contents)) {
            const names = loopedLists.get(role) ?? new Set<string>();
            names.add(name);
            loopedLists.set(role, names);
          }
        }
      }
    } catch {
      // A file that cannot be read again is reported when the scan reaches it.
    }
    file.release();
  }
  let uses: VariableUses | undefined;
  return { loopedLists, uses: () => (uses ??= variableUses(files)) };
}

/**
 * In a role's defaults or vars, the items of each list that the role's pull tasks loop over
 * (`images_to_pull: [redis:7, nginx:1.25]` for `loop: "{{ images_to_pull }}"`), each at its own line.
 */
export function loopedListImages(file: SourceFile, root: unknown, kind: ReferenceKind, facts: AnsibleFacts | undefined): Reference[] {
  const role = ROLE_VARIABLE_FILE.exec(file.path)?.[1];
  const names = role === undefined ? undefined : facts?.loopedLists.get(role);
  if (!names || !isMap(root)) return [];
  const references: Reference[] = [];
  for (const [key, value] of mapEntries(root)) {
    if (names.has(key) && isSeq(value)) for (const reference of listImages(file, value.items, kind)) references.push(reference);
  }
  return references;
}

/**
 * `"{{ app_image_name }}:{{ app_image_version }}"`: a name variable and a tag variable, with nothing else; or the same
 * after a registry variable and `/` (`"{{ app_registry }}/{{ app_image }}:{{ app_image_tag }}"`).
 */
const NAME_AND_TAG = /^(?:\{\{\s*[A-Za-z_]\w*\s*\}\}\/)?\{\{\s*[A-Za-z_]\w*\s*\}\}:\{\{\s*[A-Za-z_]\w*\s*\}\}$/;

/**
 * A value that only joins a name variable and a tag variable (and a registry variable before them) names no image of
 * its own: the image is what the variables are given. Where the scan's variable files set them it is reported there
 * (role defaults paired as `<x>_image_name` + `<x>_image_version`, `<x>_image` + `<x>_image_tag` + `<x>_registry`);
 * otherwise they come from outside the repository (the inventory, extra vars, an operator's custom resource).
 */
export function joinsVariables(value: string): boolean {
  return NAME_AND_TAG.test(value);
}
