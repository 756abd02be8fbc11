/**
 * The JSON reader of Nomad jobs and JSON in literal blocks (scan/json-positions) against JSON.parse: the same
 * values from generated documents and from the same documents written in hostile ways (every character
 * of a string escaped or not, keys written twice, any whitespace, numbers of hundreds of digits, deep
 * nesting), strings found at their exact offsets, and exactly the same texts refused.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonError, parseJson, type JsonNode } from '../../src/scan/json-positions.js';

/** The value a node stands for, as JSON.parse builds it: of a key written twice, the last. */
function valueOf(node: JsonNode): unknown {
  switch (node.type) {
    case 'object':
      return Object.fromEntries(node.entries.map((entry) => [entry.key, valueOf(entry.value)]));
    case 'array':
      return node.items.map(valueOf);
    case 'string':
      return node.value;
    case 'literal':
      return JSON.parse(node.raw);
  }
}

function stringsOf(node: JsonNode): Array<Extract<JsonNode, { type: 'string' }>> {
  if (node.type === 'string') return [node];
  if (node.type === 'array') return node.items.flatMap(stringsOf);
  if (node.type === 'object') return node.entries.flatMap((entry) => stringsOf(entry.value));
  return [];
}

/** Every string node stands between its quotes, and its text there reads as its value. */
function expectPositions(text: string, root: JsonNode): void {
  for (const string of stringsOf(root)) {
    expect([text[string.start - 1], text[string.end]]).toEqual(['"', '"']);
    expect(text.slice(string.start, string.end)).toBe(string.raw);
    expect(JSON.parse(text.slice(string.start - 1, string.end + 1))).toBe(string.value);
  }
}

/** A small generator of choices from a seed, so one fast-check integer drives a whole hostile writing. */
function chooser(seed: number): (count: number) => number {
  let state = seed >>> 0 || 1;
  return (count) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % count;
  };
}

