import type { SourceFile } from '../core/source-file.js';
import { BAKE_DEFAULT, buildDockerfiles } from './build-dockerfiles.js';

/**
 * The targets of a docker-bake file (HCL or JSON), whatever the file is called (`docker-bake.hcl`, `tests/build.hcl`,
 * `ci/bake.json`): a file is one when it holds `target "name" {` blocks (HCL) or a top-level `target` object of
 * objects (JSON). Only literal strings are read; an attribute written as an expression (`dockerfile = item.file`)
 * is known to be there but not what it says.
 */

/** A named context of a target (`base = "target:base"`), with the offset of its name. */
export interface BakeContext {
  readonly name: string;
  readonly value: string;
  readonly offset: number;
}

/** A build argument of a target: its name's offset, and its value when written as a plain string (`"slim"`; null for an expression or an interpolated string). */
export interface BakeArg {
  readonly name: string;
  readonly offset: number;
  readonly value: string | null;
  /** Where a literal value starts, inside its quotes (HCL files). */
  readonly valueOffset?: number;
  /** `BASE = "${BASE_IMAGE}"`: the one bake variable the value is (HCL files). */
  readonly variable?: string;
}

export interface BakeTarget {
  readonly name: string;
  readonly offset: number;
  /** Absent: undefined; written as an expression: null. */
  readonly context: string | null | undefined;
  readonly dockerfile: string | null | undefined;
  readonly inherits: readonly string[];
  readonly contexts: readonly BakeContext[];
  /** Its build arguments (`args = { VERSION = "1.2" }`): names with their offsets, and the value when it is a literal string (null otherwise). */
  readonly args: readonly BakeArg[];
}

const HCL_TARGET = /^[ \t]*target[ \t]+"([^"\\]+)"[ \t]*\{/gm;
const JSON_TARGET = /"target"\s*:\s*\{/;
/** At most this many targets are read from one file. */
const MAX_TARGETS = 500;
/** `inherits` is followed this deep at most (a cycle or a long chain ends there). */
const MAX_INHERITS = 8;

/** A top-level `target "x" {` (a Nomad autoscaler policy's `target` blocks are nested in a `policy`). */
const TOP_TARGET = /^target[ \t]+"[^"\\]+"[ \t]*\{/m;
/** A Nomad job, which is never a bake file. */
const NOMAD_JOB = /^[ \t]*job[ \t]+"/m;

/** A file with bake targets: top-level HCL `target "x" {` blocks (and no Nomad job), or JSON with a top-level `target` map. */
export function isBakeText(file: SourceFile): boolean {
  if (/\.hcl$/i.test(file.path)) return TOP_TARGET.test(file.text) && !NOMAD_JOB.test(file.text);
  if (/\.json$/i.test(file.path) && JSON_TARGET.test(file.text)) return (jsonBake(file)?.targets ?? null) !== null;
  return false;
}

/** Where the block that opens at `open` (a `{`) closes: braces in strings and comments are not counted. */
function blockEnd(text: string, open: number): number {
  let depth = 0;
  for (let at = open; at < text.length; at++) {
    const char = text[at];
    if (char === '"') {
      at++;
      while (at < text.length && text[at] !== '"' && text[at] !== '\n') at += text[at] === '\\' ? 2 : 1;
    } else if (char === '#' || (char === '/' && text[at + 1] === '/')) {
      const newline = text.indexOf('\n', at);
      at = newline === -1 ? text.length : newline;
    } else if (char === '{') depth++;
    else if (char === '}' && --depth === 0) return at;
  }
  return text.length;
}

/** A string attribute of a block body: its literal, null when written otherwise, undefined when absent. */
function attribute(body: string, key: string): string | null | undefined {
  const line = new RegExp(String.raw`^[ \t]*${key}[ \t]*=[ \t]*(.*)$`, 'm').exec(body);
  if (!line) return undefined;
  const literal = /^"([^"\\]*)"[ \t]*(?:(?:#|\/\/).*)?\r?$/.exec(line[1] ?? '');
  return literal ? (literal[1] ?? '') : null;
}

