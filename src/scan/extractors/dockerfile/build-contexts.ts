import { isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import type { SourceFile } from '../../../core/source-file.js';
import type { Reference } from '../../../core/types.js';
import { writtenParts } from '../../../core/image-ref.js';
import { bakeTargets, targetContexts } from '../../bake-targets.js';
import { addContext, bakeTagged, variableDefaults, withDefaults, type BakeFacts, type PassedArg } from '../../local-builds.js';
import { ANY_BUILDER, buildDockerfiles } from '../../build-dockerfiles.js';
import { isBuildPushAction } from '../../build-push-actions.js';
import { makeReference } from '../../make-reference.js';
import { isArgName } from './dockerfile-args.js';
import { parseHcl } from '../nomad/hcl-body.js';
import { mapEntries, mapGet, stringScalar, yamlSource } from '../../yaml-source.js';

/** Each compose service's `build` map in the file. */
function composeBuilds(file: SourceFile): YAMLMap[] {
  const found: YAMLMap[] = [];
  for (const document of yamlSource(file).documents) {
    const root = document.contents;
    const services = isMap(root) ? mapGet(root, 'services') : undefined;
    if (!isMap(services)) continue;
    for (const [, service] of mapEntries(services)) {
      const build = isMap(service) ? mapGet(service, 'build') : undefined;
      if (isMap(build)) found.push(build);
    }
  }
  return found;
}

/**
 * Compose `build.additional_contexts` of every service: the names a Dockerfile may use in
 * `COPY --from=name` or `FROM name` (a map `name: ./dir`, or a list `- name=./dir`). Whatever the
 * context is (a folder, a URL, `docker-image://…`), the name in the Dockerfile is not a registry image.
 */
export function composeContexts(file: SourceFile, contexts: Map<string, { file: string; line: number }>): void {
  const add = (name: string, offset: number): void => {
    if (contexts.has(name)) return;
    contexts.set(name, { file: file.path, line: file.position(offset).line });
  };
  for (const additional of composeBuilds(file).map((build) => mapGet(build, 'additional_contexts'))) {
    if (isMap(additional)) {
      for (const [name, value, key] of mapEntries(additional)) {
        const scalar = stringScalar(value, file);
        if (scalar) add(name, key?.range?.[0] ?? scalar.start);
      }
    } else if (isSeq(additional)) {
      for (const item of additional.items) {
        const scalar = stringScalar(item, file);
        const equals = scalar?.value.indexOf('=') ?? -1;
        if (scalar && equals > 0) add(scalar.value.slice(0, equals), scalar.start);
      }
    }
  }
}

/**
 * The Dockerfiles of the scan a compose `build` map reads (buildDockerfiles): `dockerfile` (default `Dockerfile`, or
 * `Containerfile`) in its `context` (default `.`), from the compose file's folder. Null when either is written with
 * variables (any Dockerfile may be the one); none for a `dockerfile_inline`.
 */
function composeDockerfiles(file: SourceFile, build: YAMLMap, dockerfiles: ReadonlySet<string>): readonly string[] | null {
  if (mapGet(build, 'dockerfile_inline') !== undefined) return [];
  const read = (key: string): string | null | undefined => {
    const node = mapGet(build, key);
    if (node === undefined || (isScalar(node) && node.value === null)) return undefined;
    return stringScalar(node, file)?.value ?? null;
  };
  const context = read('context');
  const dockerfile = read('dockerfile');
  if (context === null || dockerfile === null) return null;
  const folder = file.path.includes('/') ? file.path.slice(0, file.path.lastIndexOf('/')) : '';
  return buildDockerfiles({ from: [folder], context, dockerfile, dockerfileInContext: true, defaults: ANY_BUILDER }, dockerfiles);
}

/**
 * Compose `build.args` of every service (a map `VERSION: …`, or a list `- VERSION=…` or `- VERSION`): the arguments the
 * build passes to the `ARG`s of the Dockerfile it reads.
 */
export function composeBuildArgs(file: SourceFile, dockerfiles: ReadonlySet<string>): PassedArg[] {
  const passed: PassedArg[] = [];
  for (const build of composeBuilds(file)) {
    const args = mapGet(build, 'args');
    if (args === undefined) continue;
    const built = composeDockerfiles(file, build, dockerfiles);
    const add = (name: string, offset: number): void => {
      if (isArgName(name)) passed.push({ name, file: file.path, line: file.position(offset).line, dockerfiles: built });
    };
    if (isMap(args)) {
      for (const [name, , key] of mapEntries(args)) add(name, key?.range?.[0] ?? 0);
    } else if (isSeq(args)) {
      for (const item of args.items) {
        const scalar = stringScalar(item, file);
        if (!scalar) continue;
        const equals = scalar.value.indexOf('=');
        add(equals === -1 ? scalar.value : scalar.value.slice(0, equals), scalar.start);
      }
    }
  }
  return passed;
}

/** The steps of a workflow's jobs (`jobs.<id>.steps`) and of a composite action (`runs.steps`), with the jobs by id. */
function workflowSteps(file: SourceFile): { steps: YAMLMap[]; jobs: Map<string, YAMLMap> } {
  const steps: YAMLMap[] = [];
  const byId = new Map<string, YAMLMap>();
  const add = (list: unknown): void => {
    if (isSeq(list)) for (const step of list.items) if (isMap(step)) steps.push(step);
  };
  for (const document of yamlSource(file).documents) {
    const root = document.contents;
    if (!isMap(root)) continue;
    const jobs = mapGet(root, 'jobs');
    if (isMap(jobs)) {
      for (const [id, job] of mapEntries(jobs)) {
        if (!isMap(job)) continue;
        byId.set(id, job);
        add(mapGet(job, 'steps'));
      }
    }
    const runs = mapGet(root, 'runs');
    if (isMap(runs)) add(mapGet(runs, 'steps'));
  }
  return { steps, jobs: byId };
}

/** `${{ needs.<job>.outputs.<name> }}` as a whole value. */
const NEEDS_OUTPUT = /^\$\{\{\s*needs\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_][\w-]*)\s*\}\}$/;

