import { parseImageRef } from '../../../core/image-ref.js';
import type { Reference, ScanProblem } from '../../../core/types.js';
import type { Extractor } from '../../extractor.js';
import { makeReference, type ReferenceInput } from '../../make-reference.js';
import { composeImage, imageKeyStrength, looksLikeNonImage, type ImageKeyStrength, type ValueText } from '../../puppet-image-keys.js';
import { parsePuppetStructure, type PuppetEntry, type PuppetGroup } from './puppet-structure.js';
import { tokenizePuppet, type PuppetToken } from './puppet-tokenizer.js';

/**
 * Puppet manifests (`.pp`): images in resource attributes (`docker::run { 'web': image => … }`),
 * class declarations and parameter defaults, hashes, and `$image = '…'` assignments; split forms
 * with `image_tag`/`tag`/`version` siblings and `docker::image` titles.
 */
export const puppetExtractor: Extractor = {
  name: 'puppet',
  kinds: ['puppet'],
  quoting: 'verbatim',
  isCandidate: (path) => /\.pp$/i.test(path),
  owns: (file) => /\.pp$/i.test(file.path),
  claims: (file) => /\.pp$/i.test(file.path),
  extract: (file) => {
    const { tokens, error } = tokenizePuppet(file.text);
    const structure = parsePuppetStructure(tokens);
    const inputs: ReferenceInput[] = [];
    for (const group of structure.groups) for (const reference of groupReferences(group)) inputs.push(reference);
    for (const assignment of structure.assignments) {
      const input = assignmentReference(assignment.name, assignment.value);
      if (input) inputs.push(input);
    }
    const references: Reference[] = inputs.sort((a, b) => (a.parts[0]?.start ?? 0) - (b.parts[0]?.start ?? 0)).map((input) => makeReference(file, input));
    const problems: ScanProblem[] = error ? [{ file: file.path, line: file.position(error.offset).line, code: 'parse-error', message: `Puppet: ${error.message}` }] : [];
    return { references, problems };
  },
};

/** The span between a string token's quotes. */
function inner(token: PuppetToken): { start: number; end: number } {
  return { start: token.start + 1, end: token.end - 1 };
}

function groupReferences(group: PuppetGroup): ReferenceInput[] {
  const byKey = new Map<string, PuppetEntry>();
  for (const entry of group.entries) {
    const key = entry.key.toLowerCase();
    if (!byKey.has(key)) byKey.set(key, entry);
  }
  const detail = describe(group);
  const out: ReferenceInput[] = [];
  for (const entry of group.entries) {
    const strength = imageKeyStrength(entry.key);
    if (!strength || !entry.value) continue;
    const input = imageReference(entry.key.toLowerCase(), entry.value, strength, byKey, detail);
    if (input) out.push(input);
  }
  if (group.kind === 'resource' && group.owner === 'docker::image' && !byKey.has('image')) {
    // The title is the image name; `image_tag` and `image_digest` complete it.
    for (const title of group.titles) {
      const input = imageReference('image', title, 'clear', byKey, detail);
      if (input) out.push(input);
    }
  }
  return out;
}

function describe(group: PuppetGroup): string | undefined {
  if (group.owner === null) return undefined;
  if (group.kind === 'parameters') return `${group.owner} parameters`;
  if (group.kind === 'resource') {
    const title = group.titles[0];
    return title ? `${group.owner} ${title.text}` : group.owner;
  }
  return group.owner;
}

function imageReference(key: string, value: PuppetToken, strength: ImageKeyStrength, siblings: ReadonlyMap<string, PuppetEntry>, detail: string | undefined): ReferenceInput | null {
  const text = valueText(value);
  if (!text || (value.kind === 'variable' && strength !== 'clear')) return null;
  const sibling = (keys: readonly string[]): ValueText | null => {
    for (const name of keys) {
      const token = siblings.get(name)?.value;
      const found = token ? valueText(token) : null;
      if (found) return found;
    }
    return null;
  };
  return composeImage('puppet', key, strength, text, sibling, detail);
}

/** The text of a string, variable or number token, and whether it can be rewritten as written. */
function valueText(token: PuppetToken): ValueText | null {
  switch (token.kind) {
    case 'string':
      if (token.interpolated) return { text: token.value!, ...inner(token), templated: true };
      return { text: token.value!, ...inner(token), ...(token.literal ? {} : { skip: 'unsupported-quoting' as const }) };
    case 'variable':
      return { text: token.text, start: token.start, end: token.end, templated: true };
    case 'number':
      // A bare number cannot take every tag (`1.2.3`, `7-alpine`) without quotes.
      return { text: token.text, start: token.start, end: token.end, skip: 'unsupported-quoting' };
    default:
      return null;
  }
}

/** `$image = 'nginx:1.25.3'`: only `image`/`*_image` variables holding a complete reference with a tag or digest. */
function assignmentReference(name: string, value: PuppetToken): ReferenceInput | null {
  const local = name.slice(name.lastIndexOf(':') + 1).toLowerCase();
  if (local !== 'image' && !local.endsWith('_image')) return null;
  if (value.kind !== 'string' || value.interpolated) return null;
  const text = value.value!;
  if (looksLikeNonImage(text)) return null;
  const parsed = parseImageRef(text);
  if (!parsed || (parsed.tag === null && parsed.digest === null)) return null;
  return {
    kind: 'puppet',
    value: text,
    parts: [{ role: 'reference', ...inner(value) }],
    detail: `$${name}`,
    ...(value.literal ? {} : { skip: 'unsupported-quoting' as const }),
  };
}
