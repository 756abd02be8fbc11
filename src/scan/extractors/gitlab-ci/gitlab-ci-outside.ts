import { isMap, isScalar, isSeq } from 'yaml';
import type { SourceFile } from '../../../core/source-file.js';
export type { OutsideSources, UnreadInclude } from '../../extractor.js';
import { mapEntries, mapGet, scalarText, yamlSource } from '../../yaml-source.js';

const REMOTE = /^[a-z][a-z0-9+.-]*:\/\//i;

/** Where a CI file comes from: this repository (null), or a project at a ref (null: its default branch). */
export interface Origin {
  readonly project: string;
  readonly ref: string | null;
}

/**
 * One `include:` entry of a CI file, in the order written. `local` names a path of the file's own
 * repository (a glob when it has `*`); `project` and `template` live outside this repository and are read
 * through the forge; `other` (remote URLs, components, names built from variables) is never read.
 */
export type IncludeEntry = (
  | { readonly kind: 'local'; readonly path: string; readonly line: number }
  | { readonly kind: 'project'; readonly project: string; readonly ref: string | null; readonly path: string; readonly written: string; readonly line: number }
  | { readonly kind: 'template'; readonly name: string; readonly line: number }
  | { readonly kind: 'other'; readonly text: string; readonly line: number; readonly url?: string }
) & {
  /** The trigger job whose `trigger: include:` names it: the file of a child pipeline, not of this one. */
  readonly child?: string;
};

export type OutsideEntry = IncludeEntry & { readonly kind: 'project' | 'template' };

/**
 * The path an outside file is known by in a scan: `group/project@ref:path/in/it.yml` (no `@ref` for the
 * default branch) or `template:Name.gitlab-ci.yml`. No repository path has this shape's meaning, and
 * details show it as a reader would name the file.
 */
export function outsideKey(entry: OutsideEntry): string {
  return entry.kind === 'template' ? `template:${entry.name}` : `${entry.project}${entry.ref === null ? '' : `@${entry.ref}`}:${entry.path}`;
}

/** The origin of an outside file from its key (templates have none of their own: their includes are GitLab's). */
export function originOfKey(key: string): Origin | null {
  if (key.startsWith('template:')) return null;
  const match = /^([^@:]+)(?:@([^:]+))?:/.exec(key);
  return match ? { project: match[1] ?? '', ref: match[2] ?? null } : null;
}

/** How an include reads to a person: `project acme/ci@v4 (jobs/lint.yml)`, `template Jobs/Build.gitlab-ci.yml`. */
export function describeInclude(entry: IncludeEntry): string {
  switch (entry.kind) {
    case 'local':
      return `local ${entry.path}`;
    case 'project':
      return `project ${entry.project}${entry.ref === null ? '' : `@${entry.ref}`} (${entry.written})`;
    case 'template':
      return `template ${entry.name}`;
    case 'other':
      return entry.text;
  }
}

/** A path as GitLab reads it in its project: relative to the root, with or without a leading `/`. */
function projectPath(path: string): string {
  return path
    .trim()
    .replace(/^\/+/, '')
    .replace(/^(?:\.\/)+/, '');
}

/**
 * The `include:` entries of a CI file (top level, and child pipelines' `trigger: include:`), in order.
 * For a file of another project (`origin`), its local includes are files of that project at the same ref.
 */
