import path from 'node:path';
import type { Config } from '../config/schema.js';
import { dependenciesOf, type LookupFailure } from '../core/dependency.js';
import { formatImageRef } from '../core/image-ref.js';
import type { ImageReference } from '../core/types.js';
import type { HoldReason } from '../core/verdict.js';
import { auditPin, type PinnedDependency } from '../lookup/audit-pin.js';
import { judged } from '../pipeline/pipeline.js';
import { applyEnabled } from './check.js';
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_PARTIAL, EXIT_UNSAFE, type CliIo, type ExitCode } from './io.js';
import type { LogLevel } from './args.js';
import { cacheDirectory } from './lookup-deps.js';
import { commandLookup } from './command-lookup.js';
import { errorLines, errorsJson, registryLines } from './check-report.js';
import { referenceJson } from './report-json.js';
import { ciIncludeSource } from './ci-include-source.js';
import { scanDirectory } from './scan.js';
import { terminalText } from './terminal-text.js';

export interface AuditOptions {
  readonly directory: string;
  readonly format: 'text' | 'json';
  readonly config: Config;
  readonly platforms: readonly string[] | undefined;
  readonly cacheDir: string | undefined;
  /** `debug` and `trace` print one line per registry request on stderr. */
  readonly logLevel?: LogLevel;
}

export interface AuditFinding {
  readonly reference: ImageReference;
  /** At least one: a pin with no reason is safe and no finding. */
  readonly reasons: readonly [HoldReason, ...HoldReason[]];
  /** The reference that fixes it (a repin of the same tag, else the newest safe version), or null. */
  readonly fix: string | null;
}

const isPinned = (dependency: { digest: string | null }): dependency is PinnedDependency => dependency.digest !== null;

export async function runAudit(options: AuditOptions, io: CliIo): Promise<ExitCode> {
  const scan = await scanDirectory(path.resolve(io.cwd, options.directory), options.config, await ciIncludeSource(options.config, io));
  const references = applyEnabled(scan.references, options.config);
  const pinned = dependenciesOf(references).filter(isPinned);
  // Ctrl-C: end the lookup in flight, start no other, and report the pins checked so far.
  const lookup = await commandLookup(options.config, io, {
    noun: 'pins',
    logLevel: options.logLevel,
    cacheDir: cacheDirectory(options.cacheDir, options.config, io),
    platforms: options.platforms,
    freshTags: true,
  });
  const { setup, progress, interrupted } = lookup;
  setup.client.expectRepositories(pinned.map((dependency) => dependency.location));
  const findings: AuditFinding[] = [];
  const errors: LookupFailure[] = [];
  let done = 0;
  progress.update(0, pinned.length);
  for (const dependency of pinned) {
    if (interrupted()) break;
    const result = await judged(auditPin(dependency, setup.deps, io.now()));
    // A lookup cut short by the interrupt is not a finding: its pin counts as not checked.
    if (interrupted() && result.error) break;
    progress.update(++done, pinned.length);
    if (result.error) errors.push(result.error);
    const [first, ...more] = result.reasons;
    for (const reference of dependency.references) {
      if (first === undefined) continue;
      const fix = result.fix ? formatImageRef(reference.name, result.fix.tag ?? reference.image.tag, result.fix.digest) : null;
      findings.push({ reference, reasons: [first, ...more], fix });
    }
  }
  lookup.finish();
  await setup.firstSeen.save().catch(() => undefined);
  const stopped = interrupted() ? { checked: done, total: pinned.length, notChecked: pinned.slice(done).map(pinText) } : null;
  findings.sort((a, b) => (a.reference.file < b.reference.file ? -1 : a.reference.file > b.reference.file ? 1 : a.reference.line - b.reference.line));
  const allErrors = errorsJson({ errors, planFailures: [], writeFailures: [], problems: scan.problems });
  if (options.format === 'json') {
    io.stdout(
      `${JSON.stringify(
        {
          version: 1,
          references: references.map(referenceJson),
          summary: {
            pins: pinned.length,
            unsafe: new Set(findings.map((finding) => finding.reference.value)).size,
            unchecked: errors.length + (stopped?.notChecked.length ?? 0),
          },
          audit: findings.map((finding) => ({
            file: finding.reference.file,
            line: finding.reference.line,
            value: finding.reference.value,
            image: `${finding.reference.image.registry}/${finding.reference.image.repository}`,
            reason: finding.reasons[0].code,
            reasons: finding.reasons.map((reason) => reason.code),
            missing: [...new Set(finding.reasons.flatMap((reason) => reason.missing ?? []))],
            message: finding.reasons.map((reason) => reason.message).join('; '),
            fix: finding.fix,
          })),
          errors: allErrors,
          registries: setup.client.hostStats(),
          ...(stopped ? { partial: true, interrupted: stopped } : {}),
        },
        null,
        2,
      )}\n`,
    );
  } else {
    // Text names the registries that count pulls against a quota (they send RateLimit headers).
    const registries = registryLines(setup.client.hostStats().filter((entry) => entry.rateLimit !== null || entry.stopped));
    io.stdout(
      `${renderAuditText(findings, stopped ? done : pinned.length, errors.length, allErrors, stopped !== null)}${registries.length ? `\nRegistries:\n${registries.join('\n')}\n` : ''}${stopped ? interruptedText(stopped) : ''}`,
    );
  }
  if (stopped) return EXIT_INTERRUPTED;
  if (findings.length > 0) return EXIT_UNSAFE;
  return errors.length > 0 ? EXIT_PARTIAL : EXIT_OK;
}

/** A pin as it reads in a report: `registry/repository:tag@digest`. */
const pinText = (dependency: PinnedDependency): string => `${dependency.key}${dependency.tag === null ? '' : `:${dependency.tag}`}@${dependency.digest}`;

/** What an interrupt left unchecked. */
interface InterruptedAudit {
  readonly checked: number;
  readonly total: number;
  readonly notChecked: readonly string[];
}

function interruptedText({ checked, total, notChecked }: InterruptedAudit): string {
  const lines = [`\nInterrupted: partial report, ${checked} of ${total} pinned images checked; the others' safety is unknown.`];
  if (notChecked.length) lines.push(`Not checked: ${notChecked.map(terminalText).join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** Never "safe" for a pin that could not be checked: the summary says how many could not be. */
function renderAuditText(findings: readonly AuditFinding[], pins: number, unchecked: number, errors: ReturnType<typeof errorsJson>, partial: boolean): string {
  const lines: string[] = [];
  const notChecked = `${unchecked} of ${pins} pinned image${pins === 1 ? '' : 's'} could not be checked (see errors): their safety is unknown.`;
  if (findings.length === 0 && unchecked === 0) lines.push(partial ? `No unsafe pin among the ${pins} checked before the interrupt.` : `All ${pins} pinned images are safe.`);
  else if (findings.length === 0) lines.push(`No unsafe pin among the ${pins - unchecked} checked; ${notChecked}`);
  else {
    lines.push(`Unsafe pins (${findings.length}):`);
    for (const finding of findings) {
      lines.push(`  ${terminalText(finding.reference.file)}:${finding.reference.line}  ${terminalText(finding.reference.value)}`);
      for (const reason of finding.reasons) lines.push(`      ${reason.code}: ${terminalText(reason.message)}`);
      lines.push(`      fix: ${finding.fix ?? 'no safe version found; keep watching'}`);
    }
    if (unchecked > 0) lines.push('', notChecked);
  }
  lines.push(...errorLines(errors));
  return `${lines.join('\n')}\n`;
}
