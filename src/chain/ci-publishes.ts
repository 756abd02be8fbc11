/**
 * The images a GitLab CI file pushes: `docker build -t`/`--tag`, `docker push`, `docker buildx build -t`,
 * kaniko `--destination`, `buildah`/`podman` `build -t`/`bud -t`/`push`. `$CI_REGISTRY_IMAGE`,
 * `$CI_REGISTRY`, `$CI_PROJECT_PATH` and literal `variables:` are resolved; a templated tag is kept as
 * "no literal tag", a templated name is reported.
 */
import { parseAllDocuments } from 'yaml';
import { MAX_YAML_DEPTH, MAX_YAML_NODES } from '../core/budgets.js';
import { parseImageRef } from '../core/image-ref.js';
import { yamlCost } from '../scan/yaml-cost.js';
import type { ChainProblem, Publication } from './types.js';

export interface CiContext {
  readonly project: string;
  /** The GitLab container registry host (`$CI_REGISTRY`), or null when unknown (then it matches any host). */
  readonly registry: string | null;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const RESERVED = new Set(['variables', 'stages', 'include', 'default', 'workflow', 'image', 'services', 'cache', 'before_script', 'after_script']);

function literalVariables(value: unknown): Map<string, string> {
  const found = new Map<string, string>();
  if (!isObject(value)) return found;
  for (const [name, entry] of Object.entries(value)) {
    if (typeof entry === 'string' || typeof entry === 'number') found.set(name, String(entry));
    else if (isObject(entry) && (typeof entry.value === 'string' || typeof entry.value === 'number')) found.set(name, String(entry.value));
  }
  return found;
}

function scriptLines(value: unknown): string[] {
  const items = typeof value === 'string' ? [value] : Array.isArray(value) ? value.flat(4) : [];
  const lines: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') continue;
    for (const line of item.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) lines.push(line);
  }
  return lines;
}

/** Shell words of one command line, split at `&&`, `||`, `;` and `|`; quotes removed. */
function commands(line: string): string[][] {
  const result: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | null = null;
  const endWord = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  for (const char of line) {
    if (quote) {
      if (char === quote) quote = null;
      else word += char;
      continue;
    }
    if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (char === ' ' || char === '\t') endWord();
    else if (char === ';' || char === '|' || char === '&') {
      endWord();
      if (words.length) result.push(words);
      words = [];
    } else if (char === '#' && !inWord) break;
    else {
      word += char;
      inWord = true;
    }
  }
  endWord();
  if (words.length) result.push(words);
  return result;
}

/** Values of `-t X`, `--tag X`, `--tag=X` (or the given flags) in a word list. */
function flagValues(words: readonly string[], short: readonly string[], long: readonly string[]): string[] {
  const values: string[] = [];
  const rest = words[Symbol.iterator]();
  for (let step = rest.next(); !step.done; step = rest.next()) {
    const word = step.value;
    if ([...short, ...long].includes(word)) {
      const value = rest.next();
      if (!value.done) values.push(value.value);
    } else {
      const flag = long.find((name) => word.startsWith(`${name}=`));
      if (flag) values.push(word.slice(flag.length + 1));
    }
  }
  return values;
}

/** The positional arguments of a command after `skip` leading words, flags (and the values of known value flags) left out. */
function positionals(words: readonly string[], skip: number): string[] {
  const found: string[] = [];
  const valueFlags = new Set(['--authfile', '--creds', '--format', '-f', '--digestfile', '--cert-dir', '--sign-by', '--compression-format', '--retry', '--retry-delay']);
  const rest = words.slice(skip)[Symbol.iterator]();
  for (let step = rest.next(); !step.done; step = rest.next()) {
    const word = step.value;
    if (word.startsWith('-')) {
      if (valueFlags.has(word)) rest.next();
      continue;
    }
    found.push(word);
  }
  return found;
}

/** The image references one command pushes or tags for pushing. */
function pushedBy(words: readonly string[]): string[] {
  const [command, sub] = words;
  if (command === undefined) return [];
  const tool = command.replace(/^.*\//, '');
  if (tool === 'executor' || command === '/kaniko/executor') return flagValues(words, ['-d'], ['--destination']);
  if (tool === 'docker' || tool === 'podman' || tool === 'buildah') {
    const verb = sub === 'buildx' || sub === 'image' ? words[2] : sub;
    const at = sub === 'buildx' || sub === 'image' ? 3 : 2;
    // A one-component tag (`app`, `app:dev`) names a local image; only a path with a namespace can be pushed.
    if (verb === 'build' || verb === 'bud') return flagValues(words, ['-t'], ['--tag']).filter((tag) => tag.includes('/') || tag.includes('$'));
    if (verb === 'push') {
      const args = positionals(words, at);
      // podman/buildah push SOURCE [DESTINATION]: the destination is where it goes.
      const [source, destination] = args;
      const target = tool !== 'docker' && destination !== undefined ? destination : source;
      return target === undefined ? [] : [target.replace(/^docker:\/\//, '')];
    }
  }
  return [];
}

/** Variables in scope: predefined ones win over a job's, a job's over the global ones. */
interface Variables {
  get(name: string): string | undefined;
}

/** No image name is longer; an expansion that grows past it stops (variables that nest each other many times over cannot blow up). */
const MAX_EXPANDED = 4096;

function expand(text: string, variables: Variables, depth = 0): string {
  if (depth > 5) return text;
  let length = text.length;
  const next = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    // One of the two groups takes part in every match.
    const value = variables.get(braced ?? bare ?? '') ?? whole;
    if (length + value.length - whole.length > MAX_EXPANDED) return whole;
    length += value.length - whole.length;
    return value;
  });
  return next === text ? text : expand(next, variables, depth + 1);
}

/** The line of a needle in the file; line starts are found once per file (not a split of the text per needle). */
function lineFinder(text: string): (needle: string) => number {
  const starts = [0];
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) starts.push(at + 1);
  const lines = new Map<string, number>();
  // publications come in file order: search on from the last one found, from the top when not found there
  let from = 0;
  return (needle) => {
    let line = lines.get(needle);
    if (line !== undefined) return line;
    let at = text.indexOf(needle, from);
    if (at === -1) at = text.indexOf(needle);
    else from = at;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      const start = starts[middle];
      if (start !== undefined && start <= at) low = middle;
      else high = middle - 1;
    }
    line = at === -1 ? 1 : low + 1;
    lines.set(needle, line);
    return line;
  };
}

