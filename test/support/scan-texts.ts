import { sourceFile } from '../../src/core/source-file.js';
import { scanFiles } from '../../src/scan/scan-files.js';

/** Scans files given as text (path → UTF-8 text), as a scan of a tree holding them would. */
export const scanTexts = (files: Record<string, string>) => scanFiles(Object.entries(files).map(([path, text]) => sourceFile(path, Buffer.from(text, 'utf8'))));
