import type { SourceFile } from '../../../core/source-file.js';
import type { Reference, ScanProblem } from '../../../core/types.js';
import { isJsonCandidate } from '../../json-candidate.js';
import { makeReference } from '../../make-reference.js';
import { JsonError, parseJson, type JsonNode } from '../../json-positions.js';

/**
 * Nomad jobs as JSON: what `nomad job run -output` prints (`{"Job": {…}}`) and what the jobs API takes and
 * returns (the job itself). The image of each task is `TaskGroups[].Tasks[].Config.image`, for the `docker`
 * and `podman` drivers (and tasks with no driver). Recognised by content, whatever the file is called. Read with
 * a small parser that keeps every string's offsets (json-positions), so the edit replaces exactly the characters of the string.
 */

const KIND = 'nomad-task';
const IMAGE_DRIVERS = new Set(['docker', 'podman']);
const DOCKER_TRANSPORT = 'docker://';

/** A cheap test before parsing: a JSON file a walk reads (json-candidate.ts) that names a job's task groups and tasks. */
export function looksLikeNomadJson(file: SourceFile): boolean {
  return isJsonCandidate(file.path) && file.text.includes('"TaskGroups"') && file.text.includes('"Tasks"');
}

/**
 * How Go's encoding/json, which Nomad decodes a job with, finds a struct field by a key: ASCII letters in
 * either case, and the two letters outside ASCII that fold to one of them (ſ to s, the Kelvin sign to k).
 */
const foldKey = (key: string): string =>
  key
    .replace(/[a-z]/g, (letter) => letter.toUpperCase())
    .replace(/\u017f/g, 'S')
    .replace(/\u212a/g, 'K');

/**
 * A member's value; of a key written twice, the last, as Nomad's own JSON decoding keeps it (a `null` there
 * is no value). The job's fields (`TaskGroups`, `Tasks`, `Name`, `Driver`, `Config`) are struct fields,
 * matched as Go matches them (`field`); a task's `Config` is a map, whose keys match exactly (`entry`).
 */
const member = (node: JsonNode | undefined, matches: (key: string) => boolean): JsonNode | undefined => {
  if (node?.type !== 'object') return undefined;
  for (let index = node.entries.length - 1; index >= 0; index--) {
    const entry = node.entries[index];
    if (entry !== undefined && matches(entry.key)) return entry.value.type === 'literal' && entry.value.raw === 'null' ? undefined : entry.value;
  }
  return undefined;
};
const field = (node: JsonNode | undefined, name: string): JsonNode | undefined => {
  const folded = foldKey(name);
  return member(node, (key) => foldKey(key) === folded);
};
const entry = (node: JsonNode | undefined, key: string): JsonNode | undefined => member(node, (candidate) => candidate === key);
const itemsOf = (node: JsonNode | undefined): readonly JsonNode[] => (node?.type === 'array' ? node.items : []);
const textOf = (node: JsonNode | undefined): string | null => (node?.type === 'string' ? node.value : null);

/** A whole number above zero, as the servers write their indexes and times. */
const positive = (node: JsonNode | undefined): boolean => node?.type === 'literal' && /^[1-9][0-9]*$/.test(node.raw);

/**
 * The servers' record of a job they have registered (what `GET /v1/job/:id` and `nomad job inspect` return):
 * the time it was submitted and the index of its last change are set by the servers, never by whoever writes a
 * job to submit (`nomad job run -output` leaves them `null`). Such a file is captured output (a client's test
 * fixture, a backup): the images in it ran once and nothing submits it as it stands.
 */
const isRegisteredRecord = (job: JsonNode): boolean => positive(field(job, 'SubmitTime')) && positive(field(job, 'JobModifyIndex'));

export function nomadJsonReferences(file: SourceFile): { references: Reference[]; problems: ScanProblem[] } {
  let root: JsonNode;
  try {
    root = parseJson(file.text, { utf8Bytes: true });
  } catch (error) {
    const offset = error instanceof JsonError ? error.offset : 0;
    return { references: [], problems: [{ file: file.path, line: file.position(offset).line, code: 'parse-error', message: `JSON: ${(error as Error).message}` }] };
  }
  const job = field(root, 'Job') ?? root;
  if (isRegisteredRecord(job)) return { references: [], problems: [] };
  const references: Reference[] = [];
  for (const group of itemsOf(field(job, 'TaskGroups'))) {
    for (const task of itemsOf(field(group, 'Tasks'))) {
      const driver = textOf(field(task, 'Driver'));
      if (driver !== null && driver !== '' && !IMAGE_DRIVERS.has(driver)) continue;
      const image = entry(field(task, 'Config'), 'image');
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
