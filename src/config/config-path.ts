/** A config path as the user writes it: `packageRules.0.platforms`, `registries."ghcr.io".passwordEnv`. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.map((segment) => (typeof segment === 'number' || /^[A-Za-z_$][\w$]*$/.test(String(segment)) ? String(segment) : JSON.stringify(String(segment)))).join('.');
}
