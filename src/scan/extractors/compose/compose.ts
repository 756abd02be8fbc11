import { isAlias, isMap, isPair, isScalar, isSeq, type YAMLMap } from 'yaml';
import { isTag, parseImageRef } from '../../../core/image-ref.js';
import type { SourceFile } from '../../../core/source-file.js';
import type { Reference, Span } from '../../../core/types.js';
import type { BuiltImage, Extractor } from '../../extractor.js';
import { makeReference, makeSpan, withTagAt, withValue } from '../../make-reference.js';
import { isDockerfileName } from '../dockerfile/dockerfile.js';
import { aliasTarget, mapEntries, mapGet, stringScalar, yamlSource } from '../../yaml-source.js';
import { templateLineImages } from '../../helm-template-lines.js';
import { joinRelative, servicesBuiltThroughExtends } from './compose-extends.js';
import { throughDefaults } from './compose-interpolation.js';
import { baseName, imageFields, isYamlPath, looksLikeImageText, scalarImage, sortByPosition } from '../../yaml-image-fields.js';
import { passesOnTemplateImage } from './compose-template.js';
import { folderOf } from '../../../core/repo-path.js';
import { runnerLabelImages } from '../../runner-labels.js';

/**
 * docker compose files: `services.*.image`, `image` fields of `x-*` extension blocks that
 * services pull in through anchors, and base images passed as build arguments
 * (`build.args.BASE_IMAGE`). An image that is a whole variable with a default
 * (`${POSTGRES_IMAGE:-postgres:16.4}`) is the default: it is reported and updated there, and the
 * detail says the environment may override it. A default inside a reference (`app:${TAG:-1.2}`) is used
 * the same way and edited inside its braces (compose-interpolation.ts); a variable with no default and no
 * `.env` value (`${TAG}`, `${TAG:?…}`) leaves the reference templated, the detail naming it. A service that is built here names its result with `image:`; without a tag that name is
 * local, not a reference. Either way (and when `build:` comes through `extends:`, or `.env` variables write the
 * name), a `FROM` or build argument that uses it is marked as built here.
 * A build context that is a registry image (`additional_contexts: {base: docker-image://alpine:3.20}`) is reported too.
 * An image built from variables set in the `.env` file beside the compose file (which compose reads for
 * interpolation: `"$SNUBA_IMAGE"`, `${DB_IMAGE:-postgres:16}`, `acme/app:${APP_TAG}`) is shown with the
 * value it takes, and updated by editing the literal in the `.env` file.
 */

/** A build argument that carries an image: `BASE_IMAGE`, `RUNTIME_IMAGE`, `IMAGE`. */
const IMAGE_ARG = /(?:^|_)IMAGE$/i;

/** Top-level keys of a CI pipeline file that compose has no use for: such a file with `services:` is not a compose file. */
const CI_PIPELINE_KEYS = ['steps', 'pipeline'];

const FILE_NAME = /^(docker-)?compose[^/]*\.ya?ml$/i;

/** A variable of a `.env` file: its value, its line, and the span of its literal when archpin can edit it there. */
export interface DotEnvVariable {
  readonly value: string;
  readonly line: number;
  /** The value's characters in the `.env` file (a `variable` span naming that file); null when it is not a plain literal. */
  readonly span: Span | null;
}

/** `.env` files by folder: the variables compose interpolates into files of that folder. */
export interface ComposeFacts {
  readonly env: ReadonlyMap<string, { readonly file: string; readonly variables: ReadonlyMap<string, DotEnvVariable> }>;
  /** Compose files by path → their services that inherit `build:` through `extends:`. */
  readonly inheritedBuild: ReadonlyMap<string, ReadonlySet<string>>;
  /** Dockerfiles by path → how their `FROM` lines use each build argument. */
  readonly dockerfileArgs?: ReadonlyMap<string, ReadonlyMap<string, ArgumentUse>>;
}

/** How a Dockerfile's `FROM` lines use a build argument: as a whole name (`FROM ${BASE_IMAGE}`, with the argument that gives its tag), or as a part of one. */
export interface ArgumentUse {
  readonly whole: boolean;
  /** `FROM ${BASE_IMAGE}:${BASE_TAG}`: the argument written as the tag of the whole name. */
  readonly tag: string | null;
  /** `FROM registry.example.test/${FLAVOUR}:1.0`: a part of the name. */
  readonly part: boolean;
}

