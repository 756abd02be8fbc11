import path from 'node:path';
import type { Config } from '../config/schema.js';
import { imagePolicy } from '../config/image-policy.js';
import { KNOWN_EMPTY_DIGESTS } from '../core/digest.js';
import { isArchpinError } from '../core/errors.js';
import { formatImageRef } from '../core/image-ref.js';
import { parseImageConfig, parseManifest, type Manifest } from '../core/manifest.js';
import type { Reference } from '../core/types.js';
import { dependenciesOf, type Dependency, type LookupFailure } from '../core/dependency.js';
import type { BlockReason } from '../core/verdict.js';
import { evaluateCandidate } from '../gate/evaluate.js';
import { findUpdate } from '../lookup/find-updates.js';
import { applyEnabled } from './check.js';
import { EXIT_OK, EXIT_PARTIAL, EXIT_UNSAFE, type CliIo, type ExitCode } from './io.js';
import { cacheDirectory, lookupSetup, type LookupSetup } from './lookup-deps.js';
import { progressReporter } from './progress.js';
import { errorsJson } from './check-report.js';
import { referenceJson } from './report-json.js';
import { scanDirectory } from './scan.js';
import { terminalText } from './terminal-text.js';

export interface AuditOptions {
  readonly directory: string;
  readonly format: 'text' | 'json';
  readonly config: Config;
  readonly platforms: readonly string[] | undefined;
  readonly cacheDir: string | undefined;
}

export interface AuditFinding {
  readonly reference: Reference;
  readonly reasons: readonly BlockReason[];
  /** The reference that fixes it (a repin of the same tag, else the newest safe version), or null. */
  readonly fix: string | null;
}

interface DependencyAudit {
  readonly reasons: readonly BlockReason[];
  readonly fix: { tag: string | null; digest: string } | null;
  readonly error: LookupFailure | null;
}

const EMPTY_REASON: BlockReason = {
  code: 'empty-index',
  message: 'pinned to the known empty index digest: the image has no platforms and cannot be pulled',
};

/** Gates the pinned digest itself, against the policy and against what its tag offers today. */
async function auditDependency(dependency: Dependency, setup: LookupSetup, config: Config, platforms: readonly string[] | undefined, now: number): Promise<DependencyAudit> {
  const { source } = setup.deps;
  const location = dependency.location;
  const digest = dependency.digest!;
  const policy = { ...imagePolicy(config, dependency.key, platforms), minimumReleaseAge: null, settleTime: null };
  let reasons: BlockReason[] = [];
  try {
    if (KNOWN_EMPTY_DIGESTS.has(digest)) {
      reasons = [EMPTY_REASON];
    } else {
      const pinned = await source.manifestByDigest(location, digest);
      const parsed = parseManifest(pinned.bytes, pinned.mediaType);
      let offered: Manifest | null = null;
      let onPurpose = false;
      if (dependency.tag) {
        const tagged = await source.manifestByTag(location, dependency.tag).catch(() => null);
        const taggedManifest = tagged ? parseManifest(tagged.bytes, tagged.mediaType) : null;
        if (taggedManifest?.ok && tagged!.digest !== digest) {
          offered = taggedManifest.value;
          onPurpose = parsed.ok && parsed.value.kind === 'image' && offered.kind === 'index' && offered.entries.some((entry) => entry.digest === digest);
        }
      }
      let imagePlatform = null;
      if (parsed.ok && parsed.value.kind === 'image') {
        const config = parseImageConfig(await source.blob(location, parsed.value.config.digest, 1024 * 1024));
        imagePlatform = config.ok ? config.value.platform : null;
      }
      const verdict = evaluateCandidate({
        candidate: {
          image: dependency.key,
          tag: dependency.tag,
          digest,
          contentDigest: pinned.digest,
          manifest: parsed.ok ? parsed.value : { kind: 'unreadable', code: 'unsupported-media-type', message: parsed.error.message },
          imagePlatform,
          created: null,
          firstSeen: null,
        },
        current: offered && !onPurpose ? { manifest: offered, imagePlatform: null } : null,
        policy,
        now,
      });
      if (!verdict.pass) reasons = [...verdict.reasons];
      if (onPurpose && !policy.platforms) reasons = reasons.filter((reason) => reason.code !== 'single-arch');
    }
  } catch (error) {
    return { reasons: [], fix: null, error: lookupFailure(dependency, error) };
  }
  if (reasons.length === 0) return { reasons, fix: null, error: null };
  const repin = await findUpdate({ ...dependency, digest: null }, setup.deps);
  const fix = repin.update ? { tag: repin.update.tag, digest: repin.update.digest } : null;
  return { reasons, fix, error: null };
}

