/**
 * Registry lookups of a distributed worker: one session per sweep (the jobs of a sweep share their
 * lookups in this worker), one per while for webhook jobs; the three newest are kept open.
 */
import type { Logger } from 'pino';
import type { LookupSession, SharedLookup } from './lookup-sessions.js';
import type { ServeOptions } from './serve.js';
import { sharedLookup } from './sweep.js';

export interface SweepSessions {
  /** The session of a sweep (null: of the webhook jobs of this while), opened on first use. */
  sessionFor(sweep: string | null): Promise<{ session: LookupSession; lookup: SharedLookup }>;
  /** Registry requests of the sessions still open. */
  requestCounts(): Record<string, number>;
  /** Saves the first-seen times of every session still open (on stop; failures are ignored). */
  saveAll(): Promise<void>;
}

/** Sessions kept open at once. */
const KEPT = 3;

export function createSweepSessions(options: Pick<ServeOptions, 'forge' | 'openLookup' | 'now' | 'dryRun' | 'platforms'> & { readonly maxAgeMs: number }, logger: Logger): SweepSessions {
  const { forge } = options;
  const sessions = new Map<string, Promise<{ session: LookupSession; lookup: SharedLookup }>>();
  const opened: LookupSession[] = [];
  return {
    sessionFor(sweep) {
      const key = sweep ?? `hooks:${Math.floor(Date.now() / options.maxAgeMs)}`;
      let found = sessions.get(key);
      if (!found) {
        found = options
          .openLookup()
          .then((session) => (opened.push(session), { session, lookup: sharedLookup({ forge, lookup: session.deps, now: options.now, dryRun: options.dryRun, platforms: options.platforms }) }));
        sessions.set(key, found);
        while (sessions.size > KEPT) {
          const first = sessions.entries().next();
          if (first.done) break;
          const [oldest, retired] = first.value;
          sessions.delete(oldest);
          void retired.then(({ session }) => opened.splice(opened.indexOf(session), 1));
          void retired.then(({ session }) => session.firstSeen.save()).catch((error: unknown) => logger.warn({ err: error }, 'could not save the first-seen cache'));
        }
      }
      return found;
    },
    requestCounts() {
      const requests: Record<string, number> = {};
      for (const session of opened) for (const [kind, count] of Object.entries(session.requestCounts())) requests[kind] = (requests[kind] ?? 0) + count;
      return requests;
    },
    async saveAll() {
      for (const pending of sessions.values()) await pending.then(({ session }) => session.firstSeen.save()).catch(() => undefined);
    },
  };
}
