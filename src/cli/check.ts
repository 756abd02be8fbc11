import path from 'node:path';
import { writeVerifiedFiles } from '../apply/write-files.js';
import type { Config } from '../config/schema.js';
import { createRunPolicy } from '../config/run-policy.js';
import type { Plan } from '../core/planned.js';
import type { Reference } from '../core/types.js';
import { findUpdates } from '../lookup/find-updates.js';
import { lookupAndPlan, markDisabled, referencesByFile, verifyEdits } from '../pipeline/pipeline.js';
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
  const policy = createRunPolicy(config);
  return markDisabled(references, (image) => policy.forImage(image).enabled);
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
  const { plan } = await lookupAndPlan(references, (dependencies) => findUpdates(dependencies, setup.deps));
  progress.done();
  await setup.firstSeen.save().catch(() => undefined);

  const bytesOf = new Map(scan.files.map((file) => [file.path, file.bytes]));
  const diffOf = (file: string, after: Uint8Array): string => {
    const before = bytesOf.get(file);
    return before === undefined ? '' : unifiedDiff(file, before, after);
  };
  const diffs: string[] = [];
  const writeFailures: Array<{ file: string; message: string }> = [];
  const outcomes = options.write ? await writeVerifiedFiles(root, plan.fileEdits, referencesByFile(scan), scan.rescan) : verifyEdits(plan.fileEdits, scan);
  let written = false;
  for (const outcome of outcomes) {
    if (options.write && outcome.ok && !Buffer.from(outcome.bytes).equals(Buffer.from(bytesOf.get(outcome.file) ?? []))) written = true;
    if (!outcome.ok) writeFailures.push({ file: outcome.file, message: outcome.reason });
    else if (options.diff) diffs.push(diffOf(outcome.file, outcome.bytes));
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
    registries: setup.client.hostStats(),
    written,
    unpinned: plan.unpinned,
  };
  return { report, plan };
}

export async function runCheck(options: CheckOptions, io: CliIo): Promise<ExitCode> {
  const { report } = await buildCheckReport(options, io);
  io.stdout(options.format === 'json' ? `${JSON.stringify(checkReportJson(report), null, 2)}\n` : renderCheckText(report, options.diff));
  const failed = report.errors.length + report.planFailures.length + report.writeFailures.length;
  return failed > 0 ? EXIT_PARTIAL : EXIT_OK;
}
