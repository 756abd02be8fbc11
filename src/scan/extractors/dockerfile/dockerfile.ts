import { parseImageRef } from '../../../core/image-ref.js';
import type { SourceFile } from '../../../core/source-file.js';
import type { Reference, ScanProblem } from '../../../core/types.js';
import type { BuiltImage, Extractor } from '../../extractor.js';
import { bakeFacts, isBakeFile, scriptBuildArgs, scriptBuildContexts, scriptBuilds, type BakeFacts, type BuiltBy } from '../../local-builds.js';
import { DEFINITION as DEVCONTAINER_DEFINITION } from '../devcontainer/devcontainer.js';
import { devcontainerBuildArgs } from '../devcontainer/devcontainer-builds.js';
import { actionBuildArgs, actionBuildContexts, bakeContextImages, bakeVariableImages, composeBuildArgs, composeContexts, wholeFromArgs } from './build-contexts.js';
import { isBakeText } from '../../bake-targets.js';
import { isJsonCandidate } from '../../json-candidate.js';
import { makeReference, type PartInput } from '../../make-reference.js';
import { fileRange, readArgs, resolveArgs as resolveAll, resolveNestedArgs, unquoted, type ArgDefault, type Resolved, type TextRange } from './dockerfile-args.js';
import { readDockerfile, splitWords, type LogicalLine, type Word } from './dockerfile-lines.js';
import { escapeRegExp } from '../../../core/regexp.js';

const KIND = 'dockerfile-from';
const DOCUMENT_OR_TEMPLATE = 'md|mdx|markdown|txt|rst|adoc|html|dockerignore|template|tmpl|tpl|j2|jinja|jinja2|erb|mustache';
/**
 * Names that look like `Dockerfile.*` but are documentation (`Dockerfile.md`, an MDX page `Dockerfile.mdx`) or ignore files, or templates that
 * become Dockerfiles only once rendered (`Dockerfile-alpine.template`, `Dockerfile.j2`).
 */
const NOT_DOCKERFILE = new RegExp(`\\.(?:${DOCUMENT_OR_TEMPLATE})$`);

/** A document's or template's extension with another after it: a translation's change file for a Markdown page (`dockerfile.md.ch`). */
const DOCUMENT_INSIDE = new RegExp(`\\.(?:${DOCUMENT_OR_TEMPLATE})\\.`);

/**
 * Extensions of data files and scripts (`dockerfile-lint.yaml`, `dockerfile_check.sh`): never a Dockerfile, whatever they hold; after a
 * dot, one only by content (see dottedSuffixByContent).
 */
const DATA_OR_SCRIPT = /\.(?:ya?ml|json|toml|xml|ini|cfg|sh|bash|py|rb|js|ts|go|ps1|bat|cmd)$/;

/**
 * `Dockerfile` or `Containerfile`, in any case and directory, alone, with a suffix after a dot (`Dockerfile.prod`), a dash
 * or an underscore and a name without extension (`Dockerfile-windows`, `Dockerfile_base`), or as the extension
 * (`app.Dockerfile`, `runner.containerfile`).
 */
export function isDockerfileName(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  if (base === 'dockerfile' || base === 'containerfile') return true;
  if (NOT_DOCKERFILE.test(base) || dottedSuffixByContent(base)) return false;
  return /^(?:dockerfile|containerfile)(?:\..|[-_][^.]+$)/.test(base) || /.\.(?:dockerfile|containerfile)$/.test(base);
}

/**
 * A Dockerfile's name with a suffix after a dot that is a script's or a data file's extension (`dockerfile.sh`, a shell
 * snippet; `dockerfile.go`, Go source), or that holds a document's or template's extension before another
 * (`dockerfile.md.ch`): a Dockerfile only when its content is one.
 */
function dottedSuffixByContent(base: string): boolean {
  return /^(?:dockerfile|containerfile)\.[^.]/.test(base) && (DATA_OR_SCRIPT.test(base) || DOCUMENT_INSIDE.test(base));
}

/**
 * Names that may hold a Dockerfile under another name (`files/DockerUbuntuApache`, `docker/ContainerBuild`): no extension,
 * and starting with "docker" or "container"; or a Dockerfile's name with a dash or an underscore and a name, followed by an
 * extension that is not a template's, a document's, a data file's or a script's (`dockerfile-cli.gpu`, `Containerfile_base.arm64`); or a
 * dotted suffix that needs its content (see dottedSuffixByContent). Read as one only when the content is one (see looksLikeDockerfile).
 */
