import type { SourceFile } from '../core/source-file.js';
import type { BuiltImage } from './extractor.js';

/**
 * What a repository builds itself, read from the files a scan already has: image names given to
 * `docker build -t` / `docker tag` (and podman, buildah) in CI files and pipelines, the `tags` of
 * docker-bake targets, and the named build contexts of bake targets and compose `additional_contexts`.
 * A `FROM`, `COPY --from` or manifest that uses one of these names takes it from the local build or
 * context, not from a registry. Names written with variables are left out: they cannot be matched.
 */

export function isBakeFile(path: string): boolean {
  return /(^|\/)docker-bake(?:\.[^/]*)?\.(?:hcl|json)$/i.test(path);
}

/** A name as written, free of interpolation (`$X`, `${{ }}`, `{{ }}`, `%VAR%`). */
function plainName(text: string): string | null {
  const name = text.replace(/^["']|["']$/g, '');
  if (name === '' || /[$%{}()`\\]/.test(name) || !/^[A-Za-z0-9]/.test(name)) return null;
  return name;
}

function lineAt(file: SourceFile, offset: number): number {
  return file.position(offset).line;
}

/** The text of a shell command from `start`, through backslash-continued lines. */
function commandExtent(text: string, start: number): string {
  let end = start;
  for (;;) {
    const newline = text.indexOf('\n', end);
    if (newline === -1) return text.slice(start);
    const line = text.slice(end, newline).replace(/\r$/, '');
    if (!line.endsWith('\\')) return text.slice(start, newline);
    end = newline + 1;
  }
}

const BUILD_COMMAND = /\b(?:(?:docker|podman)\s+(?:buildx\s+|image\s+)?build|buildah\s+(?:bud|build))\b/g;
const TAG_FLAG = /(?:^|\s)(?:-t|--tag)(?:=|\s+)(["']?)([^\s"'\\;&|]+)\1/g;
const TAG_COMMAND = /\b(?:docker|podman)\s+(?:image\s+)?tag\s+(?:["']?[^\s"']+["']?)\s+(["']?)([^\s"'\\;&|]+)\1/g;

/**
 * Whether an offset stands on a comment line (`# podman build -t …`, `// docker tag …`): text about a build, not one.
 * The lines are read once, and each offset found by a binary search, so a file of anyone's making stays linear.
 */
function commentLines(text: string): (at: number) => boolean {
  const starts: number[] = [];
  const comments: boolean[] = [];
  for (let start = 0; start <= text.length;) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    starts.push(start);
    comments.push(/^[ \t]*(?:#|\/\/)/.test(text.slice(start, Math.min(end, start + 256))));
    if (newline === -1) break;
    start = newline + 1;
  }
  return (at) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] ?? 0) <= at) low = middle;
      else high = middle - 1;
    }
    return comments[low] ?? false;
  };
}

/** `docker build -t name` / `--tag name` and `docker tag source name` in any text (scripts in CI files, pipelines), not on comment lines. */
export function scriptBuilds(file: SourceFile): BuiltImage[] {
  const text = file.text;
  const builds: BuiltImage[] = [];
  let commented: ((at: number) => boolean) | undefined;
  const commentedOut = (at: number): boolean => (commented ??= commentLines(text))(at);
  const add = (raw: string, offset: number): void => {
    const name = plainName(raw);
    if (name) builds.push({ value: name, file: file.path, line: lineAt(file, offset) });
  };
  for (const command of text.matchAll(BUILD_COMMAND)) {
    const start = command.index;
    if (commentedOut(start)) continue;
    const extent = commandExtent(text, start);
    // The tag group takes part in every match of TAG_FLAG and TAG_COMMAND; the defaults only satisfy the compiler.
    for (const flag of extent.matchAll(TAG_FLAG)) {
      const [whole, , tag = ''] = flag;
      add(tag, start + flag.index + whole.indexOf(tag));
    }
  }
  for (const command of text.matchAll(TAG_COMMAND)) {
    if (commentedOut(command.index)) continue;
    const [whole, , tag = ''] = command;
    add(tag, command.index + whole.lastIndexOf(tag));
  }
  return builds;
}

export interface BakeFacts {
  readonly builds: BuiltImage[];
  /** Named contexts (a folder, a URL, another target or an image): name → where set. A Dockerfile naming one uses the context, never a registry image of that name. */
  readonly contexts: Map<string, { file: string; line: number }>;
}

/** `tags` and `contexts` of the targets of a docker-bake file (HCL or JSON). */
export function bakeFacts(file: SourceFile, facts: BakeFacts): void {
  const context = (name: string, _value: string, offset: number): void => {
    if (!facts.contexts.has(name)) facts.contexts.set(name, { file: file.path, line: lineAt(file, offset) });
  };
  const tag = (raw: string, offset: number): void => {
    const name = plainName(raw);
    if (name) facts.builds.push({ value: name, file: file.path, line: lineAt(file, offset) });
  };
  const text = file.text;
  if (/\.json$/i.test(file.path)) {
    // JSON: only the names matter; positions are found by searching for the written string.
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    const targets: unknown = (parsed as { target?: unknown } | null)?.target;
    if (!targets || typeof targets !== 'object') return;
    for (const target of Object.values(targets as Record<string, { tags?: unknown; contexts?: unknown } | null>)) {
      if (!target || typeof target !== 'object') continue;
      if (Array.isArray(target.tags)) for (const value of target.tags) if (typeof value === 'string') tag(value, Math.max(0, text.indexOf(JSON.stringify(value))));
      if (target.contexts && typeof target.contexts === 'object') {
        for (const [name, value] of Object.entries(target.contexts as Record<string, unknown>)) if (typeof value === 'string') context(name, value, Math.max(0, text.indexOf(JSON.stringify(name))));
      }
    }
    return;
  }
  for (const block of text.matchAll(/\bcontexts\s*=\s*\{([^}]*)\}/g)) {
    const bodyStart = block.index + block[0].indexOf('{') + 1;
    // Each pattern's groups take part in every match; the defaults only satisfy the compiler.
    const [, body = ''] = block;
    for (const entry of body.matchAll(/["']?([A-Za-z0-9_.-]+)["']?\s*[=:]\s*"([^"]*)"/g)) {
      const [, name = '', value = ''] = entry;
      context(name, value, bodyStart + entry.index);
    }
  }
  for (const list of text.matchAll(/\btags\s*=\s*\[([^\]]*)\]/g)) {
    const bodyStart = list.index + list[0].indexOf('[') + 1;
    const [, body = ''] = list;
    for (const entry of body.matchAll(/"([^"]*)"/g)) tag(entry[1] ?? '', bodyStart + entry.index + 1);
  }
}