const FROM_LINE = /^[ \t]*FROM[ \t]+(?:--\S+[ \t]+)*(\S+)/gim;
const ARGUMENT_USE = /\$\{?([A-Za-z_][A-Za-z0-9_]*)/g;
/** `${NAME}` or `$NAME` as the whole name, with at most `:${TAG}` (or `:$TAG`) after it. */
const WHOLE_NAME = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))(?::\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*)))?$/;

/** How each build argument is used by the `FROM` lines of a Dockerfile's text. */
export function fromArgumentUses(text: string): Map<string, ArgumentUse> {
  const uses = new Map<string, ArgumentUse>();
  const note = (name: string, use: Partial<ArgumentUse>): void => {
    const known = uses.get(name) ?? { whole: false, tag: null, part: false };
    uses.set(name, { whole: known.whole || use.whole === true, tag: known.tag ?? use.tag ?? null, part: known.part || use.part === true });
  };
  for (const line of text.matchAll(FROM_LINE)) {
    const image = line[1] ?? '';
    const whole = WHOLE_NAME.exec(image);
    if (whole) {
      note(whole[1] ?? whole[2] ?? '', { whole: true, tag: whole[3] ?? whole[4] ?? null });
      continue;
    }
    for (const use of image.matchAll(ARGUMENT_USE)) note(use[1] ?? '', { part: true });
  }
  return uses;
}

/** `folder` + a path as a build writes it (`a/b` + `../c` is `a/c`, `.` or nothing is the folder itself); null when it leaves the tree or is not a plain path. */
function joinPath(folder: string, relative: string): string | null {
  if (relative.includes('$') || relative.includes('://')) return null;
  return relative === '' ? folder : joinRelative(folder, relative);
}

/** How the Dockerfile a service builds uses its build arguments: undefined when that Dockerfile is not one of the scan's. */
function serviceArgumentUses(file: SourceFile, service: YAMLMap, facts: ComposeFacts | undefined): ReadonlyMap<string, ArgumentUse> | undefined {
  const build = mapGet(service, 'build');
  if (!isMap(build) || facts?.dockerfileArgs === undefined) return undefined;
  const context = stringScalar(mapGet(build, 'context'), file)?.value ?? '.';
  const dockerfile = stringScalar(mapGet(build, 'dockerfile'), file)?.value ?? 'Dockerfile';
  const folder = joinPath(folderOf(file.path), context);
  const path = folder === null ? null : joinPath(folder, dockerfile);
  return path === null ? undefined : facts.dockerfileArgs.get(path);
}

const DOT_ENV_LINE = /^(\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*)(.*?)\s*$/;

/**
 * `NAME=value` lines of a `.env` file (`export`, quotes and comments as compose reads them). A value
 * is editable in place when it is written plainly: unquoted or in single quotes, or in double quotes
 * without escapes; one that interpolates (`$`) is not.
 */