export function mayBeDockerfileByContent(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  if (isDockerfileName(path)) return false;
  if (dottedSuffixByContent(base)) return !NOT_DOCKERFILE.test(base);
  if (/^(?:dockerfile|containerfile)[-_][^.]+\.[^.]/.test(base)) return !NOT_DOCKERFILE.test(base) && !DATA_OR_SCRIPT.test(base);
  return !base.includes('.') && /^(?:docker|container)[a-z0-9_-]/.test(base);
}

/** A here-document an instruction opens (`<<EOF`, `<<-EOF`, `<<"EOF"`; not a shell's here-string, `<<<`). */
const HEREDOC = /(?<!<)<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g;
const INSTRUCTION = /^(?:FROM|ARG|RUN|CMD|LABEL|MAINTAINER|EXPOSE|ENV|ADD|COPY|ENTRYPOINT|VOLUME|USER|WORKDIR|ONBUILD|STOPSIGNAL|HEALTHCHECK|SHELL)(?:\s|$)/i;

/**
 * A Dockerfile by content: its first instruction is `FROM` (after parser directives, comments and `ARG`s),
 * and every line is an instruction, a comment, blank, or the continuation of an instruction (comments and blank lines
 * inside one included). A shell
 * script, a README or a config file fails at its first line.
 */
export function looksLikeDockerfile(text: string): boolean {
  let sawFrom = false;
  let continued = false;
  let lines = 0;
  // The delimiters of here-documents still open (`RUN <<EOF` … `EOF`), in order: their lines are a script's, not instructions.
  const heredocs: Array<{ readonly word: string; readonly indented: boolean }> = [];
  for (const raw of text.split('\n')) {
    const open = heredocs[0];
    if (open !== undefined) {
      const body = raw.replace(/\r$/, '');
      if ((open.indented ? body.replace(/^\t+/, '') : body) === open.word) heredocs.shift();
      continue;
    }
    const line = raw.replace(/\r$/, '').trim();
    const wasContinued: boolean = continued;
    // A comment line inside a continued instruction is dropped by the parser; the instruction goes on after it.
    continued = line.endsWith('\\') || (wasContinued && (line === '' || line.startsWith('#')));
    if (line === '' || line.startsWith('#')) continue;
    for (const opened of line.matchAll(HEREDOC)) heredocs.push({ word: opened[3] ?? '', indented: opened[1] === '-' });
    if (wasContinued) continue;
    if (!INSTRUCTION.test(line)) return false;
    if (++lines > 10_000) return false;
    if (/^FROM\s/i.test(line)) sawFrom = true;
    else if (!sawFrom && !/^ARG\s/i.test(line)) return false;
  }
  return sawFrom;
}

/**
 * The text with its ARG defaults put in; an empty default counts only when what is left is an image
 * (`${PREFIX}debian:bookworm` is `debian:bookworm`; `x:$EMPTY` stays unresolved).
 */
function resolveArgs(text: string, args: ReadonlyMap<string, ArgDefault | null>, at: number): Resolved | null {
  const resolved = resolveAll(text, args, at);
  if (resolved === null || resolved.variables.every((variable) => variable.range.end > variable.range.start)) return resolved;
  return parseImageRef(resolved.value) === null ? null : resolved;
}

interface Scope {
  readonly file: SourceFile;
  readonly escape: string;
  readonly references: Reference[];
  /** Stage names declared so far, lower-cased as BuildKit compares them. */
  readonly stages: Set<string>;
  readonly args: Map<string, ArgDefault | null>;
  /** ARGs in scope in the current stage: declared in it, a bare `ARG NAME` taking the global default. */
  readonly stageArgs: Map<string, ArgDefault | null>;
  /** Named build contexts (bake `contexts`, compose `additional_contexts`): not images. */
  readonly contexts: ReadonlyMap<string, unknown>;
  /** Build arguments that a compose service, bake target or build command reading this Dockerfile passes, by name. */
  readonly buildArgs: ReadonlyMap<string, { file: string; line: number; built?: BuiltBy }>;
}

/**
 * The reference a template makes through ARG defaults (`FROM ${BASE}:${TAG}`) or defaults written in a use
 * (`${VERSION:-9.1.0}`, the value when nothing sets the variable: the detail says so), edited where each value is written.
 * When an `ARG` declares such a variable, or gives the default itself (`ARG NAME=value`), and a build of this Dockerfile
 * (a compose service, a bake target, a build-push-action step, a build command in a script) passes a build argument of
 * that name, that build uses the value it passes, not this default: the image is shown with the default, `templated`,
 * and not edited (a new default would not change what that build pulls). A default that does not make a valid reference
 * (`ARG BASE_DIGEST="put-a-real-digest-here"` before `FROM alpine@sha256:${BASE_DIGEST}`) is no image the build can use:
 * whoever builds passes the value (`--build-arg`). The reference is then the template as written, `templated`, the
 * detail naming each default, its line and why it cannot be used.
 */
