/**
 * Global setup of the test projects that seed the incident: pushes the incident (seed.ts) once into a
 * registry of its own, keeps a copy of that registry's storage for the run, and provides it as
 * `incidentSnapshot`, so `seedIncident` copies it into a file's registry instead of pushing it again
 * there. Both projects that name this setup get the same copy: the first one makes it, the last one
 * to finish removes it.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import type { IncidentSeed } from './seed.js';
import { startRegistry } from './registry.js';
import { pushIncident } from './seed.js';

interface Snapshot {
  storage: string;
  seed: IncidentSeed;
}

/** Held on the global object: vitest may load this module once per project in the same process. */
const KEY = Symbol.for('archpin.incident-snapshot');
const holder = globalThis as { [KEY]?: { made: Promise<Snapshot>; users: number; dir: string } };

async function make(dir: string): Promise<Snapshot> {
  const registry = await startRegistry();
  try {
    const seed = await pushIncident(registry);
    const storage = path.join(dir, 'storage');
    cpSync(registry.storage, storage, { recursive: true });
    return { storage, seed };
  } finally {
    await registry.stop();
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  if (holder[KEY] === undefined) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'archpin-incident-'));
    holder[KEY] = { made: make(dir), users: 0, dir };
  }
  const shared = holder[KEY];
  shared.users++;
  const release = () => {
    if (--shared.users > 0) return;
    rmSync(shared.dir, { recursive: true, force: true });
    if (holder[KEY] === shared) holder[KEY] = undefined;
  };
  try {
    project.provide('incidentSnapshot', await shared.made);
  } catch (error) {
    release();
    throw error;
  }
  return release;
}
