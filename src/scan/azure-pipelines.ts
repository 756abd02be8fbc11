import { isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import type { SourceFile } from '../core/source-file.js';
import type { Reference, ReferenceKind } from '../core/types.js';
import { joinRelative } from './extractors/compose/compose-extends.js';
import { isYamlPath, scalarImage } from './yaml-image-fields.js';
import { mapGet, walkMaps, yamlSource } from './yaml-source.js';
import { folderOf } from '../core/repo-path.js';

/**
 * Azure Pipelines jobs run their steps in the image a job's `container` names, which the agent pulls before any step
 * runs (as a GitHub Actions job's `container` is): a job of a `jobs` list (`- job: unit` or `- deployment: web`, also
 * under a stage), or the whole pipeline when it is one job (`pool` and `steps` at the top). The string form is that image
 * (`container: registry.example.test/ci/runner:1.8.0`), reported and edited where it is written; the map form's `image`
 * is read as any `image` field.
 *
 * The string may also name a container resource instead (`resources.containers[].container: builder`, also one the
 * pipeline defines for a template it includes): a name without a registry, path, tag or digest is such an alias and
 * is not read, and a value that is one expression (`${{ parameters.container }}`, `$(runner)`) passes on an image
 * the caller gives.
 *
 * A template whose job runs one of its parameters as its container (`container: ${{ parameters.container }}`, also
 * under a `${{ if … }}:` key) runs what its callers give that parameter: each `- template: <path>` entry of the scan that
 * names the template (from the including file's folder, or from the repository's root with a leading `/`) and gives the
 * parameter an image (`parameters: {container: registry.example.test/ci/runner:1.8.0}`) is reported there, and so is
 * the template's own default when a caller gives none (or no caller is in the scan).
 */

/** A value that is one template expression, runtime expression or macro and nothing else. */
const WHOLE_EXPRESSION = /^(?:\$\{\{(?:(?!\}\}).)*\}\}|\$\[(?:(?!\]).)*\]|\$\([^)]*\))$/s;

