/**
 * The distribution reference grammar: `[host[:port]/]path[:tag][@digest]`.
 * Parsing keeps the user's spelling (`name` as written) next to the normalised registry and repository.
 */
export interface ImageRef {
  /** The name exactly as written, without tag or digest (`docker`, `ghcr.io/org/app`). */
  readonly name: string;
  /** Normalised registry host (`docker.io` for Docker Hub), with port when given. */
  readonly registry: string;
  /** Normalised repository path (`library/docker` on Docker Hub). */
  readonly repository: string;
  readonly tag: string | null;
  readonly digest: string | null;
}

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
/** A digest a registry can serve: a registered algorithm with its full lowercase hex (the distribution grammar admits others, which name no content). */
const DIGEST = 'sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128}';
const REFERENCE = new RegExp(`^((?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const WHOLE_TAG = new RegExp(`^${TAG}$`);

/** True when the text is a tag as the distribution grammar writes one (`1.25.3`, `v2_rc-1`; at most 128 characters). */
export function isTag(text: string): boolean {
  return WHOLE_TAG.test(text);
}

/**
 * A reference split where it is written, without checking the grammar: `name` without tag or digest, `named` the
 * name with its tag (everything before `@`), and `at` where the `@` of a digest is (-1 without one). A colon after
 * the last slash starts the tag, so a registry port (`host:5000/app`) stays in the name.
 */
export function writtenParts(text: string): { name: string; named: string; at: number } {
  const at = text.indexOf('@');
  const named = at === -1 ? text : text.slice(0, at);
  const colon = named.lastIndexOf(':');
  return { name: colon > named.lastIndexOf('/') ? named.slice(0, colon) : named, named, at };
}

/** The host names of Docker Hub; each is read as `docker.io`. */
export const DOCKER_HUB_ALIASES: ReadonlySet<string> = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** GitLab dependency proxy prefixes stand for Docker Hub. */
export const DEPENDENCY_PROXY_PREFIXES = [
  '$CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX/',
  '${CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX}/',
  '$CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX/',
  '${CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX}/',
] as const;

/** Splits a name into registry host and path, as Docker does: the first component is a host when it has `.` or `:` or is `localhost`. */
export function splitName(name: string): { registry: string; repository: string } {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const hasHost = slash !== -1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['));
  if (!hasHost) {
    return { registry: 'docker.io', repository: slash === -1 ? `library/${name}` : name };
  }
  const host = first.toLowerCase();
  const path = name.slice(slash + 1);
  if (DOCKER_HUB_ALIASES.has(host)) {
    return { registry: 'docker.io', repository: path.includes('/') ? path : `library/${path}` };
  }
  return { registry: host, repository: path };
}

/** Parses a complete image reference; returns null when the text is not one (a digest must be a registered algorithm with its full hex). */
export function parseImageRef(text: string): ImageRef | null {
  const match = REFERENCE.exec(text);
  if (!match) return null;
  const [, name = '', tag, digest] = match;
  if (name.length > 255) return null;
  const { registry, repository } = splitName(name);
  return { name, registry, repository, tag: tag ?? null, digest: digest ?? null };
}

/** `docker.io/library/docker`: the key an image is looked up and deduplicated by. */
export function imageKey(ref: { registry: string; repository: string }): string {
  return `${ref.registry}/${ref.repository}`;
}

/** Formats a reference in the user's spelling: the name as written, then `:tag` and `@digest` when present. */
export function formatImageRef(name: string, tag: string | null, digest: string | null): string {
  return `${name}${tag === null ? '' : `:${tag}`}${digest === null ? '' : `@${digest}`}`;
}

/** Strips a GitLab dependency proxy prefix; returns null when there is none. */
export function stripDependencyProxyPrefix(text: string): { prefix: string; rest: string } | null {
  for (const prefix of DEPENDENCY_PROXY_PREFIXES) {
    if (text.startsWith(prefix)) return { prefix, rest: text.slice(prefix.length) };
  }
  return null;
}

/**
 * `@VERSION@`, `@image@`, `%%IMAGE_REVISION%%`: a placeholder a build or release step substitutes (configure, sed, a `.in`
 * template); also a Python format field, `%(version)s`, which a script that renders the file fills in.
 */
const SUBSTITUTION = /@[A-Za-z_][A-Za-z0-9_]*@|%%[A-Za-z_][A-Za-z0-9_]*%%|%\([A-Za-z_][A-Za-z0-9_]*\)s/;

/**
 * A value that is only such a placeholder (`@OPERATOR_IMAGE@`, `%%OPERATOR_IMAGE%%`, `%(image)s`, `__IMAGE__`, also with a
 * variable's name in brackets inside, `__ENV_[BASE_IMAGE]__`, as a build script that copies a Dockerfile per flavour writes it,
 * a name in capitals between plus signs, `+OPERATOR_IMAGE+`, a name in brackets that a builder replaces with the image it resolves, `FROM [server-modules]`,
 * or a format field in single braces that a program fills in, `{value}`, `{image}`): it names no image until a script fills it in.
 * No reference holds a plus sign, or brackets or braces around a name alone (an IPv6 registry host in brackets is followed by its path).
 */
export function isPlaceholder(text: string): boolean {
  return /^(?:@[A-Za-z_][A-Za-z0-9_]*@|%%[A-Za-z_][A-Za-z0-9_]*%%|%\([A-Za-z_][A-Za-z0-9_]*\)s|__[A-Z][A-Z0-9_]*(?:\[[A-Z][A-Z0-9_]*\][A-Z0-9_]*)?__|\+[A-Z][A-Z0-9_]*\+|\[[A-Za-z_][\w.-]*\]|\{[A-Za-z_][\w.-]*\})$/.test(
    text,
  );
}

/**
 * A value that stands where a script puts the image and is no reference as written: a name in capitals with
 * underscores or hyphens (`YOUR_CLI_IMAGE`, `SYNC_IMAGE`, `REPLACE-ME`, which `sed` or `yq` replaces before the file
 * is applied, or a build script before it builds), or the
 * rest of a name whose first part a variable gave and was taken out (`-backup`, left of `${IMAGE}-backup`).
 * Neither can be an image name (a path is lower case and starts with a letter or digit).
 */
export function isUnfilledValue(text: string): boolean {
  return /^(?:[A-Z][A-Z0-9]*(?:[_-][A-Z0-9]+)+|-[A-Za-z0-9][\w.-]*)$/.test(text);
}

/**
 * `YOUR_ALIAS`, `AWS_ACCOUNT_ID`, `MY-REGISTRY`: a word in capitals joined by underscores or hyphens, as a whole host label or path
 * component; also one between double underscores, as a publishing script's placeholder (`__REGISTRY_HOST__`, `__REGISTRY__`).
 */
const CAPITALS_PART = /^(?:[A-Z][A-Z0-9]*(?:[_-][A-Z0-9]+)+|__[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*__)$/;

/**
 * A name whose registry or path holds a placeholder in angle brackets (`<address>/library/traefik:v3.3.3`, `<your-registry>/team/app`),
 * a format field in single braces (`{username}/torchserve:latest`, `{DOCKER_USERNAME}/{PROJECT}:latest`) or a word in capitals
 * with underscores or hyphens (`docker.io/YOUR_ALIAS/app:dev`, `YOUR_REGISTRY/app:dev`, `AWS_ACCOUNT_ID.dkr.ecr.…/app`), which an
 * example configuration or a tutorial writes for the user to fill in: it names no image as written. CircleCI's
 * `<< parameters.x >>` is not one (two brackets each side), nor are `{{ … }}` template actions and `$X` / `${x}` variables.
 */
export function hasNamePlaceholder(text: string): boolean {
  const { name } = writtenParts(text);
  if (/(?<!<)<[A-Za-z][\w.-]*>(?!>)|(?<![{$])\{[A-Za-z_][\w.-]*\}(?!\})/.test(name)) return true;
  return name.split(/[/.:]/).some((part) => CAPITALS_PART.test(part));
}

/**
 * A part of a name that tells the reader to put their own image there: an imperative ending in "me" (`changeme`, `set-me`,
 * `overrideme`, `replace_me`, `fillme`, `updateme`, `editme`), the word `placeholder` alone or as `placeholder-for-…`
 * (`placeholder_image`, `placeholder-name`), or a phrase saying it is replaced (`should-be-overridden-during-runtime`,
 * `to-be-replaced`, `overridden-at-render-time`, `automatically_replaced_by_ci`; `overriden` as it is often misspelt).
 * Matched as a whole host label or path component, in any case: `node-placeholder-scaler` names an image.
 */
const STAND_IN_PART = new RegExp(
  [
    '^(?:',
    '(?:change|set|override|replace|fill|update|edit)[-_]?me',
    '|placeholder(?:[-_](?:for|image|name|value)(?:[-_][a-z0-9]+)*)?',
    '|(?:should|must|to)[-_]be[-_](?:overridden|replaced|changed|set|filled)(?:[-_][a-z0-9]+)*',
    '|(?:[a-z0-9]+[-_])*(?:overrid{1,2}en|replaced)[-_](?:at|by|during|in|on|when|with|from|later)(?:[-_][a-z0-9]+)*',
    ')$',
  ].join(''),
  'i',
);

/**
 * A name one of whose parts is a stand-in the user replaces with their own image (`repository: setme`, `changeme/web:latest`,
 * `registry.example.test/ci/should-be-overridden-during-runtime`, `CHANGEME.registry.example.test/app:1.0`): chart defaults,
 * example manifests and compiler output write them where a real image goes. It names no image anyone pulls; the tag or
 * digest beside it does not change that.
 */
export function hasStandInName(text: string): boolean {
  return writtenParts(text)
    .name.split(/[/.:]/)
    .some((part) => STAND_IN_PART.test(part));
}

/**
 * A registry host written where an image goes, with no path, tag or digest (`registry.example.test`, `registry.azurecr.example`):
 * read by the reference grammar as a Docker Hub name, but Docker Hub names hold no dots (official images have none, and a
 * repository's name is letters, digits, `-` and `_`), so no registry serves it. `localhost` and names without a dot are names.
 */
export function isRegistryHostAlone(text: string): boolean {
  return /^[a-z0-9]+(?:-+[a-z0-9]+)*(?:\.[a-z0-9]+(?:-+[a-z0-9]+)*)+$/.test(text);
}

/**
 * A name written out with a tag that is only a placeholder in angle brackets (`registry.example.test/team/plugin:<plugin_version>`),
 * which an example configuration writes for the user to fill in: the image is named, its tag is still to be chosen.
 */
export function hasTagPlaceholder(text: string): boolean {
  const match = /^([^<>\s]+):<[A-Za-z][\w.-]*>$/.exec(text);
  const name = match?.[1];
  if (name === undefined || isTemplated(name)) return false;
  const parsed = parseImageRef(name);
  return parsed !== null && parsed.tag === null && parsed.digest === null;
}

/** `${config.app.image}`, `${image.registry}`: an interpolation of a dotted name, as FreeMarker, Spring or Groovy templates write them (shell variables have no dot). */
const DOTTED_INTERPOLATION = String.raw`\$\{[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+\}`;
const ONLY_DOTTED_INTERPOLATIONS = new RegExp(`^${DOTTED_INTERPOLATION}(?:(?:/|:|@(?:sha256:)?)${DOTTED_INTERPOLATION})*$`);

/**
 * A value made only of such interpolations (`${image.registry}/${image.repository}:${image.tag}`, `${config.jenkins.bashImage}`):
 * the template that renders the file passes on an image set elsewhere (the program's configuration), and names none here.
 */
export function onlyDottedInterpolations(text: string): boolean {
  return ONLY_DOTTED_INTERPOLATIONS.test(text);
}

/** BuildKit's automatic platform arguments, set in every build stage. */
const PLATFORM_ARGUMENT = String.raw`\$(?:\{(?:TARGET|BUILD)(?:ARCH|OS|VARIANT|PLATFORM)\}|(?:TARGET|BUILD)(?:ARCH|OS|VARIANT|PLATFORM)\b)`;
const PLATFORM_STAGE_NAME = new RegExp(`^[\\w.-]*(?:${PLATFORM_ARGUMENT}[\\w.-]*)+$`);
const PLATFORM_ARGUMENTS = new RegExp(PLATFORM_ARGUMENT, 'g');

/**
 * A stage name picked by the platform a build runs for (`build_${TARGETARCH}${TARGETVARIANT}`, `out-$TARGETOS`): a literal name
 * with only BuildKit's platform arguments in it, no registry, path, tag or digest. A Dockerfile (or a settings file that renders
 * one) names a stage of its own this way, `FROM build_${TARGETARCH}` after `AS build_amd64`, not an image to pull.
 */
export function isPlatformStageName(text: string): boolean {
  return PLATFORM_STAGE_NAME.test(text) && /[\w.-]/.test(text.replace(PLATFORM_ARGUMENTS, ''));
}

/**
 * `uses:owner/repo/tasks/build.yaml@v1.2`: a Jenkins X Lighthouse step reference written in a Tekton step's `image`
 * (or its `stepTemplate`'s). Lighthouse replaces the step with the steps of the pipeline file it names; it is no
 * image (a reference cannot start with `uses:` followed by a path).
 */
export function isStepFileReference(text: string): boolean {
  return /^uses:\S*\/\S*$/.test(text);
}

/**
 * The digest of a reference written as a placeholder that a script or a template fills in: `<…>` (`@sha256:<update_SHA_value>`),
 * `${…}`, `{{ … }}`, or a name in capitals (`@sha256:DIGEST`, `@IMAGE_DIGEST`), with or without its algorithm.
 */
const DIGEST_PLACEHOLDER = /^(?:[a-z0-9]+:)?(?:<[^<>\s]+>|\$\{[^{}\s]+\}|\{\{[^{}]*\}\}|[A-Z][A-Z0-9_]*[A-Z0-9])$/;

/**
 * True when the text is a name (with or without a tag) followed by a digest written as a placeholder
 * (`registry.example.test/app@sha256:<app_SHA_value>`): it names an image whose digest is filled in later, so it is templated.
 */
export function hasDigestPlaceholder(text: string): boolean {
  const { named, at } = writtenParts(text);
  if (at === -1 || !DIGEST_PLACEHOLDER.test(text.slice(at + 1))) return false;
  return isTemplated(named) || parseImageRef(named) !== null;
}

/** True when the text holds a substitution placeholder (`registry.example.test/app:@VERSION@`, `…:1.4-r%%REVISION%%`). */
export function hasSubstitution(text: string): boolean {
  return SUBSTITUTION.test(text);
}

/** `__IMAGE_TAG__`: a name in capitals between double underscores, which a deploy script replaces with `sed`. */
const UNDERSCORED_PLACEHOLDER = /__[A-Z][A-Z0-9_]*__/;

/** `__version__`, `__version__-alpine`: the same placeholder in lower case, written as the tag or as a part of it between `-` or `.`. */
const UNDERSCORED_LOWER_PLACEHOLDER = /(?:^|[-.])__[a-z][a-z0-9_]*__(?:$|[-.])/;

/** `MYSQL_VERSION`: a tag that is only a name in capitals joined by underscores, as a variable's name is written. */
const CAPITALS_TAG = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;

/**
 * True when a tag holds such a placeholder (`registry.example.test/team/app:__IMAGE_TAG__`, `…:__IMAGE_TAG__-next`, in
 * lower case `…:__version__`), or is only a variable's name in capitals with underscores
 * (`registry.example.test/team/db:DB_VERSION`): the grammar takes it as a tag, but no image is tagged so; a script puts
 * the real tag there before the file is used.
 */
export function hasUnderscoredTagPlaceholder(tag: string | null): boolean {
  return tag !== null && (UNDERSCORED_PLACEHOLDER.test(tag) || UNDERSCORED_LOWER_PLACEHOLDER.test(tag) || CAPITALS_TAG.test(tag));
}

/**
 * A value made only of pieces written elsewhere (`pieces`, a global pattern: template actions, parameter placeholders) with
 * nothing of its own but the `/`, `:` or `@` that join a name's parts (`{{ .Repo }}:{{ .Tag }}`, `$(params.registry)/$(params.name)`).
 */
export function isOnlyJoined(value: string, pieces: RegExp): boolean {
  const rest = value.replace(pieces, '');
  return rest !== value && /^[/:@]*$/.test(rest);
}

/**
 * True when the text contains template syntax archpin cannot update literally: `$VAR`, `${VAR}`, `{{ }}`, `%{}`,
 * `<% %>`, and `[[ … ]]` (Levant, Nomad Pack, and placeholders a release script fills in: `tag: "[[ .Version ]]"`).
 */
export function isTemplated(text: string): boolean {
  return /\$\{|\$[A-Za-z_]|\{\{|\}\}|%\{|<%|\$\(|\[\[[^\]]*\]\]/.test(text);
}