function resolvedReference(scope: Scope, written: string, range: TextRange, resolved: Resolved, detail: string | undefined): Reference {
  const parts: PartInput[] = [
    { role: 'template', ...range },
    ...resolved.variables.map((variable) => ({ role: 'variable' as const, ...variable.range, variable: variable.name, ...(variable.use === undefined ? {} : { use: variable.use }) })),
  ];
  const notes = [detail];
  let skip: 'templated' | undefined;
  for (const variable of resolved.variables) {
    const passed = variable.use === undefined ? scope.buildArgs.get(variable.name) : undefined;
    if (!passed) continue;
    skip = 'templated';
    const line = scope.file.position(variable.range.start).line;
    notes.push(`default of ARG ${variable.name} (line ${line}), but ${passed.file}:${passed.line} passes ${variable.name} as a build argument, so that build may use another value: shown, not edited`);
  }
  for (const { name, declared } of resolved.defaults) {
    const passed = declared ? scope.buildArgs.get(name) : undefined;
    if (passed) {
      skip = 'templated';
      notes.push(`default of \${${name}}, but ${passed.file}:${passed.line} passes ${name} as a build argument, so that build may use another value: shown, not edited`);
    } else notes.push(declared ? `default of \${${name}}; a build argument may set another value` : `default of \${${name}}`);
  }
  const joined = notes.filter(Boolean).join('; ');
  const reference = makeReference(scope.file, { kind: KIND, value: resolved.value, parts, anchor: range.start, ...(skip ? { skip } : {}), ...(joined === '' ? {} : { detail: joined }) });
  if (reference.skip !== 'invalid-reference') return reference;
  const args = resolved.variables.map((variable) => `${variable.use === undefined ? `ARG ${variable.name}` : variable.use} (line ${scope.file.position(variable.range.start).line})`).join(', ');
  const why = `the default of ${args} gives ${resolved.value}, not a valid reference: the build must pass the value`;
  return makeReference(scope.file, { kind: KIND, value: written, parts: [{ role: 'reference', ...range }], skip: 'templated', detail: [detail, why].filter(Boolean).join('; ') });
}

/** The ARGs of a resolved template whose default a build of this Dockerfile replaces by passing a build argument of that name. */
function passedArgs(scope: Scope, resolved: Resolved): Array<{ name: string; passed: { file: string; line: number } }> {
  const names = [
    ...resolved.variables.filter((variable) => variable.use === undefined).map((variable) => variable.name),
    ...resolved.defaults.filter((entry) => entry.declared).map((entry) => entry.name),
  ];
  const found: Array<{ name: string; passed: { file: string; line: number } }> = [];
  for (const name of new Set(names)) {
    const passed = scope.buildArgs.get(name);
    if (passed) found.push({ name, passed });
  }
  return found;
}

/** A `COPY --from=` or `RUN --mount=…,from=` value: reported unless it names a stage or a stage index. */
function fromFlag(scope: Scope, line: LogicalLine, start: number, end: number, detail: string): void {
  const inner = unquoted(line, { start, end }, scope.escape);
  if (!inner) return;
  const text = line.text.slice(inner.start, inner.end);
  if (text === '' || /^\d+$/.test(text) || scope.stages.has(text.toLowerCase()) || scope.contexts.has(text)) return;
  const range = fileRange(line, inner.start, inner.end);
  if (!range) return;
  // BuildKit expands the stage's ARGs in `--from`: resolve them like a FROM line does with global ARGs.
  const resolved = text.includes('$') ? resolveArgs(text, scope.stageArgs, range.start) : null;
  if (resolved) {
    if (/^\d+$/.test(resolved.value) || scope.stages.has(resolved.value.toLowerCase())) return;
    scope.references.push(resolvedReference(scope, text, range, resolved, detail));
    return;
  }
  scope.references.push(makeReference(scope.file, { kind: KIND, value: text, parts: [{ role: 'reference', ...range }], detail }));
}

/** An `ARG` inside a stage: a bare name takes the global default, `NAME=value` its own. */
function stageArg(scope: Scope, line: LogicalLine, words: readonly Word[], escape: string): void {
  for (const word of words) {
    const name = word.text;
    const global = name.includes('=') ? undefined : scope.args.get(name);
    if (global !== undefined && !scope.stageArgs.has(name)) scope.stageArgs.set(name, global);
  }
  readArgs(line, words, escape, scope.stageArgs);
}

