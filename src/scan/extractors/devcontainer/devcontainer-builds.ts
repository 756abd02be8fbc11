import { folderOf } from '../../../core/repo-path.js';
import type { SourceFile } from '../../../core/source-file.js';
import { ANY_BUILDER, buildDockerfiles } from '../../build-dockerfiles.js';
import { parseJson, type JsonNode } from '../../json-positions.js';
import type { PassedArg } from '../../local-builds.js';
import { isArgName } from '../dockerfile/dockerfile-args.js';
import { blankJsonComments } from './jsonc.js';

type JsonObject = Extract<JsonNode, { type: 'object' }>;

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
