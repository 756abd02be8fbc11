/**
 * Glob matching in time linear in the text for a given pattern, whatever the pattern: the pattern
 * becomes a small nondeterministic automaton that is simulated over the text (a set of live
 * states, never backtracking). User text is never compiled into a RegExp, so a pattern such as
 * `*a*a*a*a*a*a*a*a*b` costs (pattern length × text length) steps at most.
 *
 * Syntax: `*` any run of characters except `/` (any run at all with `starCrossesSlash`), `?` one
 * character except `/`, `[abc]`, `[a-z]`, `[!a]`/`[^a]` one character of a class (never `/`),
 * `\x` a literal `x`. With `globstar`, `**` as a whole path segment matches any number of
 * segments: `**\/x` (x at any depth), `a/**\/b` (a/b, a/x/b, …), `a/**` (everything under a).
 * With `doubleStarCrossesSlash`, any `**` is any run of characters (`a/**.yml`: a/x.yml, a/b/x.yml).
 */
export interface GlobOptions {
  /** `*` also matches `/` (image name patterns: `ghcr.io/acme/*` covers nested paths). */
  readonly starCrossesSlash?: boolean;
  /** `**` as a path segment spans directories (gitignore). */
  readonly globstar?: boolean;
  /** `**` anywhere, in a segment or across several, is any run of characters, `/` included (GitLab's wildcard include paths). */
  readonly doubleStarCrossesSlash?: boolean;
}

export interface Glob {
  readonly pattern: string;
  matches(text: string): boolean;
}

type Test = (code: number) => boolean;

/** A state of the automaton; `id` is its place in the live-state marks. */
interface State {
  readonly id: number;
  readonly edges: Array<{ readonly test: Test; readonly to: State }>;
  readonly epsilon: State[];
}

const SLASH = 0x2f;
const anyChar: Test = () => true;
const notSlash: Test = (code) => code !== SLASH;
const isSlash: Test = (code) => code === SLASH;

/** Parses `[...]` at `start` (the `[`); null when it does not close (then `[` is a literal). */
function parseClass(pattern: string, start: number): { test: Test; end: number } | null {
  let at = start + 1;
  const negated = pattern[at] === '!' || pattern[at] === '^';
  if (negated) at++;
  const ranges: Array<[number, number]> = [];
  let first = true;
  while (at < pattern.length && (first || pattern[at] !== ']')) {
    first = false;
    let low = pattern.charCodeAt(at);
    if (pattern[at] === '\\' && at + 1 < pattern.length) low = pattern.charCodeAt(++at);
    at++;
    let high = low;
    if (pattern[at] === '-' && at + 1 < pattern.length && pattern[at + 1] !== ']') {
      at++;
      high = pattern.charCodeAt(at);
      if (pattern[at] === '\\' && at + 1 < pattern.length) high = pattern.charCodeAt(++at);
      at++;
    }
    ranges.push([low, high]);
  }
  if (at >= pattern.length) return null;
  const inClass = (code: number): boolean => ranges.some(([low, high]) => code >= low && code <= high);
  return { test: (code) => code !== SLASH && inClass(code) !== negated, end: at };
}

export function compileGlob(pattern: string, options: GlobOptions = {}): Glob {
  let count = 0;
  const add = (): State => ({ id: count++, edges: [], epsilon: [] });
  const start = add();
  let current = start;
  const step = (test: Test): void => {
    const next = add();
    current.edges.push({ test, to: next });
    current = next;
  };
  const loop = (test: Test): void => {
    const next = add();
    current.epsilon.push(next);
    next.edges.push({ test, to: next });
    current = next;
  };
  const star = options.starCrossesSlash ? anyChar : notSlash;

  for (let at = 0; at < pattern.length; at++) {
    const char = pattern.charAt(at);
    if (char === '\\' && at + 1 < pattern.length) {
      const code = pattern.charCodeAt(++at);
      step((c) => c === code);
    } else if (char === '*') {
      let end = at;
      while (pattern[end + 1] === '*') end++;
      const segmentStart = at === 0 || pattern[at - 1] === '/';
      const segmentEnd = end + 1 === pattern.length || pattern[end + 1] === '/';
      if (options.doubleStarCrossesSlash && end > at) {
        loop(anyChar);
      } else if (options.globstar && end > at && segmentStart && segmentEnd) {
        if (end + 1 === pattern.length) {
          loop(anyChar); // trailing `**`: everything below
        } else {
          // `**/`: zero segments, or characters up to a `/` (never part of a name: `**/build` is not `quickstart-build`)
          const inside = add();
          const after = add();
          current.epsilon.push(inside, after);
          inside.edges.push({ test: anyChar, to: inside }, { test: isSlash, to: after });
          current = after;
          end++; // the `/` is part of the construct
        }
      } else {
        loop(star);
      }
      at = end;
    } else if (char === '?') {
      step(star);
    } else if (char === '[') {
      const parsed = parseClass(pattern, at);
      if (parsed) {
        step(parsed.test);
        at = parsed.end;
      } else step((c) => c === 0x5b);
    } else {
      const code = pattern.charCodeAt(at);
      step((c) => c === code);
    }
  }
  const accept = current;
  const states = count;
  const literal = !/[*?[\\]/.test(pattern);
  return {
    pattern,
    matches: literal ? (text) => text === pattern : (text) => simulate(states, start, accept, text),
  };
}

function simulate(count: number, start: State, accept: State, text: string): boolean {
  let live = new Uint8Array(count);
  let list: State[] = [];
  const close = (from: State, marks: Uint8Array, into: State[]): void => {
    const stack = [from];
    for (let state = stack.pop(); state !== undefined; state = stack.pop()) {
      if (marks[state.id]) continue;
      marks[state.id] = 1;
      into.push(state);
      for (const next of state.epsilon) if (!marks[next.id]) stack.push(next);
    }
  };
  close(start, live, list);
  for (let index = 0; index < text.length && list.length > 0; index++) {
    const code = text.charCodeAt(index);
    const nextLive = new Uint8Array(count);
    const nextList: State[] = [];
    for (const state of list) {
      for (const edge of state.edges) if (edge.test(code)) close(edge.to, nextLive, nextList);
    }
    live = nextLive;
    list = nextList;
  }
  return live[accept.id] === 1;
}
