import type { Extractor } from '../extractor.js';
import { cloudBuildExtractor } from './cloud-build/cloud-build.js';
import { composeExtractor } from './compose/compose.js';
import { devcontainerExtractor } from './devcontainer/devcontainer.js';
import { dockerfileExtractor } from './dockerfile/dockerfile.js';
import { genericYamlExtractor } from './generic-yaml/generic-yaml.js';
import { githubActionsExtractor } from './github-actions/github-actions.js';
import { gitlabCiExtractor } from './gitlab-ci/gitlab-ci.js';
import { hieraExtractor } from './hiera/hiera.js';
import { jenkinsfileExtractor } from './jenkinsfile/jenkinsfile.js';
import { koExtractor } from './ko/ko.js';
import { kubernetesExtractor } from './kubernetes/kubernetes.js';
import { kustomizeExtractor } from './kustomize/kustomize.js';
import { nomadExtractor } from './nomad/nomad.js';
import { puppetExtractor } from './puppet/puppet.js';
import { quadletExtractor } from './quadlet/quadlet.js';
import { timoniExtractor } from './timoni/timoni.js';
import { yamlTemplateExtractor } from './yaml-template/yaml-template.js';

/**
 * Every extractor: the one place a format is registered. A file goes to the first extractor that
 * owns it by name (or prepared facts); failing that, to the first that claims it by content, so the
 * catch-all generic YAML extractor comes last.
 */
export const EXTRACTORS: readonly Extractor[] = [
  dockerfileExtractor,
  puppetExtractor,
  nomadExtractor,
  jenkinsfileExtractor,
  quadletExtractor,
  timoniExtractor,
  yamlTemplateExtractor,
  devcontainerExtractor,
  koExtractor,
  githubActionsExtractor,
  cloudBuildExtractor,
  kustomizeExtractor,
  gitlabCiExtractor,
  composeExtractor,
  kubernetesExtractor,
  hieraExtractor,
  genericYamlExtractor,
];
