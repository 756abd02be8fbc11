import { posix } from 'node:path';
import { compileGlob } from '../core/glob.js';
import { isMap, isSeq } from 'yaml';
import type { SourceFile } from '../core/source-file.js';
import { mapAt, mapEntries, mapGet, stringScalar, yamlSource } from './yaml-source.js';

/** The names the test tools look for: `kyverno test` finds `kyverno-test.yaml`, Chainsaw finds `chainsaw-test.yaml`, helm-unittest `tests/*_test.yaml`. */
const KYVERNO_TEST = /(?:^|\/)kyverno-test\.ya?ml$/;
const CHAINSAW_TEST = /(?:^|\/)chainsaw-test\.ya?ml$/;
const HELM_UNITTEST = /(?:^|\/)tests\/(?:[^/]+\/)*[^/]+_test\.ya?ml$/;

/** Chainsaw operations that send a file's objects to the cluster, and those that only compare the cluster with it. */
const CHAINSAW_SENDS: ReadonlySet<string> = new Set(['apply', 'create', 'patch', 'update', 'delete']);
const CHAINSAW_COMPARES: ReadonlySet<string> = new Set(['assert', 'error']);

/** A Kyverno CLI Test's keys that name files of test input, and a result's keys that name its expected output. */
const KYVERNO_INPUTS = ['resources', 'context', 'variables', 'userinfo', 'targets'] as const;
const KYVERNO_OUTPUTS = ['patchedResource', 'patchedResources', 'generatedResource', 'generatedResources', 'cloneSourceResource'] as const;

/**
 * Files that a test of the repository declares as its own data, kept beside the test's manifest: the objects a
 * Kyverno CLI Test (`apiVersion: cli.kyverno.io/…`, `kind: Test`) evaluates its policies against offline and the
 * output it expects, and the files a Chainsaw Test (`chainsaw.kyverno.io/…`) only `assert`s or expects as an
 * `error` (the state it compares the cluster with). Nothing applies them, so the images in them run nowhere.
 * A file that a Chainsaw step applies, creates or patches is sent to a cluster and stays read; so does a file
 * named from another folder (a test may check the repository's real manifests) and a Test's `policies`.
 */
export function testDataPaths(files: readonly SourceFile[]): ReadonlySet<string> {
  const paths = new Set(files.map((file) => file.path));
  const data = new Set<string>();
  const sent = new Set<string>();
  for (const file of files) {
    const kyverno = KYVERNO_TEST.test(file.path);
    const unittest = !kyverno && HELM_UNITTEST.test(file.path);
    if (!kyverno && !unittest && !CHAINSAW_TEST.test(file.path)) continue;
    const folder = posix.dirname(file.path);
    if (unittest) {
      for (const path of unittestValues(file, folder)) data.add(path);
      file.release();
      continue;
    }
    const beside = (name: unknown): string | null => {
      if (typeof name !== 'string' || name.includes('://')) return null;
      const path = posix.normalize(posix.join(folder, name));
      return posix.dirname(path) === folder ? path : null;
    };
    for (const document of testDocuments(file)) {
      if (!isRecord(document)) continue;
      if (kyverno && isKyvernoTest(document)) {
        for (const key of KYVERNO_INPUTS) for (const name of names(document[key])) addBeside(data, beside(name));
        for (const result of list(document.results)) {
          if (!isRecord(result)) continue;
          for (const key of KYVERNO_OUTPUTS) for (const name of names(result[key])) addBeside(data, beside(name));
        }
      } else if (!kyverno && isChainsawTest(document)) {
        for (const [operation, target] of chainsawFiles(document)) {
          if (CHAINSAW_SENDS.has(operation)) for (const path of matching(paths, folder, target)) sent.add(path);
          else if (CHAINSAW_COMPARES.has(operation)) addBeside(data, beside(target));
        }
      }
    }
    file.release();
  }
  for (const path of sent) data.delete(path);
  return data;
}

/**
 * The `[start, end)` offsets in a Chainsaw test's own file (`chainsaw-test.yaml`, `chainsaw.kyverno.io/…`, `kind: Test`) of the
 * objects its steps write inline under an `assert` or `error` operation (`resource:`): like a file used only there, the state
 * the test compares the cluster with, which nothing applies. An object under `apply`, `create` or another operation is sent.
 */
