import type { HclBlock } from './hcl-body.js';
import type { HclToken } from './hcl-tokens.js';

/**
 * HCL2 input variables and locals of one file, as far as they are literals: `variable "tag" { default = "1.2" }`
 * and `locals { image = "redis:7" }`. Enough to resolve `${var.tag}`, `${local.image}`, `var.image` without
 * evaluating anything else.
 */

/** A literal value and the range of `file.text` that holds it (inside the quotes for strings). */
export interface HclLiteral {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** `var.NAME` and `local.NAME` → the literal, or null when declared without a usable literal. */
export type HclScope = ReadonlyMap<string, HclLiteral | null>;

export interface HclResolved {
  readonly value: string;
  /** Each variable used, once, in order of first use. */
  readonly variables: ReadonlyArray<{ readonly name: string; readonly literal: HclLiteral }>;
}

/** A single string (no templates, no escapes) or number token. */
function literalOf(text: string, tokens: readonly HclToken[]): HclLiteral | null {
  const [token, ...rest] = tokens;
  if (!token || rest.length > 0) return null;
  if (token.type === 'string' && !token.templated && !token.escaped) {
    return { text: text.slice(token.start + 1, token.end - 1), start: token.start + 1, end: token.end - 1 };
  }
  if (token.type === 'number') return { text: text.slice(token.start, token.end), start: token.start, end: token.end };
  return null;
}

/** The top-level `variable` defaults (null: declared without one) and `locals` of a parsed file, by `var.NAME` / `local.NAME`. */
export function hclDefinitions(root: HclBlock): Array<[string, readonly HclToken[] | null]> {
  const definitions: Array<[string, readonly HclToken[] | null]> = [];
  for (const block of root.blocks) {
    if (block.type === 'variable' && block.labels.length === 1) {
      definitions.push([`var.${block.labels[0]}`, block.attributes.find((attribute) => attribute.name === 'default')?.value ?? null]);
    } else if (block.type === 'locals' && block.labels.length === 0) {
      for (const attribute of block.attributes) definitions.push([`local.${attribute.name}`, attribute.value]);
    }
  }
  return definitions;
}

/** The top-level `variable` defaults and `locals` of a parsed file, as far as they are literals. */
export function hclScope(text: string, root: HclBlock): HclScope {
  return new Map(hclDefinitions(root).map(([name, tokens]) => [name, tokens ? literalOf(text, tokens) : null]));
}

const REFERENCE = /^(?:var|local)\.[A-Za-z_][A-Za-z0-9_-]*$/;

/** `var.NAME` / `local.NAME` written as a whole expression (three tokens), or null. */
export function expressionName(text: string, tokens: readonly HclToken[]): string | null {
  const [first, , last] = tokens;
  if (tokens.length !== 3 || !first || !last) return null;
  const name = text.slice(first.start, last.end);
  return REFERENCE.test(name) ? name : null;
}

/**
 * Substitutes `${var.NAME}` and `${local.NAME}` in the inside of a quoted string with literal values (and
 * `${var.NAME.key}` through `path`, which reads a key of an object default).
 * Null when anything else is interpolated, a directive (`%{…}`) or escape is used, or a value is not literal.
 */
export function resolveHclTemplate(inner: string, scope: HclScope, path?: (name: string) => HclLiteral | null): HclResolved | null {
  if (/%\{|\$\$\{|%%\{|\\/.test(inner)) return null;
  const variables: Array<{ name: string; literal: HclLiteral }> = [];
  let value = '';
  let at = 0;
  while (at < inner.length) {
    const open = inner.indexOf('${', at);
    if (open === -1) {
      value += inner.slice(at);
      break;
    }
    const close = inner.indexOf('}', open);
    if (close === -1) return null;
    const name = inner.slice(open + 2, close).trim();
    // `${var.app.image.tag}`: a key of an object default, when `path` reads one.
    const literal = REFERENCE.test(name) ? scope.get(name) : path?.(name);
    if (!literal || literal.text === '' || literal.text.includes('$')) return null;
    if (!variables.some((variable) => variable.name === name)) variables.push({ name, literal });
    value += inner.slice(at, open) + literal.text;
    at = close + 1;
  }
  return { value, variables };
}