const SHORT: Record<string, string> = { '"': '\\"', '\\': '\\\\', '/': '\\/', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const BLANKS = ['', '', ' ', '\t', '\n', '\r\n', '  \n  '];

/**
 * One string written with each character raw where JSON allows it, as \uXXXX (hex in either case; a
 * character beyond the BMP as its two halves), or as its short escape.
 */
function writeString(value: string, choose: (count: number) => number): string {
  let out = '"';
  for (const char of value) {
    const code = char.charCodeAt(0);
    const way = choose(3);
    if (way === 0 && char !== '"' && char !== '\\' && code >= 0x20) out += char;
    else if (way === 1 && SHORT[char] !== undefined) out += SHORT[char];
    else {
      const units = [...Array(char.length).keys()].map((index) => char.charCodeAt(index).toString(16).padStart(4, '0'));
      out += units.map((hex) => `\\u${choose(2) === 0 ? hex : hex.toUpperCase()}`).join('');
    }
  }
  return `${out}"`;
}

/**
 * The value written with random whitespace and escapes; before some members, a decoy member with the
 * same key and another value, which the member written last replaces.
 */
function writeHostile(value: unknown, choose: (count: number) => number): string {
  const blank = () => BLANKS[choose(BLANKS.length)] ?? '';
  if (typeof value === 'string') return writeString(value, choose);
  if (Array.isArray(value)) return `[${blank()}${value.map((item) => `${blank()}${writeHostile(item, choose)}${blank()}`).join(',')}${blank()}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).flatMap(([key, member]) => {
      const written = `${blank()}${writeString(key, choose)}${blank()}:${blank()}${writeHostile(member, choose)}${blank()}`;
      const decoy = `${writeString(key, choose)}:${['"decoy"', '{"image": "decoy:1"}', '[1, 2]', 'null', '-0.5e-3'][choose(5)] ?? 'null'}`;
      return choose(3) === 0 ? [decoy, written] : [written];
    });
    return `{${blank()}${members.join(',')}${blank()}}`;
  }
  return JSON.stringify(value);
}

const documents = fc.jsonValue({ maxDepth: 5 });
/** Strings of any UTF-16 units, lone surrogates and control characters included. */
const binaryDocuments = fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' });
/** Strings of any Unicode characters, which a file holds as UTF-8. */
const unicodeDocuments = fc.jsonValue({ maxDepth: 4, stringUnit: 'grapheme' });
/** JSON.parse's own answer, or the fact that it refuses the text. */
const parsedOrRefused = (text: string): { value: unknown } | 'refused' => {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return 'refused';
  }
};
const readOrRefused = (text: string): { value: unknown } | 'refused' => {
  try {
    return { value: valueOf(parseJson(text)) };
  } catch (error) {
    expect(error).toBeInstanceOf(JsonError);
    const offset = (error as JsonError).offset;
    expect(offset >= 0 && offset <= text.length).toBe(true);
    return 'refused';
  }
};

describe('JSON with positions', () => {
  it('reads the values JSON.parse reads from generated documents, each string at its offsets', () => {
    fc.assert(
      fc.property(documents, fc.constantFrom(undefined, 2, '\t'), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        const root = parseJson(text);
        expect(valueOf(root)).toEqual(JSON.parse(text));
        expectPositions(text, root);
      }),
    );
  });

  it('reads the same values when the document is written in hostile ways: escapes, whitespace, keys written twice', () => {
    fc.assert(
      fc.property(binaryDocuments, fc.integer(), (value, seed) => {
        const text = writeHostile(value, chooser(seed));
        const root = parseJson(text);
        expect(valueOf(root)).toEqual(JSON.parse(text));
        expect(valueOf(root)).toEqual(JSON.parse(JSON.stringify(value)));
        expectPositions(text, root);
      }),
    );
  });

  it("reads a file's UTF-8, held one character per byte, as the characters it means, each string at its byte offsets", () => {
    fc.assert(
      fc.property(unicodeDocuments, fc.integer(), (value, seed) => {
        const text = writeHostile(value, chooser(seed));
        const bytes = Buffer.from(text, 'utf8').toString('latin1');
        const root = parseJson(bytes, { utf8Bytes: true });
        expect(valueOf(root)).toEqual(JSON.parse(text));
        for (const string of stringsOf(root)) expect(JSON.parse(Buffer.from(bytes.slice(string.start - 1, string.end + 1), 'latin1').toString('utf8'))).toBe(string.value);
      }),
    );
  });

  it('reads a key written with escapes as the key it decodes to, and of a key written twice keeps both members in order', () => {
    const root = parseJson('{"\\u0069mage": "a", "image": "b", "im\\u0061ge": {"x": 1}}');
    expect(root.type === 'object' ? root.entries.map((entry) => [entry.key, entry.value.type]) : []).toEqual([
      ['image', 'string'],
      ['image', 'string'],
      ['image', 'object'],
    ]);
    expect(valueOf(root)).toEqual({ image: { x: 1 } });
  });

  it('reads numbers of any length whole, as written', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 400n), max: 10n ** 400n }),
        fc.option(fc.stringMatching(/^[0-9]{1,80}$/)),
        fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 100_000 }))),
        (whole, fraction, exponent) => {
          const number = `${whole}${fraction === null ? '' : `.${fraction}`}${exponent === null ? '' : exponent.join('')}`;
          const text = `{"n": ${number}, "s": "after"}`;
          const root = parseJson(text);
          expect(root.type === 'object' ? root.entries[0]?.value : undefined).toEqual({ type: 'literal', raw: number });
          expect(valueOf(root)).toEqual(JSON.parse(text));
          expectPositions(text, root);
        },
      ),
    );
  });

  it('reads containers nested up to 200 deep as JSON.parse does and refuses deeper ones with an error, never a stack overflow', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 400 }), (kinds) => {
        const text = `${kinds.map((array) => (array ? '[' : '{"k":')).join('')}0${kinds
          .map((array) => (array ? ']' : '}'))
          .reverse()
          .join('')}`;
        if (kinds.length <= 200) expect(valueOf(parseJson(text))).toEqual(JSON.parse(text));
        else expect(() => parseJson(text)).toThrow(new JsonError('nested more than 200 deep', kinds.length));
      }),
    );
    const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    expect(() => parseJson(deep)).toThrow('nested more than 200 deep');
  });

  it('refuses exactly the texts JSON.parse refuses: a valid document with one character removed, added or replaced', () => {
    const hostile = ['"', '\\', '{', '}', '[', ']', ',', ':', '0', '-', '1', 'e', 'E', '.', '+', ' ', '\u0000', '\u001f', '\n', '\u2028', '\ufeff', 't', 'n', 'u', 'l', 'f', 'x', '/', '*'];
    fc.assert(
      fc.property(documents, fc.nat(), fc.constantFrom('remove', 'add', 'replace'), fc.constantFrom(...hostile), (value, where, how, char) => {
        const valid = JSON.stringify(value, null, 1);
        const at = where % (valid.length + 1);
        const text = how === 'add' ? valid.slice(0, at) + char + valid.slice(at) : valid.slice(0, at) + (how === 'replace' ? char : '') + valid.slice(at + 1);
        expect(readOrRefused(text)).toEqual(parsedOrRefused(text));
      }),
      { numRuns: 300 },
    );
  });

  it('names what is wrong and where', () => {
    const refusal = (text: string) => {
      try {
        parseJson(text);
        return null;
      } catch (error) {
        return [(error as JsonError).message, (error as JsonError).offset];
      }
    };
    expect(['{"a": 01}', '{"a": "x\ny"}', '{"a": "\\x41"}', '{"a": "open', '{"a": 1,}', '{"a": 1} x', '', '\ufeff{}', `{"n": ${'9'.repeat(400)}}`].map(refusal)).toEqual([
      ['expected "," or "}"', 7],
      ['a string holds a control character', 6],
      ['a string has an invalid escape', 6],
      ['a string is not closed', 6],
      ['expected a key', 8],
      ['text after the JSON value', 9],
      ['the text ends before a value', 0],
      ['unexpected character', 0],
      null,
    ]);
  });
});
