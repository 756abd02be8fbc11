import { describe, expect, it } from 'vitest';
import type { Repository } from '../../src/apply/forges/forge.js';
import { createTriggerLoop } from '../../src/bot/chain-trigger-loop.js';
import { newChainCounters } from '../../src/bot/chain-metrics.js';
import { buildGraph } from '../../src/chain/build-graph.js';
import { ChainState } from '../../src/chain/chain-state.js';
import { createLogger } from '../../src/cli/logger.js';
import { chainProject as project } from '../support/chain-facts.js';

// Long enough that the first look, right after the parent passed, is inside the window even on a loaded machine.
const DEBOUNCE_MS = 500;
const silent = createLogger({ level: 'silent', format: 'json', write: () => undefined, now: Date.now });

describe('chain trigger loop', () => {
  it('triggers a child whose debounce window closed while the look that found it waiting was still saving', async () => {
    const state = new ChainState(buildGraph([project('acme/base'), project('acme/app', ['acme/base'])]), { debounceMs: DEBOUNCE_MS, concurrency: 4 });
    const app: Repository = { id: '7', path: 'acme/app', defaultBranch: 'main', archived: false, webUrl: 'https://gitlab.example.com/acme/app' };
    const sent: Array<{ projectId: string; ref: string; parents: string | undefined }> = [];
    let answered: () => void = () => undefined;
    const triggeredOnce = new Promise<void>((resolve) => (answered = resolve));
    const loop = createTriggerLoop({
      state,
      // The store's save after each look takes three debounce windows (a slow Redis, a loaded machine).
      withState: async (change) => {
        const result = await change();
        await new Promise((resolve) => setTimeout(resolve, 3 * DEBOUNCE_MS));
        return result;
      },
      byPath: () => new Map([[app.path, app]]),
      triggers: {
        pipelines: {
          createPipeline: async (projectId, ref, variables) => {
            sent.push({ projectId, ref, parents: variables.ARCHPIN_CHAIN_PARENTS });
            answered();
            return { id: 40, projectId, ref, sha: 'f'.repeat(40), status: 'created', source: 'api', webUrl: 'https://gitlab.example.com/acme/app/-/pipelines/40' };
          },
          findByVariable: async () => null,
        },
        logger: silent,
        counters: newChainCounters(),
        dryRun: false,
      },
      lease: { owner: 'test', ms: 60_000 },
      debounceMs: DEBOUNCE_MS,
      logger: silent,
      enqueue: (task) => void task(),
      writeDashboards: async () => undefined,
    });
    try {
      expect(
        state.parentPassed({ project: 'acme/base', images: [`registry.example.com/acme/base:1@sha256:${'a'.repeat(64)}`], digestKey: `sha256:${'a'.repeat(64)}`, pipeline: null }, Date.now()),
      ).toEqual(['acme/app']);
      // The first look is inside the window: nothing is ready. The timer it leaves is what triggers the child.
      await loop.flush();
      expect(sent).toEqual([]);
      let timeout: NodeJS.Timeout | undefined;
      const waited = await Promise.race([triggeredOnce.then(() => 'triggered'), new Promise((resolve) => (timeout = setTimeout(() => resolve('no trigger within 20 s'), 20_000)))]);
      clearTimeout(timeout);
      expect(waited).toBe('triggered');
      expect(sent).toEqual([{ projectId: '7', ref: 'main', parents: 'acme/base' }]);
    } finally {
      loop.stop();
    }
  }, 30_000);
});
