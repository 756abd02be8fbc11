import { EXTRACTORS } from './extractors/index.js';

/** Could any extractor want this file? Decided by name alone, so a walk reads only these. */
export function isCandidatePath(path: string): boolean {
  for (const extractor of EXTRACTORS) if (extractor.isCandidate(path)) return true;
  return false;
}