/** The closer of the action a word leaves open (`{{ item.registry.url }}/{{` opens a second one), or null. */
function openAction(text: string): '}}' | ']]' | null {
  if (text.lastIndexOf('{{') > text.lastIndexOf('}}') && text.lastIndexOf('{{') >= 0) return '}}';
  if (text.lastIndexOf('[[') > text.lastIndexOf(']]') && text.lastIndexOf('[[') >= 0) return ']]';
  return null;
}

/**
 * A template action written with spaces inside (`{{ spec.base }}`, `[[ .BaseImage ]]`, a generator's placeholder in a
 * Dockerfile it renders) is one word of the instruction, from its opening to the word that closes it, and so are several
 * such actions in one word (`{{ item.registry.url }}/{{ item.image }}`, a Molecule scenario's Dockerfile); `words` with
 * those joined (unchanged when the first action is never closed on the line; a later one left open ends the word where
 * the last closed action ends).
 */
function joinActions(line: LogicalLine, words: readonly Word[]): readonly Word[] {
  // For each word, the first word after it that holds each closer (one pass from the end: a line of anyone's making stays linear).
  const nextCloser = { '}}': new Array<number>(words.length).fill(-1), ']]': new Array<number>(words.length).fill(-1) };
  let braces = -1;
  let brackets = -1;
  for (let index = words.length - 1; index >= 0; index--) {
    nextCloser['}}'][index] = braces;
    nextCloser[']]'][index] = brackets;
    const text = words[index]?.text ?? '';
    if (text.includes('}}')) braces = index;
    if (text.includes(']]')) brackets = index;
  }
  const joined: Word[] = [];
  for (let index = 0; index < words.length; index++) {
    const word = words[index];
    if (word === undefined) continue;
    const closer = openAction(word.text);
    let last = closer === null ? -1 : (nextCloser[closer][index] ?? -1);
    if (closer === null || last === -1) {
      joined.push(word);
      continue;
    }
    // The word that closes an action may open the next one (`}}/{{`): the word runs on to the one that closes that.
    for (let next = words[last]; next !== undefined && openAction(next.text) === closer; next = words[last]) {
      const further = nextCloser[closer][last] ?? -1;
      if (further === -1) break;
      last = further;
    }
    const end = words[last]?.end ?? word.end;
    joined.push({ text: line.text.slice(word.start, end), start: word.start, end });
    index = last;
  }
  return joined;
}

function fromInstruction(scope: Scope, line: LogicalLine, all: readonly Word[]): void {
  const words = joinActions(line, all);
  let index = 1;
  let platform: string | null = null;
  for (let flag = words[index]?.text; flag?.startsWith('--'); flag = words[index]?.text) {
    const given = /^--platform=(.*)$/.exec(flag);
    if (given) platform = given[1] ?? '';
    index++;
  }
  const word = words[index];
  if (!word) return;
  const reference = fromReference(scope, line, word, platform === null ? {} : { detail: `platform=${platform}` });
  if (reference) scope.references.push(reference);
  const stage = words[index + 1]?.text.toLowerCase() === 'as' ? words[index + 2]?.text.toLowerCase() : undefined;
  if (stage) scope.stages.add(stage);
}

/**
 * `FROM binaries-$TARGETOS AS binaries` after `FROM scratch AS binaries-linux`: a build argument picks one
 * of the earlier stages. True when the text, with its variables read as "anything", matches a stage name
 * and has some literal text of its own (a lone `$BASE` could be anything).
 */
function namesStage(written: string, stages: ReadonlySet<string>): boolean {
  const pieces = written.toLowerCase().split(/\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/);
  if (pieces.join('') === '' || stages.size === 0) return false;
  const pattern = new RegExp(`^${pieces.map(escapeRegExp).join('.+')}$`);
  for (const stage of stages) if (pattern.test(stage)) return true;
  return false;
}

/**
 * `FROM ${BASE}` (the image a global ARG alone names) when the build that passes `BASE` gives it an image the same workflow
 * builds in another job (`BASE=${{ needs.base.outputs.tag }}`, that job's output being what its build step tags): the
 * repository's own image, `local-stage`, shown as written (the ARG's default is not what that build uses). So is one that every
 * bake target passing it gives a literal naming an image the bake file builds: a context of its own that is another target's
 * output (shown with the ARG's default as far as it goes, which names the image that target builds), or a name a target tags
 * (shown with that name). The value and the detail, or null.
 */
