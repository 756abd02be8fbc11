/** Registry lookups of `archpin serve`, one session for a while of work: fresh tag lists each time the queue starts from idle. */
import type { FindUpdatesDeps } from '../lookup/find-updates.js';
import type { FirstSeenStore } from '../lookup/first-seen-store.js';
import type { sharedLookup } from './sweep.js';

/** How long one session of registry lookups is used before a fresh one is opened (tag lists are asked again). */
export const SESSION_MAX_AGE_MS = 15 * 60_000;

/** Registry lookups for a while of work. */
export interface LookupSession {
  readonly deps: Omit<FindUpdatesDeps, 'policyFor'>;
  readonly firstSeen: FirstSeenStore;
  readonly requestCounts: () => Readonly<Record<string, number>>;
}

export type SharedLookup = ReturnType<typeof sharedLookup>;

export interface LookupSessions {
  /** The session in use with its shared lookup; opened on demand, replaced once older than the maximum age. */
  current(): Promise<{ session: LookupSession; lookup: SharedLookup }>;
  /** Ends the session in use (the queue went idle, or the server stops): its counts are kept, its first-seen times saved. */
  retireCurrent(): void;
  /** Registry requests sent by every session so far, the open one included. */
  requestCounts(): Record<string, number>;
  /** Resolves once every retired session has saved. */
  settled(): Promise<void>;
}

interface Session {
  readonly value: Promise<{ session: LookupSession; lookup: SharedLookup }>;
  readonly startedAt: number;
  opened: LookupSession | null;
}

export function createLookupSessions(options: {
  readonly open: () => Promise<LookupSession>;
  readonly lookupFor: (session: LookupSession) => SharedLookup;
  readonly maxAgeMs: number;
  readonly onSaveError: (error: unknown) => void;
}): LookupSessions {
  let session: Session | null = null;
  const retiring: Array<Promise<void>> = [];
  const closedRequests: Record<string, number> = {};

  /** Moves a finished session's request counts into the totals and saves its first-seen times. */
  function retire(done: Session): void {
    if (session === done) session = null;
    const counted = (opened: LookupSession) => {
      for (const [kind, count] of Object.entries(opened.requestCounts())) closedRequests[kind] = (closedRequests[kind] ?? 0) + count;
    };
    if (done.opened) counted(done.opened);
    retiring.push(
      done.value
        .then(
          async ({ session: opened }) => {
            if (!done.opened) counted(opened);
            await opened.firstSeen.save();
          },
          () => undefined,
        )
        .catch(options.onSaveError),
    );
  }

  return {
    current() {
      if (!session || Date.now() - session.startedAt > options.maxAgeMs) {
        if (session) retire(session);
        const value = options.open().then((opened) => {
          fresh.opened = opened;
          return { session: opened, lookup: options.lookupFor(opened) };
        });
        const fresh: Session = { value, startedAt: Date.now(), opened: null };
        session = fresh;
      }
      return session.value;
    },
    retireCurrent() {
      if (session) retire(session);
    },
    requestCounts() {
      const requests: Record<string, number> = { ...closedRequests };
      for (const [kind, count] of Object.entries(session?.opened?.requestCounts() ?? {})) requests[kind] = (requests[kind] ?? 0) + count;
      return requests;
    },
    async settled() {
      await Promise.all(retiring);
    },
  };
}
