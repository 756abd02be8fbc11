/** The images a Dockerfile builds on, read by the Dockerfile extractor (stages excluded, ARGs resolved). */
import { MAX_REFERENCES_PER_FILE } from '../core/budgets.js';
import { imageKey } from '../core/image-ref.js';
import type { SourceFile } from '../core/source-file.js';
import { dockerfileExtractor } from '../scan/extractors/dockerfile/dockerfile.js';
import type { ChainProblem, ImageUse } from './types.js';

function useKind(detail: string | undefined): ImageUse['kind'] | null {
  if (detail === 'syntax directive') return null;
  if (detail === 'COPY --from') return 'copy-from';
  if (detail === 'RUN --mount') return 'mount';
  return 'from';
}

export function dockerfileUses(project: string, file: SourceFile): { uses: ImageUse[]; problems: ChainProblem[] } {
  const result = dockerfileExtractor.extract(file, undefined);
  const uses: ImageUse[] = [];
  const problems: ChainProblem[] = result.problems.map((problem) => ({ project, file: problem.file, line: problem.line, code: 'parse-error' as const, message: problem.message }));
  if (result.references.length > MAX_REFERENCES_PER_FILE) {
    const message = `${result.references.length} image references, over the budget of ${MAX_REFERENCES_PER_FILE} per file; none of them is used`;
    problems.push({ project, file: file.path, line: null, code: 'too-many-references', message });
    return { uses, problems };
  }
  for (const reference of result.references) {
    const kind = useKind(reference.detail);
    if (kind === null) continue;
    if (!reference.image) {
      problems.push({
        project,
        file: reference.file,
        line: reference.line,
        code: 'templated-from',
        message: `${reference.value}: cannot be resolved to an image (${reference.skip ?? 'invalid reference'}); no edge`,
      });
      continue;
    }
    const platform = /^platform=(.*)$/.exec(reference.detail ?? '')?.[1] ?? null;
    uses.push({
      kind,
      value: reference.value,
      image: imageKey(reference.image),
      tag: reference.image.tag,
      digest: reference.image.digest,
      platform,
      file: reference.file,
      line: reference.line,
    });
  }
  return { uses, problems };
}
