import type { ReferenceKind } from '../../../core/types.js';
import type { JobModel, PipelineView, VariableDefinition } from './gitlab-ci-model.js';
import { resolveImage, type Reach, type Resolution } from './gitlab-ci-resolve.js';

/** What some jobs read one image node as, each job named (with the rule whose `variables:` it runs under, if one does). */
export interface Reading {
  readonly resolution: Resolution;
  readonly jobs: string[];
}

/** What a job's reading depends on: the value, and the literals whose characters give it (not the variables it only passes through). */
function valueSignature(resolution: Resolution): string {
  if (resolution.kind !== 'resolved') return JSON.stringify(resolution);
  return JSON.stringify([resolution.value, resolution.pieces.map((piece) => [piece.start, piece.end, piece.definition.file, piece.definition.start, piece.offset])]);
}

/**
 * Every value an image node takes: for each job that runs it (or the map it is written in), in each kind of
 * pipeline its `rules:` give it (`rules: variables` set over the job's own). Readings with the same result
 * are one; a job is named once per result, with the first rule that gives it.
 */
export function readingsOf(view: PipelineView, text: string, here: string, jobs: readonly (JobModel | null)[], reach: Reach): Reading[] {
  const readings = new Map<string, Reading>();
  const add = (resolution: Resolution, label: string, mine: Set<string>): void => {
    // Rules that give a job the same image through the same literal are one reading of it, the first rule named.
    const own = valueSignature(resolution);
    if (mine.has(own)) return;
    mine.add(own);
    const signature = JSON.stringify(resolution);
    const reading = readings.get(signature);
    if (reading) reading.jobs.push(label);
    else readings.set(signature, { resolution, jobs: [label] });
  };
  for (const job of jobs) {
    const mine = new Set<string>();
    if (job === null) {
      add(resolveImage(text, view.model.globals, here, reach), '', mine);
      continue;
    }
    const variants = view.variantsOf(job);
    for (const variant of variants) {
      const label = variant.rule === null ? job.name : `${job.name} (rules: ${variant.rule.file}:${variant.rule.line})`;
      add(resolveImage(text, variant.scope, here, reach), label, mine);
    }
    if (variants.some((variant) => variant.cut) && text.includes('$')) {
      add({ kind: 'unresolved', note: 'its rules: set more different variables: than archpin reads' }, job.name, mine);
    }
  }
  return [...readings.values()];
}

/** The variable literal that gives a resolved image whole (`IMAGE: "ruby:3.3"` for `image: $IMAGE`), or null. */
export function wholeLiteral(resolution: Resolution): VariableDefinition | null {
  if (resolution.kind !== 'resolved' || resolution.pieces.length !== 1) return null;
  const [piece] = resolution.pieces;
  if (piece === undefined || piece.start !== 0 || piece.offset !== 0 || piece.end !== resolution.value.length) return null;
  return piece.definition.text === resolution.value ? piece.definition : null;
}

/**
 * A variable literal that is a whole image the jobs run, where jobs see that image through different values
 * (jobs or rules set the variable differently): it is reported where it is written, and updated there.
 */
export interface LiteralImage {
  readonly definition: VariableDefinition;
  readonly kind: ReferenceKind;
  /** The image nodes that run it: their text and where they are written. */
  readonly nodes: { readonly key: string; readonly text: string; readonly file: string; readonly line: number }[];
  /** The jobs that run it, each with its rule. */
  readonly jobs: string[];
}
