import { parseImageRef } from '../../../core/image-ref.js';
import type { Reference, ScanProblem } from '../../../core/types.js';
import { type BuiltImage, byPath, type Extractor } from '../../extractor.js';
import { makeReference, type ReferenceInput } from '../../make-reference.js';
import { composeImage, imageKeyStrength, looksLikeNonImage, type ImageKeyStrength, type ValueText } from '../../puppet-image-keys.js';
import { parsePuppetStructure, type PuppetEntry, type PuppetGroup, type PuppetStructure } from './puppet-structure.js';
import { fillTemplate, markSharedLiterals } from './puppet-templates.js';
import { tokenizePuppet, type PuppetStringToken, type PuppetToken } from './puppet-tokenizer.js';

/**
 * Puppet manifests (`.pp`): images in resource attributes (`docker::run { 'web': image => … }`),
 * class declarations and parameter defaults, hashes, and `$image = '…'` assignments; split forms
 * with `image_tag`/`tag`/`version` siblings and `docker::image` titles.
 *
 * A value that is a variable (`imagetag => $version`) is looked up in the same file: a parameter
 * default or an assignment with a plain string resolves it, and the edit goes to that string. A string
 * built from such variables (`image => "shelf/app:${version}"`, or a local `$image` set once to it) is
 * filled in (puppet-templates.ts). A
 * parameter without such a default, `$title` and `$name` pass a caller's value through: an image
 * attribute that only forwards one is not a reference of its own.
 *
 * An image the manifest makes itself is not pulled: `docker::image` with `docker_file` or `docker_dir`
 * builds it, `docker_tar` loads it from an archive, and a hash or resource naming an image beside an
 * archive to import (`image_file`, `image_archive`, `image_tar`, `tarball`) imports it. Such an image
 * is not reported; where the repository uses it by name (`docker::run { image => 'web:latest' }`),
 * that reference is marked `local-stage` with the line that makes it.
 *
 * An image written only as variables that other references of the file already hold
 * (`image => "${image}:${image_tag}"` beside the class parameters' defaults) is not reported twice.
 */
export const puppetExtractor: Extractor = {
  name: 'puppet',
  kinds: ['puppet'],
  quoting: 'verbatim',
  ...byPath(/\.pp$/i),
  extract: (file) => {
    const { tokens, error } = tokenizePuppet(file.text);
    const structure = parsePuppetStructure(tokens);
    const variables = variableTable(structure, file.position.bind(file));
    const picks = pickFallbacks(file.text, file.position.bind(file));
    const found: ReferenceInput[] = [];
    for (const assignment of structure.assignments) {
      const input = assignmentReference(assignment.name, assignment.value);
      if (input) found.push(input);
    }
    const builds: BuiltImage[] = [];
    for (const group of structure.groups) {
      // `docker::run { 'old-cache': ensure => absent, image => … }` stops and removes the container: it pulls nothing.
      if (removes(group)) continue;
      const inputs = groupReferences(group, variables, picks);
      if (makesImageLocally(group)) {
        for (const input of inputs) builds.push({ value: input.value, file: file.path, line: file.position(input.anchor ?? input.parts[0]?.start ?? 0).line });
        const named = inputs.length === 0 ? importedName(group, variables) : null;
        if (named) builds.push({ value: named.value, file: file.path, line: file.position(named.offset).line });
      } else {
        for (const input of inputs) found.push(input);
      }
    }
    // `image => $image` whose string is itself reported (an `$image` default or assignment): one reference, where the string is
    const onlyPart = (input: ReferenceInput) => (input.parts.length === 1 ? input.parts[0] : undefined);
    const ownStrings = new Set(found.flatMap((input) => (input.anchor === undefined ? (onlyPart(input)?.start ?? []) : [])));
    const single = found.filter((input) => {
      const part = onlyPart(input);
      return input.anchor === undefined || part === undefined || !ownStrings.has(part.start);
    });
    // `docker::image { $image: image_tag => $image_tag }` whose strings another reference holds where they are written
    // (the class parameters `$image` and `$image_tag`): the same image, reported once, there.
    const written = new Set(single.filter(atOwnString).map(partsKey));
    const inputs = single.filter((input) => atOwnString(input) || !written.has(partsKey(input)));
    // Worked out once for all inputs: a manifest with many images stays linear.
    const held = partOwners(inputs);
    const reportedParameters = parametersHeld(structure, held);
    const assignments = new Map<string, PuppetToken | null>();
    for (const assignment of structure.assignments) assignments.set(assignment.name, assignments.has(assignment.name) ? null : assignment.value);
    const references: Reference[] = markSharedLiterals(
      inputs
        .filter((input) => !composedOfReported(input, held, variables) && !localOfReported(input, reportedParameters, assignments))
        .sort((a, b) => (a.parts[0]?.start ?? 0) - (b.parts[0]?.start ?? 0))
        .map((input) => makeReference(file, input)),
    );
    const problems: ScanProblem[] = error ? [{ file: file.path, line: file.position(error.offset).line, code: 'parse-error', message: `Puppet: ${error.message}` }] : [];
    return { references, problems, builds };
  },
};

