import { DEFAULTS } from '../config/defaults.js';
import path from 'node:path';
import { writeVerifiedFiles } from '../apply/write-files.js';
import type { Config } from '../config/schema.js';
import { createRunPolicy } from '../config/run-policy.js';
import type { Plan } from '../core/planned.js';
import type { Reference } from '../core/types.js';
import type { Dependency } from '../core/dependency.js';
import type { LogLevel } from './args.js';
import { lookupAndGateAll, lookupAndPlan, markDisabled, referencesByFile, verifyEdits } from '../pipeline/pipeline.js';
import { unifiedDiff } from '../plan/unified-diff.js';
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_PARTIAL, EXIT_UPDATES, type CliIo, type ExitCode } from './io.js';
import { cacheDirectory, requireRegistryCredentials } from './lookup-deps.js';
import { commandLookup } from './command-lookup.js';
import { checkReportJson, renderCheckText, type CheckReport } from './check-report.js';
import { ciIncludeSource } from './ci-include-source.js';
import { scanDirectory } from './scan.js';

export interface CheckOptions {
  readonly directory: string;
  readonly format: 'text' | 'json';
  readonly config: Config;
  readonly platforms: readonly string[] | undefined;
  readonly write: boolean;
  readonly diff: boolean;
  readonly cacheDir: string | undefined;
  /** Exit 4 (instead of 0) when updates are available. */
  readonly exitCode?: boolean;
  /** `debug` and `trace` print one line per registry request on stderr. */
  readonly logLevel?: LogLevel;
}

/** References of images a package rule disables are reported as skipped (`ignored`). */
export function applyEnabled(references: readonly Reference[], config: Config): Reference[] {
  const policy = createRunPolicy(config);
  return markDisabled(references, (image) => policy.forImage(image).enabled);
}

export async function buildCheckReport(options: CheckOptions, io: CliIo): Promise<{ report: CheckReport; plan: Plan }> {
  requireRegistryCredentials(options.config, io);
  const root = path.resolve(io.cwd, options.directory);
  // A GitLab forge in the config (URL and token): CI includes of other projects and templates are read through it.
  const scan = await scanDirectory(root, options.config, await ciIncludeSource(options.config, io));
  const references = applyEnabled(scan.references, options.config);
  // Ctrl-C: stop starting lookups, end the ones in flight, and report what finished.
  const lookupRun = await commandLookup(options.config, io, {
    noun: 'images',
    logLevel: options.logLevel,
    cacheDir: cacheDirectory(options.cacheDir, options.config, io),
    platforms: options.platforms,
    progressFromLookup: true,
  });
  const { setup, progress } = lookupRun;
  let dependencies: readonly Dependency[] = [];
  let lookup;
  try {
    lookup = await lookupAndPlan(
      references,
      (all) => {
        // Later calls look again at the images through a shared literal: the first one names every image.
        if (dependencies.length === 0) dependencies = all;
        setup.client.expectRepositories(all.map((dependency) => dependency.location));
        progress.update(0, all.length);
        return lookupAndGateAll(all, setup.deps);
      },
      { sharedLiterals: options.config.sharedLiterals ?? DEFAULTS.sharedLiterals },
    );
  } finally {
    lookupRun.finish();
  }
  const { plan, results } = lookup;
  await setup.firstSeen.save().catch(() => undefined);
  const interrupted = lookupRun.interrupted();
  const finished = new Set(results.map((result) => result.dependency));

  const bytesOf = new Map(scan.files.map((file) => [file.path, file.bytes]));
  const diffOf = (file: string, after: Uint8Array): string => {
    const before = bytesOf.get(file);
    return before === undefined ? '' : unifiedDiff(file, before, after);
  };
  const diffs: string[] = [];
  const writeFailures: Array<{ file: string; message: string }> = [];
  const outcomes = options.write && !interrupted ? await writeVerifiedFiles(root, plan.fileEdits, referencesByFile(scan), scan.rescan) : verifyEdits(plan.fileEdits, scan);
  let written = false;
  for (const outcome of outcomes) {
    if (options.write && !interrupted && outcome.ok && !Buffer.from(outcome.bytes).equals(Buffer.from(bytesOf.get(outcome.file) ?? []))) written = true;
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
    ...(interrupted
      ? {
          interrupted: {
            lookedUp: finished.size,
            total: dependencies.length,
            notLookedUp: dependencies.filter((dependency) => !finished.has(dependency)).map((dependency) => (dependency.tag === null ? dependency.key : `${dependency.key}:${dependency.tag}`)),
          },
        }
      : {}),
  };
  return { report, plan };
}

export async function runCheck(options: CheckOptions, io: CliIo): Promise<ExitCode> {
  const { report } = await buildCheckReport(options, io);
  io.stdout(options.format === 'json' ? `${JSON.stringify(checkReportJson(report), null, 2)}\n` : renderCheckText(report, options.diff));
  if (report.interrupted) return EXIT_INTERRUPTED;
  const failed = report.errors.length + report.planFailures.length + report.writeFailures.length;
  if (failed > 0) return EXIT_PARTIAL;
  return options.exitCode && report.updates.length > 0 ? EXIT_UPDATES : EXIT_OK;
}
