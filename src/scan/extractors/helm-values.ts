import type { Extractor } from '../extractor.js';

/** Stub: replaced by the real extractor. */
export const helmValuesExtractor: Extractor = {
  name: 'helm-values',
  claims: () => false,
  extract: () => ({ references: [], problems: [] }),
};