/** Is the input reported at one of its own strings (not at a use of variables that hold them)? */
function atOwnString(input: ReferenceInput): boolean {
  const at = input.anchor ?? input.parts[0]?.start;
  return input.parts.some((part) => part.start === at);
}

/** The strings an input is made of, as one key. */
function partsKey(input: ReferenceInput): string {
  return input.parts
    .map((part) => `${part.role}:${part.start}-${part.end}`)
    .sort()
    .join(' ');
}

/**
 * `${image}:${image_tag}`, `$image:$tag`: variable uses with only `:`, `@` or `/` between them. A name's segments are
 * joined by `::`; a single `:` after a name ends it (`$image:$tag` is `$image`, `:`, `$tag`).
 */
const COMPOSED = /^(?:\$\{?(?:::)?[a-z_]\w*(?:::[a-z_]\w*)*\}?[:@/]?)+$/i;
const USE = /\$\{?((?:::)?[a-z_]\w*(?:::[a-z_]\w*)*)\}?/gi;

/** The inputs that have a part starting at each offset, by role. */
type PartOwners = ReadonlyMap<number, ReadonlyArray<{ readonly input: ReferenceInput; readonly role: string }>>;

function partOwners(inputs: readonly ReferenceInput[]): PartOwners {
  const owners = new Map<number, Array<{ input: ReferenceInput; role: string }>>();
  for (const input of inputs) {
    for (const part of input.parts) {
      const list = owners.get(part.start);
      if (list) list.push({ input, role: part.role });
      else owners.set(part.start, [{ input, role: part.role }]);
    }
  }
  return owners;
}

/** Does an input other than `input` have a part at `start` (with one of `roles`, when given)? */
function heldByOther(held: PartOwners, start: number, input: ReferenceInput | null, roles?: readonly string[]): boolean {
  return (held.get(start) ?? []).some((owner) => owner.input !== input && (roles === undefined || roles.includes(owner.role)));
}

/**
 * `image => "${image}:${image_tag}"` where every variable is a plain string that another reference of
 * the file already holds (the class parameters' defaults, reported where they are written): the same
 * image, not a second one.
 */
function composedOfReported(input: ReferenceInput, held: PartOwners, variables: VariableTable): boolean {
  if (input.skip !== undefined || !COMPOSED.test(input.value)) return false;
  const names = [...input.value.matchAll(USE)].map((match) => (match[1] ?? '').replace(/^::/, ''));
  return (
    names.length > 0 &&
    names.every((name) => {
      const variable = variables.lookup(name);
      return variable.kind === 'literal' && heldByOther(held, variable.token.start + 1, input);
    })
  );
}

const LOCAL_USE = /^\$\{?([a-z_]\w*)\}?$/i;
const NAME_PARTS = ['repository', 'reference'] as const;

/** Parameters whose default string another reference holds as its repository or whole reference. */
function parametersHeld(structure: PuppetStructure, held: PartOwners): ReadonlySet<string> {
  const reported = new Set<string>();
  for (const group of structure.groups) {
    if (group.kind !== 'parameters') continue;
    for (const entry of group.entries) if (entry.value?.kind === 'string' && heldByOther(held, entry.value.start + 1, null, NAME_PARTS)) reported.add(entry.key);
  }
  return reported;
}

