/**
 * A registry lookup cache shared by every worker through Redis, so a registry sees each image once
 * per sweep however many workers or shards ask: tag lists and tag → digest for a short time,
 * manifests and blobs by digest for ever (they are content-addressed, and verified again against
 * their digest when read back). One worker loads what is missing while the others wait for its
 * answer (a lock per key), and loads from one registry host are limited across all workers.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ImageLocation } from '../core/dependency.js';
import { redisScript } from '../core/redis-script.js';
import type { FetchedManifest, ManifestSource } from './manifest-source.js';

export interface SharedCacheOptions {
  readonly redis: Redis;
  /** Key prefix, e.g. `archpin`. */
  readonly prefix: string;
  /** How long tag lists and tag → digest answers are shared (config serve.queue.tagCacheTtl). */
  readonly tagTtlMs: number;
  /** Registry loads in flight per registry host across all workers (config serve.queue.registryConcurrency). */
  readonly hostConcurrency: number;
  /** A load taking longer than this lets another worker try (default 60 s). */
  readonly leaseMs?: number;
  readonly pollMs?: number;
}

const ACQUIRE_SLOT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;
const acquireSlotScript = redisScript(ACQUIRE_SLOT);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const imageName = (image: ImageLocation) => `${image.registry}/${image.repository}`;

export function sharedManifestSource(source: ManifestSource, options: SharedCacheOptions): ManifestSource {
  const { redis, prefix, tagTtlMs, hostConcurrency } = options;
  const leaseMs = options.leaseMs ?? 60_000;
  const pollMs = options.pollMs ?? 25;
  let slots = 0;

  /** Runs `load` holding one of the host's slots. */
  async function withHostSlot<T>(host: string, load: () => Promise<T>): Promise<T> {
    const key = `${prefix}:registry-slots:${host}`;
    const id = `${process.pid}:${++slots}:${Math.random().toString(36).slice(2)}`;
    while (Number(await acquireSlotScript(redis, [key], [String(Date.now()), String(leaseMs), String(hostConcurrency), id])) !== 1) await sleep(pollMs);
    try {
      return await load();
    } finally {
      await redis.zrem(key, id);
    }
  }

  /** The cached value, or the one this worker loads while the others wait for it. */
  async function shared(key: string, ttlMs: number | null, load: () => Promise<Buffer>, valid: (value: Buffer) => boolean = () => true): Promise<Buffer> {
    const lock = `${key}:loading`;
    for (;;) {
      const hit = await redis.getBuffer(key);
      if (hit !== null && valid(hit)) return hit;
      if ((await redis.set(lock, '1', 'PX', leaseMs, 'NX')) === 'OK') {
        try {
          const value = await load();
          if (ttlMs === null) await redis.set(key, value);
          else await redis.set(key, value, 'PX', ttlMs);
          return value;
        } finally {
          await redis.del(lock);
        }
      }
      // Another worker is loading it: wait for its answer (or for its lock to go, if it failed).
      while ((await redis.exists(key)) === 0 && (await redis.exists(lock)) === 1) await sleep(pollMs);
    }
  }

  const encodeManifest = (manifest: FetchedManifest) => Buffer.concat([Buffer.from(`${manifest.mediaType}\n`), Buffer.from(manifest.bytes)]);
  const decodeManifest = (value: Buffer): FetchedManifest => {
    const newline = value.indexOf(0x0a);
    const bytes = new Uint8Array(value.subarray(newline + 1));
    return { mediaType: value.subarray(0, newline).toString('utf8'), bytes, digest: sha256(bytes) };
  };
  const manifestOk = (digest: string) => (value: Buffer) => value.indexOf(0x0a) >= 0 && decodeManifest(value).digest === digest;

  async function manifestByDigest(image: ImageLocation, digest: string): Promise<FetchedManifest> {
    const value = await shared(`${prefix}:manifest:${digest}`, null, async () => encodeManifest(await withHostSlot(image.registry, () => source.manifestByDigest(image, digest))), manifestOk(digest));
    return decodeManifest(value);
  }

  return {
    async listTags(image) {
      const value = await shared(`${prefix}:tags:${imageName(image)}`, tagTtlMs, async () => Buffer.from(JSON.stringify(await withHostSlot(image.registry, () => source.listTags(image)))));
      return JSON.parse(value.toString('utf8')) as string[];
    },
    async manifestByTag(image, tag) {
      // Set inside the shared() callback, which the compiler's narrowing does not follow.
      let fetched = null as FetchedManifest | null;
      const digest = (
        await shared(`${prefix}:tag:${imageName(image)}:${tag}`, tagTtlMs, async () => {
          fetched = await withHostSlot(image.registry, () => source.manifestByTag(image, tag));
          await redis.set(`${prefix}:manifest:${fetched.digest}`, encodeManifest(fetched));
          return Buffer.from(fetched.digest);
        })
      ).toString('utf8');
      return fetched ?? manifestByDigest(image, digest);
    },
    manifestByDigest,
    async blob(image, digest, maxBytes) {
      const value = await shared(
        `${prefix}:blob:${digest}`,
        null,
        async () => Buffer.from(await withHostSlot(image.registry, () => source.blob(image, digest, maxBytes))),
        (bytes) => sha256(bytes) === digest,
      );
      if (value.length > maxBytes) return source.blob(image, digest, maxBytes);
      return new Uint8Array(value);
    },
  };
}
