import { formatImageRef } from '../core/image-ref.js';
import type { TextEdit } from '../core/text-edit.js';
import { isImageReference, type ImageReference, type Reference, type Span } from '../core/types.js';
import { packPrintf } from '../core/pack-printf.js';

/** Where a reference should go: a tag and the index digest to pin (null: keep it unpinned). */
export interface Target {
  readonly tag: string | null;
  readonly digest: string | null;
}

export type EditPlan =
  | {
      readonly ok: true;
      readonly edits: readonly TextEdit[];
      readonly value: string;
      readonly pinned: boolean;
      /** Why the digest was not written: the format has no place for it. */
      readonly unpinned?: string;
    }
  | {
      readonly ok: false;
      readonly reason: string;
      /** The update is held, not failed: it would change a variable archpin never edits (another project's file). */
      readonly hold?: 'outside-variable';
    };

/** Split forms whose users write the digest into the tag field when there is no digest field (`tag: 1.25.4@sha256:…`). */
const TAG_HOLDS_DIGEST: ReadonlySet<string> = new Set(['helm-values']);

/** Split forms that have no place for a digest: a pin is not proposed there. */
export function digestPlacement(reference: Reference): 'reference' | 'digest-field' | 'tag-field' | 'none' {
  const roles = new Set(reference.spans.map((span) => span.role));
  if (roles.has('reference') || roles.has('template')) return 'reference';
  if (roles.has('digest')) return 'digest-field';
  if (roles.has('tag') && (TAG_HOLDS_DIGEST.has(reference.kind) || reference.spans.some((span) => span.role === 'tag' && span.text.includes('@')))) return 'tag-field';
  return 'none';
}

const KIND_NAMES: Partial<Record<string, string>> = {
  hiera: 'Hiera image + image_tag keys',
  puppet: 'Puppet image_tag parameters',
  'kustomize-image': 'kustomize images without a digest field (a flow-map entry, an Argo CD image string)',
  'kubernetes-image': 'split image fields without a digest field',
  'compose-service': 'split image fields without a digest field',
};

/** Plain YAML scalars that would read back as a number other than the text (`1.10` → 1.1, `27.1` a float). */
const YAML_FLOAT = /^[-+]?(\d+\.\d*|\.\d+|\d+[eE][-+]?\d+)$/;

/** Replaces a span's text; an edit of a span in another file names that file. */
const edit = (span: Span, replacement: string): TextEdit => ({ ...(span.file === undefined ? {} : { file: span.file }), start: span.start, end: span.end, expected: span.text, replacement });

/**
 * An edit of a bare tag or variable value in YAML: a new value that YAML would read as a float is
 * written quoted, so it stays the string it is (GitLab rejects float variables; Helm prints 1.10 as 1.1).
 */
function scalarEdit(reference: Reference, span: Span, replacement: string): TextEdit {
  // Characters inside the reference's own text (a compose `${TAG:-1.0}` default) are part of a larger string, never a scalar of their own.
  // So are a tag and the name it follows in one string (`web=registry.example.test/web:1.4.0`): their spans are one `:` apart.
  const inside = reference.spans.some(
    (other) =>
      other !== span && other.file === span.file && ((other.role === 'template' && other.start <= span.start && span.end <= other.end) || other.end === span.start - 1 || other.start === span.end + 1),
  );
  // A value written in a compose `.env` file is text to the end of its line, never a YAML scalar: it is written as it stands.
  const dotEnv = span.syntax === 'dotenv';
  const quoted = !inside && !dotEnv && span.quote === undefined && reference.quoting === 'yaml' && YAML_FLOAT.test(replacement) ? `"${replacement}"` : replacement;
  return edit(span, quoted);
}

/** Finds `${NAME}` or `$NAME` (not followed by a name character) in a template, or the use as the span records it. */
function variableUse(template: string, name: string, use: string | undefined): { index: number; length: number } | null {
  if (use !== undefined) {
    const index = template.indexOf(use);
    return index === -1 ? null : { index, length: use.length };
  }
  const braced = template.indexOf(`\${${name}}`);
  if (braced !== -1) return { index: braced, length: name.length + 3 };
  const plain = new RegExp(`\\$${name}(?![A-Za-z0-9_])`).exec(template);
  return plain ? { index: plain.index, length: name.length + 1 } : null;
}