/**
 * `image => $_image` where `$_image` is set once, to a string built from a class parameter that is itself
 * reported as an image (`$_image = "${container_registry}/${container_image}:${tag}"` beside the
 * parameter `$container_image = 'kube-apiserver'`): the same image passed on, not a second one.
 */
function localOfReported(input: ReferenceInput, reported: ReadonlySet<string>, assignments: ReadonlyMap<string, PuppetToken | null>): boolean {
  const name = LOCAL_USE.exec(input.value)?.[1];
  if (name === undefined || input.parts.length !== 1) return false;
  const value = assignments.get(name);
  if (!value || value.kind !== 'string' || !value.interpolated) return false;
  return [...value.value.matchAll(USE)].some((match) => reported.has((match[1] ?? '').replace(/^::/, '')));
}

/** Keys that say the image of a group is built (`docker_file`, `docker_dir`) or loaded from an archive, not pulled. */
const LOCAL_SOURCE_KEYS = new Set(['docker_file', 'docker_dir', 'docker_tar', 'image_file', 'image_archive', 'image_tar', 'tarball']);

/** `'image_name' => 'ceos', 'image_tag' => '4.34.2F'` beside an archive: the name the import gives, variables resolved through the file. */
function importedName(group: PuppetGroup, variables: VariableTable): { value: string; offset: number } | null {
  const text = (keys: readonly string[]): { text: string; offset: number } | null => {
    for (const entry of group.entries) {
      if (!keys.includes(entry.key.toLowerCase()) || !entry.value) continue;
      let token: PuppetToken = entry.value;
      const name = variableName(token);
      if (name !== null) {
        const variable = variables.lookup(name);
        if (variable.kind !== 'literal') return null;
        token = variable.token;
      }
      if (token.kind !== 'string' || token.interpolated) return null;
      return { text: token.value, offset: entry.value.start };
    }
    return null;
  };
  const name = text(['image_name', 'name']);
  if (!name) return null;
  const tag = text(['image_tag', 'tag']);
  return { value: tag ? `${name.text}:${tag.text}` : name.text, offset: name.offset };
}

/**
 * A resource (or a hash of its attributes) written with `ensure => absent` removes what it names (`docker::run` stops
 * and deletes the container, `docker::image` deletes the image): Puppet pulls nothing for it, so its image is not a
 * reference. A variable `ensure` (`ensure => $ensure`) may be `present`, and the image is read as before.
 */
function removes(group: PuppetGroup): boolean {
  if (group.kind === 'parameters') return false;
  return group.entries.some((entry) => entry.key.toLowerCase() === 'ensure' && (entry.value?.kind === 'string' ? entry.value.value : entry.value?.text) === 'absent');
}

function makesImageLocally(group: PuppetGroup): boolean {
  return group.entries.some((entry) => entry.value !== null && entry.value.text !== 'undef' && LOCAL_SOURCE_KEYS.has(entry.key.toLowerCase()));
}

/** The span between a string token's quotes. */
function inner(token: PuppetToken): { start: number; end: number } {
  return { start: token.start + 1, end: token.end - 1 };
}

/** What a variable named in this file stands for. */
type Variable = { readonly kind: 'literal'; readonly token: PuppetToken; readonly line: number } | { readonly kind: 'pass-through' } | { readonly kind: 'unknown'; readonly why: string };

interface VariableTable {
  lookup(name: string): Variable;
  /** The interpolated string a local is set to, when it is set once and is not a parameter. */
  template(name: string): PuppetStringToken | null;
  /** A parameter that only passes a value on: no default (the caller's), or another class's parameter as its only default. */
  passesOn(name: string): boolean;
}

/**
 * Parameter defaults and assignments of the file, by name. A name given two different plain strings
 * (two classes in one file, branches of an `if`) is not resolved.
 */
