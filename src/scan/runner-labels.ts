import { isScalar, isSeq } from 'yaml';
import type { SourceFile } from '../core/source-file.js';
import type { Reference, ReferenceKind } from '../core/types.js';
import { makeReference } from './make-reference.js';
import { looksLikeImageText } from './yaml-image-fields.js';
import { mapEntries, mapGet, stringScalar, walkMaps, type StringScalar } from './yaml-source.js';

/** `ubuntu-latest:docker://registry.example.test/ci/runner:24.04`: the label, then the image its jobs run in. */
const DOCKER_LABEL = /^([^\s:/]+):docker:\/\/(?=\S)/;

/** A variable named for a runner's labels (`forgejo_runner_labels`, `act-runner-labels`, the runner image's `GITEA_RUNNER_LABELS`). */
const RUNNER_LABELS_KEY = /(^|[_-])runner[_-]labels$/i;

/**
 * The images of the labels written in one string, from `at` in it: one label, or several joined by commas as the runner's
 * `--labels` takes them (`ubuntu-latest:docker://…,arm64:host`), each reported where it is written.
 */
function labelImages(file: SourceFile, scalar: StringScalar, at: number, kind: ReferenceKind): Reference[] {
  if (!scalar.literal) return [];
  const references: Reference[] = [];
  let offset = at;
  for (const part of scalar.value.slice(at).split(',')) {
    const lead = part.length - part.trimStart().length;
    const text = part.trim();
    const label = DOCKER_LABEL.exec(text);
    const image = label ? text.slice(label[0].length) : '';
    if (label && looksLikeImageText(image)) {
      const start = scalar.start + offset + lead + label[0].length;
      references.push(
        makeReference(file, {
          kind,
          value: image,
          parts: [{ role: 'reference', start, end: start + image.length }],
          detail: `the runner label ${label[1] ?? ''}: the runner runs the jobs that ask for it in this image`,
        }),
      );
    }
    offset += part.length + 1;
  }
  return references;
}

/**
 * The labels of a Gitea or Forgejo Actions runner (act_runner): its config's `runner.labels` list, or a list kept in a
 * variable named for them (`forgejo_runner_labels`, which a role passes to the runner's `--labels`), or such a variable
 * holding the labels joined by commas as `--labels` takes them: the runner image's `GITEA_RUNNER_LABELS`, set in a compose
 * service's `environment` (a map, or `- NAME=value` items) or a container's `env` (`- name: GITEA_RUNNER_LABELS` + `value:`).
 * A label written `<label>:docker://<image>` runs the jobs that ask for that label in that image, which the runner pulls: the
 * image part is reported and edited where it is written; the label and labels of other kinds (`:host`) are left alone.
 */
export function runnerLabelImages(file: SourceFile, root: unknown, kind: ReferenceKind): Reference[] {
  const references: Reference[] = [];
  const read = (node: unknown, at = 0): void => {
    const scalar = isScalar(node) ? stringScalar(node, file) : null;
    if (scalar) references.push(...labelImages(file, scalar, at, kind));
  };
  walkMaps(root, (map, path) => {
    for (const [key, value] of mapEntries(map)) {
      if ((key === 'labels' && path.at(-1) === 'runner') || RUNNER_LABELS_KEY.test(key)) {
        if (isSeq(value)) for (const item of value.items) read(item);
        else read(value);
      } else if (key === 'environment' && isSeq(value)) {
        for (const item of value.items) {
          const entry = isScalar(item) ? stringScalar(item, file) : null;
          const equals = entry?.value.indexOf('=') ?? -1;
          if (entry && equals > 0 && RUNNER_LABELS_KEY.test(entry.value.slice(0, equals))) read(item, equals + 1);
        }
      }
    }
    const name = stringScalar(mapGet(map, 'name'), file)?.value;
    if (name !== undefined && RUNNER_LABELS_KEY.test(name)) read(mapGet(map, 'value'));
    return undefined;
  });
  return references;
}
