import type { Reference, ScanProblem } from '../core/types.js';
import type { HeldUpdate, LookupFailure } from '../core/dependency.js';
import type { RegistryHostStats } from '../lookup/registry-client.js';
import type { PlanFailure, PlannedUpdate, UnpinnedNote } from '../core/planned.js';
import { renderTable } from './render-table.js';
import { terminalText } from './terminal-text.js';
import { problemJson, referenceJson } from './report-json.js';
import { groupUnreachable, unreachableMessage } from '../core/unreachable-hosts.js';

export interface CheckReport {
  readonly references: readonly Reference[];
  readonly updates: readonly PlannedUpdate[];
  readonly held: readonly HeldUpdate[];
  readonly errors: readonly LookupFailure[];
  readonly planFailures: readonly PlanFailure[];
  readonly writeFailures: readonly { file: string; message: string }[];
  readonly problems: readonly ScanProblem[];
  readonly diff: string;
  /** True only when --write changed bytes on disk. */
  readonly written: boolean;
  /** Per registry contacted: pulls spent, quota left, whether it was stopped by a 429. */
  readonly registries?: readonly RegistryHostStats[];
  /** References updated without a pin because their format has no place for a digest. */
  readonly unpinned: readonly UnpinnedNote[];
  /** Set when the run was interrupted: the report holds only the lookups that finished. */
  readonly interrupted?: InterruptedLookup;
}

/** What an interrupt left undone. */
export interface InterruptedLookup {
  readonly lookedUp: number;
  readonly total: number;
  /** Images (with tag) whose lookup had not finished. */
  readonly notLookedUp: readonly string[];
}

/** `docker.io (dockerhub): 2 pulls, quota 98 of 100 left` — one line per registry that spent pulls or reported a quota. */
export function registryLines(stats: readonly RegistryHostStats[]): string[] {
  return stats
    .filter((entry) => entry.pulls > 0 || entry.rateLimit !== null || entry.stopped)
    .map((entry) => {
      const quota = entry.rateLimit === null ? '' : `, quota ${entry.rateLimit.remaining} of ${entry.rateLimit.limit} left`;
      const stopped = entry.stopped ? ', stopped after 429 toomanyrequests' : '';
      return `  ${entry.host} (${entry.kind}): ${entry.pulls} pull${entry.pulls === 1 ? '' : 's'}, ${entry.requests} requests${quota}${stopped}`;
    });
}

/**
 * A held update in text, as check and run print it: `image:tag (digest)  codes` after `prefix`, then each reason's
 * message on its own line, indented four more than the image.
 */
export function heldLines(held: HeldUpdate, prefix: string): string[] {
  const reasons = held.reasons.map((reason) => `${reason.code}${reason.missing?.length ? ` ${reason.missing.join(',')}` : ''}`).join(', ');
  const indent = ' '.repeat(prefix.length + 4);
  return [
    terminalText(`${prefix}${held.image}:${held.tag ?? ''}${held.digest ? ` (${short(held.digest)})` : ''}  ${reasons}`),
    ...held.reasons.map((reason) => `${indent}${terminalText(reason.message)}`),
  ];
}

export function heldJson(held: HeldUpdate) {
  const first = held.reasons[0];
  const missing = [...new Set(held.reasons.flatMap((reason) => reason.missing ?? []))];
  return {
    image: held.image,
    tag: held.tag,
    digest: held.digest || null,
    reason: first?.code ?? 'unknown',
    reasons: held.reasons.map((reason) => reason.code),
    missing,
    message: held.reasons.map((reason) => reason.message).join('; '),
  };
}

/** One entry of the report's `errors` list: a registry host that could not be reached, an image, or a file. */
export interface ErrorJson {
  readonly host?: string;
  readonly file?: string;
  readonly line?: number | null;
  readonly image?: string;
  readonly images?: readonly string[];
  readonly tag?: string | null;
  readonly code: string;
  readonly retryable?: boolean;
  readonly message: string;
}

/** Errors for reports: one `registry-unreachable` entry per host (with the images it stopped), then the rest. */
/** The text report's `Errors (n):` block (none when there are no errors): each error where it happened (file:line, registry host or image), its code and message. */
export function errorLines(errors: readonly ErrorJson[]): string[] {
  if (errors.length === 0) return [];
  return [
    '',
    `Errors (${errors.length}):`,
    ...errors.map((error) => {
      const where = error.file
        ? `${error.file}${error.line ? `:${error.line}` : ''}`
        : error.host !== undefined
          ? error.host
          : error.image !== undefined
            ? `${error.image}${error.tag ? `:${error.tag}` : ''}`
            : '';
      return `  ${terminalText(where)}  ${error.code}  ${terminalText(error.message)}`;
    }),
  ];
}

