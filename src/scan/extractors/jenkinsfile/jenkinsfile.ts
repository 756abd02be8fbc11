import type { SourceFile } from '../../../core/source-file.js';
import type { Reference } from '../../../core/types.js';
import type { Extractor } from '../../extractor.js';
import { makeReference, type PartInput } from '../../make-reference.js';
import { groovyTokens, type GroovyString } from './groovy-strings.js';
import { innermostOpens, registryRoutes, routedReference } from './groovy-registries.js';
import { codeOnly, groovyVariables, stringVariables, type GroovyVariable } from './groovy-variables.js';

/**
 * Jenkins pipelines: declarative `agent { docker { image '…' } }` and `agent { docker '…' }`,
 * scripted `docker.image('…')`, Kubernetes `containerTemplate(image: '…')`, and the `image:` lines
 * of pod YAML given inline to `kubernetes { yaml '''…''' }` / `podTemplate(yaml: …)`. A string
 * built from a variable (`"maven:${MAVEN_VERSION}"`) is resolved when the file assigns that
 * variable one literal (`def MAVEN_VERSION = '3.9.9'`, or in `environment { }`) or a default
 * (`parameters.get('tag', '3.9.9')`, `config.tag ?: '3.9.9'`); the edit then goes to the literal.
 * An image that is a defaulted or two-way (`cond ? 'a:1' : 'b:2'`) variable alone is reported at
 * its literals instead of the use.
 */

