import type { SourceFile } from '../core/source-file.js';
import type { Reference } from '../core/types.js';
import { lineValue, walkKeyLines, YAML_NOT_STRING, type LineValue } from './helm-template-lines.js';
import { makeReference } from './make-reference.js';
import { looksLikeImageText } from './yaml-image-fields.js';
import { namedValueUse, namesPushTarget, PARAM_IMAGE } from './tekton-params.js';

/**
 * The named values of a manifest that does not parse, read line by line: list items such as
 * `- name: python-image` + `value: python:3.11` (Tekton run parameters, Argo parameters, environment
 * variables), as the parsed reading takes them. A Tekton sample whose other values are placeholders
 * to fill in (`value: {{GITHUB_URL}}`) is not YAML, but its image parameters are written in full.
 *
 * Kept, as in a parsed manifest: a `value` or `default` with a tag or digest when the name says image;
 * the `default` of a parameter a step runs as its image (`image: $(params.builder)`), a bare name too, or written
 * through a template (`templatedDefault`: `templated`, or left out when a chart's template names it wholly);
 * `defaulted` names those parameters, and those a run's `value` with a tag or digest gives, whose uses pass the
 * image on. Block scalar bodies are text here.
 */

interface Item {
  readonly indent: number;
  name: string | null;
  readonly values: Array<{ key: string; found: LineValue }>;
}

const BLOCK_START = /^[ \t]*[|>][-+0-9]*[ \t]*(?:#.*)?$/;

export function namedValueLineImages(file: SourceFile): { references: Reference[]; defaulted: Set<string> } {
  const { text } = file;
  const items: Item[] = [];
  const open: Item[] = [];
  const runAsImage = new Set<string>();
  walkKeyLines(text, { from: 0, to: text.length }, ({ line, start: lineStart, end: lineEnd, match, itemBlock }) => {
    if (!match) return itemBlock;
    const [, spaces = '', dash = '', key = ''] = match;
    const indent: number = spaces.length + dash.length;
    const dashed = dash.length > 0;
    for (let top = open.at(-1); top !== undefined && (dashed ? top.indent >= indent : top.indent > indent); top = open.at(-1)) open.pop();
    if (dashed) {
      const item: Item = { indent, name: null, values: [] };
      open.push(item);
      items.push(item);
    }
    const found = lineValue(text, lineStart + match[0].length, lineEnd);
    const item = open.at(-1);
    if (found && item !== undefined && item.indent === indent) {
      if (key === 'name') item.name = found.value;
      else if (key === 'value' || key === 'default') item.values.push({ key, found });
    }
    const param = key === 'image' && found ? PARAM_IMAGE.exec(found.value) : null;
    if (param?.[1] !== undefined) runAsImage.add(param[1]);
    return BLOCK_START.test(line.slice(match[0].length)) ? indent : null;
  });
  const references: Reference[] = [];
  const defaulted = new Set<string>();
  for (const item of items) {
    if (item.name === null) continue;
    const runs = runAsImage.has(item.name);
    if (!runs && (!/image/i.test(item.name) || namesPushTarget(item.name))) continue;
    for (const { key, found } of item.values) {
      if (!looksLikeImageText(found.value) || YAML_NOT_STRING.test(found.value)) continue;
      const reference = makeReference(file, {
        kind: 'kubernetes-image',
        value: found.value,
        parts: [{ role: 'reference', start: found.start, end: found.end }],
        ...(found.literal ? {} : { skip: 'unsupported-quoting' as const }),
      });
      const use = namedValueUse(file.path, reference, key, runs);
      if (use?.report) references.push(reference);
      if (use?.passes) defaulted.add(item.name);
    }
  }
  return { references, defaulted };
}
