/**
 * The worker thread behind isolated-scanner.ts: holds one repository's scan at a time (a pooled
 * worker serves the next repository after `forget`) and answers `scan` and `change` requests, and turns a project's chain files into facts (`facts`). Whatever a hostile
 * file makes it do (run out of memory, loop for long), only this thread pays; the parent ends it
 * when it is over budget.
 */
import { parentPort } from 'node:worker_threads';
import { projectFacts, type ProjectInput } from '../chain/project-facts.js';
import { sourceFile } from '../core/source-file.js';
import type { ScanProblem } from '../core/types.js';
import type { FileEdit } from '../core/verify-edits.js';
import type { OutsideSources } from '../scan/extractor.js';
import { scanState } from './repository-scanner.js';

export type ScanWorkerRequest =
  | {
      readonly id: number;
      readonly kind: 'scan';
      readonly files: ReadonlyArray<{ path: string; bytes: Uint8Array }>;
      readonly problems: readonly ScanProblem[];
      /** Files other projects give the repository's CI, and the includes not read. */
      readonly outside?: { readonly files: ReadonlyArray<{ path: string; bytes: Uint8Array }>; readonly unread: OutsideSources['unread'] };
    }
  | { readonly id: number; readonly kind: 'change'; readonly fileEdits: readonly FileEdit[] }
  | { readonly id: number; readonly kind: 'facts'; readonly input: ProjectInput; readonly registry: string | null }
  /** The worker goes back to its pool: drop the repository it held (no reply). */
  | { readonly id: number; readonly kind: 'forget' };

let state = scanState();
// Started as a worker thread, so the port to the thread that started it is there.
const port = parentPort;
port?.postMessage({ ready: true });

port?.on('message', (request: ScanWorkerRequest) => {
  if (request.kind === 'forget') {
    state = scanState();
    return;
  }
  try {
    if (request.kind === 'scan') {
      const scanned = state.scan(
        request.files.map((file) => sourceFile(file.path, file.bytes)),
        request.problems,
        request.outside ? { files: request.outside.files.map((file) => sourceFile(file.path, file.bytes)), unread: request.outside.unread } : undefined,
      );
      port.postMessage({ id: request.id, ok: true, value: { references: scanned.references, problems: scanned.problems } });
    } else if (request.kind === 'facts') {
      port.postMessage({ id: request.id, ok: true, value: projectFacts(request.input, request.registry) });
    } else {
      port.postMessage({ id: request.id, ok: true, value: state.changeFiles(request.fileEdits) });
    }
  } catch (error) {
    port.postMessage({ id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) });
  }
});
