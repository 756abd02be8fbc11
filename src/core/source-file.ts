/**
 * A file's bytes seen as text without losing byte positions.
 *
 * `text` is the file decoded one byte per character (latin1), after a UTF-8 BOM if any, so every
 * offset into `text` maps to exactly one byte offset in the file: `byte = base + offset`. Image
 * references are ASCII, so parsers can work on `text` directly; non-UTF-8 bytes cannot shift
 * anything. Columns count UTF-8 characters (what an editor shows), lines count `\n`.
 */
export interface SourceFile {
  /** Path relative to the scanned root, `/`-separated. */
  readonly path: string;
  readonly bytes: Uint8Array;
  /** Bytes after the BOM, one character per byte. */
  readonly text: string;
  /** Byte offset of `text[0]` in the file: 3 after a UTF-8 BOM, else 0. */
  readonly base: number;
  /** 1-based line and column of a `text` offset. */
  position(offset: number): { line: number; column: number };
  /** Per-file memo for parsed forms (e.g. YAML documents) shared by extractors. */
  readonly memo: Map<string, unknown>;
  /** Drops what was read (bytes, text, line starts) when they can be read again on demand; a no-op otherwise. */
  release(): void;
}

const BOM = [0xef, 0xbb, 0xbf] as const;

export function hasUtf8Bom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2];
}

export function sourceFile(path: string, bytes: Uint8Array): SourceFile {
  return loadedSourceFile(path, () => bytes, false);
}

/**
 * A file read when its contents are first asked for, and read again after `release()`: a scan of a
 * large tree holds one file's contents at a time, not the tree's. `load` throws when the file can no
 * longer be read; the caller reports that for the file.
 */
export function lazySourceFile(path: string, load: () => Uint8Array): SourceFile {
  return loadedSourceFile(path, load, true);
}

interface Loaded {
  readonly bytes: Uint8Array;
  readonly text: string;
  readonly base: number;
  lineStarts: number[] | null;
}

function loadedSourceFile(path: string, load: () => Uint8Array, releasable: boolean): SourceFile {
  let loaded: Loaded | null = null;
  const contents = (): Loaded => {
    if (loaded) return loaded;
    const bytes = load();
    const base = hasUtf8Bom(bytes) ? 3 : 0;
    const text = Buffer.from(bytes.buffer, bytes.byteOffset + base, bytes.byteLength - base).toString('latin1');
    loaded = { bytes, text, base, lineStarts: null };
    return loaded;
  };

  const starts = (): number[] => {
    const current = contents();
    if (current.lineStarts) return current.lineStarts;
    const { text } = current;
    const found = [0];
    let at = text.indexOf('\n');
    while (at !== -1) {
      found.push(at + 1);
      at = text.indexOf('\n', at + 1);
    }
    current.lineStarts = found;
    return found;
  };

  const memo = new Map<string, unknown>();
  return {
    path,
    get bytes() {
      return contents().bytes;
    },
    get text() {
      return contents().text;
    },
    get base() {
      return contents().base;
    },
    memo,
    release() {
      memo.clear();
      if (releasable) loaded = null;
    },
    position(offset: number) {
      const text = contents().text;
      const all = starts();
      let low = 0;
      let high = all.length - 1;
      while (low < high) {
        const mid = (low + high + 1) >> 1;
        if ((all[mid] ?? offset) <= offset) low = mid;
        else high = mid - 1;
      }
      const lineStart = all[low] ?? 0;
      let column = 1;
      for (let i = lineStart; i < offset; i++) {
        const code = text.charCodeAt(i);
        if (code < 0x80 || code >= 0xc0) column++;
      }
      return { line: low + 1, column };
    },
  };
}

/** How much of a file `looksBinary` looks at: a reader may read only this much to decide. */
export const BINARY_CHECK_BYTES = 8192;

/** Does the file look binary? A NUL byte in the first 8 KiB, as git decides. */
export function looksBinary(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, BINARY_CHECK_BYTES);
  for (let i = 0; i < end; i++) if (bytes[i] === 0) return true;
  return false;
}
