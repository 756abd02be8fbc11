import type { PartInput } from './make-reference.js';

/**
 * An image that a registry written elsewhere qualifies (Molecule's `registry.url`, Jenkins' `docker.withRegistry`): the
 * registry, then the image's name, tag and digest where each is written in the image string, which an update edits.
 */
export function qualifiedImageParts(value: string, start: number, url: { readonly start: number; readonly end: number }): PartInput[] {
  const at = value.indexOf('@');
  const named = at === -1 ? value : value.slice(0, at);
  const colon = named.lastIndexOf(':');
  const nameEnd = colon > named.lastIndexOf('/') ? colon : named.length;
  const parts: PartInput[] = [
    { role: 'registry', start: url.start, end: url.end },
    { role: 'repository', start, end: start + nameEnd },
  ];
  if (nameEnd < named.length) parts.push({ role: 'tag', start: start + nameEnd + 1, end: start + named.length });
  // The digest is written in the image string, after its tag: where there is none yet, a pin goes in right there.
  if (at !== -1) parts.push({ role: 'digest', start: start + at + 1, end: start + value.length });
  else if (nameEnd < named.length) parts.push({ role: 'digest', start: start + value.length, end: start + value.length, prefix: '@' });
  return parts;
}