/** Reads one `.gitlab-ci.yml`; never throws. */
export function ciPublications(fileName: string, text: string, context: CiContext): { publishes: Publication[]; problems: ChainProblem[] } {
  const problems: ChainProblem[] = [];
  const publishes: Publication[] = [];
  // Bounded before the parser runs, as the scan is (core/budgets.ts): one pass estimates what parsing would cost.
  const cost = yamlCost(text);
  if (cost.depth > MAX_YAML_DEPTH || cost.nodes > MAX_YAML_NODES) {
    const message =
      cost.depth > MAX_YAML_DEPTH
        ? `${fileName}: YAML nested about ${cost.depth} levels deep, over the limit of ${MAX_YAML_DEPTH}; not parsed`
        : `${fileName}: about ${cost.nodes} YAML nodes, over the budget of ${MAX_YAML_NODES} per file; not parsed`;
    problems.push({ project: context.project, file: fileName, line: null, code: cost.depth > MAX_YAML_DEPTH ? 'nesting-too-deep' : 'yaml-too-complex', message });
    return { publishes, problems };
  }
  // no duplicate-key check: it compares every key with every other (quadratic in a map's keys); a repeated key's last value wins
  const documents = parseAllDocuments(text, { uniqueKeys: false });
  const root = Array.isArray(documents) ? documents[0] : undefined;
  if (!root) return { publishes, problems };
  const [error] = root.errors;
  if (error) {
    problems.push({
      project: context.project,
      file: fileName,
      line: error.linePos?.[0]?.line ?? null,
      code: 'parse-error',
      message: `${fileName}: ${error.message.split('\n')[0]}`,
    });
    return { publishes, problems };
  }
  const data: unknown = root.toJS();
  if (!isObject(data)) return { publishes, problems };
  const lineOf = lineFinder(text);
  const lower = context.project.toLowerCase();
  const registry = context.registry ?? '*';
  const predefined = new Map<string, string>([
    ['CI_REGISTRY', registry],
    ['CI_REGISTRY_IMAGE', `${registry}/${lower}`],
    ['CI_PROJECT_PATH', context.project],
    ['CI_PROJECT_NAME', context.project.slice(context.project.lastIndexOf('/') + 1)],
    ['CI_PROJECT_NAMESPACE', context.project.includes('/') ? context.project.slice(0, context.project.lastIndexOf('/')) : ''],
  ]);
  const global = literalVariables(data.variables);
  const seen = new Set<string>();
  const jobs = Object.entries(data).filter(([name, job]) => !RESERVED.has(name) && isObject(job));
  const defaults = isObject(data.default) ? data.default : {};
  const scripts: Array<{ lines: string[]; variables: Variables }> = [];
  for (const [, job] of jobs as Array<[string, Json]>) {
    // layered, not copied: a copy of every global per job would be quadratic in the file
    const own = literalVariables(job.variables);
    const variables: Variables = { get: (name) => predefined.get(name) ?? own.get(name) ?? global.get(name) };
    const lines = [
      ...scriptLines(job.before_script ?? defaults.before_script ?? data.before_script),
      ...scriptLines(job.script),
      ...scriptLines(job.after_script ?? defaults.after_script ?? data.after_script),
    ];
    scripts.push({ lines, variables });
  }
  for (const { lines, variables } of scripts) {
    for (const line of lines) {
      for (const words of commands(line)) {
        for (const written of pushedBy(words)) {
          const value = expand(written, variables);
          const at = value.lastIndexOf('@');
          const withoutDigest = at === -1 ? value : value.slice(0, at);
          const colon = withoutDigest.lastIndexOf(':');
          const slash = withoutDigest.lastIndexOf('/');
          const name = colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
          const tag = colon > slash ? withoutDigest.slice(colon + 1) : null;
          const key = `${name}:${tag ?? ''}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const literalTag = tag !== null && !tag.includes('$') ? tag : null;
          const parsed = name.includes('$') ? null : parseImageRef(name.startsWith('*/') ? `wildcard.invalid/${name.slice(2)}` : name);
          if (!parsed) {
            problems.push({ project: context.project, file: fileName, line: lineOf(written), code: 'unresolved-publish', message: `${written}: the pushed image name cannot be resolved` });
            continue;
          }
          const image = name.startsWith('*/') ? `*/${parsed.repository}` : `${parsed.registry}/${parsed.repository}`;
          publishes.push({ value: literalTag === null ? name : `${name}:${literalTag}`, image, tag: literalTag, source: 'ci', file: fileName, line: lineOf(written) });
        }
      }
    }
  }
  return { publishes, problems };
}