function variableTable(structure: PuppetStructure, position: (offset: number) => { line: number }): VariableTable {
  const literals = new Map<string, PuppetStringToken[]>();
  const others = new Set<string>();
  const note = (name: string, value: PuppetToken | null): void => {
    if (value?.text === 'undef') return; // the caller must give it: a pass-through, like no default
    if (value && value.kind === 'string' && !value.interpolated && value.literal) {
      const list = literals.get(name) ?? [];
      list.push(value);
      literals.set(name, list);
    } else {
      others.add(name);
    }
  };
  /** Each parameter's default, or null when it is given more than one (two classes in one file). */
  const defaults = new Map<string, PuppetToken | null>();
  for (const group of structure.groups) {
    if (group.kind !== 'parameters') continue;
    for (const entry of group.entries) {
      note(entry.key, entry.value);
      defaults.set(entry.key, defaults.has(entry.key) ? null : entry.value);
    }
  }
  for (const assignment of structure.assignments) note(assignment.name, assignment.value);
  // Each name's assignments, counted once: a manifest with many locals and many uses stays linear.
  const assigned = new Map<string, PuppetToken | null>();
  for (const assignment of structure.assignments) assigned.set(assignment.name, assigned.has(assignment.name) ? null : assignment.value);
  return {
    passesOn(name) {
      if (assigned.has(name)) return false;
      if (!defaults.has(name)) return structure.parameterNames.has(name) || name === 'title' || name === 'name';
      const value = defaults.get(name);
      return value?.kind === 'variable' && (variableName(value) ?? '').includes('::');
    },
    template(name) {
      const value = assigned.get(name);
      return value?.kind === 'string' && value.interpolated === true && !structure.parameterNames.has(name) ? value : null;
    },
    lookup(name) {
      const found = literals.get(name);
      // A name is in the table with at least one string.
      const first = found?.[0];
      if (found && first && !others.has(name)) {
        if (found.some((token) => token.value !== first.value)) return { kind: 'unknown', why: `$${name} is given different values in this file` };
        if (found.length === 1) return { kind: 'literal', token: first, line: position(first.start).line };
        return { kind: 'unknown', why: `$${name} is set more than once in this file` };
      }
      if (name === 'title' || name === 'name' || (structure.parameterNames.has(name) && !found && !assigned.has(name))) return { kind: 'pass-through' };
      return { kind: 'unknown', why: `$${name} is not set to a plain string in this file` };
    },
  };
}

/** The variable's name when a token is exactly one variable (`$version`, `${version}`), else null. */
function variableName(token: PuppetToken): string | null {
  if (token.kind !== 'variable' || !token.value) return null;
  return token.value.replace(/^::/, '');
}

/** `pick($container_image_tag, "v${k8s::version}")`: the value the file falls back to when the variable is undef, by variable name. */
interface PickFallback {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly line: number;
  /** The call as written. */
  readonly call: string;
}

const PICK = /\bpick\(\s*\$\{?((?:::)?[a-z_]\w*(?:::[a-z_]\w*)*)\}?\s*,\s*(?:"((?:[^"\\]|\\.)*)"|'([^'\\]*)')\s*\)/gi;

function pickFallbacks(text: string, position: (offset: number) => { line: number }): ReadonlyMap<string, PickFallback> {
  const found = new Map<string, PickFallback | null>();
  if (!text.includes('pick(')) return new Map();
  for (const match of text.matchAll(PICK)) {
    const name = (match[1] ?? '').replace(/^::/, '');
    const quoted = match[2] ?? match[3] ?? '';
    const start = match.index + match[0].lastIndexOf(quoted, match[0].length - 1);
    const fallback = { text: quoted, start, end: start + quoted.length, line: position(match.index).line, call: match[0] };
    const known = found.get(name);
    // Two different fallbacks for one variable: which one applies is not known.
    found.set(name, known === undefined || known?.text === quoted ? (known ?? fallback) : null);
  }
  return new Map([...found].filter((entry): entry is [string, PickFallback] => entry[1] !== null));
}

function groupReferences(group: PuppetGroup, variables: VariableTable, picks: ReadonlyMap<string, PickFallback> = new Map()): ReferenceInput[] {
  const byKey = new Map<string, PuppetEntry>();
  for (const entry of group.entries) {
    const key = entry.key.toLowerCase();
    if (!byKey.has(key)) byKey.set(key, entry);
  }
  const required = new Map<string, PuppetToken>();
  for (const token of group.required ?? []) {
    const name = variableName(token)?.toLowerCase();
    if (name !== undefined && !required.has(name)) required.set(name, token);
  }
  const detail = describe(group);
  const out: ReferenceInput[] = [];
  for (const entry of group.entries) {
    const strength = imageKeyStrength(entry.key);
    if (!strength || !entry.value || namesField(entry.key, entry.value)) continue;
    const input = imageReference(entry.key.toLowerCase(), entry.value, strength, byKey, detail, variables, picks, required);
    if (input) out.push(input);
  }
  if (group.kind === 'resource' && group.owner === 'docker::image' && !byKey.has('image')) {
    // The title is the image name; `image_tag` and `image_digest` complete it.
    for (const title of group.titles) {
      const input = imageReference('image', title, 'clear', byKey, detail, variables, picks, required);
      if (input) out.push(input);
    }
  }
  return out;
}

