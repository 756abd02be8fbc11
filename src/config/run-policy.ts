import { imagePolicy, type ImagePolicy } from './image-policy.js';
import type { Config } from './schema.js';

/** The per-image policy of one run (one config, one `--platforms`), each image's worked out once. */
export interface RunPolicy {
  forImage(key: string): ImagePolicy;
}

export function createRunPolicy(config: Config, cliPlatforms?: readonly string[]): RunPolicy {
  const byImage = new Map<string, ImagePolicy>();
  return {
    forImage(key) {
      let policy = byImage.get(key);
      if (policy === undefined) {
        policy = imagePolicy(config, key, cliPlatforms);
        byImage.set(key, policy);
      }
      return policy;
    },
  };
}
