import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import type { OutsideRead, Reference, SkipReason, Span, SpanRole, ValueQuoting } from '../core/types.js';
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
  /** The files of other projects and the templates its CI includes, as the scan read them: a change there means a new scan. */
  readonly includes?: readonly OutsideRead[];
  /** branch → change fingerprint, for the changes this run wanted. */
  readonly changes: Readonly<Record<string, string>>;
  /** The change lines last shown, reused when a run finds nothing new. */
  readonly entries?: readonly DashboardEntry[];
  /** `image@digest` → epoch ms first seen (for settleTime across CI runs). */
  readonly firstSeen: Readonly<Record<string, number>>;
  /** Why the repository was skipped at `base` (over its scan budget): not tried again until `base` or the config changes. */
  readonly overBudget?: string;
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
  /** The repository was skipped as a whole, and why (it is over its scan budget). */
  readonly skippedBecause?: string;
  readonly state: DashboardState;
}

const PATTERN = /<!-- archpin-dashboard:([A-Za-z0-9+/=]+) -->/;

export function encodeDashboardState(state: DashboardState): string {
  let encoded = gzipSync(Buffer.from(JSON.stringify(state))).toString('base64');
  if (encoded.length > MAX_STATE_CHARS) encoded = gzipSync(Buffer.from(JSON.stringify({ ...state, references: null }))).toString('base64');
  return `<!-- archpin-dashboard:${encoded} -->`;
}

const text = (value: unknown): value is string => typeof value === 'string';
const spanSchema = z.looseObject({
  role: z.custom<SpanRole>(text),
  start: z.number(),
  end: z.number(),
  text: z.string(),
  line: z.number(),
  column: z.number(),
  variable: z.string().optional(),
  quote: z.enum(['"', "'"]).optional(),
}) satisfies z.ZodType<Span>;
const referenceSchema = z.looseObject({
  file: z.string(),
  line: z.number(),
  column: z.number(),
  value: z.string(),
  kind: z.string(),
  quoting: z.custom<ValueQuoting>(text).optional(),
  image: z.object({ registry: z.string(), repository: z.string(), tag: z.string().nullable(), digest: z.string().nullable() }).nullable(),
  name: z.string().nullable(),
  skip: z.custom<SkipReason>(text).nullable(),
  spans: z.array(spanSchema),
  detail: z.string().optional(),
  shared: z.object({ key: z.string(), variable: z.string(), uses: z.array(z.string()) }).optional(),
}) satisfies z.ZodType<Reference>;
const entrySchema = z.object({
  title: z.string(),
  branch: z.string(),
  url: z.string().nullable(),
  status: z.enum(['open', 'updated', 'opened', 'unchanged', 'closed-by-user', 'awaiting-limit', 'dry-run']),
});
/** The state as archpin writes it; a user may have edited it, so it is checked before it is trusted. */
const stateSchema = z.object({
  version: z.literal(1),
  base: z.string(),
  configHash: z.string(),
  references: z.array(referenceSchema).nullable(),
  repoConfig: z.string().nullable().optional(),
  includes: z
    .array(
      z.union([
        z.object({ kind: z.literal('project'), project: z.string(), path: z.string(), ref: z.string().nullable(), identity: z.string() }),
        z.object({ kind: z.literal('template'), name: z.string(), identity: z.string() }),
      ]),
    )
    .optional(),
  changes: z.record(z.string(), z.string()),
  entries: z.array(entrySchema).optional(),
  firstSeen: z.record(z.string(), z.number()),
  overBudget: z.string().optional(),
}) satisfies z.ZodType<DashboardState>;

/** Whether a decoded value is a state archpin can use (the value itself is kept as written: its key order is what the next run compares). */
function isDashboardState(value: unknown): value is DashboardState {
  return stateSchema.safeParse(value).success;
}

export function decodeDashboardState(body: string | null | undefined): DashboardState | null {
  const encoded = body ? PATTERN.exec(body)?.[1] : undefined;
  if (encoded === undefined) return null;
  try {
    const state: unknown = JSON.parse(gunzipSync(Buffer.from(encoded, 'base64')).toString('utf8'));
    return isDashboardState(state) ? state : null;
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
  if (input.skippedBecause !== undefined) {
    out.push('## Skipped', '', `archpin did not scan this repository: ${input.skippedBecause}.`);
    out.push('', 'It is tried again when the default branch moves or the configuration changes. The updates below are from the last run that finished.', '');
  }
  out.push('## Updates', '');
  if (input.changes.length === 0) out.push('None: every image is up to date or held back.');
  for (const change of input.changes) {
    const link = change.url ? `[${change.title}](${change.url})` : change.title;
    out.push(`- ${link} — \`${change.branch}\` — ${STATUS_TEXT[change.status]}`);
  }
  if (input.held.length > 0) {
    out.push('', '## Held back by the gate', '', '| Image | Version | Reason |', '| --- | --- | --- |');
    for (const held of input.held) {
      const reasons = held.reasons
        .map((reason) => `${reason.code}: ${reason.message}`)
        .join('; ')
        .replace(/\|/g, '\\|');
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
