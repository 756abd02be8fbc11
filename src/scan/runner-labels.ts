import { isScalar, isSeq } from 'yaml';
import type { SourceFile } from '../core/source-file.js';
import type { Reference, ReferenceKind } from '../core/types.js';
import { makeReference } from './make-reference.js';
import { looksLikeImageText } from './yaml-image-fields.js';
import { mapEntries, stringScalar, walkMaps } from './yaml-source.js';

/** `ubuntu-latest:docker://registry.example.test/ci/runner:24.04`: the label, then the image its jobs run in. */
const DOCKER_LABEL = /^([^\s:/]+):docker:\/\/(?=\S)/;

/** A variable named for a runner's labels (`forgejo_runner_labels`, `act-runner-labels`). */
const RUNNER_LABELS_KEY = /(^|[_-])runner[_-]labels$/i;

/**
 * The labels of a Gitea or Forgejo Actions runner (act_runner): its config's `runner.labels` list, or a list kept in a
 * variable named for them (`forgejo_runner_labels`, which a role passes to the runner's `--labels`). A label written
 * `<label>:docker://<image>` runs the jobs that ask for that label in that image, which the runner pulls: the image
 * part is reported and edited where it is written; the label and labels of other kinds (`:host`) are left alone.
 */
export function runnerLabelImages(file: SourceFile, root: unknown, kind: ReferenceKind): Reference[] {
  const references: Reference[] = [];
  walkMaps(root, (map, path) => {
    for (const [key, value] of mapEntries(map)) {
      const labels = (key === 'labels' && path.at(-1) === 'runner') || RUNNER_LABELS_KEY.test(key);
      if (!labels || !isSeq(value)) continue;
      for (const item of value.items) {
        const scalar = isScalar(item) ? stringScalar(item, file) : null;
        const label = scalar?.literal ? DOCKER_LABEL.exec(scalar.value) : null;
        if (!scalar || !label) continue;
        const image = scalar.value.slice(label[0].length);
        if (!looksLikeImageText(image)) continue;
        const start = scalar.start + label[0].length;
        references.push(
          makeReference(file, {
            kind,
            value: image,
            parts: [{ role: 'reference', start, end: scalar.end }],
            detail: `the runner label ${label[1] ?? ''}: the runner runs the jobs that ask for it in this image`,
          }),
        );
      }
    }
    return undefined;
  });
  return references;
}
