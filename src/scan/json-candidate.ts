import { baseName } from './yaml-image-fields.js';

/**
 * JSON files a walk reads, to recognise by their content what they hold (a Nomad job, a Kubernetes
 * object): every `.json` file but those whose name says what else they are. Package and tool
 * manifests (`package.json`, `tsconfig.json`, `composer.json`, `renovate.json`), lock files, JSON
 * schemas, editor settings and translation files never hold a job or a manifest.
 */

const OTHER_NAMES = new Set([
  'package.json',
  'package-lock.json',
  'npm-shrinkwrap.json',
  'composer.json',
  'bower.json',
  'lerna.json',
  'nx.json',
  'angular.json',
  'deno.json',
  'jsconfig.json',
  'tslint.json',
  'renovate.json',
  'devcontainer.json',
  'launch.json',
  'settings.json',
  'extensions.json',
  'tasks.json',
  'manifest.json',
  'cgmanifest.json',
]);
const OTHER_PATTERNS = [/^tsconfig(?:\..+)?\.json$/, /^\.[\w-]+rc\.json$/, /\.(?:schema|lock|min|map)\.json$/, /^(?:[\w-]+\.)?(?:swagger|openapi)\.json$/];
const OTHER_FOLDERS = /(?:^|\/)(?:\.vscode|\.idea|locales?|i18n|translations|lang)\//i;

export function isJsonCandidate(path: string): boolean {
  if (!/\.json$/i.test(path)) return false;
  const base = baseName(path).toLowerCase();
  if (OTHER_NAMES.has(base) || OTHER_PATTERNS.some((pattern) => pattern.test(base))) return false;
  return !OTHER_FOLDERS.test(path);
}
