import { folderOf } from '../../../core/repo-path.js';
import type { SourceFile } from '../../../core/source-file.js';
import { ANY_BUILDER, buildDockerfiles } from '../../build-dockerfiles.js';
import { parseJson, type JsonNode } from '../../json-positions.js';
import type { PassedArg } from '../../local-builds.js';
import { isArgName } from '../dockerfile/dockerfile-args.js';

type JsonObject = Extract<JsonNode, { type: 'object' }>;

/**
 * The text of a JSON-with-comments file as plain JSON of the same length: its `//` and `/* … *\/` comments and the commas
 * before a closing `}` or `]` turned into spaces (line breaks kept), so every offset still points where the file writes it.
 */
export function blankJsonComments(text: string): string {
  const out = text.split('');
  const blank = (from: number, to: number): void => {
    for (let at = from; at < to; at++) if (out[at] !== '\n' && out[at] !== '\r') out[at] = ' ';
  };
  let comma = -1;
  let at = 0;
  while (at < text.length) {
    const char = text[at];
    if (char === '"') {
      comma = -1;
      at++;
      while (at < text.length && text[at] !== '"' && text[at] !== '\n') at += text[at] === '\\' ? 2 : 1;
      at++;
    } else if (text.startsWith('//', at)) {
      const end = text.indexOf('\n', at);
      blank(at, end === -1 ? text.length : end);
      at = end === -1 ? text.length : end;
    } else if (text.startsWith('/*', at)) {
      const close = text.indexOf('*/', at + 2);
      const end = close === -1 ? text.length : close + 2;
      blank(at, end);
      at = end;
    } else {
      if (char === ',') comma = at;
      else if ((char === '}' || char === ']') && comma !== -1) {
        blank(comma, comma + 1);
        comma = -1;
      } else if (char !== undefined && !/\s/.test(char)) comma = -1;
      at++;
    }
  }
  return out.join('');
}

const member = (object: JsonObject, key: string): JsonNode | undefined => object.entries.find((entry) => entry.key === key)?.value;
const text = (node: JsonNode | undefined): string | undefined => (node?.type === 'string' ? node.value : undefined);

/**
 * A development container built from a Dockerfile (`build.dockerfile`, or the older top-level `dockerFile`, a path from the
 * definition's folder) passes its `build.args` to that Dockerfile's `ARG`s, as a compose service's `build.args` do: each is a
 * build argument of that build, where its name is written.
 */
export function devcontainerBuildArgs(file: SourceFile, dockerfiles: ReadonlySet<string>): PassedArg[] {
  let root: JsonNode;
  try {
    root = parseJson(blankJsonComments(file.text));
  } catch {
    return [];
  }
  if (root.type !== 'object') return [];
  const build = member(root, 'build');
  const args = build?.type === 'object' ? member(build, 'args') : undefined;
  if (build?.type !== 'object' || args?.type !== 'object') return [];
  const dockerfile = text(member(build, 'dockerfile')) ?? text(member(root, 'dockerFile')) ?? text(member(root, 'dockerfile'));
  if (dockerfile === undefined) return [];
  const context = text(member(build, 'context')) ?? text(member(root, 'context'));
  const built = buildDockerfiles({ from: [folderOf(file.path)], context, dockerfile, dockerfileInContext: false, defaults: ANY_BUILDER }, dockerfiles);
  return args.entries.filter((entry) => isArgName(entry.key)).map((entry) => ({ name: entry.key, file: file.path, line: file.position(entry.keyStart).line, dockerfiles: built }));
}