export function readDotEnv(file: SourceFile): Map<string, DotEnvVariable> {
  const variables = new Map<string, DotEnvVariable>();
  const text = file.text;
  let lineStart = 0;
  for (let line = 1; lineStart <= text.length; line++) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const match = DOT_ENV_LINE.exec(text.slice(lineStart, lineEnd).replace(/\r$/, ''));
    if (match) {
      // The pattern's groups always take part in a match; the defaults only satisfy the compiler.
      const [, lead = '', name = '', written = ''] = match;
      let value = written;
      let start = lineStart + lead.length;
      const quote = value[0];
      const quoted = (quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote);
      if (quoted) {
        value = value.slice(1, -1);
        start++;
      } else value = value.replace(/\s+#.*$/, '');
      const plain = !value.includes('$') && !(quote === '"' && value.includes('\\')) && !(!quoted && /^["']/.test(value));
      const span: Span | null = plain ? { ...makeSpan(file, { role: 'variable', start, end: start + value.length, variable: name }), file: file.path, syntax: 'dotenv' } : null;
      variables.set(name, { value, line, span });
    }
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  return variables;
}

const WHOLE_VARIABLE = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$/;
/** `${NAME}` or `$NAME` uses in a value; anything else with a `$` (defaults, `$$`) is not resolved. */
const PLAIN_USE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;
/** The text before a `${NAME:-default}` default: `${NAME:-` or `${NAME-`. */
const DEFAULT_OPENER = /\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-)$/;

/** A reference given the value the `.env` makes of it, with the spans to edit. */
function resolvedThrough(reference: Reference, value: string, spans: readonly Span[], detail: string): Reference {
  const image = looksLikeImageText(value) ? parseImageRef(value) : null;
  if (!image) return reference;
  const skip = image.tag === null && image.digest === null ? 'no-tag' : null;
  return {
    ...withValue(reference, value, image),
    skip,
    spans,
    detail: [reference.detail?.startsWith('default of ${') ? undefined : reference.detail, detail].filter(Boolean).join('; '),
  };
}

/**
 * An image built from variables that the `.env` beside the compose file sets (compose reads it for
 * interpolation): `$APP_IMAGE`, `${APP_IMAGE:-default}` (the `.env` value wins over the default) or
 * `acme/app:${APP_TAG}`. Resolved, and edited in the `.env` when every value is written plainly there.
 */
function throughDotEnv(file: SourceFile, reference: Reference, facts: ComposeFacts | undefined): Reference {
  const env = facts?.env.get(folderOf(reference.file));
  const whole = reference.spans[0];
  if (!env || !whole || reference.spans.length !== 1 || whole.role !== 'reference') return reference;
  const where = (name: string, variable: DotEnvVariable): string => `${name} from ${env.file}:${variable.line}`;
  if (reference.skip === null && reference.detail?.startsWith('default of ${')) {
    const opener = DEFAULT_OPENER.exec(file.text.slice(Math.max(0, whole.start - file.base - 80), whole.start - file.base));
    const name = opener?.[1];
    const variable = name === undefined ? undefined : env.variables.get(name);
    if (!opener || name === undefined || !variable || (opener[2] === ':-' && variable.value === '')) return reference;
    const unused = `the default here (${reference.value}) is not used`;
    if (!variable.span) return { ...resolvedThrough(reference, variable.value, [whole], `${where(name, variable)}, ${unused}; not edited: the value there is not a plain literal`), skip: 'templated' };
    return resolvedThrough(reference, variable.value, [{ ...variable.span, role: 'reference' }], `${where(name, variable)}, edited there; ${unused}`);
  }
  if (reference.skip !== 'templated') return reference;
  const single = WHOLE_VARIABLE.exec(reference.value);
  if (single) {
    const name = single[1] ?? single[2] ?? '';
    const variable = env.variables.get(name);
    if (!variable || variable.value === '' || variable.value.includes('$')) return reference;
    if (!variable.span) return { ...resolvedThrough(reference, variable.value, [whole], `${where(name, variable)}; not edited: the value there is not a plain literal`), skip: 'templated' };
    return resolvedThrough(reference, variable.value, [{ ...variable.span, role: 'reference' }], `${where(name, variable)}, edited there`);
  }
  // `acme/app:${APP_TAG}`: each use a plain `.env` literal; the literals are edited there, a pin goes after the template.
  const uses = [...reference.value.matchAll(PLAIN_USE)];
  if (uses.length === 0 || reference.value.replace(PLAIN_USE, '').includes('$')) return reference;
  const found = new Map<string, DotEnvVariable>();
  for (const use of uses) {
    const name = use[1] ?? use[2] ?? '';
    const variable = env.variables.get(name);
    if (!variable?.span || variable.value.includes('$')) return reference;
    found.set(name, variable);
  }
  const value = reference.value.replace(PLAIN_USE, (_, braced: string | undefined, bare: string | undefined) => found.get(braced ?? bare ?? '')?.value ?? '');
  const spans = [{ ...whole, role: 'template' as const }, ...[...found.values()].flatMap((variable) => (variable.span ? [variable.span] : []))];
  return resolvedThrough(reference, value, spans, `${[...found].map(([name, variable]) => where(name, variable)).join(', ')}, edited there`);
}

/**
 * A file named like a compose file that holds other YAML, not a compose file: CI pipelines (`docker-compose-deploy.yaml` holding
 * a Woodpecker pipeline's `steps:` that deploy with compose: none looks like compose, and one has a pipeline's top-level key), or
 * lists (`tasks/docker-compose.yml`, an Ansible task list whose `copy` task writes the compose file in `content: |`: every
 * document is a sequence, which compose cannot read). The readers of such YAML read it; a file that does not parse stays
 * compose's, read line by line.
 */
function holdsOtherYaml(file: SourceFile): boolean {
  const { documents, broken } = yamlSource(file);
  if (broken) return false;
  const roots = documents.map((document) => document.contents).filter((root) => root !== null);
  if (roots.length > 0 && roots.every((root) => isSeq(root))) return true;
  return !roots.some((root) => looksLikeCompose(root)) && roots.some((root) => isMap(root) && CI_PIPELINE_KEYS.some((key) => mapGet(root, key) !== undefined));
}

/** A top-level `services` map of maps with `image` or `build`, and no `apiVersion`/`kind`. */
function looksLikeCompose(root: unknown): root is YAMLMap {
  if (!isMap(root) || mapGet(root, 'apiVersion') !== undefined || mapGet(root, 'kind') !== undefined) return false;
  // A CI pipeline with service containers beside its steps (Woodpecker, Drone): its steps run images too.
  if (CI_PIPELINE_KEYS.some((key) => mapGet(root, key) !== undefined)) return false;
  const services = mapGet(root, 'services');
  if (!isMap(services) || services.items.length === 0) return false;
  const entries = mapEntries(services);
  return (
    entries.length === services.items.length &&
    entries.every(([, service]) => isMap(service) || isAlias(service) || (isScalar(service) && service.value === null)) &&
    entries.some(([, service]) => isMap(service) && (mapGet(service, 'image') !== undefined || mapGet(service, 'build') !== undefined))
  );
}

/** A local name for what `build:` produces: no tag, no digest, no registry host (`app`, `acme/app`; not `ghcr.io/acme/app`). */
function isLocalBuildName(reference: Reference): boolean {
  const image = reference.image;
  const slash = reference.value.indexOf('/');
  const first = slash === -1 ? '' : reference.value.slice(0, slash);
  return image !== null && image.tag === null && image.digest === null && !/[.:]/.test(first) && first !== 'localhost';
}

/**
 * The `image:` of a block that also has `build:` (its own, or one it inherits through `extends:`): the name
 * compose gives what it builds. Its position goes into `buildSites` (once resolved, a `FROM` or build
 * argument elsewhere that uses it is marked as built here); it is returned when it only names the local
 * result (no tag, no registry), which is not a reference.
 */
function localBuildName(file: SourceFile, block: YAMLMap, built: boolean, buildSites: Set<number>, builds: BuiltImage[], node: unknown = mapGet(block, 'image')): Reference | null {
  if (!built) return null;
  const reference = defaultedImage(file, node) ?? scalarImage(file, node, 'compose-service');
  if (!reference) return null;
  if (!isLocalBuildName(reference)) {
    const start = reference.spans[0]?.start;
    if (start !== undefined) buildSites.add(start);
    return null;
  }
  builds.push({ value: reference.value, file: reference.file, line: reference.line });
  return reference;
}

/** `${NAME:-default}` or `${NAME-default}` as the whole value, with a default free of further interpolation. */
const DEFAULTED_VARIABLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-)([^${}]+)\}$/;

