import { imagePolicy, type ImagePolicy } from './image-policy.js';
import type { Config } from './schema.js';

/** The per-image policy of one run (one config, one `--platforms`), each image's worked out once. */
export interface RunPolicy {
  /** With the current tag, rules with matchCurrentVersion apply too. */
  forImage(key: string, currentTag?: string | null): ImagePolicy;
}

export function createRunPolicy(config: Config, cliPlatforms?: readonly string[]): RunPolicy {
  const byImage = new Map<string, ImagePolicy>();
  return {
    forImage(key, currentTag) {
      const memo = currentTag ? `${key}\u0000${currentTag}` : key;
      let policy = byImage.get(memo);
      if (policy === undefined) {
        policy = imagePolicy(config, key, cliPlatforms, currentTag);
        byImage.set(memo, policy);
      }
      return policy;
    },
  };
}
