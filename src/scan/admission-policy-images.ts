import { isMap, isScalar, isSeq } from 'yaml';
import type { SourceFile } from '../core/source-file.js';
import type { Reference } from '../core/types.js';
import { makeReference } from './make-reference.js';
import { looksLikeImageText } from './yaml-image-fields.js';
import { mapAt, mapGet } from './yaml-source.js';

/** A CEL field written with a string literal alone (not joined with `+` nor called on): `image: "registry.example.test/tools/jitter:1.2.0"`. */
const IMAGE_FIELD = /(?<![\w.$])image[ \t]*:[ \t]*"([^"\\\n]*)"(?!\s*[+.[])/g;

/** A CEL `JSONPatch{…}` that writes an image field: `path: "/spec/template/spec/containers/0/image", value: "…"`. */
const IMAGE_PATCH = /(?<![\w.$])path[ \t]*:[ \t]*"\/[^"\\\n]*\/image"[ \t]*,\s*value[ \t]*:[ \t]*"([^"\\\n]*)"(?!\s*[+.[])/g;

/**
 * A MutatingAdmissionPolicy (`admissionregistration.k8s.io/…`) changes the objects the API server admits through CEL
 * expressions (`spec.mutations[].applyConfiguration.expression`, `….jsonPatch.expression`). One that adds a container
 * (`Object.spec.template.spec.initContainers{name: "jitter", image: "…"}`, or a `JSONPatch` whose `path` ends at an image
 * field with a `value`) writes its image as a CEL string literal: the image of a container the cluster runs, reported
 * and edited where it is written. An image the expression computes (`"mirror.example.test/" + object.spec…image`) or a
 * literal with escapes is not read.
 */
export function mutationPolicyImages(file: SourceFile, root: unknown): Reference[] {
  if (!isMap(root)) return [];
  const kind = mapGet(root, 'kind');
  const apiVersion = mapGet(root, 'apiVersion');
  if (!isScalar(kind) || kind.value !== 'MutatingAdmissionPolicy' || !isScalar(apiVersion) || typeof apiVersion.value !== 'string' || !apiVersion.value.startsWith('admissionregistration.k8s.io/'))
    return [];
  const mutations = mapAt(root, 'spec', 'mutations');
  if (!isSeq(mutations)) return [];
  const references: Reference[] = [];
  for (const mutation of mutations.items) {
    for (const key of ['applyConfiguration', 'jsonPatch']) {
      const expression = mapAt(mutation, key, 'expression');
      if (!isScalar(expression) || typeof expression.value !== 'string' || !expression.range) continue;
      const [start, end] = expression.range;
      const text = file.text.slice(start, end);
      for (const pattern of [IMAGE_FIELD, IMAGE_PATCH]) {
        for (const match of text.matchAll(pattern)) {
          const value = match[1] ?? '';
          if (!looksLikeImageText(value)) continue;
          const at = start + match.index + match[0].length - 1 - value.length;
          references.push(makeReference(file, { kind: 'kubernetes-image', value, parts: [{ role: 'reference', start: at, end: at + value.length }], detail: 'a container a CEL mutation adds' }));
        }
      }
    }
  }
  return references;
}