export function errorsJson(report: Pick<CheckReport, 'errors' | 'planFailures' | 'writeFailures' | 'problems'>): ErrorJson[] {
  const { hosts, others } = groupUnreachable(report.errors);
  return [
    ...hosts.map((entry) => ({ host: entry.host, code: 'registry-unreachable' as const, retryable: false, images: entry.images, message: unreachableMessage(entry) })),
    ...others.map((error) => ({ image: error.image, tag: error.tag, code: error.code, retryable: error.retryable, message: error.message })),
    ...report.planFailures.map((failure) => ({ file: failure.file, line: failure.line, image: failure.image, code: failure.code, message: failure.message })),
    ...report.writeFailures.map((failure) => ({ file: failure.file, code: 'write-failed', message: failure.message })),
    ...report.problems.map(problemJson),
  ];
}

export function checkReportJson(report: CheckReport) {
  return {
    version: 1,
    references: report.references.map(referenceJson),
    updates: report.updates.map((update) => ({
      file: update.file,
      line: update.line,
      from: update.from,
      to: update.to,
      image: update.image,
      tag: update.tag,
      updateType: update.updateType,
      digest: update.digest,
      platforms: update.platforms,
      ...(update.unverifiedPlatforms ? { unverifiedPlatforms: update.unverifiedPlatforms } : {}),
      fromPlatforms: update.fromPlatforms,
      ...(update.content ? { content: update.content } : {}),
    })),
    blocked: report.held.map(heldJson),
    errors: errorsJson(report),
    unpinned: report.unpinned.map((note) => ({ file: note.file, line: note.line, image: note.image, message: note.message })),
    written: report.written,
    registries: report.registries ?? [],
    ...(report.interrupted ? { partial: true, interrupted: report.interrupted } : {}),
  };
}

/** Verified platforms, and how many more the index lists without being verified; a Tekton bundle has none. */
const platformsText = (update: CheckReport['updates'][number]): string =>
  update.content === 'tekton-bundle' ? 'Tekton bundle' : `${update.platforms.join(',')}${update.unverifiedPlatforms ? ` (+${update.unverifiedPlatforms.length} not verified)` : ''}`;

const short = (digest: string): string => (digest.startsWith('sha256:') ? `${digest.slice(0, 19)}…` : digest);
const shortRef = (value: string): string => value.replace(/@sha256:([a-f0-9]{12})[a-f0-9]{52}/, '@sha256:$1…');

export function renderCheckText(report: CheckReport, withDiff: boolean): string {
  const lines: string[] = [];
  const updatable = report.references.filter((reference) => reference.skip === null).length;
  if (report.updates.length) {
    lines.push(`${report.written ? 'Updated' : 'Updates'} (${report.updates.length}):`);
    lines.push(
      renderTable(
        ['  LOCATION', 'FROM', 'TO', 'TYPE', 'PLATFORMS'],
        report.updates.map((update) => [`  ${update.file}:${update.line}`, shortRef(update.from), shortRef(update.to), update.updateType, platformsText(update)]),
      ),
    );
  } else {
    lines.push('No updates.');
  }
  if (report.held.length) {
    lines.push('', `Held back (${report.held.length}):`);
    for (const held of report.held) lines.push(...heldLines(held, '  '));
  }
  if (report.unpinned.length) {
    lines.push('', `Not pinned (${report.unpinned.length}):`);
    for (const note of report.unpinned) lines.push(`  ${note.file}:${note.line}  ${note.image}  ${note.message}`);
  }
  const errors = errorsJson(report);
  lines.push(...errorLines(errors));
  const registries = registryLines(report.registries ?? []);
  if (registries.length) lines.push('', 'Registries:', ...registries);
  lines.push('', `${report.references.length} references (${updatable} updatable), ${report.updates.length} updates, ${report.held.length} held, ${errors.length} errors.`);
  if (report.interrupted) {
    const { lookedUp, total, notLookedUp } = report.interrupted;
    lines.push(`Interrupted: partial report, ${lookedUp} of ${total} images looked up; nothing was written.`);
    if (notLookedUp.length) lines.push(`Not looked up: ${notLookedUp.map(terminalText).join(', ')}`);
  } else if (!report.written && report.updates.length) lines.push('Run with --write to apply the updates.');
  let text = `${lines.join('\n')}\n`;
  if (withDiff && report.diff) text += `\n${report.diff}`;
  return text;
}
