import type { ChildProcess } from 'node:child_process';

/** A registry to push to: its base URL and, with auth, a way to authorize a repository. */
export interface KitTarget {
  readonly url: string;
  readonly authorization?: (repository: string, actions: readonly string[]) => Promise<string | undefined>;
}

export function sha256(bytes: Uint8Array): string;
export function exited(child: ChildProcess): boolean;
export function waitReady(url: string, child: ChildProcess, logPath: string, timeoutMs: number): Promise<'ready' | 'port-in-use'>;
export function stopChild(child: ChildProcess): Promise<void>;
export function expectStatus(response: Response, expected: number, what: string): Promise<void>;
export function pushBlob(target: KitTarget, repo: string, bytes: Uint8Array): Promise<{ digest: string; size: number }>;
export function pushManifest(target: KitTarget, repo: string, ref: string, bytes: Uint8Array | string, mediaType: string): Promise<string>;
export function deleteManifest(target: KitTarget, repo: string, digest: string): Promise<void>;
export function tarFile(name: string, content: Uint8Array): Buffer;
