import { isMap, isScalar, isSeq } from 'yaml';
import type { SourceFile } from '../core/source-file.js';
import type { Reference, ReferenceKind } from '../core/types.js';
import { listImages, loopedVariables } from './ansible-image-modules.js';
import { variableUses, type VariableUses } from './ansible-variable-uses.js';
import { emptyVariables, type EmptySetting } from './ansible-image-prefix.js';
import { mapEntries, mapGet, walkMaps, yamlSource } from './yaml-source.js';
import { isInventoryVariableFile } from './yaml-image-fields.js';
import { escapeRegExp } from '../core/regexp.js';

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
  /** The files a role's tasks load with `include_vars` (`"checks/{{ kind }}/vars.yml"` loads `roles/exporter/checks/disk/vars.yml`). */
  readonly includedVars: readonly RegExp[];
  /** The variables the files of variables set only to an empty string (`image_prefix: ""`), worked out on first use. */
  readonly emptyVariables: () => ReadonlyMap<string, EmptySetting>;
}

const ROLE_VARIABLE_FILE = /^((?:.*\/)?roles\/[^/]+)\/(?:defaults|vars)\/(?:[^/]+\/)*[^/]+\.ya?ml$/i;
const ROLE_TASK_FILE = /^((?:.*\/)?roles\/[^/]+)\/tasks\/(?:[^/]+\/)*[^/]+\.ya?ml$/i;
/** Cheap text checks before a task file is parsed: a pull module and a loop over a template. */
const PULL_WORD = /docker_image|podman_image/;
const LOOP_OVER_TEMPLATE = /\b(?:loop|with_items):[ \t]*["']?\{\{/;
/** The task that loads a file of variables. */
const INCLUDE_VARS = /^(?:ansible\.builtin\.)?include_vars$/;
/** A `{{ … }}` expression in a path (bounded: a hostile file may hold one without end). */
const PATH_EXPRESSION = /\{\{[^{}]{0,200}\}\}/g;

export function ansibleFacts(files: readonly SourceFile[]): AnsibleFacts {
  const loopedLists = new Map<string, Set<string>>();
  const includedVars: RegExp[] = [];
  for (const file of files) {
    const task = ROLE_TASK_FILE.exec(file.path);
    if (!task) continue;
    try {
      const text = file.text;
      if (text.includes('include_vars')) for (const document of yamlSource(file).documents) includedVars.push(...includedVarFiles(task[1] ?? '', document.contents));
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
  let empty: ReadonlyMap<string, EmptySetting> | undefined;
  const facts: AnsibleFacts = {
    loopedLists,
    uses: () => (uses ??= variableUses(files)),
    includedVars,
    emptyVariables: () => (empty ??= emptyVariables(files.filter((file) => isVariableFile(file.path, facts)))),
  };
  return facts;
}

/**
 * The files the `include_vars` tasks under `root` load, as patterns of paths: a relative path is looked for in the
 * role's `vars/` folder, the role's own folder and its `tasks/` folder (Ansible's search path for a role's files), and
 * an expression in it (`{{ kind }}`) stands for any name of one folder or file. A path that starts with an expression
 * (`{{ ansible_os_family }}.yml`, in `vars/`, which is read as such), an absolute path or a whole folder (`dir:`) is not followed.
 */
function includedVarFiles(role: string, root: unknown): RegExp[] {
  const patterns: RegExp[] = [];
  walkMaps(root, (map) => {
    for (const [key, value] of mapEntries(map)) {
      if (!INCLUDE_VARS.test(key)) continue;
      const written = isMap(value) ? mapGet(value, 'file') : value;
      if (!isScalar(written) || typeof written.value !== 'string') continue;
      const path = written.value.trim();
      if (!/^[\w-]/.test(path) || path.split('/').includes('..') || !/\.ya?ml$/i.test(path)) continue;
      const literal = path.split(PATH_EXPRESSION).map(escapeRegExp).join('[^/]+');
      const folder = escapeRegExp(role);
      patterns.push(new RegExp(`^${folder}/(?:vars/|tasks/)?${literal}$`));
    }
    return undefined;
  });
  return patterns;
}

/**
 * A file of Ansible variables: a role's `defaults/` or `vars/`, `group_vars/`, `host_vars/`, or a file that a role's
 * tasks load with `include_vars`.
 */
export function isVariableFile(path: string, facts: AnsibleFacts | undefined): boolean {
  if (ROLE_VARIABLE_FILE.test(path) || isInventoryVariableFile(path)) return true;
  return facts?.includedVars.some((pattern) => pattern.test(path)) ?? false;
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
 * A variable as a Jinja action names it: a plain name, or an attribute or key of one (`apps.relay.image_tag`,
 * `relay['image_tag']`, `images[0]`), with no filter, literal or call.
 */
const VARIABLE = String.raw`[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\s*(?:'[^'{}\[\]]*'|"[^"{}\[\]]*"|\d+)\s*\])*`;

/**
 * What a Jinja action may do to its variable without writing a part of a name of its own: filters (`| default('')`,
 * `| default(relay_image)`, `| lower`) and a method call with an index (`.split(':')[0]`), whose arguments are other
 * variables or strings with no letter or digit in them (a separator, an empty default). A literal default
 * (`| default('2.4.1')`) is text of the file's own, a tag the value may take: such a join stays `templated`.
 */
const ARGUMENT = String.raw`\s*(?:'[^'\w]*'|"[^"\w]*"|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*`;
const ARGUMENTS = String.raw`\((?:${ARGUMENT}(?:,${ARGUMENT})*)?\)`;
const TRANSFORMS = String.raw`(?:\s*\|\s*[A-Za-z_]\w*(?:${ARGUMENTS})?|\.[A-Za-z_]\w*${ARGUMENTS}(?:\[\s*-?\d+\s*\])*)*`;

/** A Jinja action that is only a variable, perhaps through such filters: `{{ relay_tag }}`, `{{ apps.relay.tag }}`, `{{ relay_tag | default('') }}`. */
const ACTION = String.raw`\{\{\s*${VARIABLE}${TRANSFORMS}\s*\}\}`;

/**
 * `"{{ app_image_name }}:{{ app_image_version }}"`: a name variable and a tag variable, with nothing else; or the same
 * after a registry variable and `/` (`"{{ app_registry }}/{{ app_image }}:{{ app_image_tag }}"`), or right after a
 * registry prefix variable that holds its own `/` (`"{{ app_registry_prefix }}{{ app_image_path }}:{{ app_image_tag }}"`,
 * the prefix `ghcr.io/` or `localhost/`); each may be an attribute of a settings map
 * (`"{{ apps.relay.image_repository }}:{{ apps.relay.image_tag }}"`) and go through filters
 * (`"{{ relay_image | default('') }}:{{ relay_tag | default('') }}"`, also as a name and a tag sibling composed).
 */
const NAME_AND_TAG = new RegExp(`^(?:${ACTION}/?)?${ACTION}:${ACTION}$`);

/**
 * A value that only joins a name variable and a tag variable (and a registry variable before them) names no image of
 * its own: the image is what the variables are given. Where the scan's variable files set them it is reported there
 * (role defaults paired as `<x>_image_name` + `<x>_image_version`, `<x>_image` + `<x>_image_tag` + `<x>_registry`);
 * otherwise they come from outside the repository (the inventory, extra vars, an operator's custom resource).
 */
export function joinsVariables(value: string): boolean {
  return NAME_AND_TAG.test(value);
}
