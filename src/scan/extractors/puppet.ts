import type { Extractor } from '../extractor.js';

/** Stub: replaced by the real extractor. */
export const puppetExtractor: Extractor = {
  name: 'puppet',
  claims: () => false,
  extract: () => ({ references: [], problems: [] }),
};
