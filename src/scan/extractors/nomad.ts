import type { Extractor } from '../extractor.js';

/** Stub: replaced by the real extractor. */
export const nomadExtractor: Extractor = {
  name: 'nomad',
  claims: () => false,
  extract: () => ({ references: [], problems: [] }),
};
