import { gunzipSync, gzipSync } from 'node:zlib';
import type { Reference } from '../core/types.js';
import type { HeldUpdate, LookupFailure } from '../core/dependency.js';

export const DASHBOARD_TITLE = 'Dependency Dashboard (archpin)';
/** GitHub caps issue bodies at 65,536 characters; state that would not fit is left out. */
const MAX_STATE_CHARS = 48_000;

/** What a run remembers between runs, in the dashboard issue. */
export interface DashboardState {
  readonly version: 1;
  /** Default-branch commit the references were scanned at. */
  readonly base: string;
  /** Hash of the effective config: a config change invalidates the remembered scan. */
  readonly configHash: string;
  /** The scan at `base`; null when it was too large to keep. */
  readonly references: readonly Reference[] | null;
  /** The repository's own archpin.json at `base`, if any. */
  readonly repoConfig?: string | null;
  /** branch → change fingerprint, for the changes this run wanted. */
  readonly changes: Readonly<Record<string, string>>;
  /** The change lines last shown, reused when a run finds nothing new. */
  readonly entries?: readonly DashboardEntry[];
  /** `image@digest` → epoch ms first seen (for settleTime across CI runs). */
  readonly firstSeen: Readonly<Record<string, number>>;
}

export interface DashboardEntry {
  readonly title: string;
  readonly branch: string;
  readonly url: string | null;
  readonly status: 'open' | 'updated' | 'opened' | 'unchanged' | 'closed-by-user' | 'awaiting-limit' | 'dry-run';
}

export interface DashboardInput {
  readonly changes: readonly DashboardEntry[];
  readonly held: readonly HeldUpdate[];
  readonly errors: readonly LookupFailure[];
  readonly problems: readonly string[];
  readonly skipped: number;
  readonly state: DashboardState;
}

const PATTERN = /<!-- archpin-dashboard:([A-Za-z0-9+/=]+) -->/;

export function encodeDashboardState(state: DashboardState): string {
  let encoded = gzipSync(Buffer.from(JSON.stringify(state))).toString('base64');
  if (encoded.length > MAX_STATE_CHARS) encoded = gzipSync(Buffer.from(JSON.stringify({ ...state, references: null }))).toString('base64');
  return `<!-- archpin-dashboard:${encoded} -->`;
}

export function decodeDashboardState(body: string | null | undefined): DashboardState | null {
  const match = body ? PATTERN.exec(body) : null;
  if (!match) return null;
  try {
    const state = JSON.parse(gunzipSync(Buffer.from(match[1]!, 'base64')).toString('utf8')) as DashboardState;
    return state.version === 1 && typeof state.base === 'string' ? state : null;
  } catch {
    return null;
  }
}

const STATUS_TEXT: Record<DashboardEntry['status'], string> = {
  open: 'open',
  updated: 'updated',
  opened: 'opened',
  unchanged: 'open',
  'closed-by-user': 'closed by a user; this version is skipped',
  'awaiting-limit': 'waiting: the concurrent or hourly limit is reached',
  'dry-run': 'would open',
};

export function dashboardBody(input: DashboardInput): string {
  const out: string[] = ['This issue lists the container image updates archpin manages in this repository.', ''];
  out.push('## Updates', '');
  if (input.changes.length === 0) out.push('None: every image is up to date or held back.');
  for (const change of input.changes) {
    const link = change.url ? `[${change.title}](${change.url})` : change.title;
    out.push(`- ${link} — \`${change.branch}\` — ${STATUS_TEXT[change.status]}`);
  }
  if (input.held.length > 0) {
    out.push('', '## Held back by the gate', '', '| Image | Version | Reason |', '| --- | --- | --- |');
    for (const held of input.held) {
      const reasons = held.reasons.map((reason) => `${reason.code}: ${reason.message}`).join('; ').replace(/\|/g, '\\|');
      out.push(`| \`${held.image}\` | \`${held.tag ?? held.digest}\` | ${reasons} |`);
    }
  }
  if (input.errors.length > 0 || input.problems.length > 0) {
    out.push('', '## Errors', '');
    for (const error of input.errors) out.push(`- \`${error.image}${error.tag ? `:${error.tag}` : ''}\`: ${error.code} — ${error.message}`);
    for (const problem of input.problems) out.push(`- ${problem}`);
  }
  if (input.skipped > 0) out.push('', `${input.skipped} references are not updated automatically (templated, untagged or ignored); \`archpin scan\` lists them.`);
  out.push('', encodeDashboardState(input.state));
  return `${out.join('\n')}\n`;
}