function hclTargets(text: string): BakeTarget[] {
  const targets: BakeTarget[] = [];
  // Targets do not nest: one written inside another's block is not read, so the text is walked once.
  let after = 0;
  for (const match of text.matchAll(HCL_TARGET)) {
    if (targets.length >= MAX_TARGETS) break;
    if (match.index < after) continue;
    const open = match.index + match[0].length - 1;
    const end = blockEnd(text, open);
    after = end;
    const body = text.slice(open + 1, end);
    const inherits = /^[ \t]*inherits[ \t]*=[ \t]*\[([^\]]*)\]/m.exec(body)?.[1] ?? '';
    const contexts: BakeContext[] = [];
    const block = /^[ \t]*contexts[ \t]*=[ \t]*\{/m.exec(body);
    if (block) {
      const start = open + 1 + block.index + block[0].length;
      const inner = text.slice(start, blockEnd(text, start - 1));
      // One entry a line (or after a comma): a name, a word or a quoted string that may name an image
      // (`"registry.example.test/team/base" = "target:base"`), then its value, a string or an expression.
      for (const entry of inner.matchAll(/(^|[{,])[ \t]*(?:"([^"\s=]+)"|'([^'\s=]+)'|([A-Za-z0-9_.-]+))[ \t]*[=:][ \t]*(?:"([^"]*)"|([^\n,}]*))/gm)) {
        const name = entry[2] ?? entry[3] ?? entry[4] ?? '';
        contexts.push({ name, value: entry[5] ?? entry[6]?.trim() ?? '', offset: start + entry.index + (entry[1] ?? '').length });
      }
    }
    const args: BakeArg[] = [];
    const argBlock = /^[ \t]*args[ \t]*=[ \t]*\{/m.exec(body);
    if (argBlock) {
      const start = open + 1 + argBlock.index + argBlock[0].length;
      const inner = text.slice(start, blockEnd(text, start - 1));
      // A value is literal when it is one plain string up to the end of the entry (a comma, a brace, a comment or the line's end).
      for (const entry of inner.matchAll(
        /(^|[{,])[ \t]*(?:"([A-Za-z_][A-Za-z0-9_]*)"|([A-Za-z_][A-Za-z0-9_]*))[ \t]*[=:](?:[ \t]*"(?:([^"\\\n$]*)|\$\{([A-Za-z_][A-Za-z0-9_-]*)\})"(?=[ \t]*(?:[,}\r\n#]|\/\/|$)))?/gm,
      )) {
        const variable = entry[5];
        const value = entry[4];
        // The match ends at the value's closing quote.
        const valueOffset = value === undefined ? undefined : start + entry.index + entry[0].length - 1 - value.length;
        args.push({
          name: entry[2] ?? entry[3] ?? '',
          offset: start + entry.index + (entry[1] ?? '').length,
          value: value ?? null,
          ...(valueOffset === undefined ? {} : { valueOffset }),
          ...(variable === undefined ? {} : { variable }),
        });
      }
    }
    targets.push({
      name: match[1] ?? '',
      offset: match.index,
      context: attribute(body, 'context'),
      dockerfile: attribute(body, 'dockerfile'),
      inherits: [...inherits.matchAll(/"([^"\\]+)"/g)].map((name) => name[1] ?? ''),
      contexts,
      args,
    });
  }
  return targets;
}

/** A JSON file read as a bake file: its targets (null when `target` is not a map of objects), and the `tags` strings of its targets with their offsets. */
export interface JsonBake {
  readonly targets: readonly BakeTarget[] | null;
  readonly tags: ReadonlyArray<{ readonly value: string; readonly offset: number }>;
}

function targetsOf(targets: unknown, offsetOf: (value: string) => number): BakeTarget[] | null {
  if (!targets || typeof targets !== 'object' || Array.isArray(targets)) return null;
  const found: BakeTarget[] = [];
  for (const [name, target] of Object.entries(targets as Record<string, unknown>).slice(0, MAX_TARGETS)) {
    if (!target || typeof target !== 'object' || Array.isArray(target)) return null;
    const fields = target as Record<string, unknown>;
    const literal = (value: unknown): string | null | undefined => (value === undefined ? undefined : typeof value === 'string' ? value : null);
    const contexts = fields.contexts && typeof fields.contexts === 'object' ? Object.entries(fields.contexts as Record<string, unknown>) : [];
    found.push({
      name,
      offset: offsetOf(name),
      context: literal(fields.context),
      dockerfile: literal(fields.dockerfile),
      inherits: Array.isArray(fields.inherits) ? fields.inherits.filter((entry): entry is string => typeof entry === 'string') : [],
      contexts: contexts.flatMap(([key, value]) => (typeof value === 'string' ? [{ name: key, value, offset: offsetOf(key) }] : [])),
      args:
        fields.args && typeof fields.args === 'object' && !Array.isArray(fields.args)
          ? Object.entries(fields.args as Record<string, unknown>).map(([key, value]) => ({
              name: key,
              offset: offsetOf(key),
              value: typeof value === 'string' && !value.includes('$') ? value : null,
            }))
          : [],
    });
  }
  return found;
}