/** The default of a whole-value `${NAME:-image}`: reported and edited in place, inside the braces. */
function defaultedImage(file: SourceFile, node: unknown): Reference | null {
  const scalar = stringScalar(aliasTarget(node, file), file);
  if (!scalar || !scalar.literal) return null;
  const match = DEFAULTED_VARIABLE.exec(scalar.value);
  if (!match) return null;
  // The pattern's groups always take part in a match; the defaults only satisfy the compiler.
  const [, variable = '', operator = '', image = ''] = match;
  if (!looksLikeImageText(image)) return null;
  const start = scalar.start + 2 + variable.length + operator.length;
  return makeReference(file, {
    kind: 'compose-service',
    value: image,
    parts: [{ role: 'reference', start, end: start + image.length }],
    detail: `default of \${${match[1]}}; the environment may set another image`,
  });
}

/**
 * `pull_policy: never` or `build` (compose builds the image when the service has `build:`, and never pulls it): the
 * `image:` beside it only names the local result, whatever host it writes (`localhost/tools:latest`). Null for any
 * other policy (`missing`, the default, pulls when the image is not there; `always` pulls).
 */
function buildOnlyPolicy(file: SourceFile, service: YAMLMap): string | null {
  const policy = stringScalar(mapGet(service, 'pull_policy'), file)?.value;
  return policy === 'never' || policy === 'build' ? policy : null;
}