/** An expression's text without its spaces (`${{ steps.tag.outputs.tag }}` and `${{steps.tag.outputs.tag}}` are one). */
const compact = (text: string): string => text.replace(/\s+/g, '');

/**
 * The build step of the workflow whose image a build argument's value names: `${{ needs.<job>.outputs.<name> }}`, where that
 * job's output is an expression (`${{ steps.tag.outputs.tag }}`) that one of its `docker/build-push-action` steps writes as
 * its whole `tags` value. Null for anything else.
 */
function builtByJob(file: SourceFile, value: string, jobs: ReadonlyMap<string, YAMLMap>): { file: string; line: number } | null {
  const match = NEEDS_OUTPUT.exec(value.trim());
  const job = match ? jobs.get(match[1] ?? '') : undefined;
  const outputs = job ? mapGet(job, 'outputs') : undefined;
  const output = isMap(outputs) ? stringScalar(mapGet(outputs, match?.[2] ?? ''), file)?.value : undefined;
  if (!job || output === undefined || !/^\s*\$\{\{[^}]*\}\}\s*$/.test(output)) return null;
  const steps = mapGet(job, 'steps');
  if (!isSeq(steps)) return null;
  for (const step of steps.items) {
    if (!isMap(step) || !isBuildPushAction(stringScalar(mapGet(step, 'uses'), file)?.value ?? '')) continue;
    const inputs = mapGet(step, 'with');
    const tags = isMap(inputs) ? stringScalar(mapGet(inputs, 'tags'), file) : null;
    if (tags && compact(tags.value) === compact(output)) return { file: file.path, line: file.position(tags.start).line };
  }
  return null;
}

/**
 * `build-args` of the GitHub Actions steps that build with `docker/build-push-action` (`NAME=value` lines, or `NAME`), with
 * the Dockerfile each reads: its `file`, or else the `Dockerfile` of its `context` (default: the repository's root), from
 * the repository's root, where the workflow's steps run.
 */
