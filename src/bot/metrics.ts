/**
 * The counters and gauges `archpin serve` exposes on /metrics, rendered in the Prometheus text
 * exposition format (version 0.0.4) by hand: HELP and TYPE lines, then one sample per label set.
 */

export type Labels = Readonly<Record<string, string>>;

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly samples: Map<string, { labels: Labels; value: number }>;
}

export interface Metrics {
  inc(name: CounterName, labels?: Labels, by?: number): void;
  /** The current value of a counter sample (0 when never incremented). */
  value(name: CounterName, labels?: Labels): number;
  /** The Prometheus text; gauges and the registry request counts are read at this moment. */
  render(gauges: Readonly<Partial<Record<GaugeName, number>>>, registryRequests: Readonly<Record<string, number>>): string;
}

export const COUNTERS = {
  archpin_sweeps_total: 'Full sweeps started (schedule ticks and the start-up sweep).',
  archpin_sweep_failures_total: 'Sweeps that could not list the repositories of the targets.',
  archpin_repositories_processed_total: 'Repository runs finished, by result.',
  archpin_change_requests_total: 'Merge or pull requests written, by action (opened, updated, closed, failed).',
  archpin_holds_total: 'Updates held back by the gate, by reason.',
  archpin_registry_errors_total: 'Registry lookups that failed, by error code.',
  archpin_forge_errors_total: 'Repository runs that failed on a forge error, by error code.',
  archpin_webhook_events_total: 'Webhook deliveries received, by forge and result.',
} as const;
export type CounterName = keyof typeof COUNTERS;

export const GAUGES = {
  archpin_queue_depth: 'Repositories waiting in the work queue.',
  archpin_queue_running: 'Repository runs in progress.',
  archpin_ready: '1 when the forge has been reached and the server is not stopping.',
} as const;
export type GaugeName = keyof typeof GAUGES;

const REGISTRY_REQUESTS = 'archpin_registry_requests_total';

function labelKey(labels: Labels): string {
  return Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}="${escapeLabel(value)}"`)
    .join(',');
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function sample(name: string, key: string, value: number): string {
  return `${name}${key ? `{${key}}` : ''} ${value}`;
}

export function createMetrics(): Metrics {
  const families = new Map<CounterName, Family>();
  const familyOf = (name: CounterName): Family => {
    let family = families.get(name);
    if (family === undefined) {
      family = { name, help: COUNTERS[name], type: 'counter', samples: new Map() };
      families.set(name, family);
    }
    return family;
  };
  // Every counter is listed from the start, in declaration order.
  for (const name of Object.keys(COUNTERS) as CounterName[]) familyOf(name);
  return {
    inc(name, labels = {}, by = 1) {
      const samples = familyOf(name).samples;
      const key = labelKey(labels);
      const current = samples.get(key);
      if (current) current.value += by;
      else samples.set(key, { labels, value: by });
    },
    value(name, labels = {}) {
      return familyOf(name).samples.get(labelKey(labels))?.value ?? 0;
    },
    render(gauges, registryRequests) {
      const lines: string[] = [];
      for (const family of families.values()) {
        lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} counter`);
        const samples = [...family.samples].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        if (samples.length === 0 && UNLABELLED.has(family.name)) lines.push(sample(family.name, '', 0));
        for (const [key, { value }] of samples) lines.push(sample(family.name, key, value));
      }
      lines.push(`# HELP ${REGISTRY_REQUESTS} Registry HTTP requests sent, by kind.`, `# TYPE ${REGISTRY_REQUESTS} counter`);
      const requests = Object.entries(registryRequests).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [kind, count] of requests) lines.push(sample(REGISTRY_REQUESTS, labelKey({ kind }), count));
      for (const [name, help] of Object.entries(GAUGES) as Array<[GaugeName, string]>) {
        lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, sample(name, '', gauges[name] ?? 0));
      }
      return `${lines.join('\n')}\n`;
    },
  };
}

/** Counters without labels print a 0 sample before their first increment; labelled ones print nothing until used. */
const UNLABELLED: ReadonlySet<string> = new Set<CounterName>(['archpin_sweeps_total', 'archpin_sweep_failures_total']);
