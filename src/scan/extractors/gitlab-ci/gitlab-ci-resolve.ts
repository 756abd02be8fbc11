import { stripDependencyProxyPrefix } from '../../../core/image-ref.js';
import type { SharedLiteral } from '../../../core/types.js';
import type { VariableDefinition, VariableScope } from './gitlab-ci-model.js';

export type Resolution =
  /** No variables (a dependency-proxy prefix aside): the text is the reference. */
  | { readonly kind: 'plain' }
  /**
   * Every variable is a literal that can be edited in place; in the order the text first uses them.
   * `pieces` says which characters of `value` each variable's literal gives.
   */
  | { readonly kind: 'resolved'; readonly value: string; readonly variables: readonly VariableDefinition[]; readonly pieces: readonly Piece[] }
  /** Known or not, the value cannot be updated through its variables; the note says why. */
  | { readonly kind: 'unresolved'; readonly value?: string; readonly note: string };

/** Characters `[start, end)` of a resolved value, as one variable's literal gives them (from `offset` in its text). */
export interface Piece {
  readonly start: number;
  readonly end: number;
  readonly definition: VariableDefinition;
  readonly offset: number;
}

const USE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
const MAX_NESTING = 8;

/** How the resolution names a definition: `line N` in the same file, else `file:line`. */
export function whereDefined(definition: VariableDefinition, here: string): string {
  return definition.file === here ? `line ${definition.line}` : `${definition.file}:${definition.line}`;
}

type Expanded =
  | { readonly value: string; readonly used: readonly VariableDefinition[]; readonly pieces: readonly Piece[]; readonly notes: readonly string[]; readonly blockers: readonly string[] }
  | { readonly failure: string };

/** What the pipeline's files can and cannot tell: how many there are, and the includes not read. */
export interface Reach {
  readonly files: number;
  readonly unread: readonly string[];
  /** The forge was asked for the includes outside the repository. */
  readonly asked: boolean;
  /** The forge could not be asked, and why (the notes in `unread` say it). */
  readonly notAsked?: string | undefined;
}

function notDefined(name: string, reach: Reach): string {
  const place = reach.files > 1 ? "this pipeline's files" : 'this file';
  if (reach.unread.length === 0) return `$${name} is not defined in ${place} (a CI/CD setting or predefined variable)`;
  if (reach.notAsked !== undefined) return `$${name} is not defined in ${place}; it may come from a CI/CD setting or from an include that was not read: ${reach.unread.join('; ')}`;
  if (reach.asked)
    return `$${name} is not defined in ${place} nor in the includes read through the forge; it may come from a CI/CD setting or from an include that was not read: ${reach.unread.join('; ')}`;
  return `$${name} is not defined in ${place}; it may come from a CI/CD setting or from an include outside the repository, which a scan does not read: ${reach.unread.join(', ')}`;
}

/**
 * Expands `text`; when it is a variable's own value (`source`), its literal characters are pieces of that variable.
 * `atStart`: the text begins the image, so a dependency-proxy prefix it starts with is kept as written, as on an image line.
 */
function expand(text: string, scope: VariableScope, here: string, reach: Reach, depth: number, atStart: boolean, source: VariableDefinition | null = null): Expanded {
  const used: VariableDefinition[] = [];
  const pieces: Piece[] = [];
  const notes: string[] = [];
  const blockers: string[] = [];
  let value = '';
  let last = 0;
  const literal = (from: number, to: number): void => {
    if (source !== null && to > from) pieces.push({ start: value.length, end: value.length + to - from, definition: source, offset: from });
    value += text.slice(from, to);
  };
  const use = (binding: VariableDefinition, note: string): void => {
    if (used.some((known) => known.name === binding.name)) return;
    used.push(binding);
    notes.push(note);
  };
  // `IMAGE: "${CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX}/postgres:16"` for `image: $IMAGE`: the prefix means Docker Hub, and stays part of the literal.
  const proxied = atStart && source !== null ? stripDependencyProxyPrefix(text) : null;
  const kept = proxied ? proxied.prefix.length : 0;
  for (const match of text.matchAll(USE)) {
    if (match.index < kept) continue;
    const between = text.slice(Math.max(last, kept), match.index);
    // `$$` is GitLab's escaped dollar: the text is not a variable use, and is not expanded here.
    if (between.includes('$')) return { failure: 'built from variables archpin cannot expand' };
    const name = match[1] ?? match[2] ?? '';
    const binding = scope.get(name);
    literal(last, match.index);
    last = match.index + match[0].length;
    if (binding === undefined) return { failure: notDefined(name, reach) };
    if (binding === 'matrix') return { failure: `$${name} is set by the job to several values (parallel: matrix)` };
    if (binding === 'conflict') return { failure: `$${name} is defined differently by included files` };
    if (binding === 'several')
      return {
        failure: `$${name} is passed down to this pipeline with more than one value (by several trigger jobs, by the rules or matrix of a trigger job, or as both a YAML and a pipeline variable of one)`,
      };
    if (binding === null) return { failure: `$${name} is set by the job in a form archpin cannot read` };
    if (binding.text === null) return { failure: `$${name} (${binding.file}:${binding.line}) is not a plain string` };
    if (binding.text.includes('$')) {
      if (depth >= MAX_NESTING) return { failure: `$${name} nests variables too deeply` };
      const inner = expand(binding.text, scope, here, reach, depth + 1, atStart && value.length === 0, binding);
      if ('failure' in inner) return { failure: `$${name} (${binding.file}:${binding.line}) is built from other variables: ${inner.failure}` };
      // Built from other variables (`NESTED: "${PREFIX}/ruby:3.3"`): its own characters are edited in place.
      for (const piece of inner.pieces) pieces.push({ ...piece, start: piece.start + value.length, end: piece.end + value.length });
      value += inner.value;
      if (!binding.editable) blockers.push(`$${name} is written with escapes`);
      blockers.push(...inner.blockers);
      use(binding, `$${name} (${whereDefined(binding, here)})`);
      inner.used.forEach((definition, index) => {
        use(definition, inner.notes[index] ?? `$${definition.name}`);
      });
      continue;
    }
    pieces.push({ start: value.length, end: value.length + binding.text.length, definition: binding, offset: 0 });
    value += binding.text;
    if (!binding.editable) blockers.push(`$${name} is written with escapes`);
    use(binding, `$${name} (${whereDefined(binding, here)})`);
  }
  const tail = text.slice(Math.max(last, kept));
  if (tail.includes('$')) return { failure: 'built from variables archpin cannot expand' };
  literal(last, text.length);
  return { value, used, pieces, notes, blockers };
}