/** `container: ${{ parameters.name }}` on a line of its own: a job of a template that runs the parameter as its container. */
const PARAMETER_CONTAINER = /^[ \t]*container:[ \t]*["']?\$\{\{[ \t]*parameters\.([A-Za-z_]\w*)[ \t]*\}\}["']?[ \t]*$/gm;

/** Per template path, each parameter its jobs run as their container: the line of that use, and whether every caller of the scan gives it. */
export type AzureTemplateContainers = ReadonlyMap<string, ReadonlyMap<string, { readonly line: number; readonly givenByAll: boolean }>>;

function isJob(map: YAMLMap, path: readonly string[]): boolean {
  if (path.length === 0) return mapGet(map, 'pool') !== undefined && isSeq(mapGet(map, 'steps'));
  return path.at(-2) === 'jobs' && (isScalar(mapGet(map, 'job')) || isScalar(mapGet(map, 'deployment')));
}

/** Written as an image a job can run: not one expression, and with a registry, path, tag or digest (not a resource's alias). */
function isImageValue(node: unknown): boolean {
  if (!isScalar(node) || typeof node.value !== 'string') return false;
  const value = node.value.trim();
  return !WHOLE_EXPRESSION.test(value) && /[/:@]/.test(value);
}

/** The template a `template:` value names in this repository (`@self` too), or null for another repository's. */
function templatePath(from: string, written: string): string | null {
  const [path = '', repository] = written.trim().split('@');
  if (repository !== undefined && repository !== 'self') return null;
  return path.startsWith('/') ? joinRelative('', path.slice(1)) : joinRelative(folderOf(from), path);
}

/** Each `- template: <path>` entry of a document with its `parameters` map (or null), in the order written. */
function templateCalls(file: SourceFile, root: unknown): { path: string; parameters: YAMLMap | null }[] {
  const calls: { path: string; parameters: YAMLMap | null }[] = [];
  walkMaps(root, (map) => {
    const template = mapGet(map, 'template');
    if (!isScalar(template) || typeof template.value !== 'string') return;
    const path = templatePath(file.path, template.value);
    const parameters = mapGet(map, 'parameters');
    if (path !== null) calls.push({ path, parameters: isMap(parameters) ? parameters : null });
  });
  return calls;
}

export function azureTemplateContainers(files: readonly SourceFile[]): AzureTemplateContainers {
  const uses = new Map<string, Map<string, number>>();
  for (const file of files) {
    if (!isYamlPath(file.path) || !file.text.includes('parameters.')) continue;
    for (const match of file.text.matchAll(PARAMETER_CONTAINER)) {
      const line = file.position(match.index).line;
      const parameters = uses.get(file.path) ?? new Map<string, number>();
      if (!parameters.has(match[1] ?? '')) parameters.set(match[1] ?? '', line);
      uses.set(file.path, parameters);
    }
  }
  const omitted = new Set<string>();
  const called = new Set<string>();
  if (uses.size > 0) {
    const names = [...uses.keys()].map((path) => path.slice(path.lastIndexOf('/') + 1));
    for (const file of files) {
      if (!isYamlPath(file.path) || !file.text.includes('template:') || !names.some((name) => file.text.includes(name))) continue;
      for (const document of yamlSource(file).documents) {
        for (const call of templateCalls(file, document.contents)) {
          for (const parameter of uses.get(call.path)?.keys() ?? []) {
            called.add(`${call.path}\n${parameter}`);
            if (call.parameters === null || mapGet(call.parameters, parameter) === undefined) omitted.add(`${call.path}\n${parameter}`);
          }
        }
      }
    }
  }
  const facts = new Map<string, Map<string, { line: number; givenByAll: boolean }>>();
  for (const [path, parameters] of uses) {
    const entries = new Map<string, { line: number; givenByAll: boolean }>();
    for (const [parameter, line] of parameters) {
      const key = `${path}\n${parameter}`;
      entries.set(parameter, { line, givenByAll: called.has(key) && !omitted.has(key) });
    }
    facts.set(path, entries);
  }
  return facts;
}

/** A template's default for a parameter: `parameters: {name: default}`, or the `default` of `- name: …` in its list. */
function parameterDefault(root: unknown, name: string): unknown {
  const parameters = isMap(root) ? mapGet(root, 'parameters') : undefined;
  if (isMap(parameters)) return mapGet(parameters, name);
  if (!isSeq(parameters)) return undefined;
  const named = (item: unknown): boolean => {
    const written = isMap(item) ? mapGet(item, 'name') : undefined;
    return isScalar(written) && written.value === name;
  };
  const entry = parameters.items.find(named);
  return isMap(entry) ? mapGet(entry, 'default') : undefined;
}

function withDetail(reference: Reference | null, detail: string): Reference[] {
  return reference ? [{ ...reference, detail }] : [];
}

/** The images a template's job runs through a parameter: what this file's calls give it, and this template's own defaults. */
function templateParameterImages(file: SourceFile, root: unknown, kind: ReferenceKind, templates: AzureTemplateContainers): Reference[] {
  const references: Reference[] = [];
  for (const call of templateCalls(file, root)) {
    const parameters = templates.get(call.path);
    if (!parameters || !call.parameters) continue;
    for (const [name, use] of parameters) {
      const value = mapGet(call.parameters, name);
      if (!isImageValue(value)) continue;
      references.push(...withDetail(scalarImage(file, value, kind), `the parameter ${name} of ${call.path}, whose job runs it as its container (line ${use.line})`));
    }
  }
  for (const [name, use] of templates.get(file.path) ?? []) {
    const value = parameterDefault(root, name);
    if (use.givenByAll || !isImageValue(value)) continue;
    references.push(...withDetail(scalarImage(file, value, kind), `the default of the parameter ${name}, which the job runs as its container (line ${use.line}) when a caller gives none`));
  }
  return references;
}

export function azureJobContainers(file: SourceFile, root: unknown, kind: ReferenceKind, templates?: AzureTemplateContainers): Reference[] {
  const references: Reference[] = [];
  walkMaps(root, (map, path) => {
    if (!isJob(map, path)) return;
    const container = mapGet(map, 'container');
    const reference = isImageValue(container) ? scalarImage(file, container, kind) : null;
    if (reference) references.push(reference);
  });
  if (templates !== undefined && templates.size > 0) references.push(...templateParameterImages(file, root, kind, templates));
  return references;
}
