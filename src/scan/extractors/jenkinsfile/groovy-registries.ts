import type { SourceFile } from '../../../core/source-file.js';
import type { Reference } from '../../../core/types.js';
import { makeReference } from '../../make-reference.js';
import { qualifiedImageParts } from '../../qualified-image-parts.js';
import type { GroovyString } from './groovy-strings.js';

/**
 * The registry an image field pulls through, as the Docker Pipeline plugin qualifies it:
 * - `literal`: a written `http(s)://host[:port]/…` URL; the image is `host[:port]/<image>` unless it starts with that text;
 * - `unknown`: a URL the file does not give as a literal (a variable, an interpolated string), with the reason (`why`).
 */
export type RegistryRoute =
  { readonly form: 'literal'; readonly host: string; readonly start: number; readonly end: number; readonly source: string } | { readonly form: 'unknown'; readonly why: string };

/** The scripted `docker.withRegistry(url, credentialsId) { … }`; `withDockerRegistry` only logs in and qualifies nothing. */
const WITH_REGISTRY = /(?<![\w.$])docker\s*\.\s*withRegistry\s*\(/g;
/** A declarative agent's `registryUrl` key. */
const REGISTRY_URL_KEY = /(?<![\w.$])registryUrl\b/g;
/** Before a string, the scripted image field and the declarative one (`image '…'` in `agent { docker { … } }`). */
const SCRIPTED_IMAGE_BEFORE = /\bdocker\.image\s*\(\s*$/;
const DECLARATIVE_IMAGE_BEFORE = /(?<![\w.$])image[ \t]*(?:\(\s*)?$/;
const DOCKER_BLOCK_BEFORE = /(?<![\w.$])docker\s*$/;
/** A literal URL's host and port, the text the plugin puts before the image. */
const HTTP_URL = /^https?:\/\/([^/?#\s@]+)(?:[/?#]\S*)?$/;
/** After an image field's `)`: the method called on the image. */
const IMAGE_METHOD = /^\s*\)\s*\.\s*([A-Za-z_]\w*)/;
/** Methods that run the image by its qualified name, and those that run it as written (`docker run <id>`). */
const QUALIFYING: ReadonlySet<string> = new Set(['inside', 'pull']);
const UNQUALIFIED: ReadonlySet<string> = new Set(['run', 'withRun']);
const SOURCE_LIMIT = 60;

/** For each bracket that opens in the code (`(`, `[`, `{`), where it closes. */
export function bracketPairs(code: string): Map<number, number> {
  const pairs = new Map<number, number>();
  const stack: number[] = [];
  for (let at = 0; at < code.length; at++) {
    const char = code[at];
    if (char === '(' || char === '[' || char === '{') stack.push(at);
    else if (char === ')' || char === ']' || char === '}') {
      const open = stack.pop();
      if (open !== undefined) pairs.set(open, at);
    }
  }
  return pairs;
}

/** For each offset, in order, the innermost bracket open there in the code, or -1. */
export function innermostOpens(code: string, offsets: readonly number[]): number[] {
  const stack: number[] = [];
  const found: number[] = [];
  let at = 0;
  for (const offset of offsets) {
    for (; at < offset; at++) {
      const char = code[at];
      if (char === '(' || char === '[' || char === '{') stack.push(at);
      else if (char === ')' || char === ']' || char === '}') stack.pop();
    }
    found.push(stack[stack.length - 1] ?? -1);
  }
  return found;
}

/**
 * What a registry argument starting at `at` gives: `null` for an empty string (no registry), else a route. `ends` tells
 * whether the code after a string closes the argument.
 */
function routeAt(text: string, code: string, stringsByOpen: ReadonlyMap<number, GroovyString>, at: number, ends: RegExp, source: string): RegistryRoute | null {
  const start = at + (/^\s*(?:\(\s*)?/.exec(text.slice(at, at + SOURCE_LIMIT))?.[0].length ?? 0);
  const string = stringsByOpen.get(start);
  if (string !== undefined && string.quote.length === 1) {
    const value = text.slice(string.start, string.end);
    const plain = !string.escaped && !(string.quote === '"' && value.includes('$')) && ends.test(code.slice(string.end + 1, string.end + 1 + SOURCE_LIMIT));
    if (plain && value === '') return null;
    const url = plain ? HTTP_URL.exec(value) : null;
    const host = url?.[1];
    if (host !== undefined) {
      const hostStart = string.start + value.indexOf('//') + 2;
      return { form: 'literal', host, start: hostStart, end: hostStart + host.length, source };
    }
  }
  // The argument as written, up to where the code (its strings blanked) ends it.
  const written = text.slice(start, start + (code.slice(start, start + SOURCE_LIMIT).split(/[,)}\n;]/)[0]?.length ?? 0)).trim();
  return { form: 'unknown', why: `the registry comes from ${source}${written === '' ? '' : ` (${written})`} and is not worked out` };
}

/**
 * The registry route of each image field that one applies to, by the offset of its string's opening quote: a
 * `docker.image('…')` in the closure of `docker.withRegistry` (the innermost one) that is pulled or run `inside`
 * (`.run`/`.withRun` run it as written; any other use or keeping it in a variable is `unknown`), and the `image '…'`
 * of a declarative `docker { }` agent that has a `registryUrl` key. An empty URL is no registry. `opens` holds, for each
 * string, the innermost bracket open before it (`innermostOpens` of the strings' opening quotes), which the caller has.
 */
export function registryRoutes(text: string, code: string, strings: readonly GroovyString[], opens: readonly number[], lineOf: (offset: number) => number): Map<number, RegistryRoute> {
  const routes = new Map<number, RegistryRoute>();
  if (!code.includes('withRegistry') && !code.includes('registryUrl')) return routes;
  const pairs = bracketPairs(code);
  const stringsByOpen = new Map(strings.map((string) => [string.open, string] as const));
  const scopes: Array<{ start: number; end: number; route: RegistryRoute | null; line: number }> = [];
  for (const match of code.matchAll(WITH_REGISTRY)) {
    const paren = match.index + match[0].length - 1;
    const close = pairs.get(paren);
    if (close === undefined) continue;
    const brace = close + 1 + (/^\s*/.exec(code.slice(close + 1, close + 1 + SOURCE_LIMIT))?.[0].length ?? 0);
    const end = pairs.get(brace);
    if (code[brace] !== '{' || end === undefined) continue;
    const line = lineOf(match.index);
    scopes.push({ start: brace, end, route: routeAt(text, code, stringsByOpen, paren + 1, /^\s*[,)]/, `docker.withRegistry (line ${line})`), line });
  }
  /** Each declarative `docker { }` block that has a `registryUrl` key of its own, by the offset of its `{`. */
  const agents = new Map<number, RegistryRoute | null>();
  const keys = [...code.matchAll(REGISTRY_URL_KEY)];
  const keyOpens = innermostOpens(
    code,
    keys.map((key) => key.index),
  );
  for (const [index, key] of keys.entries()) {
    const open = keyOpens[index] ?? -1;
    if (open === -1 || code[open] !== '{' || !DOCKER_BLOCK_BEFORE.test(code.slice(Math.max(0, open - SOURCE_LIMIT), open))) continue;
    agents.set(open, routeAt(text, code, stringsByOpen, key.index + key[0].length, /^[ \t]*(?:[\r\n;}]|$)/, `registryUrl (line ${lineOf(key.index)})`));
  }
  const active: typeof scopes = [];
  let next = 0;
  for (const [index, string] of strings.entries()) {
    for (; next < scopes.length && (scopes[next]?.start ?? Infinity) < string.open; next++) {
      const scope = scopes[next];
      if (scope === undefined) break;
      while (active.length > 0 && (active[active.length - 1]?.end ?? Infinity) < scope.start) active.pop();
      active.push(scope);
    }
    while (active.length > 0 && (active[active.length - 1]?.end ?? Infinity) < string.open) active.pop();
    const before = text.slice(Math.max(0, string.open - SOURCE_LIMIT), string.open);
    if (SCRIPTED_IMAGE_BEFORE.test(before)) {
      const scope = active[active.length - 1];
      if (scope === undefined || scope.route === null) continue;
      const method = IMAGE_METHOD.exec(code.slice(string.end + string.quote.length, string.end + string.quote.length + SOURCE_LIMIT))?.[1];
      if (method !== undefined && UNQUALIFIED.has(method)) continue;
      if (method !== undefined && QUALIFYING.has(method)) routes.set(string.open, scope.route);
      else
        routes.set(string.open, {
          form: 'unknown',
          why: `in docker.withRegistry (line ${scope.line}), kept or used other than by .inside, .pull, .run or .withRun: whether the registry qualifies it is not worked out`,
        });
    } else if (DECLARATIVE_IMAGE_BEFORE.test(before)) {
      const route = agents.get(opens[index] ?? -1);
      if (route !== undefined && route !== null) routes.set(string.open, route);
    }
  }
  return routes;
}

/**
 * An image field's plain string pulled through a registry: `host[:port]/<image>` with the registry at the URL's
 * characters and the rest where the image is written, or the image as written when it starts with that host. A URL
 * not worked out, or an image written with variables, leaves it `templated`.
 */
export function routedReference(file: SourceFile, kind: Reference['kind'], string: GroovyString, route: RegistryRoute, field: string): Reference {
  const value = file.text.slice(string.start, string.end);
  const whole = [{ role: 'reference' as const, start: string.start, end: string.end }];
  if (route.form === 'unknown') return makeReference(file, { kind, value, parts: whole, detail: `${field}; ${route.why}`, skip: 'templated' });
  if (string.escaped || (string.quote.startsWith('"') && value.includes('$'))) {
    return makeReference(file, { kind, value, parts: whole, detail: `${field}; through the registry of ${route.source}, not joined to an image written with variables`, skip: 'templated' });
  }
  if (value.startsWith(route.host)) return makeReference(file, { kind, value, parts: whole, detail: `${field}; through the registry of ${route.source}, which the image names already` });
  return makeReference(file, {
    kind,
    value: `${route.host}/${value}`,
    parts: qualifiedImageParts(value, string.start, route),
    anchor: string.start,
    detail: `${field}; through the registry of ${route.source}`,
  });
}
