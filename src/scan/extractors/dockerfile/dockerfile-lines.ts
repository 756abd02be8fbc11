import type { SourceFile } from '../../../core/source-file.js';
import type { ScanProblem } from '../../../core/types.js';

/**
 * A Dockerfile read the way BuildKit reads it: parser directives at the top, then instructions
 * joined across line continuations, with comment lines dropped and heredoc bodies set aside.
 */

/** One instruction with its continuations removed; `offsets[i]` is the `file.text` offset of `text[i]`. */
export interface LogicalLine {
  readonly text: string;
  readonly offsets: readonly number[];
  /** 1-based line where the instruction starts. */
  readonly line: number;
}

/** A parser directive (`# syntax=…`, `# escape=…`); `start`/`end` hold its value in `file.text`. */
export interface Directive {
  readonly key: string;
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

export interface DockerfileLines {
  readonly directives: readonly Directive[];
  readonly instructions: readonly LogicalLine[];
  readonly escape: string;
  readonly problems: readonly ScanProblem[];
}

/** A word of an instruction, as written (quotes kept), in logical-line coordinates. */
export interface Word {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

const KNOWN_DIRECTIVES = new Set(['syntax', 'escape', 'check']);
const DIRECTIVE = /^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.*?)[ \t]*$/;
const HEREDOC_INSTRUCTIONS = new Set(['RUN', 'COPY', 'ADD']);
const HEREDOC = /^<<(-?)(["']?)([^\s"'<>]+)\2/;

interface PhysicalLine {
  readonly start: number;
  /** End of the content, before `\r\n` or `\n`. */
  readonly end: number;
  /** Start of the next line. */
  readonly next: number;
}

function physicalLine(text: string, start: number): PhysicalLine {
  const newline = text.indexOf('\n', start);
  const stop = newline === -1 ? text.length : newline;
  const end = stop > start && text.charCodeAt(stop - 1) === 13 ? stop - 1 : stop;
  return { start, end, next: newline === -1 ? text.length : newline + 1 };
}

function isBlankOrComment(text: string, line: PhysicalLine): boolean {
  const trimmed = text.slice(line.start, line.end).trimStart();
  return trimmed === '' || trimmed.startsWith('#');
}

/** Where the continuation escape of a line starts (escape char, then only spaces/tabs), or -1. */
function continuationAt(text: string, line: PhysicalLine, escape: string): number {
  let at = line.end;
  while (at > line.start && (text[at - 1] === ' ' || text[at - 1] === '\t')) at--;
  return at > line.start && text[at - 1] === escape ? at - 1 : -1;
}

/** Splits an instruction into words at unquoted whitespace; the escape char protects the next char. */
export function splitWords(line: LogicalLine, escape: string): Word[] {
  const words: Word[] = [];
  const { text } = line;
  let at = 0;
  while (at < text.length) {
    while (at < text.length && (text[at] === ' ' || text[at] === '\t')) at++;
    if (at >= text.length) break;
    const start = at;
    let quote: string | null = null;
    while (at < text.length) {
      const char = text.charAt(at);
      if (quote === null && (char === ' ' || char === '\t')) break;
      if (char === escape && quote !== "'" && at + 1 < text.length) at += 2;
      else {
        if (quote === null && (char === '"' || char === "'")) quote = char;
        else if (char === quote) quote = null;
        at++;
      }
    }
    words.push({ text: text.slice(start, at), start, end: at });
  }
  return words;
}

/** Reads directives, instructions and heredocs. Never throws; an unterminated heredoc is a problem. */
export function readDockerfile(file: SourceFile): DockerfileLines {
  const { text } = file;
  const directives: Directive[] = [];
  const instructions: LogicalLine[] = [];
  const problems: ScanProblem[] = [];
  let escape = '\\';
  let directivesOpen = true;
  let at = 0;

  while (at < text.length) {
    const line = physicalLine(text, at);
    at = line.next;
    if (directivesOpen) {
      const match = DIRECTIVE.exec(text.slice(line.start, line.end));
      const key = match?.[1]?.toLowerCase();
      if (match && key !== undefined && KNOWN_DIRECTIVES.has(key) && !directives.some((d) => d.key === key)) {
        const value = match[2] ?? '';
        const valueEnd = line.start + match[0].replace(/[ \t]+$/, '').length;
        const valueStart = valueEnd - value.length;
        directives.push({ key, value, start: valueStart, end: valueStart + value.length });
        if (key === 'escape' && (value === '\\' || value === '`')) escape = value;
        continue;
      }
      directivesOpen = false;
    }
    if (isBlankOrComment(text, line)) continue;

    const chars: string[] = [];
    const offsets: number[] = [];
    const startLine = file.position(line.start).line;
    let current: PhysicalLine | null = line;
    while (current) {
      const escapeAt = continuationAt(text, current, escape);
      const stop = escapeAt === -1 ? current.end : escapeAt;
      for (let i = current.start; i < stop; i++) {
        chars.push(text.charAt(i));
        offsets.push(i);
      }
      if (escapeAt === -1) break;
      current = null;
      while (at < text.length) {
        const next = physicalLine(text, at);
        at = next.next;
        if (!isBlankOrComment(text, next)) {
          current = next;
          break;
        }
      }
    }
    const logical: LogicalLine = { text: chars.join(''), offsets, line: startLine };
    instructions.push(logical);

    const words = splitWords(logical, escape);
    if (!HEREDOC_INSTRUCTIONS.has(words[0]?.text.toUpperCase() ?? '')) continue;
    for (const word of words.slice(1)) {
      const heredoc = HEREDOC.exec(word.text);
      if (!heredoc) continue;
      const stripTabs = heredoc[1] === '-';
      const name = heredoc[3] ?? '';
      let closed = false;
      while (at < text.length) {
        const body = physicalLine(text, at);
        at = body.next;
        let content = text.slice(body.start, body.end);
        if (stripTabs) content = content.replace(/^\t+/, '');
        if (content === name) {
          closed = true;
          break;
        }
      }
      if (!closed) {
        problems.push({
          file: file.path,
          line: startLine,
          code: 'parse-error',
          message: `Dockerfile: heredoc <<${name} is not terminated`,
        });
        return { directives, instructions, escape, problems };
      }
    }
  }
  return { directives, instructions, escape, problems };
}
