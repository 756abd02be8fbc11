import path from 'node:path';
import { writeVerifiedFiles } from '../apply/write-files.js';
import { verifyFileEdit } from '../core/verify-edits.js';
import type { Config } from '../config/schema.js';
import { imagePolicy } from '../config/image-policy.js';
import { imageKey } from '../core/image-ref.js';
import type { Reference } from '../core/types.js';
import { dependenciesOf } from '../core/dependency.js';
import type { Plan } from '../core/planned.js';
import { findUpdates } from '../lookup/find-updates.js';
import { planUpdates } from '../plan/plan-updates.js';
import { unifiedDiff } from '../plan/unified-diff.js';
import { EXIT_OK, EXIT_PARTIAL, type CliIo, type ExitCode } from './io.js';
import { cacheDirectory, lookupSetup } from './lookup-deps.js';
import { checkReportJson, renderCheckText, type CheckReport } from './check-report.js';
import { progressReporter } from './progress.js';
import { scanDirectory } from './scan.js';

export interface CheckOptions {
  readonly directory: string;
  readonly format: 'text' | 'json';
  readonly config: Config;
  readonly platforms: readonly string[] | undefined;
  readonly write: boolean;
  readonly diff: boolean;
  readonly cacheDir: string | undefined;
}

/** References of images a package rule disables are reported as skipped (`ignored`). */
export function applyEnabled(references: readonly Reference[], config: Config): Reference[] {
  return references.map((reference) =>
    reference.skip === null && reference.image && !imagePolicy(config, imageKey(reference.image)).enabled ? { ...reference, skip: 'ignored' } : reference,
  );
}

export async function buildCheckReport(options: CheckOptions, io: CliIo): Promise<{ report: CheckReport; plan: Plan }> {
  const root = path.resolve(io.cwd, options.directory);
  const scan = await scanDirectory(root, options.config);
  const references = applyEnabled(scan.references, options.config);
  const progress = progressReporter(io, 'images');
  const setup = await lookupSetup(options.config, io, {
    cacheDir: cacheDirectory(options.cacheDir, options.config, io),
    platforms: options.platforms,
    onProgress: progress.update,
  });
  const results = await findUpdates(dependenciesOf(references), setup.deps);
  progress.done();
  await setup.firstSeen.save().catch(() => undefined);
  const plan = planUpdates(results);

  const bytesOf = new Map(scan.files.map((file) => [file.path, file.bytes]));
  const referencesIn = (file: string) => scan.references.filter((reference) => reference.file === file);
  const diffs: string[] = [];
  const writeFailures: Array<{ file: string; message: string }> = [];
  if (options.write) {
    const outcomes = await writeVerifiedFiles(root, plan.fileEdits, referencesIn, scan.rescan);
    for (const outcome of outcomes) {
      if (!outcome.ok) writeFailures.push({ file: outcome.file, message: outcome.reason });
      else if (options.diff) diffs.push(unifiedDiff(outcome.file, bytesOf.get(outcome.file)!, outcome.bytes));
    }
  } else {
    for (const change of plan.fileEdits) {
      const verified = verifyFileEdit(change.file, bytesOf.get(change.file)!, change, referencesIn(change.file), scan.rescan);
      if (!verified.ok) writeFailures.push({ file: verified.file, message: verified.reason });
      else if (options.diff) diffs.push(unifiedDiff(verified.file, bytesOf.get(verified.file)!, verified.bytes));
    }
  }
  const failedFiles = new Set(writeFailures.map((failure) => failure.file));
  const report: CheckReport = {
    references,
    updates: plan.updates.filter((update) => !failedFiles.has(update.file)),
    held: plan.held,
    errors: plan.errors,
    planFailures: plan.failures,
    writeFailures,
    problems: scan.problems,
    diff: diffs.join(''),
    written: options.write,
  };
  return { report, plan };
}

export async function runCheck(options: CheckOptions, io: CliIo): Promise<ExitCode> {
  const { report } = await buildCheckReport(options, io);
  io.stdout(options.format === 'json' ? `${JSON.stringify(checkReportJson(report), null, 2)}\n` : renderCheckText(report, options.diff));
  const failed = report.errors.length + report.planFailures.length + report.writeFailures.length;
  return failed > 0 ? EXIT_PARTIAL : EXIT_OK;
}
