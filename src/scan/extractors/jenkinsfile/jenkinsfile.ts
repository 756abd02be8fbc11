import type { SourceFile } from '../../../core/source-file.js';
import type { Reference } from '../../../core/types.js';
import type { Extractor } from '../../extractor.js';
import { makeReference, type PartInput } from '../../make-reference.js';
import { groovyStrings, type GroovyString } from './groovy-strings.js';

/**
 * Jenkins pipelines: declarative `agent { docker { image '…' } }` and `agent { docker '…' }`,
 * scripted `docker.image('…')`, Kubernetes `containerTemplate(image: '…')`, and the `image:` lines
 * of pod YAML given inline to `kubernetes { yaml '''…''' }` / `podTemplate(yaml: …)`. A string
 * built from a variable (`"maven:${MAVEN_VERSION}"`) is resolved when the file assigns that
 * variable one literal (`def MAVEN_VERSION = '3.9.9'`, or in `environment { }`); the edit then goes
 * to the literal.
 */

const KIND = 'jenkinsfile';
const JENKINSFILE = /^(?:jenkinsfile(?:[._-][^/]*)?|[^/]+\.jenkinsfile)$/i;
const GROOVY = /\.groovy$/i;
const PIPELINE_WORDS = /\b(?:pipeline\s*\{|podTemplate\s*\(|containerTemplate\s*\(|docker\.image\s*\(|agent\s*\{)/;
const IMAGE_BEFORE = /(?:\bimage\s*(?:[:=]\s*|\(\s*)?|\bdocker\.image\s*\(\s*|\bagent\s*\{\s*docker\s*(?:\(\s*)?)$/;
const YAML_BEFORE = /\byaml\s*(?:[:=]\s*|\(\s*)?$/;
const ASSIGNMENT_BEFORE = /(?:^|[\s;{])(?:def\s+|String\s+|final\s+)?([A-Za-z_]\w*)\s*=\s*$/;
const VARIABLE_USE = /\$\{\s*(?:env\.|params\.)?([A-Za-z_]\w*)\s*\}|\$([A-Za-z_]\w*)/g;
const YAML_IMAGE_LINE = /^([ \t]*(?:-[ \t]+)?image[ \t]*:[ \t]*)(\S.*?)[ \t]*$/;

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

interface Literal {
  readonly start: number;
  readonly end: number;
}

/** Variables assigned exactly one plain literal in the file. */
function literalVariables(text: string, strings: readonly GroovyString[]): Map<string, Literal> {
  const found = new Map<string, Literal | null>();
  for (const string of strings) {
    const before = text.slice(Math.max(0, string.open - 80), string.open);
    const assigned = ASSIGNMENT_BEFORE.exec(before);
    const name = assigned?.[1];
    if (name === undefined) continue;
    const value = text.slice(string.start, string.end);
    const plain = !string.escaped && !(string.quote.startsWith('"') && value.includes('$'));
    found.set(name, found.has(name) || !plain ? null : { start: string.start, end: string.end });
  }
  const literals = new Map<string, Literal>();
  for (const [name, literal] of found) if (literal) literals.set(name, literal);
  return literals;
}

function stringReference(file: SourceFile, string: GroovyString, variables: ReadonlyMap<string, Literal>, detail: string): Reference {
  const text = file.text;
  const value = text.slice(string.start, string.end);
  const interpolates = string.quote.startsWith('"') && value.includes('$');
  const whole: PartInput = { role: 'reference', start: string.start, end: string.end };
  if (string.escaped) return makeReference(file, { kind: KIND, value, parts: [whole], detail, skip: 'unsupported-quoting' });
  if (!interpolates) return makeReference(file, { kind: KIND, value, parts: [whole], detail });
  const parts: PartInput[] = [{ role: 'template', start: string.start, end: string.end }];
  // Set inside the replace callback below, which the compiler's narrowing does not follow.
  let unresolved = false as boolean;
  const resolved = value.replace(VARIABLE_USE, (use, braced: string | undefined, plain: string | undefined) => {
    // One of the two groups takes part in every match.
    const name = braced ?? plain ?? '';
    const literal = variables.get(name);
    if (!literal) {
      unresolved = true;
      return use;
    }
    if (!parts.some((part) => part.variable === name)) parts.push({ role: 'variable', start: literal.start, end: literal.end, variable: name });
    return text.slice(literal.start, literal.end);
  });
  if (unresolved) return makeReference(file, { kind: KIND, value, parts: [whole], detail, skip: 'templated' });
  return makeReference(file, { kind: KIND, value: resolved, parts, anchor: string.start, detail });
}

/** `image:` lines of pod YAML held in a string. */
function inlineYamlImages(file: SourceFile, string: GroovyString): Reference[] {
  const references: Reference[] = [];
  const text = file.text;
  let lineStart = string.start;
  while (lineStart < string.end) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1 || lineEnd > string.end) lineEnd = string.end;
    const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
    const match = YAML_IMAGE_LINE.exec(line);
    if (match) {
      // The pattern's groups always take part in a match; the defaults only satisfy the compiler.
      const [, lead = '', image = ''] = match;
      let start = lineStart + lead.length;
      let end = start + image.length;
      const quote = text[start];
      if ((quote === '"' || quote === "'") && text[end - 1] === quote && end - start >= 2) {
        start++;
        end--;
      }
      const value = text.slice(start, end);
      const templated = string.quote.startsWith('"') && value.includes('$');
      if (!/^[|>&*[{#]/.test(value)) {
        references.push(makeReference(file, { kind: KIND, value, parts: [{ role: 'reference', start, end }], detail: 'pod YAML', ...(templated ? { skip: 'templated' as const } : {}) }));
      }
    }
    lineStart = lineEnd + 1;
  }
  return references;
}

function extract(file: SourceFile): Reference[] {
  const text = file.text;
  const strings = groovyStrings(text);
  const variables = literalVariables(text, strings);
  const references: Reference[] = [];
  for (const string of strings) {
    const before = text.slice(Math.max(0, string.open - 60), string.open);
    if (IMAGE_BEFORE.test(before)) {
      const detail = /docker\.image\s*\(\s*$/.test(before) ? 'docker.image' : /docker\s*(?:\(\s*)?$/.test(before) ? 'agent docker' : 'image';
      if (string.end > string.start) references.push(stringReference(file, string, variables, detail));
    } else if (YAML_BEFORE.test(before)) for (const reference of inlineYamlImages(file, string)) references.push(reference);
  }
  return references;
}

const NOT_PIPELINE = /\.(?:md|txt|rst|adoc|html|orig|bak)$/i;

function isJenkinsfile(path: string): boolean {
  const base = baseName(path);
  return JENKINSFILE.test(base) && !NOT_PIPELINE.test(base);
}

function isPipelinePath(path: string): boolean {
  return isJenkinsfile(path) || GROOVY.test(path);
}

export const jenkinsfileExtractor: Extractor = {
  name: 'jenkinsfile',
  kinds: [KIND],
  quoting: 'verbatim',
  isCandidate: isPipelinePath,
  owns: (file) => isJenkinsfile(file.path),
  claims: (file) => isJenkinsfile(file.path) || (GROOVY.test(file.path) && PIPELINE_WORDS.test(file.text)),
  extract: (file) => ({ references: extract(file), problems: [] }),
};
