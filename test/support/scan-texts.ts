import { sourceFile } from '../../src/core/source-file.js';
import { scanFiles } from '../../src/scan/scan-files.js';

/** Scans files given as text (path → UTF-8 text), as a scan of a tree holding them would. */
export const scanTexts = (files: Record<string, string>) => scanFiles(Object.entries(files).map(([path, text]) => sourceFile(path, Buffer.from(text, 'utf8'))));

/** The first lines of a Deployment down to its `containers:` list, for templates and manifests written line by line. */
export const DEPLOYMENT_HEAD: readonly string[] = ['apiVersion: apps/v1', 'kind: Deployment', 'spec:', '  template:', '    spec:', '      containers:'];
