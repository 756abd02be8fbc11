import type { Config } from '../config/schema.js';
import { imageKey, parseImageRef } from '../core/image-ref.js';
import { ArchpinError, isArchpinError } from '../core/errors.js';
import { inspectReference, newestTags, type ImageInspection } from '../lookup/inspect-image.js';
import { judged } from '../pipeline/pipeline.js';
import type { ParsedArgs } from './args.js';
import { EXIT_OK, EXIT_PARTIAL, EXIT_UNSAFE, type CliIo, type ExitCode } from './io.js';
import { cacheDirectory, lookupSetup } from './lookup-deps.js';
import { terminalText } from './terminal-text.js';

/**
 * `archpin inspect IMAGE[:TAG|@DIGEST]`: the index digest and media type, each entry's platform, digest, size
 * and whether its child verified (attestations and artifacts marked), and the gate's verdict for the configured
 * platforms (else linux/amd64). `--tags N`: the newest N tags as a tag × platform matrix. Exit 3 when refused.
 */
export async function runInspect(args: ParsedArgs, config: Config, io: CliIo): Promise<ExitCode> {
  const text = args.positionals[0];
  const ref = text === undefined ? null : parseImageRef(text);
  if (ref === null) throw new ArchpinError('usage', text === undefined ? 'inspect needs an image: archpin inspect IMAGE[:TAG|@DIGEST]' : `not an image reference: ${text}`);
  const setup = await lookupSetup(config, io, { cacheDir: cacheDirectory(args.cacheDir, config, io), platforms: args.platforms });
  const key = imageKey(ref);
  const location = { registry: ref.registry, repository: ref.repository };
  try {
    if (args.tags !== undefined) {
      const tags = await newestTags(setup.deps, location, args.tags);
      const rows: ImageInspection[] = [];
      for (const tag of tags) rows.push(await judged(inspectReference(setup.deps, key, location, { tag, digest: null })));
      io.stdout(args.format === 'json' ? `${JSON.stringify({ version: 1, image: key, tags: rows.map(inspectionJson) }, null, 2)}\n` : renderMatrix(key, rows));
      return rows[0] !== undefined && !rows[0].verdict.pass ? EXIT_UNSAFE : EXIT_OK;
    }
    const inspection = await judged(inspectReference(setup.deps, key, location, ref.digest !== null ? { tag: ref.tag, digest: ref.digest } : { tag: ref.tag ?? 'latest', digest: null }));
    io.stdout(args.format === 'json' ? `${JSON.stringify({ version: 1, image: key, ...inspectionJson(inspection) }, null, 2)}\n` : renderOne(key, inspection));
    return inspection.verdict.pass ? EXIT_OK : EXIT_UNSAFE;
  } catch (error) {
    if (!isArchpinError(error)) throw error;
    io.stderr(`archpin inspect: ${key}: ${error.code}: ${error.message}\n`);
    return EXIT_PARTIAL;
  } finally {
    await setup.firstSeen.save().catch(() => undefined);
  }
}

function inspectionJson(inspection: ImageInspection) {
  return {
    tag: inspection.tag,
    digest: inspection.digest,
    mediaType: inspection.mediaType,
    entries: inspection.entries,
    verdict: inspection.verdict.pass
      ? { pass: true, platforms: inspection.verdict.platforms, notRequired: inspection.verdict.notRequired }
      : { pass: false, reasons: inspection.verdict.reasons.map((reason) => ({ code: reason.code, missing: reason.missing ?? [], message: reason.message })) },
  };
}

function verdictText(inspection: ImageInspection): string {
  return inspection.verdict.pass
    ? `pass (${inspection.verdict.platforms.join(', ')}${inspection.verdict.notRequired.length > 0 ? `; not required, not vouched for: ${inspection.verdict.notRequired.join(', ')}` : ''})`
    : `refused: ${inspection.verdict.reasons.map((reason) => `${reason.code}: ${terminalText(reason.message)}`).join('; ')}`;
}

function renderOne(key: string, inspection: ImageInspection): string {
  const lines = [`image       ${key}${inspection.tag ? `:${inspection.tag}` : ''}`, `digest      ${inspection.digest ?? '(unreadable)'}`, `media type  ${inspection.mediaType ?? '(unreadable)'}`];
  if (inspection.entries.length > 0) {
    const rows = inspection.entries.map((entry) => [
      entry.kind === 'image' ? (entry.platform ?? '') : `${entry.platform ?? '-'} (${entry.kind})`,
      entry.digest,
      String(entry.size),
      entry.verified === true ? 'verified' : entry.verified === false ? terminalText(entry.problem ?? 'failed') : entry.kind === 'image' ? 'not checked' : '-',
    ]);
    const widths = ['platform', 'digest', 'size'].map((title, i) => Math.max(...rows.map((row) => (row[i] ?? '').length), title.length));
    const format = (cells: readonly string[]): string =>
      cells
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd();
    lines.push('', format(['platform', 'digest', 'size', 'child']), ...rows.map(format));
  }
  lines.push('', `verdict     ${verdictText(inspection)}`);
  return `${lines.join('\n')}\n`;
}

function renderMatrix(key: string, rows: readonly ImageInspection[]): string {
  const platforms = [...new Set(rows.flatMap((row) => row.entries.flatMap((entry) => (entry.kind === 'image' && entry.platform ? [entry.platform] : []))))].sort();
  const header = ['tag', ...platforms, 'verdict'];
  const body = rows.map((row) => [
    row.tag ?? '',
    ...platforms.map((platform) => {
      const entries = row.entries.filter((entry) => entry.kind === 'image' && entry.platform === platform);
      if (entries.length === 0) return '-';
      if (entries.every((entry) => entry.verified === true)) return 'ok';
      if (entries.some((entry) => entry.verified === false)) return 'BAD';
      return '?';
    }),
    row.verdict.pass ? 'pass' : `refused (${row.verdict.reasons.map((reason) => reason.code).join(', ')})`,
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...body.map((cells) => (cells[i] ?? '').length)));
  const format = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${key}: newest ${rows.length} tag${rows.length === 1 ? '' : 's'} (ok: child verified, BAD: child failed, ?: not checked, -: absent)\n\n${[format(header), ...body.map(format)].join('\n')}\n`;
}