/**
 * A variable's characters written inside the template's own (a compose `${TAG:-1.0}` default): one edit
 * of the template carries both, when the template's edit leaves those characters where they were (it only
 * adds a pin after them); otherwise the plan is refused.
 */
function foldNested(edits: readonly TextEdit[]): TextEdit[] | null {
  // Strictly inside: an insertion where another edit ends (a new kustomize digest line) is beside it, not in it.
  const within = (inner: TextEdit, outer: TextEdit): boolean =>
    inner !== outer && inner.file === outer.file && outer.start <= inner.start && inner.end <= outer.end && inner.start < outer.end && inner.end - inner.start < outer.end - outer.start;
  const outers = edits.filter((outer) => edits.some((inner) => within(inner, outer)));
  if (outers.length === 0) return [...edits];
  const folded: TextEdit[] = [];
  for (const edit of edits) {
    if (outers.some((outer) => within(edit, outer))) continue;
    if (!outers.includes(edit)) {
      folded.push(edit);
      continue;
    }
    const inner = edits.filter((other) => within(other, edit)).sort((a, b) => b.start - a.start);
    let shared = 0;
    while (shared < edit.expected.length && edit.expected[shared] === edit.replacement[shared]) shared++;
    let replacement = edit.replacement;
    for (const change of inner) {
      if (change.end - edit.start > shared) return null;
      replacement = `${replacement.slice(0, change.start - edit.start)}${change.replacement}${replacement.slice(change.end - edit.start)}`;
    }
    folded.push({ ...edit, replacement });
  }
  return folded;
}

/**
 * The byte-precise edits that make a reference point at `target`, in the user's own spelling.
 * Pure: the caller applies them and re-scans to confirm.
 */
export function editsForReference(reference: Reference, target: Target): EditPlan {
  const planned = planEdits(reference, target);
  if (!planned.ok) return planned;
  const edits = foldNested(planned.edits);
  if (!edits) return { ok: false, reason: 'the edits of a variable written inside the reference and of the reference itself overlap' };
  const plan = { ...planned, edits };
  // A variable defined where archpin never edits (another project's file) holds the update when the edit would change it;
  // so does filling an empty field that archpin leaves empty (a chart's `tag: ""` whose templates choose the tag).
  const touches = (made: TextEdit, span: Span): boolean =>
    made.file === span.file && (span.start === span.end ? made.start <= span.start && made.end >= span.end : made.start < span.end && made.end > span.start);
  for (const span of reference.spans) {
    if (span.outside === undefined) continue;
    if (plan.edits.some((made) => touches(made, span))) return { ok: false, reason: span.outside, hold: 'outside-variable' };
  }
  return plan;
}

function planEdits(reference: Reference, target: Target): EditPlan {
  if (!isImageReference(reference)) {
    return { ok: false, reason: `reference is skipped (${reference.skip ?? 'unparsed'})` };
  }
  const tag = target.tag ?? reference.image.tag;
  const spans = reference.spans;
  const whole = spans.find((span) => span.role === 'reference');
  if (whole) {
    const value = formatImageRef(reference.name, tag, target.digest);
    return { ok: true, edits: value === whole.text ? [] : [edit(whole, value)], value, pinned: target.digest !== null };
  }

  const template = spans.find((span) => span.role === 'template');
  const variables = spans.filter((span) => span.role === 'variable' && span.variable !== undefined);
  const variable = variables[0];
  if (template && (variables.length > 1 || PRINTF.test(template.text))) return editsThroughVariables(reference, template, variables, tag, target.digest);
  if (template && variable?.variable) return editsThroughVariable(reference, template, variable, variable.variable, tag, target.digest);

  const tagSpan = spans.find((span) => span.role === 'tag');
  const digestSpan = spans.find((span) => span.role === 'digest');
  const placement = digestPlacement(reference);
  const edits: TextEdit[] = [];
  let pinned = false;
  // A format that keeps the digest in a field of its own has a span for it.
  const digestField = placement === 'digest-field' ? digestSpan : undefined;
  if (placement === 'digest-field' && !digestField) return { ok: false, reason: 'the reference has no digest field to update' };
  if (placement === 'tag-field') {
    // The tag field carries `tag@digest`; without a new digest it keeps the tag alone.
    if (!tagSpan) return { ok: false, reason: 'the reference has no tag field to update' };
    const text = target.digest !== null ? `${tag ?? ''}@${target.digest}` : (tag ?? '');
    if (text !== tagSpan.text) edits.push(scalarEdit(reference, tagSpan, text));
    pinned = target.digest !== null;
  } else if (tagSpan?.prefix !== undefined) {
    // A tag field the format lacks (a kustomize `newName` that keeps the tag its resources write): it is written out
    // when the tag changes, and with a new digest, which would otherwise replace the tag it keeps.
    if (tag !== reference.image.tag || (digestField !== undefined && target.digest !== null)) edits.push(edit(tagSpan, `${tagSpan.prefix}${yamlString(tag ?? '')}`));
  } else if (tag !== reference.image.tag) {
    if (!tagSpan) return { ok: false, reason: 'the reference has no tag field to update' };
    edits.push(scalarEdit(reference, tagSpan, tag ?? ''));
  }
  if (digestField && target.digest !== null) {
    const written = digestField.form === 'hex' ? target.digest.replace(/^sha256:/, '') : target.digest;
    if (digestField.prefix !== undefined) edits.push(edit(digestField, `${digestField.prefix}${written}`));
    else if (digestField.text !== written) edits.push(edit(digestField, written));
    pinned = true;
  } else if (digestField && target.digest === null && digestField.text !== '') {
    return { ok: false, reason: 'the reference pins a digest that cannot be removed' };
  }
  const value = formatImageRef(reference.name, tag, pinned ? target.digest : null);
  const joined = joinInsertions(edits);
  const unpinned = target.digest !== null && !pinned ? `digests are not pinned in ${KIND_NAMES[reference.kind] ?? `${reference.kind} references`}: there is no field for one` : undefined;
  return { ok: true, edits: joined, value, pinned, ...(unpinned ? { unpinned } : {}) };
}