function builtArg(scope: Scope, written: string): { value: string; detail: string } | null {
  const name = /^\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))$/.exec(written);
  const arg = name?.[1] ?? name?.[2];
  if (arg === undefined || !scope.args.has(arg)) return null;
  const passed = scope.buildArgs.get(arg);
  const built = passed?.built;
  if (!passed || !built) return null;
  const where = `${built.file}:${built.line}`;
  if (built.value !== undefined) return { value: built.value, detail: `${passed.file}:${passed.line} passes ${arg} = ${built.value}, the image a bake target tags at ${where}` };
  if (built.context === undefined) return { value: written, detail: `${passed.file}:${passed.line} passes ${arg} as a build argument, the image built at ${where}` };
  // A bake context that is another target's output: the ARG's default, as far as the file's defaults go, names the image.
  const shown = argDefault(scope.args, arg);
  return {
    value: shown ?? written,
    detail: `${passed.file}:${passed.line} passes ${arg} = "${built.context}", the build context that the target at ${where} builds${shown === null ? '' : `; shown with the default of ARG ${arg}`}`,
  };
}

/**
 * An ARG's default with the other ARGs it uses put in where their defaults are non-empty literals, a few levels deep, and the
 * others left as written (`${REPO}:${TAG_PREFIX}${VERSION}-slim` with `REPO=registry.example.test/team/php` and `TAG_PREFIX=""` is
 * `registry.example.test/team/php:${TAG_PREFIX}${VERSION}-slim`). Null when there is no default or it names no repository path or tag.
 */
function argDefault(args: ReadonlyMap<string, ArgDefault | null>, name: string): string | null {
  const own = args.get(name)?.text;
  if (own === undefined || own === '') return null;
  const value = withArgDefaults(args, own, 1);
  return /[/:]/.test(value) ? value : null;
}

/** `$NAME` / `${NAME}` in the text replaced by the ARGs' non-empty defaults, a few levels deep; the others left as written. */
function withArgDefaults(args: ReadonlyMap<string, ArgDefault | null>, text: string, depth: number): string {
  return text.replace(ARG_USE, (use, braced: string | undefined, bare: string | undefined) => {
    const found = args.get(braced ?? bare ?? '');
    return found && found.text !== '' && depth < 4 ? withArgDefaults(args, found.text, depth + 1) : use;
  });
}

const ARG_USE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/**
 * A `FROM` written through ARGs whose defaults use an ARG that has none (`FROM $BUILD_IMAGE` after
 * `ARG BUILD_IMAGE="${REGISTRY}/team/cpp:local"` and `ARG REGISTRY`): the defaults there are put in and the others left as
 * written (`${REGISTRY}/team/cpp:local`), `templated`, the detail naming the variables without a default and the builds that
 * pass them. Null when a build passes an argument the `FROM` uses itself, no default goes in, a use is of another form (`${NAME:+word}`), or what it gives names no repository
 * path or tag.
 */
function partlyResolved(scope: Scope, written: string, range: TextRange, detail: string | undefined): Reference | null {
  // A build that passes an argument the `FROM` itself uses replaces what its default would give.
  if ([...written.matchAll(ARG_USE)].some((match) => scope.buildArgs.has(match[1] ?? match[2] ?? ''))) return null;
  const value = withArgDefaults(scope.args, written, 0);
  const literal = value.replace(ARG_USE, '');
  if (value === written || literal.includes('$') || !/[/:@]/.test(literal)) return null;
  const names = [...new Set([...value.matchAll(ARG_USE)].map((match) => match[1] ?? match[2] ?? ''))];
  const notes = names.map((name) => {
    const passed = scope.args.has(name) ? scope.buildArgs.get(name) : undefined;
    return passed ? `${passed.file}:${passed.line} passes ${name} as a build argument` : `no default for \${${name}}`;
  });
  const through = `ARG defaults put in where they are given (${notes.join(', ')}): shown, not edited`;
  return makeReference(scope.file, { kind: KIND, value, parts: [{ role: 'reference', ...range }], skip: 'templated', detail: [detail, through].filter(Boolean).join('; ') });
}