/**
 * `'image' => 'image_entry'` (a hash that maps each type to the name of its parameter), `'image' => 'image'`: a value
 * that is its own key's name, alone or with a `_` suffix, names a field, not an image.
 */
function namesField(key: string, value: PuppetToken): boolean {
  if (value.kind !== 'string' || value.interpolated) return false;
  const name = key.toLowerCase();
  return value.value === name || (value.value.startsWith(`${name}_`) && /^[a-z0-9_]+$/.test(value.value));
}

function describe(group: PuppetGroup): string | undefined {
  if (group.owner === null) return undefined;
  if (group.kind === 'parameters') return `${group.owner} parameters`;
  if (group.kind === 'resource') {
    const title = group.titles[0];
    return title ? `${group.owner} ${title.text}` : group.owner;
  }
  return group.owner;
}

function imageReference(
  key: string,
  value: PuppetToken,
  strength: ImageKeyStrength,
  siblings: ReadonlyMap<string, PuppetEntry>,
  detail: string | undefined,
  variables: VariableTable,
  picks: ReadonlyMap<string, PickFallback>,
  /** Parameters of the same list written without a default, by name: a caller gives them. */
  required: ReadonlyMap<string, PuppetToken> = new Map(),
): ReferenceInput | null {
  const filled = templateImage(value, variables, detail);
  if (filled) return filled;
  if (passedOnParts(value, variables)) return null;
  const notes: string[] = [];
  /** A variable's plain-string value (edited where it is set), or the variable as written. */
  const resolved = (token: PuppetToken): ValueText | null | 'pass-through' => {
    const name = variableName(token);
    if (name === null) return valueText(token);
    const variable = variables.lookup(name);
    if (variable.kind === 'pass-through') return 'pass-through';
    // `$kubernetes::sandbox_image`: another class's parameter, passed on; reported where that class sets it.
    if (variable.kind === 'unknown' && name.includes('::')) return 'pass-through';
    if (variable.kind === 'unknown') {
      notes.push(variable.why);
      return valueText(token);
    }
    notes.push(`$${name} from line ${variable.line}`);
    return valueText(variable.token);
  };
  const own = resolved(value);
  // an attribute that forwards a caller's value (`image => $image` in a define) names no image itself
  if (own === 'pass-through' || !own) return null;
  if (value.kind === 'variable' && own.templated && strength !== 'clear') return null;
  /**
   * A sibling with no plain string of its own (undef, another class's parameter) that the file reads
   * through `pick($name, "…")`: shown with the fallback, which is what it gives while the variable is undef.
   */
  const picked = (name: string, token: PuppetToken): ValueText | null => {
    const fallback = picks.get(name);
    if (!fallback) return null;
    const own = variableName(token);
    if (own === null ? token.text !== 'undef' : variables.lookup(own).kind === 'literal') return null;
    const where = own === null ? 'is undef by default' : `is ${token.text} by default, set in another class`;
    notes.push(`$${name} ${where}: shown with the fallback of ${fallback.call} (line ${fallback.line})`);
    // What the caller passes instead is not known here: shown, never updated.
    return { text: fallback.text, start: fallback.start, end: fallback.end, templated: true, skip: 'templated' };
  };
  const sibling = (keys: readonly string[]): ValueText | null => {
    for (const name of keys) {
      // `String $docker_tag,` beside `$docker_image = 'gcr.io/…/etcd'`: the caller gives the tag; shown as written, never updated.
      const given = siblings.has(name) ? undefined : required.get(name);
      if (given) {
        notes.push(`$${name} has no default: the caller gives it`);
        return { text: `\${${variableName(given) ?? name}}`, start: given.start, end: given.end, templated: true, skip: 'templated' };
      }
      const token = siblings.get(name)?.value;
      const fromPick = token ? picked(name, token) : null;
      if (fromPick) return fromPick;
      const found = token ? resolved(token) : null;
      if (found === 'pass-through') return token ? valueText(token) : null;
      if (found) return found;
    }
    return null;
  };
  const input = composeImage('puppet', key, strength, own, sibling, detail);
  if (!input) return null;
  const withNotes = notes.length === 0 ? input : { ...input, detail: [input.detail, ...notes].filter((part) => part !== undefined).join('; ') };
  // reported where the image is used, also when its text is set elsewhere in the file
  return value.kind === 'variable' ? { ...withNotes, anchor: value.start } : withNotes;
}

