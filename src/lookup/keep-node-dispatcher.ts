/**
 * Imported before the `undici` package, for its side effect: it makes Node load its own built-in fetch first,
 * which installs Node's own global dispatcher. The `undici` package installs its Agent as the process-wide
 * dispatcher when none is installed yet, and Node's built-in `fetch` (a different undici version) then fails on
 * it ("invalid content-length header"). With Node's in place, the package leaves it alone; archpin's registry
 * requests use the package's fetch with their own Agent, everything else keeps Node's.
 */
const NODE_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

if (!(NODE_DISPATCHER in globalThis) && typeof globalThis.fetch === 'function') {
  // Node loads its fetch implementation synchronously on the first call; a data: URL needs no network.
  globalThis.fetch('data:,').catch(() => undefined);
}

export {};