/** The values of every `image:` key of a service, in order: a ytt template writes one per `#@ if` branch and keeps one. */
function imageNodes(service: YAMLMap): unknown[] {
  return service.items.filter((item) => isPair(item) && isScalar(item.key) && item.key.value === 'image').map((item) => item.value);
}

/** Each `image:` of a service, unless it only names what the service builds (then noted in `builds`). */
function serviceImages(file: SourceFile, service: YAMLMap, built: boolean, buildSites: Set<number>, builds: BuiltImage[]): Reference[] {
  return imageNodes(service).flatMap((node) => {
    if (localBuildName(file, service, built, buildSites, builds, node)) return [];
    const reference = defaultedImage(file, node) ?? scalarImage(file, node, 'compose-service');
    return reference ? [reference] : [];
  });
}

/**
 * `build.args` entries that pass an image, as a map (`BASE_IMAGE: alpine:3.20`) or a list (`- BASE_IMAGE=alpine:3.20`). When the
 * Dockerfile the service builds is one of the scan's, its `FROM` lines decide: an argument they use only as a part of a name
 * (`FROM registry.example.test/${BASE_IMAGE}:1.0`) is no image, and the `FROM` line is where the image is; one they use as the
 * whole name with a tag argument (`FROM ${BASE_IMAGE}:${BASE_TAG}`) takes the literal tag the service passes beside it.
 */
function buildArgImages(file: SourceFile, service: YAMLMap, facts: ComposeFacts | undefined): Reference[] {
  const build = mapGet(service, 'build');
  const args = isMap(build) ? mapGet(build, 'args') : undefined;
  const uses = serviceArgumentUses(file, service, facts);
  const onlyPart = (name: string): boolean => {
    const use = uses?.get(name);
    return use !== undefined && use.part && !use.whole;
  };
  const references: Reference[] = [];
  if (isMap(args)) {
    for (const [name, value] of mapEntries(args)) {
      if (!IMAGE_ARG.test(name) || onlyPart(name)) continue;
      const reference = defaultedImage(file, value) ?? scalarImage(file, value, 'compose-service');
      if (!reference) continue;
      const tagArgument = uses?.get(name)?.tag ?? null;
      const tag = tagArgument === null ? null : stringScalar(mapGet(args, tagArgument), file);
      const tagged = tag && tag.literal && isTag(tag.value) ? withTagAt(file, reference, tag) : null;
      references.push(tagged ? { ...tagged, detail: `build argument ${name} with ${tagArgument ?? ''} as its tag` } : reference);
    }
  } else if (isSeq(args)) {
    for (const item of args.items) {
      const scalar = stringScalar(item, file);
      if (!scalar || !scalar.literal) continue;
      const equals = scalar.value.indexOf('=');
      if (equals <= 0 || !IMAGE_ARG.test(scalar.value.slice(0, equals)) || onlyPart(scalar.value.slice(0, equals))) continue;
      const value = scalar.value.slice(equals + 1);
      if (!looksLikeImageText(value)) continue;
      const start = scalar.start + equals + 1;
      references.push(makeReference(file, { kind: 'compose-service', value, parts: [{ role: 'reference', start, end: scalar.end }] }));
    }
  }
  return references;
}

const IMAGE_CONTEXT = 'docker-image://';

/**
 * `build.additional_contexts` entries that are registry images (`base: docker-image://alpine:3.20`,
 * `- base=docker-image://alpine:3.20`): pulled like a `FROM`, so reported, edited after the prefix.
 */
function contextImages(file: SourceFile, service: YAMLMap): Reference[] {
  const build = mapGet(service, 'build');
  const additional = isMap(build) ? mapGet(build, 'additional_contexts') : undefined;
  const references: Reference[] = [];
  const add = (value: unknown, name: string | null): void => {
    const scalar = stringScalar(value, file);
    if (!scalar || !scalar.literal) return;
    const at = scalar.value.indexOf(IMAGE_CONTEXT);
    const equals = name === null ? scalar.value.indexOf('=') : -1;
    if (name === null ? at !== equals + 1 || equals <= 0 : at !== 0) return;
    const contextName = name ?? scalar.value.slice(0, equals);
    const start = scalar.start + at + IMAGE_CONTEXT.length;
    const image = file.text.slice(start, scalar.end);
    if (image === '') return;
    references.push(makeReference(file, { kind: 'compose-service', value: image, parts: [{ role: 'reference', start, end: scalar.end }], detail: `build context ${contextName}` }));
  };
  if (isMap(additional)) for (const [name, value] of mapEntries(additional)) add(value, name);
  else if (isSeq(additional)) for (const item of additional.items) add(item, null);
  return references;
}