/** The image of a `FROM`, or null for `scratch` and earlier stages (also when named through an ARG default). */
function fromReference(scope: Scope, line: LogicalLine, word: Word, detail: { detail?: string }): Reference | null {
  const isImage = (name: string): boolean => name.toLowerCase() !== 'scratch' && !scope.stages.has(name.toLowerCase()) && !scope.contexts.has(name);
  const inner = unquoted(line, word, scope.escape);
  const logical = inner ?? word;
  const written = line.text.slice(logical.start, logical.end);
  const range = fileRange(line, logical.start, logical.end);
  if (!range || !inner) {
    // Split by a continuation or mixed quoting: reported, but it cannot be edited in place. Quotes
    // inside the word (`alpine:"${ALPINE_TAG}"`) are removed as the shell would, to show the image.
    // A word covers at least one character of the line.
    const start = line.offsets[word.start] ?? 0;
    const end = (line.offsets[word.end - 1] ?? start) + 1;
    const dequoted = withoutQuotes(written, scope.escape);
    // Only the value is used here: the word is not edited, so where its characters lie does not matter.
    const resolved = dequoted?.includes('$') ? resolveArgs(dequoted, scope.args, 0) : null;
    const value = resolved?.value ?? dequoted ?? written;
    if (dequoted !== null && !isImage(value)) return null;
    const passing = resolved ? passedArgs(scope, resolved) : [];
    if (passing.length > 0) {
      // A build passes the argument: its value, not the default, is what that build pulls. Shown as written, quotes kept.
      const notes = passing.map(({ name, passed }) => `${passed.file}:${passed.line} passes ${name} as a build argument, so that build may use another value: shown as written, not edited`);
      return makeReference(scope.file, { kind: KIND, value: written, parts: [{ role: 'reference', start, end }], skip: 'templated', detail: [detail.detail, ...notes].filter(Boolean).join('; ') });
    }
    if (dequoted?.includes('$') && !resolved && !resolveNestedArgs(dequoted, scope.args)) {
      if (namesStage(dequoted, scope.stages)) return null;
      // A variable no default gives (`servercore:"${WINDOWS_TAG}"` after `ARG WINDOWS_TAG`): the image is not known, whatever the
      // quotes; shown without them, `templated`, with the builds that pass the variable named.
      const names = [...new Set([...dequoted.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1] ?? ''))];
      const notes = names.flatMap((name) => {
        const passed = scope.args.has(name) ? scope.buildArgs.get(name) : undefined;
        return passed ? [`${passed.file}:${passed.line} passes ${name} as a build argument`] : [];
      });
      const why = notes.length > 0 ? notes : [`no default for ${names.map((name) => `\${${name}}`).join(', ')}`];
      return makeReference(scope.file, {
        kind: KIND,
        value: dequoted,
        parts: [{ role: 'reference', start, end }],
        skip: 'templated',
        detail: [detail.detail, ...why, 'quotes inside the word: not edited'].filter(Boolean).join('; '),
      });
    }
    const note = dequoted === null ? {} : { detail: [detail.detail, 'quotes inside the word: not edited'].filter(Boolean).join('; ') };
    return makeReference(scope.file, { kind: KIND, value, parts: [{ role: 'reference', start, end }], skip: 'unsupported-quoting', ...detail, ...note });
  }
  if (!written.includes('$')) {
    return isImage(written) ? makeReference(scope.file, { kind: KIND, value: written, parts: [{ role: 'reference', ...range }], ...detail }) : null;
  }
  const built = builtArg(scope, written);
  if (built) {
    return makeReference(scope.file, {
      kind: KIND,
      value: built.value,
      parts: [{ role: 'reference', ...range }],
      skip: 'local-stage',
      detail: [detail.detail, built.detail].filter(Boolean).join('; '),
    });
  }
  const resolved = resolveArgs(written, scope.args, range.start);
  if (!resolved) {
    const nested = resolveNestedArgs(written, scope.args);
    if (nested) {
      // ARG defaults built from other ARGs: the image is known, but no single literal holds it.
      if (!isImage(nested.value)) return null;
      const through = `ARG defaults built from other ARGs (${nested.names.join(', ')}): shown, not edited`;
      return makeReference(scope.file, { kind: KIND, value: nested.value, parts: [{ role: 'reference', ...range }], skip: 'templated', detail: [detail.detail, through].filter(Boolean).join('; ') });
    }
    if (namesStage(written, scope.stages) || namesStage(withArgDefaults(scope.args, written, 0), scope.stages)) return null;
    return partlyResolved(scope, written, range, detail.detail) ?? makeReference(scope.file, { kind: KIND, value: written, parts: [{ role: 'reference', ...range }], skip: 'templated', ...detail });
  }
  if (!isImage(resolved.value)) return null;
  // `FROM runtime-${FLAVOUR}` after `AS runtime-alpine`, `ARG FLAVOUR=none`: the default names no stage, but the build that
  // passes FLAVOUR picks one of them, as it does with no default.
  if (!/[/:@]/.test(written) && namesStage(written, scope.stages) && passedArgs(scope, resolved).length > 0) return null;
  return resolvedReference(scope, written, range, resolved, detail.detail);
}

