import { mergeConfig } from 'vitest/config';
import base from '../vitest.config.js';

/** The suite's own config with bench/suite-probe.ts added to every file's setup. */
export default mergeConfig(base, { test: { setupFiles: ['./bench/suite-probe.ts'] } });
