/**
 * Setup of the files that share worker threads (the `shared` project, `isolate: false`), so that
 * nothing of one file reaches into the next one run by the same thread:
 * - the secret values a file registered with core/redact (a forge token, a registry password) are
 *   forgotten before and after it, as a process of its own would start without them;
 * - after the file, every server, socket, child process and timer it started must be gone. The check
 *   waits a little for closes already under way (a killed registry, a socket being torn down) and then
 *   fails the file, naming what is left.
 */
import { afterAll } from 'vitest';
import { forgetSecrets } from '../../src/core/redact.js';

forgetSecrets();

/** Resource kinds a thread holds for vitest itself (its message ports) or that cannot outlive a file's I/O. */
const EXPECTED = new Set(['MessagePort', 'FSReqCallback', 'FSReqPromise', 'FileHandleCloseReq']);
const SETTLE_MS = 5_000;

const leftovers = (): string[] => process.getActiveResourcesInfo().filter((kind) => !EXPECTED.has(kind));

/** What the thread held when this file started (what an earlier file left open is that file's failure). */
const baseline = leftovers();

function extra(): string[] {
  const left = [...leftovers()];
  for (const kind of baseline) {
    const index = left.indexOf(kind);
    if (index !== -1) left.splice(index, 1);
  }
  return left;
}

afterAll(async () => {
  forgetSecrets();
  const deadline = Date.now() + SETTLE_MS;
  let left = extra();
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    left = extra();
  }
  if (left.length > 0) throw new Error(`this file left ${left.join(', ')} open after its tests; a file that shares a thread must stop what it starts (or belong to the isolated project)`);
}, SETTLE_MS + 1_000);