/** A value YAML would read as something other than this text (`3`, `1.10`, `true`): written quoted, as kustomize needs a string. */
const YAML_NOT_STRING = /^(?:[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|0[xob][0-9a-fA-F_]+|true|false|yes|no|on|off|y|n|null)$/i;

function yamlString(text: string): string {
  return YAML_NOT_STRING.test(text) ? `"${text}"` : text;
}

/** New lines written at one place (a new `newTag` line, then a new `digest` line) are one edit, in the order they were planned. */
function joinInsertions(edits: readonly TextEdit[]): TextEdit[] {
  const joined: TextEdit[] = [];
  for (const made of edits) {
    const index = made.start === made.end ? joined.findIndex((other) => other.start === other.end && other.start === made.start && other.file === made.file) : -1;
    const other = joined[index];
    if (other) joined[index] = { ...other, replacement: `${other.replacement}${made.replacement}` };
    else joined.push(made);
  }
  return joined;
}

function editsThroughVariable(reference: ImageReference, template: Span, variable: Span, name: string, tag: string | null, digest: string | null): EditPlan {
  const use = variableUse(template.text, name, variable.use);
  if (!use) return { ok: false, reason: `template does not use ${variable.use ?? `\${${name}}`}` };
  const templateText = template.text.replace(/@sha256:[a-f0-9]{64}$/, '');
  const prefix = templateText.slice(0, use.index);
  const suffix = templateText.slice(use.index + use.length);
  if (/\$|\[\[/.test(prefix + suffix)) return { ok: false, reason: 'template uses more than one variable' };
  const resolved = formatImageRef(reference.name, tag, null);
  if (!resolved.startsWith(prefix) || !resolved.endsWith(suffix) || resolved.length < prefix.length + suffix.length) {
    // The change may lie in the template's own characters (`${REGISTRY}/docker:27.0.3-dind`): the variable then stays.
    const throughTemplate = editsThroughVariables(reference, template, [variable], tag, digest);
    return throughTemplate.ok ? throughTemplate : { ok: false, reason: `new reference ${resolved} does not fit the template ${template.text}` };
  }
  const wholeInVariable = prefix === '' && suffix === '';
  const newVariable = resolved.slice(prefix.length, resolved.length - suffix.length);
  const edits: TextEdit[] = [];
  if (wholeInVariable) {
    const value = digest === null ? newVariable : `${newVariable}@${digest}`;
    if (value !== variable.text) edits.push(scalarEdit(reference, variable, value));
  } else {
    if (newVariable !== variable.text) edits.push(scalarEdit(reference, variable, newVariable));
    const pinnedTemplate = digest === null ? template.text : `${templateText}@${digest}`;
    if (pinnedTemplate !== template.text) edits.push(edit(template, pinnedTemplate));
  }
  return { ok: true, edits, value: formatImageRef(reference.name, tag, digest), pinned: digest !== null };
}

/** A template that writes the image with a Nomad Pack printf (its variables are segments of the format). */
const PRINTF = /\[\[-?\s*printf\s/;

/**
 * `${NAME}`, `$NAME`, or a use that a span records as its `use`: a template action (`[[ var "tag" . ]]`), the opening of a
 * compose `${NAME:-default}` (read on to its closing brace by `usesIn`).
 */
const USE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)|\[\[[^\]]*\]\]|\$\{[A-Za-z_][A-Za-z0-9_]*:?[-?]/g;

/** A use in a template: its text, where it starts, and the variable's name when it is a plain `${NAME}` or `$NAME`. */
interface Use {
  readonly text: string;
  readonly index: number;
  readonly name: string | undefined;
}

/**
 * The uses of a template, in order. A compose default runs to the `}` that closes it, each `${` inside opening one
 * more, as compose reads it, so a default may itself use a default (`${APP_TAG:-${TAG:-1.4.0}}`); an opening never
 * closed is no use (its `$` is left in the text).
 */
function usesIn(template: string): Use[] {
  const uses: Use[] = [];
  const pattern = new RegExp(USE.source, 'g');
  for (let match = pattern.exec(template); match !== null; match = pattern.exec(template)) {
    if (!match[0].endsWith('-') && !match[0].endsWith('?')) {
      uses.push({ text: match[0], index: match.index, name: match[1] ?? match[2] });
      continue;
    }
    let depth = 0;
    let close = -1;
    for (let index = match.index; index < template.length && close === -1; index++) {
      if (template[index] === '$' && template[index + 1] === '{') {
        depth++;
        index++;
      } else if (template[index] === '}' && --depth === 0) close = index;
    }
    if (close === -1) continue;
    uses.push({ text: template.slice(match.index, close + 1), index: match.index, name: undefined });
    pattern.lastIndex = close + 1;
  }
  return uses;
}
/** Text archpin does not expand: a `$` or an action left between the uses. */
const UNEXPANDED = /\$|\[\[/;

/**
 * A template cut into its text and its variable uses, each with the text it stands for now. A variable
 * whose value uses other variables (`NESTED: "\${PREFIX}/ruby:3.3"`) is cut too: its own characters are
 * segments at an `offset` in its span.
 */
interface Segment {
  readonly text: string;
  readonly variable?: Span;
  readonly offset?: number;
  /** The template's own characters, at this offset in its text. */
  readonly at?: number;
}

function segmentsOf(template: string, variables: readonly Span[], owner: Span | null = null, depth = 0): Segment[] | null {
  const segments: Segment[] = [];
  let last = 0;
  const literal = (from: number, to: number): void => {
    if (to === from) return;
    segments.push(owner === null ? { text: template.slice(from, to), at: from } : { text: template.slice(from, to), variable: owner, offset: from });
  };
  for (const use of usesIn(template)) {
    const { name } = use;
    const span = variables.find((candidate) => (name === undefined ? candidate.use === use.text : candidate.use === undefined && candidate.variable === name));
    // Text between the uses with a `$` left in it (`$$`, `$(…)`) is not something archpin expands.
    if (UNEXPANDED.test(template.slice(last, use.index))) return null;
    literal(last, use.index);
    last = use.index + use.text.length;
    const printf = span === undefined && name === undefined ? packPrintf(use.text) : null;
    if (printf !== null) {
      // A Nomad Pack printf: its format's text, and each `%s` the default of the variable it is given.
      if (typeof printf === 'string') return null;
      for (const piece of printf.pieces) {
        if (typeof piece === 'string') {
          segments.push({ text: piece });
          continue;
        }
        const argument = variables.find((candidate) => candidate.use === piece.text);
        if (!argument) return null;
        segments.push({ text: argument.text, variable: argument });
      }
      continue;
    }
    if (span && span.text.includes('$')) {
      if (depth >= 8) return null;
      const inner = segmentsOf(span.text, variables, span, depth + 1);
      if (!inner) return null;
      segments.push(...inner);
      continue;
    }
    // A use with no span (a dependency-proxy prefix) stands for itself: the reference keeps it as written.
    segments.push(span ? { text: span.text, variable: span } : { text: use.text });
  }
  if (UNEXPANDED.test(template.slice(last))) return null;
  literal(last, template.length);
  return segments;
}

const segmentKey = (segment: Segment): string => `${segment.variable?.variable ?? ''}#${segment.offset ?? 'whole'}`;

/**
 * A template that uses several variables (`\${REGISTRY}/ruby:\${RUBY_VERSION}`): the new reference must
 * differ from the current one only inside one variable's value, and that variable is edited; the
 * others stay. A pin goes at the end of the template.
 */
function editsThroughVariables(reference: ImageReference, template: Span, variables: readonly Span[], tag: string | null, digest: string | null): EditPlan {
  // A Nomad Pack printf that writes the quotes itself (`[[ printf "…" … | quote ]]`, `[[ printf "\"…\"" … ]]`) is the whole
  // value: nothing can follow it, so the tag is edited and the digest is not pinned.
  const printf = digest === null ? null : packPrintf(template.text);
  if (printf !== null && typeof printf !== 'string' && printf.quoted) {
    const plan = editsThroughVariables(reference, template, variables, tag, null);
    return plan.ok ? { ...plan, unpinned: 'digests are not pinned in a Nomad Pack image whose printf writes the quotes: nothing can follow it' } : plan;
  }
  if (variables.some((span) => span.text.includes('@'))) return { ok: false, reason: 'a variable of the template holds a digest' };
  const templateText = template.text.replace(/@sha256:[a-f0-9]{64}$/, '');
  const segments = segmentsOf(templateText, variables);
  if (!segments) return { ok: false, reason: `template ${template.text} uses variables that are not resolved` };
  const current = segments.map((segment) => segment.text).join('');
  const resolved = formatImageRef(reference.name, tag, null);
  const edits: TextEdit[] = [];
  if (resolved !== current) {
    // The changed window, as the characters shared at both ends leave it.
    let head = 0;
    while (head < current.length && head < resolved.length && current[head] === resolved[head]) head++;
    let tail = 0;
    while (tail < current.length - head && tail < resolved.length - head && current[current.length - 1 - tail] === resolved[resolved.length - 1 - tail]) tail++;
    const windowEnd = current.length - tail;
    const fits: Array<{ span: Span; value: string; start: number; end: number; segment: Segment }> = [];
    let offset = 0;
    segments.forEach((segment, index) => {
      const start = offset;
      offset += segment.text.length;
      const span = segment.variable ?? (segment.at === undefined ? undefined : template);
      if (!span || (segment.variable !== undefined && segments.filter((other) => other.variable !== undefined && segmentKey(other) === segmentKey(segment)).length > 1)) return;
      const before = segments
        .slice(0, index)
        .map((other) => other.text)
        .join('');
      const after = segments
        .slice(index + 1)
        .map((other) => other.text)
        .join('');
      if (resolved.length < before.length + after.length || !resolved.startsWith(before) || !resolved.endsWith(after)) return;
      fits.push({ span, value: resolved.slice(before.length, resolved.length - after.length), start, end: offset, segment });
    });
    // Several variables could take the change only when it sits on a boundary: the first one that holds the window takes it.
    const chosen = fits.length === 1 ? fits[0] : fits.find((fit) => fit.start <= head && windowEnd <= fit.end);
    if (!chosen) return { ok: false, reason: `new reference ${resolved} does not fit the template ${template.text} by changing one variable` };
    const { span, segment, value } = chosen;
    if (segment.at !== undefined) {
      // The template's own characters take the change: one edit of the template, with the pin after it.
      const changed = `${templateText.slice(0, segment.at)}${value}${templateText.slice(segment.at + segment.text.length)}`;
      const written = digest === null ? `${changed}${template.text.slice(templateText.length)}` : `${changed}@${digest}`;
      edits.push(edit(template, written));
      return { ok: true, edits, value: formatImageRef(reference.name, tag, digest), pinned: digest !== null };
    }
    if (segment.offset === undefined) edits.push(scalarEdit(reference, span, value));
    else {
      // Characters of a variable built from others: only they change, the uses around them stay.
      const start = span.start + segment.offset;
      edits.push({ ...(span.file === undefined ? {} : { file: span.file }), start, end: start + segment.text.length, expected: segment.text, replacement: value });
    }
  }
  const pinnedTemplate = digest === null ? template.text : `${templateText}@${digest}`;
  if (pinnedTemplate !== template.text) edits.push(edit(template, pinnedTemplate));
  return { ok: true, edits, value: formatImageRef(reference.name, tag, digest), pinned: digest !== null };
}
