/** The folder a repository path is in, without its trailing slash (`''` for a file at the root): `ci/templates` for `ci/templates/build.yml`. */
export function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}
