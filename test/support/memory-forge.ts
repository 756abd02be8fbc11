import type { Forge, Repository } from '../../src/apply/forges/forge.js';

/** A forge that serves one repository's files from memory: enough for the walk that reads a repository's tree. */
export function memoryForge(files: Record<string, string>): { forge: Forge; repo: Repository } {
  const forge = {
    listTree: () => Promise.resolve(Object.entries(files).map(([file, text]) => ({ path: file, size: text.length }))),
    readFile: (_repo: Repository, file: string) => Promise.resolve(files[file] === undefined ? null : Buffer.from(files[file], 'utf8')),
  } as unknown as Forge;
  const repo: Repository = { id: 'team/web', path: 'team/web', defaultBranch: 'main', archived: false } as Repository;
  return { forge, repo };
}
