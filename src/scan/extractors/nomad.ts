import type { SourceFile } from '../../core/source-file.js';
import type { Reference, ScanProblem } from '../../core/types.js';
import type { Extractor } from '../extractor.js';
import { makeReference } from '../make-reference.js';
import { parseHcl, type HclAttribute, type HclBlock } from './hcl-body.js';

const KIND = 'nomad-task';
/** Task drivers whose `config { image = … }` is an OCI image. */
const IMAGE_DRIVERS = new Set(['docker', 'podman']);
/** Blocks that run a container: tasks, and Consul Connect sidecar overrides. */
const TASK_BLOCKS = new Set(['task', 'sidecar_task']);
const DOCKER_TRANSPORT = 'docker://';
/** Levant and nomad-pack templates: `[[ .image ]]`. */
const BRACKET_TEMPLATE = /\[\[[\s\S]*\]\]/;

/** `*.nomad` and `*.nomad.hcl` always; other `*.hcl` files only when they hold a `job "…"` with a `task "…"`. */
export function claimsNomad(file: SourceFile): boolean {
  const base = file.path.slice(file.path.lastIndexOf('/') + 1).toLowerCase();
  if (base.endsWith('.nomad') && base !== '.nomad') return true;
  if (!base.endsWith('.hcl')) return false;
  if (base.endsWith('.nomad.hcl')) return true;
  return /(?:^|[\s{])job\s+"/.test(file.text) && /(?:^|[\s{])task\s+"/.test(file.text);
}

/** A literal string's contents; null for any other expression. */
function stringValue(file: SourceFile, attribute: HclAttribute | undefined): string | null {
  const [token, ...rest] = attribute?.value ?? [];
  if (!token || rest.length > 0 || token.type !== 'string') return null;
  return file.text.slice(token.start + 1, token.end - 1);
}

function imageReference(file: SourceFile, attribute: HclAttribute, detail: string): Reference | null {
  const tokens = attribute.value;
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  if (!first || !last) return null;
  if (tokens.length === 1 && first.type === 'string') {
    const quoted = first.start + 1;
    // The podman driver takes a transport prefix; `docker://` names a registry image.
    const start = file.text.startsWith(DOCKER_TRANSPORT, quoted) ? quoted + DOCKER_TRANSPORT.length : quoted;
    const end = first.end - 1;
    const value = file.text.slice(start, end);
    const skip = first.templated || BRACKET_TEMPLATE.test(value) ? 'templated' : first.escaped ? 'unsupported-quoting' : undefined;
    return makeReference(file, { kind: KIND, value, parts: [{ role: 'reference', start, end }], detail, ...(skip ? { skip } : {}) });
  }
  // A variable, a function call, a heredoc: reported so the reader sees it, never edited.
  const value = file.text.slice(first.start, last.end);
  const reference = makeReference(file, { kind: KIND, value, parts: [{ role: 'reference', start: first.start, end: last.end }], detail, skip: 'templated' });
  return { ...reference, image: null, name: null };
}

function taskReferences(file: SourceFile, task: HclBlock): Reference[] {
  const driver = stringValue(file, task.attributes.find((attribute) => attribute.name === 'driver'));
  if (driver !== null && !/[$%]\{|\[\[/.test(driver) && !IMAGE_DRIVERS.has(driver)) return [];
  const detail = task.labels[0] === undefined ? task.type : `${task.type} "${task.labels[0]}"`;
  const references: Reference[] = [];
  for (const config of task.blocks) {
    if (config.type !== 'config') continue;
    for (const attribute of config.attributes) {
      if (attribute.name !== 'image') continue;
      const reference = imageReference(file, attribute, detail);
      if (reference) references.push(reference);
    }
  }
  return references;
}

function extract(file: SourceFile): { references: Reference[]; problems: ScanProblem[] } {
  const document = parseHcl(file.text);
  const references: Reference[] = [];
  // Depth-first in document order, without recursion.
  const pending: HclBlock[] = [document.root];
  while (pending.length > 0) {
    const block = pending.pop()!;
    if (TASK_BLOCKS.has(block.type)) references.push(...taskReferences(file, block));
    for (let index = block.blocks.length - 1; index >= 0; index--) pending.push(block.blocks[index]!);
  }
  const problems = document.errors.map((error): ScanProblem => ({
    file: file.path,
    line: file.position(error.offset).line,
    code: 'parse-error',
    message: `HCL: ${error.message}`,
  }));
  return { references, problems };
}

/** Nomad job files: `image` in the `config` of `docker`/`podman` tasks (and tasks with no driver set). */
export const nomadExtractor: Extractor = {
  name: 'nomad',
  claims: (file) => claimsNomad(file),
  extract: (file) => extract(file),
};
