import { evaluateWith, newWork, NotRendered, truthy } from './helm-render.js';
import { variablesBefore } from './helm-rendered-tags.js';

/**
 * A name or whole image that a chart's template line writes as a default (`{{ .Values.proxy.image | default
 * "registry.example.test/team/proxy" }}`, `{{ default "…" .Values.proxy.image }}`, `{{ or .Values.proxy.image "…" }}`),
 * and whether the value it falls back from is set by the chart's values: when it is, the values' image is the one
 * that runs (reported in the values file) and the default is never used.
 */
export interface TemplateDefault {
  /** The literal written as the default. */
  readonly name: string;
  /** The pipeline the default falls back from (`.Values.proxy.image`). */
  readonly from: string;
}

/** `<from> | default "…"`, `default "…" <from>` or `or <from> "…"`: the last action of a name. */
const PIPED_DEFAULT = /^([\s\S]*?)\|\s*default\s+"([^"\\]+)"\s*$/;
const CALLED_DEFAULT = /^\s*default\s+"([^"\\]+)"\s+([$.\w]+)\s*$/;
const OR_DEFAULT = /^\s*or\s+([$.\w]+)\s+"([^"\\]+)"\s*$/;
/** A name (`registry.example.test/team/proxy`), or a whole image with its tag or digest (`…/proxy:v0.0.2`). */
const NAME_TEXT = /^[a-z0-9][a-z0-9._/-]*(?::\d+\/[a-z0-9._/-]+)?(?::\w[\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** The default written in one action (without its braces), or null. */
export function templateDefault(action: string): TemplateDefault | null {
  const inner = action.replace(/^-/, '').replace(/-$/, '').trim();
  const piped = PIPED_DEFAULT.exec(inner);
  const called = piped ? null : CALLED_DEFAULT.exec(inner);
  // `or` gives its first argument that is not empty, as `default` gives its value: the literal after it is a default.
  const or = piped || called ? null : OR_DEFAULT.exec(inner);
  const name = piped?.[2] ?? called?.[1] ?? or?.[2];
  const from = (piped?.[1] ?? called?.[2] ?? or?.[1] ?? '').trim();
  return name !== undefined && from !== '' && NAME_TEXT.test(name) ? { name, from } : null;
}

/** Fields a pipeline reads: `.Values.x`, `$.Values.x`, `$name.x`, `.x`. */
const FIELD = /(?:^|[\s(|])(\$?\.[A-Za-z_][\w.]*|\$[A-Za-z_]\w*(?:\.[\w.]*)?)/g;
const ROOT_FIELD = /^\$?\.(?:Values|Chart\.AppVersion)(?:\.|$)/;

function lineStart(text: string, line: number): number {
  let at = 0;
  for (let count = 1; count < line && at !== -1; count += 1) at = text.indexOf('\n', at) + 1 || -1;
  return Math.max(at, 0);
}

const ACTION = /\{\{-?\s*([\s\S]*?)\s*-?\}\}/g;
const BLOCK = /^(if|with|range|define|block)\b/;

/** Are the blocks still open at the end of this text only `if` blocks? */
function onlyUnderIf(text: string): boolean {
  const open: string[] = [];
  for (const match of text.matchAll(ACTION)) {
    const inner = match[1] ?? '';
    if (inner.startsWith('/*')) continue;
    const block = BLOCK.exec(inner)?.[1];
    if (block !== undefined) open.push(block);
    else if (inner === 'end') open.pop();
  }
  return open.every((block) => block === 'if');
}

/** Whether the chart's values set what a default falls back from, and the variables the line's rendering reads. */
export interface DefaultFallback {
  readonly replaced: boolean;
  readonly variables: ReadonlyMap<string, unknown>;
}

/**
 * Does the chart's values set what this default falls back from? Known when the pipeline reads only the chart's
 * values from the root (`.Values.proxy.image`, `$.Values.…`), or variables the template file assigns outside its
 * named templates, `with` and `range` blocks before the line (`{{- $probe := .Values.probe | default dict }}` …
 * `$probe.image`); null when it reads anything else (a helper's parameter, `.image` inside a `with`) or cannot be
 * evaluated.
 */
export function defaultReplaced(fallback: TemplateDefault, root: unknown, file: { readonly text: string }, line: number): DefaultFallback | null {
  let reads = false;
  for (const match of fallback.from.matchAll(FIELD)) {
    const field = match[1] ?? '';
    if (ROOT_FIELD.test(field)) continue;
    if (!/^\$[A-Za-z_]/.test(field)) return null;
    reads = true;
  }
  const context = { defines: new Map<string, { body: string; at: number }>(), work: newWork() };
  try {
    let variables = new Map<string, unknown>();
    if (reads) {
      const text = file.text;
      const at = lineStart(text, line);
      // In a named template `.` is what its caller passes, and in `with` or `range` what they name: only a line under `if` blocks reads the root.
      if (!onlyUnderIf(text.slice(0, at))) return null;
      variables = variablesBefore(text, at, root, context);
      for (const match of fallback.from.matchAll(FIELD)) {
        const name = /^\$[A-Za-z_]\w*/.exec(match[1] ?? '')?.[0];
        if (name !== undefined && !variables.has(name)) return null;
      }
    }
    return { replaced: truthy(evaluateWith(fallback.from, root, context, variables)), variables };
  } catch (error) {
    if (error instanceof NotRendered) return null;
    throw error;
  }
}
