import type { ConnectionOptions } from 'bullmq';

/** BullMQ's connection options from a redis:// or rediss:// URL. */
export function redisConnection(url: string): ConnectionOptions & { host: string; port: number } {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new Error(`serve.queue.redisUrl must be redis:// or rediss://, not ${parsed.protocol}`);
  const db = parsed.pathname.replace(/^\//, '');
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: Number(parsed.port || 6379),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    // Workers wait for Redis to come back instead of failing their commands.
    maxRetriesPerRequest: null,
  };
}
