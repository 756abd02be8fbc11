import type { Extractor } from '../extractor.js';
import { composeExtractor } from './compose.js';
import { dockerfileExtractor } from './dockerfile.js';
import { gitlabCiExtractor } from './gitlab-ci.js';
import { helmValuesExtractor } from './helm-values.js';
import { hieraExtractor } from './hiera.js';
import { kubernetesExtractor } from './kubernetes.js';
import { kustomizeExtractor } from './kustomize.js';
import { nomadExtractor } from './nomad.js';
import { puppetExtractor } from './puppet.js';

/**
 * Every extractor, in the order they are asked. A file belongs to the first extractor that claims it,
 * so the generic YAML extractor (helm-values) comes last among the YAML ones.
 */
export const EXTRACTORS: readonly Extractor[] = [
  dockerfileExtractor,
  puppetExtractor,
  nomadExtractor,
  kustomizeExtractor,
  gitlabCiExtractor,
  composeExtractor,
  kubernetesExtractor,
  hieraExtractor,
  helmValuesExtractor,
];