/**
 * `image => "${registry}/${image}:${image_tag}"` whose name is written only with parameters that pass a value on: one
 * without a default (the caller's), or one whose default is another class's parameter (`$image = $k8s::coredns_image`),
 * reported where that class sets it. The string names no image of its own, whatever gives its tag (a define's
 * `"${image}:${imagetag}"` with `$imagetag = lookup(…)`). So does a local set once to such a string (`image => $image_tag`).
 */
function passedOnParts(value: PuppetToken, variables: VariableTable): boolean {
  const local = variableName(value);
  const string = local === null ? value : variables.template(local);
  if (string?.kind !== 'string' || !string.interpolated || !COMPOSED.test(string.value)) return false;
  // The name is what comes before the first `:` or `@` after a variable: `${image}` in `"${image}:${imagetag}"`.
  const named: string[] = [];
  for (const match of string.value.matchAll(USE)) {
    named.push((match[1] ?? '').replace(/^::/, ''));
    const after = string.value[match.index + match[0].length];
    if (after === ':' || after === '@') break;
  }
  return named.length > 0 && named.every((name) => variables.passesOn(name));
}

/** `image => "shelf/app:${version}"`, or `image => $image` with `$image` set once to such a string: the image it writes, reported where it is used. */
function templateImage(value: PuppetToken, variables: VariableTable, detail: string | undefined): ReferenceInput | null {
  const name = variableName(value);
  const template = name === null ? value : variables.template(name);
  if (template?.kind !== 'string') return null;
  const filled = fillTemplate(template, (used) => {
    const variable = variables.lookup(used);
    return variable.kind === 'literal' ? variable : null;
  });
  if (!filled) return null;
  const notes = name === null ? filled.notes : [`$${name} = ${template.text}`, ...filled.notes];
  return { kind: 'puppet', value: filled.value, parts: filled.parts, anchor: value.start, detail: [detail, ...notes].filter((part) => part !== undefined).join('; ') };
}

/** The text of a string, variable or number token, and whether it can be rewritten as written. */
function valueText(token: PuppetToken): ValueText | null {
  switch (token.kind) {
    case 'string':
      if (token.interpolated) return { text: token.value, ...inner(token), templated: true };
      return { text: token.value, ...inner(token), ...(token.literal ? {} : { skip: 'unsupported-quoting' as const }) };
    case 'variable':
      return { text: token.text, start: token.start, end: token.end, templated: true };
    case 'number':
      // A bare number cannot take every tag (`1.2.3`, `7-alpine`) without quotes.
      return { text: token.text, start: token.start, end: token.end, skip: 'unsupported-quoting' };
    default:
      return null;
  }
}

/** `$image = 'nginx:1.25.3'`: only `image`/`*_image` variables holding a complete reference with a tag or digest. */
function assignmentReference(name: string, value: PuppetToken): ReferenceInput | null {
  const local = name.slice(name.lastIndexOf(':') + 1).toLowerCase();
  if (local !== 'image' && !local.endsWith('_image')) return null;
  if (value.kind !== 'string' || value.interpolated) return null;
  const text = value.value;
  if (looksLikeNonImage(text)) return null;
  const parsed = parseImageRef(text);
  if (!parsed || (parsed.tag === null && parsed.digest === null)) return null;
  return {
    kind: 'puppet',
    value: text,
    parts: [{ role: 'reference', ...inner(value) }],
    detail: `$${name}`,
    ...(value.literal ? {} : { skip: 'unsupported-quoting' as const }),
  };
}