/**
 * A word with quoted pieces (`alpine:"3.20"`, `"$BASE":'1'`) as the shell reads it; null with an escape character or an
 * unclosed quote. A variable's name ends where its text does, at a quote too: `$PREFIX"alpine:3.20"` is `${PREFIX}alpine:3.20`
 * (written braced, so that the quote's removal does not join the name to the text after it); in single quotes `$` is text.
 */
function withoutQuotes(text: string, escape: string): string | null {
  if (text.includes(escape) || text.includes('\n')) return null;
  let out = '';
  let quote: string | null = null;
  for (let at = 0; at < text.length; at++) {
    const char = text[at] ?? '';
    const name = char === '$' && quote !== "'" ? /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(at + 1))?.[0] : undefined;
    if (name !== undefined) {
      out += `\${${name}}`;
      at += name.length;
    } else if (quote !== null) {
      if (char === quote) quote = null;
      else out += char;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else {
      out += char;
    }
  }
  return quote === null ? out : null;
}

function flagWords(words: readonly Word[]): Word[] {
  const flags: Word[] = [];
  for (const word of words.slice(1)) {
    if (!word.text.startsWith('--')) break;
    flags.push(word);
  }
  return flags;
}

function extract(file: SourceFile, facts: DockerfileFacts | undefined): { references: Reference[]; problems: readonly ScanProblem[] } {
  const parsed = readDockerfile(file);
  // The contexts of every bake target, with those of the targets that build this Dockerfile.
  const own = facts?.dockerfileContexts.get(file.path);
  const contexts = own ? new Map([...(facts?.contexts ?? []), ...own]) : (facts?.contexts ?? new Map());
  // The build arguments of the builds that read this Dockerfile (or one whose path is not known), the first found by name.
  // An argument names an image built here only when every build that passes it does.
  const buildArgs = new Map<string, { file: string; line: number; built?: BuiltBy }>();
  for (const arg of facts?.buildArgs ?? []) {
    if (arg.dockerfiles !== null && !arg.dockerfiles.includes(file.path)) continue;
    const known = buildArgs.get(arg.name);
    if (!known) buildArgs.set(arg.name, { file: arg.file, line: arg.line, ...(arg.built ? { built: arg.built } : {}) });
    else if (known.built && !arg.built) buildArgs.set(arg.name, { file: known.file, line: known.line });
  }
  const scope: Scope = { file, escape: parsed.escape, references: [], stages: new Set(), args: new Map(), stageArgs: new Map(), contexts, buildArgs };
  for (const directive of parsed.directives) {
    if (directive.key !== 'syntax' || directive.value === '') continue;
    scope.references.push(
      makeReference(file, {
        kind: KIND,
        value: directive.value,
        parts: [{ role: 'reference', start: directive.start, end: directive.end }],
        detail: 'syntax directive',
      }),
    );
  }
  let seenFrom = false;
  for (const line of parsed.instructions) {
    const words = splitWords(line, parsed.escape);
    const keyword = words[0]?.text.toUpperCase();
    if (keyword === 'ARG' && !seenFrom) readArgs(line, words.slice(1), parsed.escape, scope.args);
    else if (keyword === 'ARG') stageArg(scope, line, words.slice(1), parsed.escape);
    else if (keyword === 'FROM') {
      seenFrom = true;
      scope.stageArgs.clear();
      fromInstruction(scope, line, words);
    } else if (keyword === 'COPY') {
      for (const flag of flagWords(words)) {
        if (flag.text.startsWith('--from=')) fromFlag(scope, line, flag.start + 7, flag.end, 'COPY --from');
      }
    } else if (keyword === 'RUN') {
      for (const flag of flagWords(words)) {
        if (!flag.text.startsWith('--mount=')) continue;
        let at = flag.start + 8;
        for (const field of flag.text.slice(8).split(',')) {
          if (field.startsWith('from=')) fromFlag(scope, line, at + 5, at + field.length, 'RUN --mount');
          at += field.length + 1;
        }
      }
    }
  }
  return { references: scope.references, problems: parsed.problems };
}

