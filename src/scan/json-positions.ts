/**
 * JSON parsed into a tree that keeps where each string stands in the text, so an edit can replace
 * exactly the characters of one value. It accepts exactly the texts `JSON.parse` accepts and reads the
 * same values from them (strings with their escapes decoded; of a key written twice in one object, both
 * members are kept in order, for the reader to choose), except that containers nested more than
 * `maxDepth` deep are refused with an error instead of being read by ever deeper calls.
 *
 * A SourceFile's text holds one character per byte; with `utf8Bytes`, a string's bytes are read as the
 * UTF-8 they are before its escapes are decoded, so `value` holds the characters the file means.
 */

export type JsonNode =
  /** `keyStart`: the offset of each key's text inside its quotes. */
  | { readonly type: 'object'; readonly entries: ReadonlyArray<{ readonly key: string; readonly keyStart: number; readonly value: JsonNode }> }
  | { readonly type: 'array'; readonly items: readonly JsonNode[] }
  /** `start`/`end`: the offsets of its text inside the quotes; `raw` that text as written, `value` with its escapes decoded. */
  | { readonly type: 'string'; readonly start: number; readonly end: number; readonly raw: string; readonly value: string }
  /** A number, `true`, `false` or `null`, as written. */
  | { readonly type: 'literal'; readonly raw: string };

export interface JsonOptions {
  /** Refuse containers nested deeper than this (200). */
  readonly maxDepth?: number;
  /** The text holds one character per byte of UTF-8 (SourceFile.text). */
  readonly utf8Bytes?: boolean;
}

export class JsonError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
// eslint-disable-next-line no-control-regex -- JSON strings may not hold these unescaped
const CONTROL = /[\u0000-\u001f]/;
const HIGH_BYTE = /[\u0080-\u00ff]/;

class JsonReader {
  private at = 0;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
    private readonly utf8Bytes: boolean,
  ) {}

  document(): JsonNode {
    const root = this.value(0);
    this.blank();
    if (this.at < this.text.length) throw new JsonError('text after the JSON value', this.at);
    return root;
  }

  private blank(): void {
    const text = this.text;
    let at = this.at;
    while (at < text.length && (text[at] === ' ' || text[at] === '\n' || text[at] === '\r' || text[at] === '\t')) at++;
    this.at = at;
  }

  private string(): { start: number; end: number; raw: string; value: string } {
    const text = this.text;
    const start = this.at + 1;
    this.at = start;
    while (this.at < text.length && text[this.at] !== '"') this.at += text[this.at] === '\\' ? 2 : 1;
    if (this.at >= text.length) throw new JsonError('a string is not closed', start - 1);
    const end = this.at;
    this.at++;
    const raw = text.slice(start, end);
    if (CONTROL.test(raw)) throw new JsonError('a string holds a control character', start - 1);
    const characters = this.utf8Bytes && HIGH_BYTE.test(raw) ? Buffer.from(raw, 'latin1').toString('utf8') : raw;
    if (!characters.includes('\\')) return { start, end, raw, value: characters };
    try {
      return { start, end, raw, value: JSON.parse(`"${characters}"`) as string };
    } catch {
      throw new JsonError('a string has an invalid escape', start - 1);
    }
  }

  private value(depth: number): JsonNode {
    if (depth > this.maxDepth) throw new JsonError(`nested more than ${this.maxDepth} deep`, this.at);
    this.blank();
    const char = this.text[this.at];
    if (char === '{') return this.object(depth);
    if (char === '[') return this.array(depth);
    if (char === '"') return { type: 'string', ...this.string() };
    LITERAL.lastIndex = this.at;
    const literal = LITERAL.exec(this.text);
    if (!literal) throw new JsonError(this.at >= this.text.length ? 'the text ends before a value' : 'unexpected character', this.at);
    this.at += literal[0].length;
    return { type: 'literal', raw: literal[0] };
  }

  private object(depth: number): JsonNode {
    this.at++;
    const entries: Array<{ key: string; keyStart: number; value: JsonNode }> = [];
    this.blank();
    if (this.text[this.at] === '}') {
      this.at++;
      return { type: 'object', entries };
    }
    for (;;) {
      this.blank();
      if (this.text[this.at] !== '"') throw new JsonError('expected a key', this.at);
      const key = this.string();
      this.blank();
      if (this.text[this.at] !== ':') throw new JsonError('expected ":"', this.at);
      this.at++;
      entries.push({ key: key.value, keyStart: key.start, value: this.value(depth + 1) });
      this.blank();
      if (this.text[this.at] === ',') this.at++;
      else if (this.text[this.at] === '}') {
        this.at++;
        return { type: 'object', entries };
      } else throw new JsonError('expected "," or "}"', this.at);
    }
  }

  private array(depth: number): JsonNode {
    this.at++;
    const items: JsonNode[] = [];
    this.blank();
    if (this.text[this.at] === ']') {
      this.at++;
      return { type: 'array', items };
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.blank();
      if (this.text[this.at] === ',') this.at++;
      else if (this.text[this.at] === ']') {
        this.at++;
        return { type: 'array', items };
      } else throw new JsonError('expected "," or "]"', this.at);
    }
  }
}

/** Parses one JSON document; a text `JSON.parse` refuses (or nested deeper than `maxDepth`) throws a JsonError at the offset where it goes wrong. */
export function parseJson(text: string, options: JsonOptions = {}): JsonNode {
  return new JsonReader(text, options.maxDepth ?? 200, options.utf8Bytes ?? false).document();
}
