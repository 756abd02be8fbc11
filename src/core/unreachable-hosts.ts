import type { LookupFailure } from './dependency.js';

/** One registry host that could not be reached, with every image whose lookup it stopped. */
export interface UnreachableHost {
  readonly host: string;
  readonly cause: string;
  readonly images: readonly string[];
}

/** Folds the `registry-unreachable` failures into one entry per host (in order of first appearance); the other failures stay as they are. */
export function groupUnreachable(errors: readonly LookupFailure[]): { hosts: UnreachableHost[]; others: LookupFailure[] } {
  const byHost = new Map<string, { cause: string; images: string[] }>();
  const others: LookupFailure[] = [];
  for (const error of errors) {
    if (error.code !== 'registry-unreachable' || error.host === undefined) {
      others.push(error);
      continue;
    }
    let entry = byHost.get(error.host);
    if (entry === undefined) {
      entry = { cause: error.hostCause ?? '', images: [] };
      byHost.set(error.host, entry);
    }
    const image = error.tag === null ? error.image : `${error.image}:${error.tag}`;
    if (!entry.images.includes(image)) entry.images.push(image);
  }
  return { hosts: [...byHost.entries()].map(([host, entry]) => ({ host, cause: entry.cause, images: entry.images })), others };
}

/** `127.0.0.1:5000 is unreachable (connect ECONNREFUSED 127.0.0.1:5000): 202 images not looked up` */
export function unreachableMessage(entry: UnreachableHost): string {
  const count = entry.images.length;
  return `${entry.host} is unreachable (${entry.cause}): ${count} image${count === 1 ? '' : 's'} not looked up`;
}