export function actionBuildArgs(file: SourceFile, dockerfiles: ReadonlySet<string>): PassedArg[] {
  const passed: PassedArg[] = [];
  const { steps, jobs } = workflowSteps(file);
  for (const step of steps) {
    const uses = stringScalar(mapGet(step, 'uses'), file)?.value;
    const inputs = mapGet(step, 'with');
    if (uses === undefined || !isBuildPushAction(uses) || !isMap(inputs)) continue;
    const args = mapGet(inputs, 'build-args');
    const text = stringScalar(args, file);
    if (!text || !isScalar(args) || !args.range) continue;
    const dockerfile = stringScalar(mapGet(inputs, 'file'), file)?.value;
    const context = stringScalar(mapGet(inputs, 'context'), file)?.value;
    const built = buildDockerfiles({ from: [''], context, dockerfile, dockerfileInContext: false, defaults: ANY_BUILDER }, dockerfiles);
    let at = args.range[0];
    for (const line of text.value.split('\n')) {
      const entry = line.trim();
      const name = entry.split('=')[0] ?? '';
      if (entry === '' || !isArgName(name)) continue;
      const found = file.text.indexOf(entry, at);
      if (found !== -1) at = found;
      const equals = entry.indexOf('=');
      const image = equals === -1 ? null : builtByJob(file, entry.slice(equals + 1), jobs);
      passed.push({ name, file: file.path, line: file.position(at).line, dockerfiles: built, ...(image ? { built: image } : {}) });
    }
  }
  return passed;
}

/**
 * `build-contexts` of the GitHub Actions steps that build with `docker/build-push-action` (`name=value` lines): named contexts,
 * added to `facts` for the Dockerfile each step reads (its `file`, or else the `Dockerfile` of its `context`), as a bake
 * target's are.
 */
export function actionBuildContexts(file: SourceFile, dockerfiles: ReadonlySet<string>, facts: BakeFacts): void {
  for (const step of workflowSteps(file).steps) {
    const uses = stringScalar(mapGet(step, 'uses'), file)?.value;
    const inputs = mapGet(step, 'with');
    if (uses === undefined || !isBuildPushAction(uses) || !isMap(inputs)) continue;
    const contexts = stringScalar(mapGet(inputs, 'build-contexts'), file);
    if (!contexts) continue;
    const dockerfile = stringScalar(mapGet(inputs, 'file'), file)?.value;
    const context = stringScalar(mapGet(inputs, 'context'), file)?.value;
    const built = buildDockerfiles({ from: [''], context, dockerfile, dockerfileInContext: false, defaults: ANY_BUILDER }, dockerfiles);
    const line = file.position(contexts.start).line;
    for (const entry of contexts.value.split(/[\n,]/)) {
      const named = entry.trim().indexOf('=');
      if (named > 0) addContext(facts, entry.trim().slice(0, named), { file: file.path, line }, built);
    }
  }
}

/**
 * docker-bake `contexts` values that are registry images (`base = "docker-image://alpine:3.20"`, HCL or
 * JSON): BuildKit pulls them like a `FROM`, so they are references, edited after the prefix. Only the
 * text of a double-quoted string is read, and the name it is given is named in the detail. An image written
 * with the file's variables and named after one of its targets (`base = "docker-image://${ORG}/base:${VERSION}"`
 * beside `target "base"`) is what that target builds and pushes for the others: `local-stage`.
 */
export function bakeContextImages(file: SourceFile): Reference[] {
  const references: Reference[] = [];
  const targets = new Map(bakeTargets(file).map((target) => [target.name, target]));
  let defaults: ReadonlyMap<string, string> | undefined;
  for (const match of file.text.matchAll(/"?([A-Za-z0-9_.-]+)"?\s*[=:]\s*"docker-image:\/\/([^"\\\s]+)"/g)) {
    const [whole, name = '', image = ''] = match;
    // `docker-image://scratch`: an empty context, as `FROM scratch` is no image.
    if (image.toLowerCase() === 'scratch') continue;
    const start = match.index + whole.length - 1 - image.length;
    const reference = makeReference(file, { kind: 'bake-context', value: image, parts: [{ role: 'reference', start, end: start + image.length }], detail: `build context ${name}` });
    const built = reference.skip === 'templated' ? targets.get(lastName(image)) : undefined;
    if (!built) {
      references.push(reference);
      continue;
    }
    const detail = `build context ${name}: built by the target "${built.name}" of this file (line ${file.position(built.offset).line})`;
    // Shown as bake names it when the environment sets nothing: each variable's literal default.
    defaults ??= variableDefaults(file);
    const resolved = withDefaults(image, defaults);
    references.push(
      resolved === null
        ? { ...reference, skip: 'local-stage', detail }
        : makeReference(file, {
            kind: 'bake-context',
            value: resolved.value,
            parts: [{ role: 'reference', start, end: start + image.length }],
            skip: 'local-stage',
            detail: `${detail}; shown with the defaults of ${resolved.names.join(', ')}`,
          }),
    );
  }
  return references;
}

