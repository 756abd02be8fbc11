import type { Extractor } from '../extractor.js';

/** Stub: replaced by the real extractor. */
export const dockerfileExtractor: Extractor = {
  name: 'dockerfile',
  claims: () => false,
  extract: () => ({ references: [], problems: [] }),
};
