import { hasDigestPlaceholder, hasSubstitution, hasTagPlaceholder, hasUnderscoredTagPlaceholder, isTemplated, parseImageRef, stripDependencyProxyPrefix, type ImageRef } from '../core/image-ref.js';
import type { SourceFile } from '../core/source-file.js';
import type { Reference, ReferenceKind, SkipReason, Span, SpanRole } from '../core/types.js';

/** A span in `file.text` coordinates, as extractors find it. */
export interface PartInput {
  readonly role: SpanRole;
  readonly start: number;
  readonly end: number;
  readonly variable?: string;
  readonly form?: 'hex';
  readonly prefix?: string;
  /** For `variable` parts: how the template writes the use, when not `${NAME}` or `$NAME` (`${NAME:-default}`). */
  readonly use?: string;
}

export interface ReferenceInput {
  readonly kind: ReferenceKind;
  /** The reference as written; for split forms the composed `name:tag[@digest]`; for variables the resolved text. */
  readonly value: string;
  readonly parts: readonly PartInput[];
  /** Where the reference is reported; defaults to the first part. */
  readonly anchor?: number;
  readonly skip?: SkipReason | null;
  readonly detail?: string;
}

export function makeSpan(file: SourceFile, part: PartInput): Span {
  const { line, column } = file.position(part.start);
  const before = file.text[part.start - 1];
  const quote = (before === '"' || before === "'") && file.text[part.end] === before ? before : undefined;
  return {
    role: part.role,
    start: file.base + part.start,
    end: file.base + part.end,
    text: file.text.slice(part.start, part.end),
    line,
    column,
    ...(part.variable === undefined ? {} : { variable: part.variable }),
    ...(quote === undefined ? {} : { quote }),
    ...(part.form === undefined ? {} : { form: part.form }),
    ...(part.prefix === undefined ? {} : { prefix: part.prefix }),
    ...(part.use === undefined ? {} : { use: part.use }),
  };
}

/** Builds a Reference: parses the value (GitLab dependency-proxy prefixes mean Docker Hub) and decides the skip reason. */
export function makeReference(file: SourceFile, input: ReferenceInput): Reference {
  const anchor = input.anchor ?? input.parts[0]?.start ?? 0;
  const { line, column } = file.position(anchor);
  const spans = input.parts.map((part) => makeSpan(file, part));
  const proxied = stripDependencyProxyPrefix(input.value);
  const bare = proxied ? proxied.rest : input.value;
  const parsed = isTemplated(bare) ? null : parseImageRef(bare);
  let skip: SkipReason | null;
  if (input.skip !== undefined) skip = input.skip;
  else if (isTemplated(bare)) skip = 'templated';
  // `app:@VERSION@`: not a reference until a build step fills the placeholder in, as `${VERSION}` is not.
  // `app@sha256:<app_SHA_value>`: a digest a script writes in later, as `app@${DIGEST}` is.
  // `app:<plugin_version>`: a named image whose tag the reader fills in.
  else if (!parsed) skip = hasSubstitution(bare) || hasDigestPlaceholder(bare) || hasTagPlaceholder(bare) ? 'templated' : 'invalid-reference';
  else if (parsed.tag === null && parsed.digest === null) skip = 'no-tag';
  // `app:__IMAGE_TAG__`, `app:APP_VERSION`: a tag a deploy script writes in with `sed`, as `app:@VERSION@` is.
  else if (hasUnderscoredTagPlaceholder(parsed.tag)) skip = 'templated';
  else skip = null;
  return {
    file: file.path,
    line,
    column,
    value: input.value,
    kind: input.kind,
    image: parsed ? { registry: parsed.registry, repository: parsed.repository, tag: parsed.tag, digest: parsed.digest } : null,
    name: parsed ? (proxied ? `${proxied.prefix}${parsed.name}` : parsed.name) : null,
    skip,
    spans,
    ...(input.detail === undefined ? {} : { detail: input.detail }),
  };
}

/** The reference shown with a value resolved from elsewhere (a variable, a parameter, a chart's values): its image and name follow the value. */
export function withValue(reference: Reference, value: string, image: ImageRef): Reference {
  return { ...reference, value, image: { registry: image.registry, repository: image.repository, tag: image.tag, digest: image.digest }, name: image.name };
}

/**
 * A bare name (`no-tag`, written in one place) completed by a tag written elsewhere in the same file, from
 * `start` to `end`: the reference then holds both parts, and an update edits each where it is written.
 * Null when the reference is not such a name.
 */
export function withTagAt(file: SourceFile, reference: Reference, tag: { readonly value: string; readonly start: number; readonly end: number }): Reference | null {
  const [span, ...more] = reference.spans;
  if (reference.skip !== 'no-tag' || span === undefined || more.length > 0) return null;
  const start = span.start - file.base;
  return makeReference(file, {
    kind: reference.kind,
    value: `${reference.value}:${tag.value}`,
    parts: [
      { role: 'repository', start, end: start + span.text.length },
      { role: 'tag', start: tag.start, end: tag.end },
    ],
  });
}
