import type { Extractor } from '../extractor.js';

/** Stub: replaced by the real extractor. */
export const kustomizeExtractor: Extractor = {
  name: 'kustomize',
  claims: () => false,
  extract: () => ({ references: [], problems: [] }),
};