/** Format 1: no `services`/`version` key, and every top-level value is a service (a map with `image` or `build`). */
function isComposeV1(root: YAMLMap): boolean {
  const entries = mapEntries(root);
  if (entries.length === 0 || entries.some(([key]) => key === 'services' || key === 'version' || key.startsWith('x-'))) return false;
  return entries.every(([, value]) => isMap(value) && (mapGet(value, 'image') !== undefined || mapGet(value, 'build') !== undefined));
}

/** What stands before an `image:` value on its line: indentation, the key, an optional quote. */
const IMAGE_KEY_BEFORE = /^([ \t]*)image[ \t]*:[ \t]*["']?$/;

/** Whether the map holding the key line at `lineStart` (indented `indent`) has a `build:` key: its lines at that indentation, up and down. */
function besideBuild(text: string, lineStart: number, indent: number): boolean {
  const lines = (from: number, step: 1 | -1): boolean => {
    for (let at = from; at >= 0 && at < text.length;) {
      const end = text.indexOf('\n', at);
      const line = text.slice(at, end === -1 ? text.length : end);
      const lead = line.length - line.trimStart().length;
      if (line.trim() !== '' && !line.trimStart().startsWith('#')) {
        if (lead < indent) return false;
        if (lead === indent && /^[ \t]*build[ \t]*:/.test(line)) return true;
      }
      if (step === 1) at = end === -1 ? text.length : end + 1;
      else at = at === 0 ? -1 : text.lastIndexOf('\n', at - 2) + 1;
    }
    return false;
  };
  const next = text.indexOf('\n', lineStart);
  return (lineStart > 0 && lines(text.lastIndexOf('\n', lineStart - 2) + 1, -1)) || (next !== -1 && lines(next + 1, 1));
}

/**
 * A compose file that does not parse (a key indented out of place): compose cannot read it as written, but its `image:`
 * lines name the images it is written to run. Outside the documents that parsed, they are read line by line, as a
 * manifest that does not parse is, and the parse problem is still reported. An image line beside a `build:` key names
 * what the service builds, and is left out.
 */
function brokenFileImages(file: SourceFile): Reference[] {
  const ranges = yamlSource(file).documents.flatMap((document) => {
    const range = (document.contents as { range?: [number, number, number] } | null)?.range;
    return range ? [range] : [];
  });
  const { text } = file;
  return templateLineImages(file, () => 'compose-service').filter((reference) => {
    const span = reference.spans[0];
    if (span === undefined || reference.spans.length !== 1) return false;
    const start = span.start - file.base;
    if (ranges.some(([from, , to]) => start >= from && start <= to)) return false;
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    const key = IMAGE_KEY_BEFORE.exec(text.slice(lineStart, start));
    return key !== null && !besideBuild(text, lineStart, key[1]?.length ?? 0);
  });
}

export const composeExtractor: Extractor<ComposeFacts> = {
  name: 'compose',
  kinds: ['compose-service'],
  quoting: 'yaml',
  isCandidate: (path) => isYamlPath(path) || baseName(path) === '.env',
  prepare(files) {
    const env = new Map<string, { file: string; variables: Map<string, DotEnvVariable> }>();
    for (const file of files) {
      if (baseName(file.path) !== '.env') continue;
      try {
        env.set(folderOf(file.path), { file: file.path, variables: readDotEnv(file) });
      } catch {
        // A `.env` that cannot be read resolves nothing: its images stay templated.
      }
      file.release();
    }
    const dockerfileArgs = new Map<string, ReadonlyMap<string, ArgumentUse>>();
    for (const file of files) if (isDockerfileName(file.path) && /\bFROM\b[^\n]*\$/i.test(file.text)) dockerfileArgs.set(file.path, fromArgumentUses(file.text));
    return { env, inheritedBuild: servicesBuiltThroughExtends(files), dockerfileArgs };
  },
  owns: (file) => FILE_NAME.test(baseName(file.path)) && !holdsOtherYaml(file),
  claims(file) {
    if (!isYamlPath(file.path)) return false;
    if (FILE_NAME.test(baseName(file.path))) return !holdsOtherYaml(file);
    return yamlSource(file).documents.some((document) => looksLikeCompose(document.contents));
  },
  extract(file, facts) {
    const { documents, problems } = yamlSource(file);
    const references: Reference[] = [];
    const builds: BuiltImage[] = [];
    const buildSites = new Set<number>();
    const inherited = facts?.inheritedBuild.get(file.path);
    /** Service images that compose only ever builds (`pull_policy: never` or `build` beside `build:`), with the policy. */
    const neverPulled = new Map<Reference, string>();
    const readService = (name: string, service: YAMLMap): void => {
      const built = mapGet(service, 'build') !== undefined || inherited?.has(name) === true;
      for (const reference of serviceImages(file, service, built, buildSites, builds)) {
        // `image: "{{ relay_image }}"`, `<%= @mail_image %>:<%= @mail_tag %>`: a compose file a configuration tool renders passes on the variables' image.
        if (passesOnTemplateImage(reference.value)) continue;
        references.push(reference);
        const policy = built ? buildOnlyPolicy(file, service) : null;
        if (policy !== null) neverPulled.set(reference, policy);
      }
      for (const reference of buildArgImages(file, service, facts)) references.push(reference);
      for (const reference of contextImages(file, service)) references.push(reference);
      for (const reference of runnerLabelImages(file, service, 'compose-service')) references.push(reference);
    };
    for (const document of documents) {
      const root = document.contents;
      if (!isMap(root)) continue;
      if (isComposeV1(root) && FILE_NAME.test(baseName(file.path))) {
        // Compose file format 1: services at the top level, no `services:` or `version:` key.
        for (const [name, service] of mapEntries(root)) if (isMap(service)) readService(name, service);
        continue;
      }
      for (const [key, value] of mapEntries(root)) {
        if (key === 'services' && isMap(value)) {
          for (const [name, service] of mapEntries(value)) if (isMap(service)) readService(name, service);
        } else if (key.startsWith('x-')) {
          const found = imageFields(file, value, {
            kindFor: () => 'compose-service',
            splitKind: 'compose-service',
            splitAnywhere: false,
            snakeKeys: false,
          });
          const built = isMap(value) ? localBuildName(file, value, mapGet(value, 'build') !== undefined, buildSites, builds) : null;
          for (const reference of found) if (built === null || reference.spans[0]?.start !== built.spans[0]?.start) references.push(reference);
          if (isMap(value)) for (const reference of buildArgImages(file, value, facts)) references.push(reference);
        }
      }
    }
    if (yamlSource(file).broken && problems.some((problem) => problem.code === 'parse-error') && FILE_NAME.test(baseName(file.path)))
      for (const reference of brokenFileImages(file)) if (!passesOnTemplateImage(reference.value)) references.push(reference);
    const resolved = references.map((reference) => throughDefaults(file, throughDotEnv(file, reference, facts), facts?.env.get(folderOf(reference.file))));
    // The name a built service gives its image counts once its variables are resolved (`${APP_IMAGE}:${TAG}` from `.env`);
    // resolved to a local name (`setup-${ENV:-dev}` is `setup-dev`: no tag, no registry host), it is not a reference, as written out.
    const localNames = new Set<number>();
    resolved.forEach((reference, index) => {
      const start = references[index]?.spans[0]?.start;
      if (start === undefined || !buildSites.has(start) || (reference.skip !== null && reference.skip !== 'no-tag')) return;
      builds.push({ value: reference.value, file: reference.file, line: reference.line });
      if (isLocalBuildName(reference)) localNames.add(index);
    });
    const named = resolved.flatMap((reference, index) => {
      if (localNames.has(index)) return [];
      const written = references[index];
      const policy = written === undefined ? undefined : neverPulled.get(written);
      if (policy === undefined) return [reference];
      const why = `names what the service builds: with pull_policy: ${policy} compose never pulls it`;
      return [{ ...reference, skip: 'local-stage' as const, detail: [reference.detail, why].filter(Boolean).join('; ') }];
    });
    return { references: sortByPosition(named), problems, builds };
  },
};