const KIND = 'jenkinsfile';
const JENKINSFILE = /^(?:jenkinsfile(?:[._-][^/]*)?|[^/]+\.jenkinsfile)$/i;
const GROOVY = /\.groovy$/i;
/** Cheap test before reading the strings: a `containers:` key on a line of its own, as pod YAML writes it. */
const POD_YAML_WORDS = /^[ \t]+containers[ \t]*:[ \t]*\r?$/m;
const PIPELINE_WORDS = /\b(?:pipeline\s*\{|podTemplate\s*\(|containerTemplate\s*\(|docker\.image\s*\(|agent\s*\{)/;
/**
 * Before a string, an image field: `image '…'` in a docker agent, `image: '…'` (a named argument), `docker.image('…')`,
 * `agent { docker '…' }`. An assignment (`image = '…'`, `config.image = "${registry}/${tag}"`) sets a variable or a
 * property like any other: it is read where an image field uses it, not as an image.
 */
const IMAGE_BEFORE = /(?:\bimage\s*(?::\s*|\(\s*)?|\bdocker\.image\s*\(\s*|\bagent\s*\{\s*docker\s*(?:\(\s*)?)$/;
const YAML_BEFORE = /\byaml\s*(?:[:=]\s*|\(\s*)?$/;
/** A pod YAML field given a variable (`yaml podYaml` in a `kubernetes { }` agent, `podTemplate(yaml: podYaml)`), not a call or a property. */
const YAML_VARIABLE = /(?<![\w.$])yaml(?:\s*[:=]\s*|\s*\(\s*|\s+)([A-Za-z_]\w*)(?=\s*(?:[,)}\n;]|$))/g;
/** After a string's closing quote: `+`, the string is joined to what follows (`"registry.example.test/app:" + params.tag`). */
const JOINED_AFTER = /^[ \t]*\+(?!\+)/;
const VARIABLE_USE = /\$\{\s*(?:env\.|params\.)?([A-Za-z_]\w*)\s*\}|\$([A-Za-z_]\w*)/g;
/** A string that is one variable and nothing else: `"${name}"`, `"$name"`. */
/** Lines of use named in the detail of a literal. */
const LINES_NAMED = 5;
const WHOLE_USE = /^(?:\$\{\s*([A-Za-z_]\w*)\s*\}|\$([A-Za-z_]\w*))$/;
const YAML_IMAGE_LINE = /^([ \t]*(?:-[ \t]+)?image[ \t]*:[ \t]*)(\S.*?)[ \t]*$/;

/** A named `image:` before a string: a call's named argument (`containerTemplate(image: '…')`) or a map literal's entry. */
const NAMED_IMAGE_BEFORE = /\bimage\s*:\s*$/;
/** An image field whose argument is code, not a string: `docker.image(…)`, `image: …`, declarative `image …`. */
const CODE_IMAGE_FIELD = /\bdocker\.image\s*\(|(?<![\w.$])image\s*:|(?<![\w.$])image[ \t]+(?=[A-Za-z_$])/g;
/** Reading a property named `image`: `meta[platform].image`, `cfg?.image`, `cfg['image']`; not the call `docker.image(…)`. */
const IMAGE_PROPERTY = /\??\.\s*image\b(?!\s*\()|\[\s*['"]image['"]\s*\]/;
/** In an image field's string, an interpolation that reads a property named `image`: `"${cfg.image}"`, `"$cfg.image"`. */
const INTERPOLATED_IMAGE_PROPERTY = /\$\{[^}]*?(?:\??\.\s*image\b|\[\s*['"]image['"]\s*\])[^}]*\}|\$[A-Za-z_]\w*(?:\.\w+)*\.image\b/;
/** How far an image field's code argument is read. */
const ARGUMENT_LIMIT = 200;

/**
 * Whether an image field of the file reads a property named `image` (`docker.image(meta[platform].image)`,
 * `containerTemplate(image: tool.image)`, `image "${cfg.image}"`): the map entries `image: '…'` it reads from are then images.
 */
function readsImageProperty(text: string, code: string, strings: readonly GroovyString[]): boolean {
  for (const field of code.matchAll(CODE_IMAGE_FIELD)) {
    let end = field.index + field[0].length;
    const limit = Math.min(code.length, end + ARGUMENT_LIMIT);
    let depth = 0;
    const start = end;
    for (; end < limit; end++) {
      const char = code[end];
      if (char === '(' || char === '[') depth++;
      else if (char === ')' || char === ']') {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0 && (char === ',' || char === '\n' || char === '{' || char === '}' || char === ';')) break;
    }
    if (IMAGE_PROPERTY.test(text.slice(start, end))) return true;
  }
  return strings.some(
    (string) => string.quote.startsWith('"') && IMAGE_BEFORE.test(text.slice(Math.max(0, string.open - 60), string.open)) && INTERPOLATED_IMAGE_PROPERTY.test(text.slice(string.start, string.end)),
  );
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The detail of a use resolved through a variable that a caller may set (a default). */
function defaultNote(name: string, variable: GroovyVariable, lineOf: (offset: number) => number): string | null {
  if (variable.form !== 'default') return null;
  return `default of ${name} (${variable.source}, line ${lineOf(variable.literals[0].start)}); a caller may pass another image`;
}

function stringReference(file: SourceFile, string: GroovyString, variables: ReadonlyMap<string, GroovyVariable>, detail: string): Reference {
  const text = file.text;
  const lineOf = (offset: number) => file.position(offset).line;
  const value = text.slice(string.start, string.end);
  const interpolates = string.quote.startsWith('"') && value.includes('$');
  const whole: PartInput = { role: 'reference', start: string.start, end: string.end };
  if (string.escaped) return makeReference(file, { kind: KIND, value, parts: [whole], detail, skip: 'unsupported-quoting' });
  if (!interpolates) return makeReference(file, { kind: KIND, value, parts: [whole], detail });
  const parts: PartInput[] = [{ role: 'template', start: string.start, end: string.end }];
  const unresolved: string[] = [];
  const notes: string[] = [];
  const resolved = value.replace(VARIABLE_USE, (use, braced: string | undefined, bare: string | undefined) => {
    // One of the two groups takes part in every match.
    const name = braced ?? bare ?? '';
    const variable = variables.get(name);
    if (variable === undefined || variable.form === 'unknown' || variable.form === 'choice') {
      const why = variable === undefined ? `${use} is not set in this file` : variable.form === 'unknown' ? variable.why : `${name} is one of two values (line ${lineOf(variable.literals[0].start)})`;
      if (!unresolved.includes(why)) unresolved.push(why);
      return use;
    }
    const [literal] = variable.literals;
    if (!parts.some((part) => part.variable === name)) {
      parts.push({ role: 'variable', start: literal.start, end: literal.end, variable: name });
      const note = defaultNote(name, variable, lineOf);
      if (note !== null) notes.push(note);
    }
    return text.slice(literal.start, literal.end);
  });
  if (unresolved.length > 0) return makeReference(file, { kind: KIND, value, parts: [whole], detail: [detail, ...unresolved].join('; '), skip: 'templated' });
  return makeReference(file, { kind: KIND, value: resolved, parts, anchor: string.start, detail: [detail, ...notes].join('; ') });
}

/**
 * The literals of a variable that an image is written as whole (`image: "${jnlpImage}"`) when the variable is a
 * default a caller may replace or one of two literals: each literal is the reference, where it is written.
 */
function variableLiteralReferences(file: SourceFile, name: string, variable: GroovyVariable, uses: readonly number[]): Array<{ at: number; reference: Reference }> {
  if (variable.form !== 'default' && variable.form !== 'choice') return [];
  const lines = [...new Set(uses.map((use) => file.position(use).line))];
  const more = lines.length > LINES_NAMED ? ', …' : '';
  const usedAt = `the image at line${lines.length > 1 ? 's' : ''} ${lines.slice(0, LINES_NAMED).join(', ')}${more}`;
  const detail = variable.form === 'default' ? `default of ${name} (${variable.source}), ${usedAt}; a caller may pass another image` : `one of two values of ${name}, ${usedAt}`;
  return variable.literals.map((literal) => ({
    at: literal.start,
    reference: makeReference(file, { kind: KIND, value: file.text.slice(literal.start, literal.end), parts: [{ role: 'reference', start: literal.start, end: literal.end }], detail }),
  }));
}

/**
 * `image:` lines of pod YAML held in a string. In an interpolating string, a value written with the file's variables
 * (`image: maven:${mavenVersion}-temurin`) is resolved as an image string is; an escaped one stays `templated`.
 */
function inlineYamlImages(file: SourceFile, string: GroovyString, variables: ReadonlyMap<string, GroovyVariable>): Reference[] {
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
      if (/^[|>&*[{#]/.test(value)) {
        // A block, an anchor's use, a flow collection or a comment: no image written here.
      } else if (templated && !value.includes('\\')) {
        references.push(stringReference(file, { open: start, start, end, quote: string.quote, escaped: false }, variables, 'pod YAML'));
      } else {
        references.push(makeReference(file, { kind: KIND, value, parts: [{ role: 'reference', start, end }], detail: 'pod YAML', ...(templated ? { skip: 'templated' as const } : {}) }));
      }
    }
    lineStart = lineEnd + 1;
  }
  return references;
}

/** The keys a Pod's YAML has at its top; the Kubernetes plugin also takes a part of one (`metadata` and `spec` alone). */
const POD_KEYS: ReadonlySet<string> = new Set(['apiVersion', 'kind', 'metadata', 'spec']);
const KEY_LINE = /^([ \t]*)([A-Za-z][\w-]*)[ \t]*:(.*)$/;

/**
 * Is this text a Pod's YAML (a template a Jenkins shared library returns for the Kubernetes plugin): its top-level keys
 * are only a Pod's (`apiVersion`, `kind: Pod`, `metadata`, `spec`), with `spec` among them and a `containers:` list below.
 */
export function isPodYaml(content: string): boolean {
  const lines = content.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
  const keys = lines.map((line) => KEY_LINE.exec(line.replace(/\r$/, '')));
  const top = Math.min(...keys.map((key) => (key ? (key[1] ?? '').length : Infinity)));
  if (!Number.isFinite(top)) return false;
  const topKeys = keys.filter((key): key is RegExpExecArray => key !== null && (key[1] ?? '').length === top);
  if (!topKeys.some((key) => key[2] === 'spec') || topKeys.some((key) => !POD_KEYS.has(key[2] ?? ''))) return false;
  if (topKeys.some((key) => key[2] === 'kind' && (key[3] ?? '').trim().replace(/^(["'])(.*)\1$/, '$2') !== 'Pod')) return false;
  if (lines.some((line) => (/^\s*\S/.exec(line)?.[0].length ?? 0) - 1 < top)) return false;
  return keys.some((key) => key !== null && key[2] === 'containers' && (key[1] ?? '').length > top && (key[3] ?? '').trim() === '');
}

function extract(file: SourceFile): Reference[] {
  const text = file.text;
  const { strings, comments } = groovyTokens(text);
  const variables = groovyVariables(text, strings, comments, (offset) => file.position(offset).line);
  const found: Array<{ at: number; reference: Reference }> = [];
  /** Uses of a variable as a whole image, by name, for the variables whose literals are then the references. */
  const wholeUses = new Map<string, number[]>();
  const code = codeOnly(text, strings, comments);
  // The innermost bracket open before each string (`(`, `[`, `{`): a string in `[` lies in a list or map literal, not in a call's arguments or a block.
  const opens = innermostOpens(
    code,
    strings.map((string) => string.open),
  );
  const brackets = opens.map((open) => code[open] ?? null);
  const routes = registryRoutes(text, code, strings, opens, (offset) => file.position(offset).line);
  let readsProperty: boolean | undefined;
  for (const [index, string] of strings.entries()) {
    const before = text.slice(Math.max(0, string.open - 60), string.open);
    // A map literal's entry (`[name: 'el9', image: '…']`) is a value like any other, an image only when an image field reads it.
    if (IMAGE_BEFORE.test(before) && NAMED_IMAGE_BEFORE.test(before) && brackets[index] === '[' && !(readsProperty ??= readsImageProperty(text, code, strings))) continue;
    if (IMAGE_BEFORE.test(before)) {
      const detail = /docker\.image\s*\(\s*$/.test(before) ? 'docker.image' : /docker\s*(?:\(\s*)?$/.test(before) ? 'agent docker' : 'image';
      if (string.end <= string.start) continue;
      if (JOINED_AFTER.test(text.slice(string.end + string.quote.length, string.end + string.quote.length + 20))) {
        // Only the start of the image: an image field written so is `templated`.
        const value = text.slice(string.start, string.end);
        found.push({
          at: string.start,
          reference: makeReference(file, {
            kind: KIND,
            value,
            parts: [{ role: 'reference', start: string.start, end: string.end }],
            detail: `${detail}; joined with + to what follows`,
            skip: 'templated',
          }),
        });
        continue;
      }
      const route = routes.get(string.open);
      if (route !== undefined) {
        found.push({ at: string.start, reference: routedReference(file, KIND, string, route, detail) });
        continue;
      }
      const use = string.quote.startsWith('"') && !string.escaped ? WHOLE_USE.exec(text.slice(string.start, string.end)) : null;
      const name = use ? (use[1] ?? use[2] ?? '') : '';
      const form = variables.get(name)?.form;
      if (form === 'default' || form === 'choice') {
        const uses = wholeUses.get(name);
        if (uses === undefined) wholeUses.set(name, [string.start]);
        else uses.push(string.start);
      } else found.push({ at: string.start, reference: stringReference(file, string, variables, detail) });
    } else if (YAML_BEFORE.test(before)) for (const reference of inlineYamlImages(file, string, variables)) found.push({ at: (reference.spans[0]?.start ?? file.base) - file.base, reference });
  }
  // Pod YAML kept in a variable (`def podYaml = """…"""`) and given to a pod field by name (`yaml podYaml`): read once, where it is written.
  const held = new Set<GroovyString>();
  let stringsByName: Map<string, GroovyString> | undefined;
  for (const match of code.matchAll(YAML_VARIABLE)) {
    const string = (stringsByName ??= stringVariables(text, strings, comments)).get(match[1] ?? '');
    if (string === undefined || held.has(string) || YAML_BEFORE.test(text.slice(Math.max(0, string.open - 60), string.open))) continue;
    held.add(string);
    for (const reference of inlineYamlImages(file, string, variables)) found.push({ at: (reference.spans[0]?.start ?? file.base) - file.base, reference });
  }
  // Pod YAML returned or passed on in a string (a shared library's `return """…"""`): known by its content. One kept in a
  // variable (`def podYaml = '''…'''`) is read only where a pod field uses that variable by name, above.
  for (const string of strings) {
    const before = text.slice(Math.max(0, string.open - 60), string.open);
    if (held.has(string) || string.quote.length !== 3 || YAML_BEFORE.test(before) || /(?<![=!<>])=\s*$/.test(before)) continue;
    if (!isPodYaml(text.slice(string.start, string.end))) continue;
    held.add(string);
    for (const reference of inlineYamlImages(file, string, variables)) found.push({ at: (reference.spans[0]?.start ?? file.base) - file.base, reference });
  }
  const reported = new Set(found.map((entry) => entry.at));
  for (const [name, uses] of wholeUses) {
    const variable = variables.get(name);
    if (variable === undefined) continue;
    for (const entry of variableLiteralReferences(file, name, variable, uses)) if (!reported.has(entry.at)) found.push(entry);
  }
  return found.sort((a, b) => a.at - b.at).map((entry) => entry.reference);
}

/** Documentation (`Jenkinsfile.md`, an MDX page `Jenkinsfile.mdx`) and backups named after a Jenkinsfile: no pipeline runs them. */
const NOT_PIPELINE = /\.(?:md|mdx|markdown|txt|rst|adoc|html|orig|bak)$/i;

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
  claims: (file) => isJenkinsfile(file.path) || (GROOVY.test(file.path) && (PIPELINE_WORDS.test(file.text) || POD_YAML_WORDS.test(file.text))),
  extract: (file) => ({ references: extract(file), problems: [] }),
};
