import type { Extractor } from '../extractor.js';

/** Stub: replaced by the real extractor. */
export const kubernetesExtractor: Extractor = {
  name: 'kubernetes',
  claims: () => false,
  extract: () => ({ references: [], problems: [] }),
};
