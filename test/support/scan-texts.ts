import { sourceFile } from '../../src/core/source-file.js';
import { applyEdits } from '../../src/core/text-edit.js';
import { editsForReference, type EditPlan, type Target } from '../../src/plan/edits-for-reference.js';
import { scanFiles } from '../../src/scan/scan-files.js';

/** Scans files given as text (path → UTF-8 text), as a scan of a tree holding them would. */
export const scanTexts = (files: Record<string, string>) => scanFiles(Object.entries(files).map(([path, text]) => sourceFile(path, Buffer.from(text, 'utf8'))));

/** One file, scanned alone, with its first reference updated to `target`: the edit plan and the file's text after it (as it was when the plan fails). */
export function updatedFirst(path: string, text: string, target: Target): { plan: EditPlan; text: string } {
  const file = sourceFile(path, Buffer.from(text, 'utf8'));
  const [reference] = scanFiles([file]).references;
  const plan = editsForReference(reference!, target);
  return { plan, text: Buffer.from(applyEdits(file.bytes, plan.ok ? plan.edits : [])).toString() };
}

/** The first lines of a Deployment down to its `containers:` list, for templates and manifests written line by line. */
export const DEPLOYMENT_HEAD: readonly string[] = ['apiVersion: apps/v1', 'kind: Deployment', 'spec:', '  template:', '    spec:', '      containers:'];
