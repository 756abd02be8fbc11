import type { Extractor } from '../extractor.js';

/** Stub: replaced by the real extractor. */
export const composeExtractor: Extractor = {
  name: 'compose',
  claims: () => false,
  extract: () => ({ references: [], problems: [] }),
};