/**
 * `FROM ${BASE}` (the whole image of a `FROM`, `--platform` and `AS` aside): the build arguments each Dockerfile's `FROM` lines
 * use that way, by name.
 */
export function wholeFromArgs(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(/^[ \t]*FROM[ \t]+(?:--\S+[ \t]+)*\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))(?=[ \t]|\r?$)/gim)) names.add(match[1] ?? match[2] ?? '');
  return names;
}

/**
 * A bake variable's literal default that a target passes as a build argument (`BASE = "${BASE_IMAGE}"` after
 * `variable "BASE_IMAGE" { default = "registry.example.test/os/base:9" }`), or a literal the target's `args` write
 * (`BASE = "registry.example.test/os/base:9"`), which every Dockerfile of the scan that the target builds uses as a whole
 * `FROM` image (`FROM ${BASE}`): the image that build pulls, written in the bake file only. Reported at the literal, and
 * updated there (the Dockerfile's `FROM` stays `templated`: its own default is not what the build uses). A literal naming
 * one of the target's contexts (`BASE = "slim"`) or a name a target tags is what the bake file builds, which the `FROM` shows.
 * `fromArgs` gives, by Dockerfile path, the arguments its `FROM` lines use as the whole image.
 */
export function bakeVariableImages(file: SourceFile, dockerfiles: ReadonlySet<string>, fromArgs: ReadonlyMap<string, ReadonlySet<string>>): Reference[] {
  if (!/\.hcl$/i.test(file.path) || fromArgs.size === 0) return [];
  const references: Reference[] = [];
  const seen = new Set<number>();
  let defaults: ReadonlyMap<string, { text: string; start: number; end: number }> | undefined;
  for (const { target, args, contexts, dockerfiles: built } of targetContexts(file, bakeTargets(file), dockerfiles)) {
    if (built === null || built.length === 0) continue;
    for (const arg of args) {
      if (!built.every((path) => fromArgs.get(path)?.has(arg.name) === true)) continue;
      if (arg.variable === undefined) {
        const { value, valueOffset: start } = arg;
        if (value === null || start === undefined || seen.has(start) || !/[/:@]/.test(value)) continue;
        // What the bake file builds itself is shown at the Dockerfile's FROM, `local-stage` (see bakeFacts).
        if (contexts.some((context) => context.name === value) || bakeTagged(file, value)) continue;
        seen.add(start);
        const reference = makeReference(file, {
          kind: 'dockerfile-from',
          value,
          parts: [{ role: 'reference', start, end: start + value.length }],
          detail: `passed as build argument ${arg.name} by target "${target.name}" to FROM \${${arg.name}} of ${built.join(', ')}`,
        });
        if (reference.image !== null) references.push(reference);
        continue;
      }
      defaults ??= variableLiterals(file);
      const literal = defaults.get(arg.variable);
      if (!literal || seen.has(literal.start) || !/[/:@]/.test(literal.text)) continue;
      seen.add(literal.start);
      const reference = makeReference(file, {
        kind: 'dockerfile-from',
        value: literal.text,
        parts: [{ role: 'reference', start: literal.start, end: literal.end }],
        detail: `default of variable ${arg.variable}, passed as build argument ${arg.name} by target "${target.name}" (line ${file.position(arg.offset).line}) to FROM \${${arg.name}} of ${built.join(', ')}`,
      });
      if (reference.image !== null) references.push(reference);
    }
  }
  return references;
}

/** The literal string defaults of an HCL bake file's top-level `variable` blocks, with where each is written (inside its quotes). */
function variableLiterals(file: SourceFile): ReadonlyMap<string, { text: string; start: number; end: number }> {
  const literals = new Map<string, { text: string; start: number; end: number }>();
  for (const block of parseHcl(file.text).root.blocks) {
    if (block.type !== 'variable' || block.labels.length !== 1) continue;
    const [token, ...rest] = block.attributes.find((attribute) => attribute.name === 'default')?.value ?? [];
    if (token?.type !== 'string' || token.templated || token.escaped || rest.length > 0) continue;
    literals.set(block.labels[0] ?? '', { text: file.text.slice(token.start + 1, token.end - 1), start: token.start + 1, end: token.end - 1 });
  }
  return literals;
}

/** The last path component of a reference's name, without tag or digest (`${ORG}/base:${VERSION}` → `base`). */
function lastName(image: string): string {
  const name = writtenParts(image).name;
  return name.slice(name.lastIndexOf('/') + 1);
}