/**
 * Expands `$VAR` and `${VAR}` in an image string through the variables a job sees. A dependency-proxy
 * prefix is kept as written. `reach` words a miss: which files were read, which includes were not.
 */
export function resolveImage(text: string, scope: VariableScope, here: string, reach: Reach): Resolution {
  const proxied = stripDependencyProxyPrefix(text);
  const prefix = proxied ? proxied.prefix : '';
  const rest = proxied ? proxied.rest : text;
  if (!rest.includes('$')) return { kind: 'plain' };
  const expanded = expand(rest, scope, here, reach, 0, proxied === null);
  if ('failure' in expanded) return { kind: 'unresolved', note: expanded.failure };
  const value = prefix + expanded.value;
  if (expanded.blockers.length > 0) {
    return { kind: 'unresolved', value, note: `resolved through ${expanded.notes.join(', ')}; not edited: ${expanded.blockers.join(', ')}` };
  }
  return { kind: 'resolved', value, variables: expanded.used, pieces: expanded.pieces.map((piece) => ({ ...piece, start: piece.start + prefix.length, end: piece.end + prefix.length })) };
}

/** The key of a variable's literal: its file and offset. */
export function definitionKey(definition: VariableDefinition): string {
  return `${definition.file}#${definition.start}`;
}

/** One image that a variable's literal is part of: its resolved value and where its node is written. */
export interface LiteralUse {
  readonly value: string;
  readonly file: string;
  readonly line: number;
}

/** The characters of a reference's tag in its text (empty when it has none). */
function tagRange(value: string): { start: number; end: number } {
  const at = value.indexOf('@');
  const end = at === -1 ? value.length : at;
  const slash = value.lastIndexOf('/', end);
  const colon = value.indexOf(':', slash + 1);
  return colon === -1 || colon > end ? { start: end, end } : { start: colon + 1, end };
}

/**
 * A literal that holds part of the tag and is part of other images too (another name, not a variant of this
 * one's tag such as `docker` and `docker:…-dind`): one edit moves all of them. When the literal lies inside
 * the tag of every one of them, it is a shared literal, updated only when all of them have the same new tag
 * (the plan groups them); otherwise it is not edited, and the reason says which image an edit would move.
 * `usesOf` gives every image resolved through a literal (this one included).
 */
export function sharedLiteralOf(
  resolution: Resolution & { kind: 'resolved' },
  here: string,
  usesOf: (definition: VariableDefinition) => readonly LiteralUse[],
): { blocker: string } | { shared: SharedLiteral } | null {
  const tag = tagRange(resolution.value);
  const name = resolution.value.slice(0, Math.max(0, tag.start - 1));
  let found: SharedLiteral | null = null;
  for (const piece of resolution.pieces) {
    if (piece.end <= tag.start || piece.start >= tag.end) continue;
    const uses = usesOf(piece.definition);
    const others = uses.filter((use) => use.value.slice(0, Math.max(0, tagRange(use.value).start - 1)) !== name);
    if (others.length === 0) continue;
    const where = (use: LiteralUse): string => `${use.value} (${use.file === here ? `line ${use.line}` : `${use.file}:${use.line}`})`;
    const variable = `$${piece.definition.name} (${whereDefined(piece.definition, here)})`;
    const text = resolution.value.slice(piece.start, piece.end);
    const inTag = (value: string): boolean => {
      const range = tagRange(value);
      return value.slice(range.start, range.end).includes(text);
    };
    if (found !== null || piece.start < tag.start || piece.end > tag.end || text === '' || !uses.every((use) => inTag(use.value))) {
      return { blocker: `${variable} is also part of ${others.map(where).join(', ')}, which an edit of it would change too` };
    }
    found = {
      key: definitionKey(piece.definition),
      variable: `$${piece.definition.name} (${piece.definition.file}:${piece.definition.line})`,
      uses: uses.map((use) => `${use.value} (${use.file}:${use.line})`),
    };
  }
  return found === null ? null : { shared: found };
}