export function comparedRanges(file: SourceFile): Array<[number, number]> {
  if (!CHAINSAW_TEST.test(file.path) || !file.text.includes('chainsaw.kyverno.io/')) return [];
  const ranges: Array<[number, number]> = [];
  for (const document of yamlSource(file).documents) {
    const root = document.contents;
    if (!isMap(root) || !stringScalar(mapGet(root, 'apiVersion'), file)?.value.startsWith('chainsaw.kyverno.io/')) continue;
    if (stringScalar(mapGet(root, 'kind'), file)?.value !== 'Test') continue;
    const steps = mapAt(root, 'spec', 'steps');
    if (!isSeq(steps)) continue;
    for (const step of steps.items) {
      if (!isMap(step)) continue;
      for (const [, operations] of mapEntries(step)) {
        if (!isSeq(operations)) continue;
        for (const operation of operations.items) {
          if (!isMap(operation)) continue;
          for (const [name, body] of mapEntries(operation)) {
            const resource = CHAINSAW_COMPARES.has(name) && isMap(body) ? mapGet(body, 'resource') : undefined;
            if (isMap(resource) && resource.range) ranges.push([resource.range[0], resource.range[1]]);
          }
        }
      }
    }
  }
  return ranges;
}

/**
 * The values files a helm-unittest suite renders the chart with (its `values` list, and each test's), in the suite's folder
 * or below it (`values/extra-containers.yaml`, `./values/minimal.yaml`): inputs of a test run, never deployed. A file
 * named from above the suite's folder (the chart's own `../values.yaml`) is the chart's and stays read.
 */
function unittestValues(file: SourceFile, folder: string): string[] {
  const found: string[] = [];
  const below = (name: unknown): void => {
    if (typeof name !== 'string' || name.includes('://') || posix.isAbsolute(name)) return;
    const path = posix.normalize(posix.join(folder, name));
    if (path.startsWith(`${folder}/`)) found.push(path);
  };
  for (const document of testDocuments(file)) {
    if (!isRecord(document) || typeof document.suite !== 'string' || !Array.isArray(document.tests)) continue;
    for (const name of names(document.values)) below(name);
    for (const test of document.tests) if (isRecord(test)) for (const name of names(test.values)) below(name);
  }
  return found;
}

function addBeside(data: Set<string>, path: string | null): void {
  if (path !== null) data.add(path);
}

/** The documents of a test's manifest that parse, as plain values: every one, also in a large file (its Test need not mention an image). */
function testDocuments(file: SourceFile): unknown[] {
  try {
    return yamlSource(file, { allDocuments: true }).documents.map((document) => document.toJS({ maxAliasCount: 100 }) as unknown);
  } catch {
    return [];
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A file name or a list of them. */
function names(value: unknown): unknown[] {
  return typeof value === 'string' ? [value] : list(value);
}

function isKyvernoTest(document: Record<string, unknown>): boolean {
  const { apiVersion, kind } = document;
  return typeof apiVersion === 'string' && apiVersion.startsWith('cli.kyverno.io/') && kind === 'Test';
}

function isChainsawTest(document: Record<string, unknown>): boolean {
  const { apiVersion, kind } = document;
  return typeof apiVersion === 'string' && apiVersion.startsWith('chainsaw.kyverno.io/') && kind === 'Test';
}

/** Each operation of each step (`try`, `catch`, `finally`, `cleanup`) that names a file: `[operation, file]`. */
function chainsawFiles(document: Record<string, unknown>): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  const spec = document.spec;
  if (!isRecord(spec)) return found;
  for (const step of list(spec.steps)) {
    if (!isRecord(step)) continue;
    for (const operations of Object.values(step)) {
      for (const operation of list(operations)) {
        if (!isRecord(operation)) continue;
        for (const [name, body] of Object.entries(operation)) {
          if (isRecord(body) && typeof body.file === 'string') found.push([name, body.file]);
        }
      }
    }
  }
  return found;
}

/**
 * The files of the scan a Chainsaw `file` names, relative to the test's folder; `*`, `**` and `?` are globs, matched in linear
 * time (the pattern is the repository's text: never compiled into a RegExp). `[` and a backslash are literal characters.
 */
function matching(paths: ReadonlySet<string>, folder: string, target: string): string[] {
  if (target.includes('://')) return [];
  const pattern = posix.normalize(posix.join(folder, target));
  if (!/[*?[]/.test(pattern)) return [pattern];
  const glob = compileGlob(pattern.replace(/[[\\]/g, '\\$&'), { globstar: true });
  return [...paths].filter((path) => glob.matches(path));
}