/** Null when the text is not JSON. */
function readJsonBake(text: string): JsonBake | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  // Only the names matter; positions are found by searching for the written string.
  const offsetOf = (value: string): number => Math.max(0, text.indexOf(JSON.stringify(value)));
  const targets: unknown = (parsed as { target?: unknown } | null)?.target;
  const tags: Array<{ value: string; offset: number }> = [];
  if (targets && typeof targets === 'object') {
    for (const target of Object.values(targets as Record<string, { tags?: unknown } | null>)) {
      if (!target || typeof target !== 'object') continue;
      if (Array.isArray(target.tags)) for (const value of target.tags) if (typeof value === 'string') tags.push({ value, offset: offsetOf(value) });
    }
  }
  return { targets: targetsOf(targets, offsetOf), tags };
}

const JSON_MEMO = 'bake-json';

/**
 * A JSON file's bake targets and tags, parsed once per file and kept in the file's memo (as the YAML parse is):
 * asking whether a file is a bake file, reading its facts and its contexts' images share one parse. Null when the
 * file is not JSON.
 */
export function jsonBake(file: SourceFile): JsonBake | null {
  if (file.memo.has(JSON_MEMO)) return file.memo.get(JSON_MEMO) as JsonBake | null;
  const read = readJsonBake(file.text);
  file.memo.set(JSON_MEMO, read);
  return read;
}

/** The targets of a bake file, in the order they are written. */
export function bakeTargets(file: SourceFile): readonly BakeTarget[] {
  return /\.json$/i.test(file.path) ? (jsonBake(file)?.targets ?? []) : hclTargets(file.text);
}

/** A target's attribute, its own or the one it inherits (the last inherited target that sets it wins). */
function inherited<T>(target: BakeTarget, byName: ReadonlyMap<string, BakeTarget>, read: (target: BakeTarget) => T | undefined, depth = 0): T | undefined {
  const own = read(target);
  if (own !== undefined || depth >= MAX_INHERITS) return own;
  for (const parent of [...target.inherits].reverse()) {
    const found = byName.get(parent);
    const value = found && found !== target ? inherited(found, byName, read, depth + 1) : undefined;
    if (value !== undefined) return value;
  }
  return undefined;
}

/**
 * The entries a target and the targets it inherits hold, its own first and then its parents' in
 * bake's order (the last listed parent wins), each name once, where it is nearest.
 */
function nearestFirst<T extends { name: string }>(target: BakeTarget, byName: ReadonlyMap<string, BakeTarget>, entries: (target: BakeTarget) => readonly T[]): T[] {
  const found: T[] = [];
  const seen = new Set<string>();
  const collect = (current: BakeTarget, depth: number): void => {
    for (const entry of entries(current)) {
      if (seen.has(entry.name)) continue;
      seen.add(entry.name);
      found.push(entry);
    }
    if (depth >= MAX_INHERITS) return;
    for (const parent of [...current.inherits].reverse()) {
      const next = byName.get(parent);
      if (next && next !== current) collect(next, depth + 1);
    }
  };
  collect(target, 0);
  return found;
}

/**
 * The contexts each target names (its own and those it inherits), with the Dockerfiles of the scan it builds as bake finds
 * them (buildDockerfiles): `dockerfile` (default `Dockerfile`) in `context` (default `.`), from the folder bake runs in,
 * which is the repository's root or the bake file's own folder; null when either is written with variables or as an
 * expression. Also its build arguments, its own and those it inherits.
 */
export function targetContexts(
  file: SourceFile,
  targets: readonly BakeTarget[],
  dockerfiles: ReadonlySet<string>,
): Array<{ target: BakeTarget; contexts: BakeContext[]; args: BakeArg[]; dockerfiles: readonly string[] | null }> {
  const byName = new Map(targets.map((target) => [target.name, target]));
  const folder = file.path.includes('/') ? file.path.slice(0, file.path.lastIndexOf('/')) : '';
  return targets.map((target) => {
    const contexts = nearestFirst(target, byName, (entry) => entry.contexts);
    // Its build arguments, its own first and then those it inherits (a name once, where it is nearest).
    const args = nearestFirst(target, byName, (entry) => entry.args);
    // Absent: the default; written as an expression (null): not known.
    const context = inherited(target, byName, (entry) => entry.context);
    const dockerfile = inherited(target, byName, (entry) => entry.dockerfile);
    if (context === null || dockerfile === null) return { target, contexts, args, dockerfiles: null };
    const built = buildDockerfiles({ from: [...new Set(['', folder])], context, dockerfile, dockerfileInContext: true, defaults: BAKE_DEFAULT }, dockerfiles);
    return { target, contexts, args, dockerfiles: built };
  });
}
