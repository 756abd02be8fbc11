import type { SourceFile } from '../core/source-file.js';
import type { BuiltImage } from './extractor.js';
import { bakeTargets, jsonBake, targetContexts, type BakeContext, type BakeTarget } from './bake-targets.js';
import { ANY_BUILDER, buildDockerfiles } from './build-dockerfiles.js';
import { isArgName } from './extractors/dockerfile/dockerfile-args.js';
import { parseHcl } from './extractors/nomad/hcl-body.js';

/**
 * What a repository builds itself, read from the files a scan already has: image names given to
 * `docker build -t` / `docker tag` (and podman, buildah) in CI files and pipelines, the `tags` of
 * docker-bake targets, and the named build contexts of bake targets and compose `additional_contexts`.
 * A `FROM`, `COPY --from` or manifest that uses one of these names takes it from the local build or
 * context, not from a registry. Names written with variables are left out: they cannot be matched.
 */

export function isBakeFile(path: string): boolean {
  return /(^|\/)docker-bake(?:\.[^/]*)?\.(?:hcl|json)$/i.test(path);
}

/** A name as written, free of interpolation (`$X`, `${{ }}`, `{{ }}`, `%VAR%`). */
function plainName(text: string): string | null {
  const name = text.replace(/^["']|["']$/g, '');
  if (name === '' || /[$%{}()`\\]/.test(name) || !/^[A-Za-z0-9]/.test(name)) return null;
  return name;
}

function lineAt(file: SourceFile, offset: number): number {
  return file.position(offset).line;
}

/** The text of a shell command from `start`, through backslash-continued lines. */
function commandExtent(text: string, start: number): string {
  let end = start;
  for (;;) {
    const newline = text.indexOf('\n', end);
    if (newline === -1) return text.slice(start);
    const line = text.slice(end, newline).replace(/\r$/, '');
    if (!line.endsWith('\\')) return text.slice(start, newline);
    end = newline + 1;
  }
}

const BUILD_COMMAND = /\b(?:(?:docker|podman)\s+(?:buildx\s+|image\s+)?build|buildah\s+(?:bud|build))\b/g;
const TAG_FLAG = /(?:^|\s)(?:-t|--tag)(?:=|\s+)(["']?)([^\s"'\\;&|]+)\1/g;
const TAG_COMMAND = /\b(?:docker|podman)\s+(?:image\s+)?tag\s+(?:["']?[^\s"']+["']?)\s+(["']?)([^\s"'\\;&|]+)\1/g;

/**
 * Whether an offset stands on a comment line (`# podman build -t …`, `// docker tag …`): text about a build, not one.
 * The lines are read once, and each offset found by a binary search, so a file of anyone's making stays linear.
 */
function commentLines(text: string): (at: number) => boolean {
  const starts: number[] = [];
  const comments: boolean[] = [];
  for (let start = 0; start <= text.length;) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    starts.push(start);
    comments.push(/^[ \t]*(?:#|\/\/)/.test(text.slice(start, Math.min(end, start + 256))));
    if (newline === -1) break;
    start = newline + 1;
  }
  return (at) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] ?? 0) <= at) low = middle;
      else high = middle - 1;
    }
    return comments[low] ?? false;
  };
}

/** `docker build -t name` / `--tag name` and `docker tag source name` in any text (scripts in CI files, pipelines), not on comment lines. */
export function scriptBuilds(file: SourceFile): BuiltImage[] {
  const text = file.text;
  const builds: BuiltImage[] = [];
  let commented: ((at: number) => boolean) | undefined;
  const commentedOut = (at: number): boolean => (commented ??= commentLines(text))(at);
  const add = (raw: string, offset: number): void => {
    const name = plainName(raw);
    if (name) builds.push({ value: name, file: file.path, line: lineAt(file, offset) });
  };
  for (const command of text.matchAll(BUILD_COMMAND)) {
    const start = command.index;
    if (commentedOut(start)) continue;
    const extent = commandExtent(text, start);
    // The tag group takes part in every match of TAG_FLAG and TAG_COMMAND; the defaults only satisfy the compiler.
    for (const flag of extent.matchAll(TAG_FLAG)) {
      const [whole, , tag = ''] = flag;
      add(tag, start + flag.index + whole.indexOf(tag));
    }
  }
  for (const command of text.matchAll(TAG_COMMAND)) {
    if (commentedOut(command.index)) continue;
    const [whole, , tag = ''] = command;
    add(tag, command.index + whole.lastIndexOf(tag));
  }
  return builds;
}

/** Flags of `docker build` (and buildx, podman, buildah) that take the next word as their value. */
const VALUE_FLAGS = new Set([
  '-t',
  '--tag',
  '-f',
  '--file',
  '--build-arg',
  '--build-context',
  '--label',
  '--platform',
  '--target',
  '--cache-from',
  '--cache-to',
  '--secret',
  '--ssh',
  '-o',
  '--output',
  '--progress',
  '--network',
  '--iidfile',
  '--metadata-file',
  '--builder',
  '--add-host',
  '--shm-size',
  '--ulimit',
  '--cgroup-parent',
  '-m',
  '--memory',
  '--memory-swap',
  '--allow',
  '--annotation',
  '--attest',
  '--call',
  '--isolation',
  '--security-opt',
  '--cpu-shares',
  '--cpuset-cpus',
  '--cpuset-mems',
  '--cpu-period',
  '--cpu-quota',
  '--label-file',
  '--format',
  '--layers',
  '--jobs',
  '--volume',
  '-v',
  '--env',
  '-e',
  '--from',
  '--arch',
  '--os',
  '--variant',
  '--creds',
  '--authfile',
]);

/** The words of a command (quotes removed, each with its offset), up to where the shell runs another (`&&`, `;`, `|`) or redirects. */
function commandWords(text: string, start: number): Array<{ text: string; offset: number }> {
  const extent = commandExtent(text, start).replace(/\\\r?\n/g, (join) => ' '.repeat(join.length));
  const words: Array<{ text: string; offset: number }> = [];
  for (const match of extent.matchAll(/(?:"[^"]*"|'[^']*'|[^\s"';&|<>])+|[;&|<>]+/g)) {
    if (/^[;&|<>]/.test(match[0])) break;
    words.push({ text: match[0].replace(/["']/g, ''), offset: start + match.index });
  }
  return words;
}

/** What one build command passes: its `--build-arg` names and `--build-context` names (each with its offset), and the Dockerfiles it reads. */
interface ScriptBuild {
  readonly args: Array<{ name: string; offset: number }>;
  readonly contexts: Array<{ name: string; offset: number }>;
  readonly dockerfiles: readonly string[] | null;
}

/**
 * The build commands in any text (scripts in CI files and pipelines), not on comment lines, with the Dockerfiles each
 * command reads: its `-f` / `--file`, or else the Dockerfile of its context (the last word that is no flag's value). The
 * folder a script runs in is not known: a path is read from the repository's root, or else as the end of a Dockerfile's
 * path. Only commands that pass a build argument or a named context are returned.
 */
function scriptBuildCommands(file: SourceFile, dockerfiles: ReadonlySet<string>): ScriptBuild[] {
  const text = file.text;
  if (!text.includes('build-arg') && !text.includes('build-context')) return [];
  const found: ScriptBuild[] = [];
  let commented: ((at: number) => boolean) | undefined;
  for (const command of text.matchAll(BUILD_COMMAND)) {
    const start = command.index;
    if ((commented ??= commentLines(text))(start)) continue;
    const words = commandWords(text, start + command[0].length);
    const args: Array<{ name: string; offset: number }> = [];
    const contexts: Array<{ name: string; offset: number }> = [];
    let dockerfile: string | undefined;
    let context: string | undefined;
    for (let index = 0; index < words.length; index++) {
      const word = words[index]?.text ?? '';
      const equals = word.indexOf('=');
      const flag = word.startsWith('--') && equals !== -1 ? word.slice(0, equals) : word;
      const inline = flag === word ? undefined : word.slice(equals + 1);
      if (VALUE_FLAGS.has(flag)) {
        const value = inline ?? words[index + 1]?.text;
        const offset = inline === undefined ? (words[index + 1]?.offset ?? 0) : (words[index]?.offset ?? 0);
        if (inline === undefined) index++;
        if (value === undefined) continue;
        if (flag === '--build-arg') {
          const name = value.split('=')[0] ?? '';
          if (isArgName(name)) args.push({ name, offset });
        } else if (flag === '--build-context') {
          // `name=value`: the name a Dockerfile's `COPY --from=name` or `FROM name` uses for that context.
          const named = value.indexOf('=');
          if (named > 0) contexts.push({ name: value.slice(0, named), offset });
        } else if (flag === '-f' || flag === '--file') dockerfile = value;
      } else if (!word.startsWith('-')) context = word;
    }
    if (args.length === 0 && contexts.length === 0) continue;
    const built =
      dockerfile === undefined && context === undefined ? null : buildDockerfiles({ from: [''], context, dockerfile, dockerfileInContext: false, defaults: ANY_BUILDER, anywhere: true }, dockerfiles);
    found.push({ args, contexts, dockerfiles: built });
  }
  return found;
}

/**
 * `--build-arg NAME=value` (or `NAME`, the environment's value) of the build commands in any text (scriptBuildCommands), with
 * the Dockerfiles each command reads.
 */
export function scriptBuildArgs(file: SourceFile, dockerfiles: ReadonlySet<string>): PassedArg[] {
  return scriptBuildCommands(file, dockerfiles).flatMap((build) => build.args.map((arg) => ({ name: arg.name, file: file.path, line: lineAt(file, arg.offset), dockerfiles: build.dockerfiles })));
}

/**
 * `--build-context name=value` of the build commands in any text (scriptBuildCommands): named contexts, added to `facts` as a
 * bake target's are, for the Dockerfiles the command reads, or for every Dockerfile when its path is not known.
 */
export function scriptBuildContexts(file: SourceFile, dockerfiles: ReadonlySet<string>, facts: BakeFacts): void {
  for (const build of scriptBuildCommands(file, dockerfiles)) {
    for (const context of build.contexts) addContext(facts, context.name, { file: file.path, line: lineAt(file, context.offset) }, build.dockerfiles);
  }
}

/**
 * A named context for the Dockerfiles of the scan a build reads; for every Dockerfile when there are none (the path is written
 * with variables, or the Dockerfile is not a file of the scan).
 */
export function addContext(facts: BakeFacts, name: string, where: { file: string; line: number }, built: readonly string[] | null): void {
  if (built === null || built.length === 0) {
    if (!facts.contexts.has(name)) facts.contexts.set(name, where);
    return;
  }
  for (const path of built) {
    const named = facts.dockerfileContexts.get(path) ?? new Map<string, { file: string; line: number }>();
    if (!named.has(name)) named.set(name, where);
    facts.dockerfileContexts.set(path, named);
  }
}

export interface BakeFacts {
  readonly builds: BuiltImage[];
  /**
   * Named contexts (a folder, a URL, another target or an image): name → where set. A Dockerfile naming one uses the
   * context, never a registry image of that name. These are the contexts of targets whose Dockerfile is not a file
   * of the scan (written with variables, in another repository): they hold for every Dockerfile.
   */
  readonly contexts: Map<string, { file: string; line: number }>;
  /** The contexts of targets whose Dockerfile is a file of the scan: Dockerfile path → name → where set. */
  readonly dockerfileContexts: Map<string, Map<string, { file: string; line: number }>>;
  /** Build arguments that bake targets, compose services and build commands in scripts pass: a Dockerfile's `ARG` of that name may be set by the build. */
  readonly buildArgs: PassedArg[];
}

/**
 * A build argument a build passes (a bake target's `args`, a compose service's `build.args`, a devcontainer's `build.args`, `--build-arg` of a build
 * command), where it is written, and the Dockerfiles of the scan that build reads: null when its path is written with
 * variables (any Dockerfile may be the one).
 */
/** Where an image that a build argument names is built; `value` is its name when the argument writes it, `context` the bake context it names. */
export interface BuiltBy {
  readonly file: string;
  readonly line: number;
  readonly value?: string;
  readonly context?: string;
}

export interface PassedArg {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  readonly dockerfiles: readonly string[] | null;
  /**
   * The value is an image the repository builds (another job's output naming what its build step tags; a bake target's own
   * context that is another target's output, or a tag of a bake target): where that build is, with the image's name when the
   * value writes it.
   */
  readonly built?: BuiltBy;
}

/** `tags` and `contexts` of the targets of a docker-bake file (HCL or JSON); `dockerfiles` are the Dockerfiles of the scan. */
export function bakeFacts(file: SourceFile, facts: BakeFacts, dockerfiles: ReadonlySet<string>): void {
  const tag = (raw: string, offset: number): void => {
    const name = plainName(raw);
    if (name) facts.builds.push({ value: name, file: file.path, line: lineAt(file, offset) });
  };
  const targets = bakeTargets(file);
  const byName = new Map(targets.map((target) => [target.name, target]));
  const tags = bakeTags(file);
  for (const { contexts, args, dockerfiles: built } of targetContexts(file, targets, dockerfiles)) {
    for (const arg of args) {
      const image = arg.value === null ? undefined : bakeBuilt(file, arg.value, contexts, byName, tags);
      facts.buildArgs.push({ name: arg.name, file: file.path, line: lineAt(file, arg.offset), dockerfiles: built, ...(image ? { built: image } : {}) });
    }
    for (const context of contexts) addContext(facts, context.name, { file: file.path, line: lineAt(file, context.offset) }, built);
  }
  // A tag written with the file's variables (`"${REPO}:test"` after `variable "REPO" { default = "registry.example.test/team/app" }`) is the name their defaults give.
  let defaults: ReadonlyMap<string, string> | undefined;
  for (const { value, offset } of tags) {
    if (plainName(value) !== null || !value.includes('${')) tag(value, offset);
    else tag(withDefaults(value, (defaults ??= variableDefaults(file)))?.value ?? value, offset);
  }
}

/** The literal string defaults of an HCL bake file's top-level `variable` blocks (`variable "ORG" { default = "registry.example.test/team" }`), by name. */
export function variableDefaults(file: SourceFile): ReadonlyMap<string, string> {
  const defaults = new Map<string, string>();
  if (!/\.hcl$/i.test(file.path)) return defaults;
  for (const block of parseHcl(file.text).root.blocks) {
    if (block.type !== 'variable' || block.labels.length !== 1) continue;
    const [token, ...rest] = block.attributes.find((attribute) => attribute.name === 'default')?.value ?? [];
    if (token?.type !== 'string' || token.templated || token.escaped || rest.length > 0) continue;
    defaults.set(block.labels[0] ?? '', file.text.slice(token.start + 1, token.end - 1));
  }
  return defaults;
}

/** `${ORG}/base:${VERSION}` with each variable's default put in (the names, as written); null when one has none, or for other interpolation. */
export function withDefaults(image: string, defaults: ReadonlyMap<string, string>): { value: string; names: string[] } | null {
  const names: string[] = [];
  let value = '';
  let at = 0;
  for (const match of image.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_-]*)\}/g)) {
    const found = defaults.get(match[1] ?? '');
    if (found === undefined || found.includes('$')) return null;
    if (!names.includes(match[0])) names.push(match[0]);
    value += image.slice(at, match.index) + found;
    at = match.index + match[0].length;
  }
  value += image.slice(at);
  return value.includes('$') || names.length === 0 ? null : { value, names };
}

/** Whether a target of the bake file tags that name (`tags = ["registry.example.test/team/base:edge"]`). */
export function bakeTagged(file: SourceFile, name: string): boolean {
  return bakeTags(file).some((entry) => plainName(entry.value) === name);
}

/** The `tags` strings of a bake file's targets, as written, with their offsets. */
function bakeTags(file: SourceFile): Array<{ value: string; offset: number }> {
  if (/\.json$/i.test(file.path)) return [...(jsonBake(file)?.tags ?? [])];
  const found: Array<{ value: string; offset: number }> = [];
  for (const list of file.text.matchAll(/\btags\s*=\s*\[([^\]]*)\]/g)) {
    const bodyStart = list.index + list[0].indexOf('[') + 1;
    const [, body = ''] = list;
    for (const entry of body.matchAll(/"([^"]*)"/g)) found.push({ value: entry[1] ?? '', offset: bodyStart + entry.index + 1 });
  }
  return found;
}

/**
 * What a target's literal build argument names when it is an image the bake file builds: one of the target's own contexts
 * that is another target's output (`FROM_IMAGE = "slim"` beside `contexts = { slim = "target:base-slim" }`: where that target
 * is written), or a name one of the file's targets tags (where the tag is written, with the name).
 */
function bakeBuilt(
  file: SourceFile,
  value: string,
  contexts: readonly BakeContext[],
  targets: ReadonlyMap<string, BakeTarget>,
  tags: ReadonlyArray<{ value: string; offset: number }>,
): BuiltBy | undefined {
  const context = contexts.find((entry) => entry.name === value);
  if (context) {
    const target = /^target:(.+)$/.exec(context.value)?.[1];
    const found = target === undefined ? undefined : targets.get(target);
    return found ? { file: file.path, line: lineAt(file, found.offset), context: context.name } : undefined;
  }
  const name = plainName(value);
  const tagged = name === null ? undefined : tags.find((entry) => plainName(entry.value) === name);
  return tagged ? { file: file.path, line: lineAt(file, tagged.offset), value: name ?? value } : undefined;
}
