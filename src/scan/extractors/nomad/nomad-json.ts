import type { SourceFile } from '../../../core/source-file.js';
import type { Reference, ScanProblem } from '../../../core/types.js';
import { makeReference } from '../../make-reference.js';

/**
 * Nomad jobs as JSON: what `nomad job run -output` prints (`{"Job": {…}}`) and what the jobs API takes and
 * returns (the job itself). The image of each task is `TaskGroups[].Tasks[].Config.image`, for the `docker`
 * and `podman` drivers (and tasks with no driver). Read with a small parser that keeps every value's offsets,
 * so the edit replaces exactly the characters of the string.
 */

const KIND = 'nomad-task';
const IMAGE_DRIVERS = new Set(['docker', 'podman']);
const DOCKER_TRANSPORT = 'docker://';

/**
 * JSON files a walk reads for Nomad jobs, by name: `*.nomad.json`, `*.job.json`, `job.json`, and any JSON
 * file in a folder named `nomad` or `jobs` (or one whose name holds `nomad`). Other JSON is never read.
 */
export function isNomadJsonPath(path: string): boolean {
  if (!/\.json$/i.test(path)) return false;
  const lower = path.toLowerCase();
  const base = lower.slice(lower.lastIndexOf('/') + 1);
  if (base.endsWith('.nomad.json') || base.endsWith('.job.json') || base === 'job.json') return true;
  return lower
    .split('/')
    .slice(0, -1)
    .some((folder) => folder === 'jobs' || folder.includes('nomad'));
}

/** A cheap test before parsing: a Nomad job's task groups, in a file of such a name. */
export function looksLikeNomadJson(file: SourceFile): boolean {
  return isNomadJsonPath(file.path) && file.text.includes('"TaskGroups"') && file.text.includes('"Tasks"');
}

type JsonNode =
  | { readonly type: 'object'; readonly entries: ReadonlyArray<{ readonly key: string; readonly value: JsonNode }> }
  | { readonly type: 'array'; readonly items: readonly JsonNode[] }
  | { readonly type: 'string'; readonly start: number; readonly end: number; readonly raw: string }
  | { readonly type: 'other' };

class JsonError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Parses JSON keeping each string's offsets (inside its quotes); iterative over containers' depth via the call stack, bounded. */
function parseJson(text: string): JsonNode {
  let at = 0;
  const blank = () => {
    while (at < text.length && (text[at] === ' ' || text[at] === '\n' || text[at] === '\r' || text[at] === '\t')) at++;
  };
  const string = (): { start: number; end: number; raw: string } => {
    const start = at + 1;
    at++;
    while (at < text.length && text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
    if (at >= text.length) throw new JsonError('a string is not closed', start - 1);
    const end = at;
    at++;
    return { start, end, raw: text.slice(start, end) };
  };
  const value = (depth: number): JsonNode => {
    if (depth > 200) throw new JsonError('nested more than 200 deep', at);
    blank();
    const char = text[at];
    if (char === '{') {
      at++;
      const entries: Array<{ key: string; value: JsonNode }> = [];
      blank();
      if (text[at] === '}') {
        at++;
        return { type: 'object', entries };
      }
      for (;;) {
        blank();
        if (text[at] !== '"') throw new JsonError('expected a key', at);
        const key = string().raw;
        blank();
        if (text[at] !== ':') throw new JsonError('expected ":"', at);
        at++;
        entries.push({ key, value: value(depth + 1) });
        blank();
        if (text[at] === ',') at++;
        else if (text[at] === '}') {
          at++;
          return { type: 'object', entries };
        } else throw new JsonError('expected "," or "}"', at);
      }
    }
    if (char === '[') {
      at++;
      const items: JsonNode[] = [];
      blank();
      if (text[at] === ']') {
        at++;
        return { type: 'array', items };
      }
      for (;;) {
        items.push(value(depth + 1));
        blank();
        if (text[at] === ',') at++;
        else if (text[at] === ']') {
          at++;
          return { type: 'array', items };
        } else throw new JsonError('expected "," or "]"', at);
      }
    }
    if (char === '"') return { type: 'string', ...string() };
    const literal = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(at, at + 64));
    if (!literal) throw new JsonError('unexpected character', at);
    at += literal[0].length;
    return { type: 'other' };
  };
  const root = value(0);
  blank();
  if (at < text.length) throw new JsonError('text after the JSON value', at);
  return root;
}

/** A member's value; of a key written twice, the last, as Nomad's own JSON decoding keeps it. */
const field = (node: JsonNode | undefined, key: string): JsonNode | undefined => {
  if (node?.type !== 'object') return undefined;
  for (let index = node.entries.length - 1; index >= 0; index--) if (node.entries[index]?.key === key) return node.entries[index]?.value;
  return undefined;
};
const itemsOf = (node: JsonNode | undefined): readonly JsonNode[] => (node?.type === 'array' ? node.items : []);
const textOf = (node: JsonNode | undefined): string | null => (node?.type === 'string' ? node.raw : null);

export function nomadJsonReferences(file: SourceFile): { references: Reference[]; problems: ScanProblem[] } {
  let root: JsonNode;
  try {
    root = parseJson(file.text);
  } catch (error) {
    const offset = error instanceof JsonError ? error.offset : 0;
    return { references: [], problems: [{ file: file.path, line: file.position(offset).line, code: 'parse-error', message: `JSON: ${(error as Error).message}` }] };
  }
  const job = field(root, 'Job') ?? root;
  const references: Reference[] = [];
  for (const group of itemsOf(field(job, 'TaskGroups'))) {
    for (const task of itemsOf(field(group, 'Tasks'))) {
      const driver = textOf(field(task, 'Driver'));
      if (driver !== null && driver !== '' && !IMAGE_DRIVERS.has(driver)) continue;
      const image = field(field(task, 'Config'), 'image');
      if (image?.type !== 'string' || image.raw === '') continue;
      const name = textOf(field(task, 'Name'));
      const detail = `group "${textOf(field(group, 'Name')) ?? ''}", task "${name ?? ''}"`;
      const transport = image.raw.startsWith(DOCKER_TRANSPORT) ? DOCKER_TRANSPORT.length : 0;
      const value = image.raw.slice(transport);
      if (value.includes('\\')) {
        const made = makeReference(file, {
          kind: KIND,
          value,
          parts: [{ role: 'reference', start: image.start + transport, end: image.end }],
          skip: 'unsupported-quoting',
          detail: `${detail}; written with JSON escapes`,
        });
        references.push({ ...made, image: null, name: null });
        continue;
      }
      references.push(makeReference(file, { kind: KIND, value, parts: [{ role: 'reference', start: image.start + transport, end: image.end }], detail }));
    }
  }
  return { references, problems: [] };
}
