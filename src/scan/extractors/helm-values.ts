import type { ReferenceKind } from '../../core/types.js';
import type { Extractor } from '../extractor.js';
import { yamlSource } from '../yaml-source.js';
import { isBrokenTemplate, templateLineImages } from './helm-template-lines.js';
import { baseName, imageFields, isYamlPath, sortByPosition } from './yaml-image-fields.js';
import { cloudBuildImages, isCloudBuild } from './yaml-cloud-build.js';
import { actionImages, isGithubAction, isGithubWorkflow, workflowImages } from './yaml-workflow-images.js';

/**
 * Helm values and any other YAML no other extractor claimed: `image` / `…Image` / `…_image` string
 * fields, and split `registry` + `repository` + `tag` (+ `digest`) maps under any key. Values files
 * (`values*.yaml`, `*-values.yaml`, anything under `charts/`) report 'helm-values', the rest 'yaml-image'.
 * GitHub Actions workflows, action metadata and Cloud Build configuration are read by their own schema.
 */

const VALUES_FILE = /^(?:.*[-_.])?values(?:[-_.][^/]*)?\.ya?ml$/i;

export function helmValuesKind(path: string): ReferenceKind {
  return VALUES_FILE.test(baseName(path)) || /(^|\/)charts\//.test(path) ? 'helm-values' : 'yaml-image';
}

export const helmValuesExtractor: Extractor = {
  name: 'helm-values',
  claims: (file) => isYamlPath(file.path),
  extract(file) {
    const kind = helmValuesKind(file.path);
    if (isBrokenTemplate(file)) return { references: templateLineImages(file, () => kind, true), problems: [] };
    const { documents, problems } = yamlSource(file);
    const workflow = isGithubWorkflow(file.path);
    const action = !workflow && isGithubAction(file.path);
    const cloudBuild = isCloudBuild(file.path);
    const references = documents.flatMap((document) => {
      const root = document.contents;
      if (workflow) return workflowImages(file, root);
      if (action) return actionImages(file, root);
      if (cloudBuild) return cloudBuildImages(file, root);
      return imageFields(file, root, { kindFor: () => kind, splitKind: kind, splitAnywhere: true, snakeKeys: true });
    });
    return { references: sortByPosition(references), problems };
  },
};
