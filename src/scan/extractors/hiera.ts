import type { Extractor } from '../extractor.js';

/** Stub: replaced by the real extractor. */
export const hieraExtractor: Extractor = {
  name: 'hiera',
  claims: () => false,
  extract: () => ({ references: [], problems: [] }),
};
