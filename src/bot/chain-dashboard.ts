/** The chain dashboard issue: one in every root project of a chain, showing the chain's state. */
import type { Logger } from 'pino';
import type { Forge, Repository } from '../apply/forges/forge.js';
import type { ChainState } from '../chain/chain-state.js';
import { errorFields } from '../core/errors.js';

/** The issue, in every root project of a chain, that shows the chain's state. */
export const CHAIN_DASHBOARD_TITLE = 'archpin image chain';

/**
 * Keeps the chain dashboard issue of every chain root current, written only when its text changed since
 * this process last wrote it. A root that cannot be written is logged and tried again at the next event.
 */
export function chainDashboardWriter(forge: Pick<Forge, 'findIssue' | 'createIssue' | 'updateIssue'>, logger: Logger): (state: ChainState, byPath: ReadonlyMap<string, Repository>) => Promise<void> {
  const written = new Map<string, string>();
  return async (state, byPath) => {
    const body = `${chainDashboard(state)}\n<!-- archpin chain dashboard: written by archpin serve, rewritten on every chain event -->\n`;
    for (const node of state.currentGraph.nodes) {
      if (node.level !== 0 || node.children.length === 0) continue;
      const repository = byPath.get(node.path);
      if (!repository || written.get(node.path) === body) continue;
      try {
        const found = await forge.findIssue(repository, CHAIN_DASHBOARD_TITLE);
        if (found === null) await forge.createIssue(repository, CHAIN_DASHBOARD_TITLE, body);
        else if (found.body !== body) await forge.updateIssue(repository, found.number, body);
        written.set(node.path, body);
      } catch (error) {
        logger.warn({ project: node.path, ...errorFields(error) }, 'chain: cannot write the dashboard issue');
      }
    }
  };
}

/** The chain part of the dashboard issue: last parent digests, children triggered, stopped subtrees with reasons. */
export function chainDashboard(state: ChainState): string {
  const lines = ['## Image chain', ''];
  const built = [...state.status.entries()].flatMap(([project, status]) => (status.lastBuild ? [{ project, build: status.lastBuild }] : [])).sort((a, b) => (a.project < b.project ? -1 : 1));
  if (built.length) {
    lines.push('Last parent images that passed the gate:', '');
    for (const { project, build } of built) {
      lines.push(`- \`${project}\`: ${build.images.map((image) => `\`${image}\``).join(', ')}${build.pipeline ? ` (pipeline [#${build.pipeline.id}](${build.pipeline.url}))` : ''}`);
    }
    lines.push('');
  }
  const triggered = state.log.slice(-20);
  if (triggered.length) {
    lines.push('Children triggered (latest 20):', '');
    for (const record of triggered) {
      const what = record.pipeline ? `pipeline [#${record.pipeline.id}](${record.pipeline.url})` : record.dryRun ? 'dry run: not triggered' : `failed: ${record.error ?? 'unknown'}`;
      lines.push(`- \`${record.project}\` after ${record.parents.map((parent) => `\`${parent.project}\``).join(', ')}: ${what}`);
    }
    lines.push('');
  }
  const stopped = state.stoppedSubtrees();
  if (stopped.length) {
    lines.push('Stopped subtrees:', '');
    for (const entry of stopped) {
      lines.push(`- \`${entry.project}\` — **${entry.reason.code}**: ${entry.reason.message}${entry.below.length ? `; not rebuilt: ${entry.below.map((path) => `\`${path}\``).join(', ')}` : ''}`);
    }
    lines.push('');
  }
  if (state.currentGraph.cycles.length) {
    lines.push('Cycles (never rebuilt by the chain):', '');
    for (const cycle of state.currentGraph.cycles) lines.push(`- ${[...cycle, cycle[0]].map((path) => `\`${path}\``).join(' → ')}`);
    lines.push('');
  }
  if (lines.length === 2) lines.push('No chain activity yet.', '');
  return lines.join('\n');
}