export function includeEntries(file: SourceFile, origin: Origin | null): IncludeEntry[] {
  const found: IncludeEntry[] = [];
  const lineOf = (node: unknown): number => (isScalar(node) || isMap(node) ? file.position(node.range?.[0] ?? 0).line : 1);
  let child: string | undefined;
  const push = (entry: IncludeEntry): void => {
    found.push(child === undefined ? entry : { ...entry, child });
  };
  const local = (path: string, line: number): void => {
    const relative = projectPath(path);
    if (relative === '') return;
    if (relative.includes('$')) push({ kind: 'other', text: `local ${path} (a path built from variables)`, line });
    else if (origin === null) push({ kind: 'local', path: relative, line });
    else if (relative.includes('*')) push({ kind: 'other', text: `local ${path} in ${origin.project} (a glob in another project)`, line });
    else push({ kind: 'project', project: origin.project, ref: origin.ref, path: relative, written: path, line });
  };
  const entry = (node: unknown): void => {
    const plain = scalarText(node);
    const line = lineOf(node);
    if (plain !== null) {
      if (REMOTE.test(plain.trim())) push({ kind: 'other', text: `remote ${plain}`, line, url: plain.trim() });
      else local(plain, line);
      return;
    }
    if (!isMap(node)) return;
    const localPath = scalarText(mapGet(node, 'local'));
    if (localPath !== null) local(localPath, line);
    const project = scalarText(mapGet(node, 'project'));
    if (project !== null) {
      const files = mapGet(node, 'file');
      const names = (isSeq(files) ? files.items.map(scalarText) : [scalarText(files)]).filter((name): name is string => name !== null);
      const ref = scalarText(mapGet(node, 'ref'));
      const shown = `project ${project}${ref === null ? '' : `@${ref}`} (${names.join(', ')})`;
      if (project.includes('$') || (ref?.includes('$') ?? false) || names.some((name) => name.includes('$'))) push({ kind: 'other', text: `${shown}, named with variables`, line });
      else for (const name of names) push({ kind: 'project', project: project.trim().replace(/^\/+|\/+$/g, ''), ref: ref === null ? null : ref.trim(), path: projectPath(name), written: name, line });
    }
    const template = scalarText(mapGet(node, 'template'));
    if (template !== null) push(template.includes('$') ? { kind: 'other', text: `template ${template}, named with variables`, line } : { kind: 'template', name: template.trim(), line });
    const remote = scalarText(mapGet(node, 'remote'));
    if (remote !== null) push({ kind: 'other', text: `remote ${remote}`, line, url: remote.trim() });
    const component = scalarText(mapGet(node, 'component'));
    if (component !== null) push({ kind: 'other', text: `component ${component}`, line });
  };
  for (const document of yamlSource(file).documents) {
    const root = document.contents;
    if (!isMap(root)) continue;
    const includes: [unknown, string | undefined][] = [[mapGet(root, 'include'), undefined]];
    for (const [name, job] of mapEntries(root)) {
      const trigger = isMap(job) ? mapGet(job, 'trigger') : undefined;
      if (isMap(trigger)) includes.push([mapGet(trigger, 'include'), name]);
    }
    for (const [include, job] of includes) {
      child = job;
      for (const item of isSeq(include) ? include.items : [include]) entry(item);
    }
  }
  return found;
}

/**
 * Why an image is not edited through a variable defined in another project's file or a GitLab template, and
 * what to do: the variable, the project (and ref), the file and line, and where a definition archpin can
 * update would go. `global`: defined under the file's top-level `variables:` (a definition under the root's
 * `variables:` takes its place), else under a job's (a job's own `variables:` take its place). `root`: the
 * pipeline's root file in this repository.
 */
export function outsideVariableNote(variable: { readonly name: string; readonly file: string; readonly line: number }, global: boolean, root: string): string {
  const origin = originOfKey(variable.file);
  const path = variable.file.slice(variable.file.indexOf(':') + 1);
  const where =
    origin === null
      ? `GitLab's CI template ${path} (line ${variable.line})`
      : `${path}:${variable.line} of the project ${origin.project}${origin.ref === null ? ' (its default branch)' : ` at ${origin.ref}`}`;
  const instead = global
    ? `define ${variable.name} under variables: in ${root} (it takes the place of the included one) and archpin updates it there`
    : `define ${variable.name} under the variables: of the job in this repository (they take the place of the included one) and archpin updates it there`;
  const there = origin === null ? '' : `, or update it in ${origin.project}`;
  return `$${variable.name} is defined in ${where}, which a change to this project never edits: ${instead}${there}`;
}
