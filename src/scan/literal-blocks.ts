import { visit, type Document } from 'yaml';

/** A literal block scalar (`key: |`) of a parsed document: its value and where it lies in the file's text. */
export interface LiteralBlock {
  /** The value: the body's lines without their indentation. */
  readonly body: string;
  /** Where the node starts (its `|` indicator). */
  readonly start: number;
  /** Where its value ends. */
  readonly valueEnd: number;
  /** Where the node ends (after comments that follow it). */
  readonly end: number;
}

/**
 * Every literal block scalar (`|`, not a folded `>`) that is a value, not a key, in document order.
 * Text carried in YAML (a Containerfile, a unit file, a manifest) is written byte for byte in its lines.
 */
export function forEachLiteralBlock(documents: readonly Document.Parsed[], each: (block: LiteralBlock) => void): void {
  for (const document of documents) {
    visit(document, {
      Scalar(key, node) {
        if (key === 'key' || node.type !== 'BLOCK_LITERAL' || typeof node.value !== 'string' || !node.range) return;
        const [start, valueEnd, end] = node.range;
        each({ body: node.value, start, valueEnd, end });
      },
    });
  }
}

/** Where the body of the block starting at `start` begins in `text` (the line after its `|`), or null when no body line starts before `end`. */
export function blockBodyStart(text: string, start: number, end: number): number | null {
  const from = text.indexOf('\n', start) + 1;
  return from === 0 || from >= end ? null : from;
}
