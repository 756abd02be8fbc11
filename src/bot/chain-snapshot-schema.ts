/**
 * The chain state as serve stores it (Redis or chain-state.json), checked before it is trusted: serve
 * reloads it on every change, and `archpin run` reads the part it shows. Whoever can write the store's
 * file or key can write anything there.
 */
import { z } from 'zod';
import type { BuiltBy, ChainSnapshot } from '../chain/chain-state.js';

export const pipelineRefSchema = z.object({ id: z.number().int().positive(), url: z.url({ protocol: /^https?$/ }) });

export const builtBySchema = z.object({
  project: z.string().min(1),
  image: z.string().min(1),
  pipeline: pipelineRefSchema,
  ref: z.string().nullable(),
  at: z.number(),
}) satisfies z.ZodType<BuiltBy>;

export const snapshotVersionSchema = z.literal(1, { error: (issue) => `written by another version of archpin (state version ${JSON.stringify(issue.input)}, this one reads 1)` });

export const builtByEntriesSchema = z.array(z.tuple([z.string().regex(/^sha256:[0-9a-f]{64}$/, { error: 'expected a sha256 digest' }), builtBySchema]));

const parentBuildSchema = z.object({ project: z.string().min(1), images: z.array(z.string()), digestKey: z.string(), pipeline: pipelineRefSchema.nullable() });

const stopReasonSchema = z.object({
  code: z.enum(['pipeline-failed', 'gate-blocked', 'no-image', 'registry-error', 'trigger-failed', 'cycle']),
  message: z.string(),
  pipeline: pipelineRefSchema.optional(),
  at: z.number(),
});

const statusSchema = z.object({
  lastBuild: parentBuildSchema.nullable(),
  stopped: stopReasonSchema.nullable(),
  running: pipelineRefSchema.nullable(),
  runningIsOurs: z.boolean(),
  starting: z.boolean(),
});

/** All of serve's chain state. */
export const chainSnapshotSchema = z.object({
  version: snapshotVersionSchema,
  due: z.array(z.object({ project: z.string().min(1), parents: z.array(parentBuildSchema), updatedAt: z.number() })),
  status: z.array(z.tuple([z.string().min(1), statusSchema])),
  log: z.array(
    z.object({
      at: z.number(),
      project: z.string(),
      parents: z.array(parentBuildSchema),
      pipeline: pipelineRefSchema.nullable(),
      dryRun: z.boolean(),
      error: z.string().optional(),
    }),
  ),
  done: z.array(z.tuple([z.string(), z.array(z.string())])),
  passed: z.array(z.tuple([z.string(), z.string()])),
  starting: z
    .array(
      z.object({
        project: z.string().min(1),
        parents: z.array(parentBuildSchema),
        updatedAt: z.number(),
        owner: z.string(),
        mark: z.string(),
        since: z.number(),
        until: z.number(),
      }),
    )
    .optional(),
  builtBy: builtByEntriesSchema.optional(),
}) satisfies z.ZodType<ChainSnapshot>;