function lookupFailure(dependency: Dependency, error: unknown): LookupFailure {
  return isArchpinError(error)
    ? { image: dependency.key, tag: dependency.tag, code: error.code, message: error.message, retryable: error.retryable }
    : { image: dependency.key, tag: dependency.tag, code: 'lookup-failed', message: String(error), retryable: false };
}

export async function runAudit(options: AuditOptions, io: CliIo): Promise<ExitCode> {
  const scan = await scanDirectory(path.resolve(io.cwd, options.directory), options.config);
  const references = applyEnabled(scan.references, options.config);
  const pinned = dependenciesOf(references).filter((dependency) => dependency.digest !== null);
  const progress = progressReporter(io, 'pins');
  const setup = await lookupSetup(options.config, io, { cacheDir: cacheDirectory(options.cacheDir, options.config, io), platforms: options.platforms });
  const findings: AuditFinding[] = [];
  const errors: LookupFailure[] = [];
  let done = 0;
  for (const dependency of pinned) {
    const result = await auditDependency(dependency, setup, options.config, options.platforms, io.now());
    progress.update(++done, pinned.length);
    if (result.error) errors.push(result.error);
    for (const reference of dependency.references) {
      if (result.reasons.length === 0) continue;
      const fix = result.fix ? formatImageRef(reference.name!, result.fix.tag ?? reference.image!.tag, result.fix.digest) : null;
      findings.push({ reference, reasons: result.reasons, fix });
    }
  }
  progress.done();
  await setup.firstSeen.save().catch(() => undefined);
  findings.sort((a, b) => (a.reference.file < b.reference.file ? -1 : a.reference.file > b.reference.file ? 1 : a.reference.line - b.reference.line));
  const allErrors = errorsJson({ errors, planFailures: [], writeFailures: [], problems: scan.problems });
  if (options.format === 'json') {
    io.stdout(
      `${JSON.stringify(
        {
          version: 1,
          references: references.map(referenceJson),
          audit: findings.map((finding) => ({
            file: finding.reference.file,
            line: finding.reference.line,
            value: finding.reference.value,
            image: `${finding.reference.image!.registry}/${finding.reference.image!.repository}`,
            reason: finding.reasons[0]!.code,
            reasons: finding.reasons.map((reason) => reason.code),
            missing: [...new Set(finding.reasons.flatMap((reason) => reason.missing ?? []))],
            message: finding.reasons.map((reason) => reason.message).join('; '),
            fix: finding.fix,
          })),
          errors: allErrors,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    io.stdout(renderAuditText(findings, pinned.length, allErrors));
  }
  if (findings.length > 0) return EXIT_UNSAFE;
  return errors.length > 0 ? EXIT_PARTIAL : EXIT_OK;
}

function renderAuditText(findings: readonly AuditFinding[], pins: number, errors: ReturnType<typeof errorsJson>): string {
  const lines: string[] = [];
  if (findings.length === 0) lines.push(`All ${pins} pinned images are safe.`);
  else {
    lines.push(`Unsafe pins (${findings.length}):`);
    for (const finding of findings) {
      lines.push(`  ${terminalText(finding.reference.file)}:${finding.reference.line}  ${terminalText(finding.reference.value)}`);
      for (const reason of finding.reasons) lines.push(`      ${reason.code}: ${terminalText(reason.message)}`);
      lines.push(`      fix: ${finding.fix ?? 'no safe version found; keep watching'}`);
    }
  }
  if (errors.length) {
    lines.push('', `Errors (${errors.length}):`);
    for (const error of errors) {
      lines.push(`  ${terminalText(`${'image' in error ? error.image : ''}${'file' in error ? error.file : ''}`)}  ${error.code}  ${terminalText(error.message)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
