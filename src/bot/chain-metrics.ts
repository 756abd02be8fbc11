import type { ChainState } from '../chain/chain-state.js';

/** What chain rebuilds have done since the process started, for /metrics. */
export interface ChainCounters {
  triggered: number;
  dryRun: number;
  triggerFailed: number;
  gatePassed: number;
  gateBlocked: number;
}

export const newChainCounters = (): ChainCounters => ({ triggered: 0, dryRun: 0, triggerFailed: 0, gatePassed: 0, gateBlocked: 0 });

/** The chain's counters and the state's gauges in the Prometheus text format. */
export function chainMetricsText(counters: Readonly<ChainCounters>, state: ChainState): string {
  const lines: string[] = [];
  const counter = (name: string, help: string, samples: Array<[string, number]>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, ...samples.map(([labels, value]) => `${name}${labels} ${value}`));
  };
  const gauge = (name: string, help: string, value: number) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${value}`);
  counter('archpin_chain_triggers_total', 'Child pipelines triggered by chain rebuilds, by result.', [
    ['{result="triggered"}', counters.triggered],
    ['{result="dry-run"}', counters.dryRun],
    ['{result="failed"}', counters.triggerFailed],
  ]);
  counter('archpin_chain_gate_total', 'Parent images gated after a successful pipeline, by result.', [
    ['{result="passed"}', counters.gatePassed],
    ['{result="blocked"}', counters.gateBlocked],
  ]);
  const statuses = [...state.status.values()];
  gauge('archpin_chain_projects', 'Projects in the image graph.', state.currentGraph.nodes.length);
  gauge('archpin_chain_due', 'Children waiting to be triggered (debounce, parents still building, budget).', state.due.size);
  gauge('archpin_chain_running', 'Default-branch pipelines known to be running.', statuses.filter((status) => status.running).length);
  gauge('archpin_chain_stopped', 'Projects whose subtree is stopped (failed pipeline or gate).', statuses.filter((status) => status.stopped).length);
  gauge('archpin_chain_cycles', 'Image cycles in the graph.', state.currentGraph.cycles.length);
  return `${lines.join('\n')}\n`;
}