interface DockerfileFacts extends BakeFacts {
  /** The Dockerfiles of the scan, by path. */
  readonly dockerfiles: ReadonlySet<string>;
  /** By Dockerfile path: the build arguments its `FROM` lines use as the whole image (`FROM ${BASE}`). */
  readonly fromArgs: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Other names a bake file may have (`tests/build.hcl`, `ci/bake.json`): one when its content holds bake targets. */
const BAKE_BY_CONTENT = /\.(?:hcl|json)$/i;

/** A docker-bake file by its name (`docker-bake.hcl`), or any HCL or JSON file whose content holds bake targets. */
function isBake(file: SourceFile): boolean {
  return isBakeFile(file.path) || (BAKE_BY_CONTENT.test(file.path) && isBakeText(file));
}

/** A file that may build or tag images by script: CI files and pipelines (any YAML, Jenkinsfiles). */
const BUILDS_BY_SCRIPT = /\b(?:docker|podman|buildah)\s+(?:buildx\s+|image\s+)?(?:build|bud|tag)\b/;

/**
 * Named build contexts, the images built here and the build arguments builds pass, over all files of a scan:
 * docker-bake `contexts`, `tags` and `args`, compose `additional_contexts` and `build.args`, build-push-action
 * `build-args`, a devcontainer's `build.args`, `docker build -t` / `--build-arg` / `docker tag` in scripts.
 */
function dockerfileFacts(files: readonly SourceFile[]): DockerfileFacts {
  const dockerfiles = new Set(files.filter((file) => isDockerfileName(file.path)).map((file) => file.path));
  const fromArgs = new Map<string, ReadonlySet<string>>();
  const facts: DockerfileFacts = { builds: [], contexts: new Map(), dockerfileContexts: new Map(), buildArgs: [], dockerfiles, fromArgs };
  const bakes = files.some((file) => isBakeFile(file.path) || /\.hcl$/i.test(file.path));
  for (const file of files) {
    if (isDockerfileName(file.path)) {
      if (!bakes) continue;
      try {
        const names = wholeFromArgs(file.text);
        if (names.size > 0) fromArgs.set(file.path, names);
        file.release();
      } catch {
        // A file that cannot be read again is reported when the scan reaches it.
      }
      continue;
    }
    try {
      if (isBake(file)) bakeFacts(file, facts, dockerfiles);
      else if (DEVCONTAINER_DEFINITION.test(file.path)) {
        if (file.text.includes('"args"')) facts.buildArgs.push(...devcontainerBuildArgs(file, dockerfiles));
      } else if (/\.ya?ml$/i.test(file.path)) {
        if (file.text.includes('additional_contexts')) composeContexts(file, facts.contexts);
        if (/^\s+args:/m.test(file.text) && /^\s+build:/m.test(file.text)) facts.buildArgs.push(...composeBuildArgs(file, dockerfiles));
        if (file.text.includes('build-push-action') && file.text.includes('build-args')) facts.buildArgs.push(...actionBuildArgs(file, dockerfiles));
        if (file.text.includes('build-push-action') && file.text.includes('build-contexts')) actionBuildContexts(file, dockerfiles, facts);
      }
      if (BUILDS_BY_SCRIPT.test(file.text)) {
        for (const built of scriptBuilds(file)) facts.builds.push(built);
        facts.buildArgs.push(...scriptBuildArgs(file, dockerfiles));
        scriptBuildContexts(file, dockerfiles, facts);
      }
    } catch {
      // A file that cannot be read again is reported when the scan reaches it.
    }
    file.release();
  }
  return facts;
}

/**
 * Dockerfiles and Containerfiles (also under other names starting with "docker"/"container" when the
 * content is one): `FROM` images (through global `ARG` defaults), `COPY --from`, `RUN --mount=from=`,
 * `# syntax=`; docker-bake `docker-image://` contexts.
 */
export const dockerfileExtractor: Extractor<DockerfileFacts> = {
  name: 'dockerfile',
  kinds: ['dockerfile-from', 'bake-context'],
  quoting: 'verbatim',
  isCandidate: (path) => isDockerfileName(path) || isBakeFile(path) || /\.hcl$/i.test(path) || isJsonCandidate(path) || mayBeDockerfileByContent(path),
  prepare: dockerfileFacts,
  preparedBuilds: (facts): readonly BuiltImage[] => facts.builds,
  owns: (file) => isDockerfileName(file.path) || isBakeFile(file.path),
  claims: (file) => isDockerfileName(file.path) || isBake(file) || (mayBeDockerfileByContent(file.path) && looksLikeDockerfile(file.text)),
  extract: (file, facts) =>
    !isDockerfileName(file.path) && isBake(file)
      ? { references: [...bakeContextImages(file), ...(facts ? bakeVariableImages(file, facts.dockerfiles, facts.fromArgs) : [])], problems: [] }
      : extract(file, facts),
};
