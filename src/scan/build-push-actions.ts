/**
 * The GitHub Actions that build an image with BuildKit from the inputs `docker/build-push-action` takes (`context`,
 * `file`, `build-args`, `build-contexts`, `tags`): Docker's own, and the drop-in replacements that build on another
 * provider's machines with the same inputs, `useblacksmith/build-push-action` and `depot/build-push-action`.
 */
export const BUILD_PUSH_ACTIONS: readonly string[] = ['docker/build-push-action', 'useblacksmith/build-push-action', 'depot/build-push-action'];

/** True when a step's `uses:` (`docker/build-push-action@v6`, `useblacksmith/build-push-action@<sha>`) is one of them. */
export function isBuildPushAction(uses: string): boolean {
  const at = uses.indexOf('@');
  return at > 0 && BUILD_PUSH_ACTIONS.includes(uses.slice(0, at).toLowerCase());
}
