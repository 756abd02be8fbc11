/** `archpin graph [dir]`: the image-chain graph of local checkouts (offline) or of the forge targets. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { buildGraph } from '../chain/build-graph.js';
import { CI_FILE, isChainFile, projectFacts, type ProjectInput } from '../chain/project-facts.js';
import { renderGraph } from '../chain/render-graph.js';
import type { ChainGraph } from '../chain/types.js';
import { GITLAB_DEPS_FILE } from '../chain/upstream-list.js';
import type { Config } from '../config/schema.js';
import { isDockerfileName } from '../scan/extractors/dockerfile/dockerfile.js';
import { readRegularPath } from '../apply/read-regular-file.js';
import { DEFAULT_MAX_FILE_SIZE } from '../core/budgets.js';
import type { ParsedArgs } from './args.js';
import { EXIT_OK, type CliIo, type ExitCode } from './io.js';

const SKIPPED = new Set(['.git', 'node_modules', 'vendor']);

function entries(directory: string) {
  try {
    return readdirSync(directory, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return [];
  }
}

/** A directory is a project when it is a git checkout or holds CI, `.gitlab-deps` or a Dockerfile at its top. */
function isProjectDirectory(directory: string, isRoot: boolean): boolean {
  return entries(directory).some(
    (entry) =>
      entry.name === '.git' ||
      entry.name === CI_FILE ||
      entry.name === GITLAB_DEPS_FILE ||
      (entry.isFile() && isDockerfileName(entry.name)) ||
      (!isRoot && entry.isFile() && entry.name === 'archpin.json'),
  );
}

/** A project's chain files, each read only when it is a regular file under the size cap (never through a symlink, FIFO or device). */
function projectFiles(root: string): Pick<ProjectInput, 'files' | 'unread'> {
  const files: Array<{ path: string; bytes: Uint8Array }> = [];
  const unread: Array<NonNullable<ProjectInput['unread']>[number]> = [];
  const visit = (directory: string, relative: string) => {
    for (const entry of entries(directory)) {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory() && !SKIPPED.has(entry.name)) visit(path.join(directory, entry.name), child);
      else if (entry.isFile() && isChainFile(child)) {
        const read = readRegularPath(path.join(directory, entry.name), DEFAULT_MAX_FILE_SIZE);
        if (read.ok) files.push({ path: child, bytes: read.bytes });
        else if (read.code === 'file-too-large') unread.push({ path: child, code: 'file-too-large', message: `${read.message} (chain files); not read` });
        else unread.push({ path: child, code: 'file-unreadable', message: read.message });
      }
    }
  };
  visit(root, '');
  return { files, unread };
}

/** Every project under `root` (the root itself when it is one), named by its path relative to the root. */
export function localProjects(root: string): ProjectInput[] {
  if (isProjectDirectory(root, true)) return [{ path: path.basename(root), ...projectFiles(root) }];
  const found: ProjectInput[] = [];
  const visit = (directory: string, relative: string) => {
    for (const entry of entries(directory)) {
      if (!entry.isDirectory() || SKIPPED.has(entry.name)) continue;
      const full = path.join(directory, entry.name);
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (isProjectDirectory(full, false)) found.push({ path: child, ...projectFiles(full) });
      else visit(full, child);
    }
  };
  visit(root, '');
  return found;
}

export function localGraph(root: string, config: Config): ChainGraph {
  return buildGraph(localProjects(root).map((project) => projectFacts(project, config.chain?.registry ?? null)));
}

export async function runGraph(args: ParsedArgs, config: Config, io: CliIo): Promise<ExitCode> {
  const directory = args.positionals[0];
  let graph: ChainGraph;
  if (directory === undefined && (args.forge ?? config.forge?.type)) {
    const { makeForge } = await import('./make-forge.js');
    const { readChainProjects } = await import('../bot/chain-projects.js');
    const { forge, targets } = await makeForge(args, config, io);
    graph = (await readChainProjects(forge, targets, config.chain?.registry ?? null)).graph;
  } else {
    graph = localGraph(path.resolve(io.cwd, directory ?? '.'), config);
  }
  io.stdout(renderGraph(graph, args.graphFormat));
  return EXIT_OK;
}
