import { isScalar, type YAMLMap } from 'yaml';
import { isTag, parseImageRef } from '../../../core/image-ref.js';
import type { SourceFile } from '../../../core/source-file.js';
import type { Reference } from '../../../core/types.js';
import { withValue } from '../../make-reference.js';
import { mapAt as at, mapGet, scalarText, stringScalar } from '../../yaml-source.js';

/** A version written out, as a release names it (`v1.36.3+k3s1`): no variable or template for Flux or a script to fill in. */
const LITERAL_VERSION = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/**
 * A system-upgrade-controller `Plan` (`apiVersion: upgrade.cattle.io/…`) runs its `prepare` and `upgrade` containers with the
 * plan's resolved version as the tag of an image written as a name alone (the controller writes `+` as `-`, so
 * `rancher/k3s-upgrade` with `version: v1.36.3+k3s1` runs `rancher/k3s-upgrade:v1.36.3-k3s1`). With a literal `spec.version`,
 * such a name is shown with that tag, `templated`: the image follows the plan's version, and a tag or digest written into the
 * image would stop it following. A plan that resolves a `channel`, or whose version is a variable, leaves the name `no-tag`.
 */
export function withPlanVersion(file: SourceFile, root: YAMLMap, references: readonly Reference[]): readonly Reference[] {
  if (scalarText(mapGet(root, 'kind')) !== 'Plan' || scalarText(mapGet(root, 'apiVersion'))?.startsWith('upgrade.cattle.io/') !== true) return references;
  const versionNode = at(root, 'spec', 'version');
  const version = scalarText(versionNode);
  if (version === null || !LITERAL_VERSION.test(version)) return references;
  const tag = version.replaceAll('+', '-');
  if (!isTag(tag)) return references;
  const starts = new Set<number>();
  for (const container of ['prepare', 'upgrade']) {
    const image = stringScalar(at(root, 'spec', container, 'image'), file);
    if (image) starts.add(file.base + image.start);
  }
  const line = isScalar(versionNode) && versionNode.range ? file.position(versionNode.range[0]).line : null;
  return references.map((reference) => {
    const start = reference.spans[0]?.start;
    if (reference.skip !== 'no-tag' || reference.spans.length !== 1 || start === undefined || !starts.has(start)) return reference;
    const image = parseImageRef(`${reference.value}:${tag}`);
    if (!image) return reference;
    const note = `the tag is the Plan's version ${version}${line === null ? '' : ` (line ${line})`}, which the controller gives a name written alone`;
    return { ...withValue(reference, `${reference.value}:${tag}`, image), skip: 'templated', detail: [reference.detail, note].filter(Boolean).join('; ') };
  });
}
