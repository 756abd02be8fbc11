import type { Document } from 'yaml';
import type { SourceFile } from '../core/source-file.js';
import type { Reference, ReferenceKind } from '../core/types.js';
import { blockBodyStart, forEachLiteralBlock } from './literal-blocks.js';
import { makeReference } from './make-reference.js';
import { looksLikeImageText } from './yaml-image-fields.js';

/**
 * A Containerfile or a Podman Quadlet unit carried as text in a literal block scalar (`container_file: |`
 * of an Ansible image build, `content: |` of a task that writes a unit file). Its `FROM` images (not
 * `scratch`, not a stage of the same text) and its `Image=` lines in `[Container]`, `[Image]` or `[Volume]`
 * are references, written byte for byte in the file and edited where they stand. A body counts as a
 * Containerfile when its first instruction is `FROM` or `ARG`, as a unit when it has one of those sections.
 * A value that starts with a template (`FROM {{ base }}`) passes on an image set elsewhere: not reported.
 */

const FROM_LINE = /^([ \t]*FROM[ \t]+)((?:--[\w-]+=\S+[ \t]+)*)(\S+)(?:[ \t]+AS[ \t]+(\S+))?[ \t]*\r?$/i;
const FIRST_INSTRUCTION = /^[ \t]*(?:FROM|ARG)[ \t]/i;
const SECTION = /^[ \t]*\[([A-Za-z]+)\][ \t]*\r?$/;
const IMAGE_ENTRY = /^([ \t]*Image[ \t]*=[ \t]*)(\S+)[ \t]*\r?$/;
const UNIT_SECTIONS = new Set(['container', 'image', 'volume']);
const UNIT_REFERENCE = /\.(?:image|build)$/;

interface BodyLine {
  readonly text: string;
  readonly start: number;
}

function bodyLines(text: string, from: number, to: number): BodyLine[] {
  const lines: BodyLine[] = [];
  let lineStart = from;
  while (lineStart < to) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 || newline > to ? to : newline;
    lines.push({ text: text.slice(lineStart, lineEnd), start: lineStart });
    lineStart = lineEnd + 1;
  }
  return lines;
}

function reference(file: SourceFile, kind: ReferenceKind, value: string, start: number): Reference | null {
  if (value.startsWith('{{') || value.startsWith('$') || !looksLikeImageText(value)) return null;
  return makeReference(file, { kind, value, parts: [{ role: 'reference', start, end: start + value.length }] });
}

function containerfileImages(file: SourceFile, lines: readonly BodyLine[], kind: ReferenceKind): Reference[] {
  const stages = new Set<string>();
  const references: Reference[] = [];
  for (const line of lines) {
    const match = FROM_LINE.exec(line.text);
    if (!match) continue;
    const [, lead = '', flags = '', image = '', stage] = match;
    if (image.toLowerCase() !== 'scratch' && !stages.has(image.toLowerCase())) {
      const found = reference(file, kind, image, line.start + lead.length + flags.length);
      if (found) references.push(found);
    }
    if (stage !== undefined) stages.add(stage.toLowerCase());
  }
  return references;
}

function unitImages(file: SourceFile, lines: readonly BodyLine[], kind: ReferenceKind): Reference[] {
  const references: Reference[] = [];
  let section = '';
  for (const line of lines) {
    const header = SECTION.exec(line.text)?.[1];
    if (header !== undefined) {
      section = header.toLowerCase();
      continue;
    }
    const match = UNIT_SECTIONS.has(section) ? IMAGE_ENTRY.exec(line.text) : null;
    if (!match) continue;
    const [, lead = '', raw = ''] = match;
    const bare = raw.startsWith('docker://') ? raw.slice('docker://'.length) : raw;
    if (UNIT_REFERENCE.test(bare) || /^[a-z-]+:(?!\d)/.test(bare)) continue;
    const found = reference(file, kind, bare, line.start + lead.length + raw.length - bare.length);
    if (found) references.push(found);
  }
  return references;
}

/** The images of Containerfiles and Quadlet units written in the literal blocks of parsed documents. */
export function embeddedUnitImages(file: SourceFile, documents: readonly Document.Parsed[], kind: ReferenceKind): Reference[] {
  const references: Reference[] = [];
  forEachLiteralBlock(documents, ({ body, start, valueEnd }) => {
    if (!/FROM|Image/.test(body)) return;
    const from = blockBodyStart(file.text, start, valueEnd);
    if (from === null) return;
    const lines = bodyLines(file.text, from, valueEnd);
    const first = body.split('\n').find((line) => line.trim() !== '' && !line.trim().startsWith('#'));
    if (first !== undefined && FIRST_INSTRUCTION.test(first)) for (const found of containerfileImages(file, lines, kind)) references.push(found);
    else if (body.split('\n').some((line) => UNIT_SECTIONS.has(SECTION.exec(line)?.[1]?.toLowerCase() ?? ''))) for (const found of unitImages(file, lines, kind)) references.push(found);
  });
  return references;
}
