/**
 * Global setup of the isolated test files: pushes the incident (seed.ts) once into a registry of its
 * own, keeps a copy of that registry's storage for the run, and provides it as `incidentSnapshot`, so
 * `seedIncident` copies it into a file's registry instead of pushing it again there.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startRegistry } from './registry.js';
import { pushIncident } from './seed.js';

export default async function setup(project: TestProject): Promise<() => void> {
  const snapshot = mkdtempSync(path.join(os.tmpdir(), 'archpin-incident-'));
  const registry = await startRegistry();
  try {
    const seed = await pushIncident(registry);
    const storage = path.join(snapshot, 'storage');
    cpSync(registry.storage, storage, { recursive: true });
    project.provide('incidentSnapshot', { storage, seed });
  } catch (error) {
    rmSync(snapshot, { recursive: true, force: true });
    throw error;
  } finally {
    await registry.stop();
  }
  return () => rmSync(snapshot, { recursive: true, force: true });
}
