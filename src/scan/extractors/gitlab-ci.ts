import type { Extractor } from '../extractor.js';

/** Stub: replaced by the real extractor. */
export const gitlabCiExtractor: Extractor = {
  name: 'gitlab-ci',
  claims: () => false,
  extract: () => ({ references: [], problems: [] }),
};
