import { z } from 'zod';
import { checkPlatform } from '../core/platform-vocabulary.js';
import { parseDuration } from '../core/duration.js';
import { DEFAULTS } from './defaults.js';
import { REGISTRY_KINDS } from '../core/registry-kind.js';
import { MAX_FILE_SIZE_LIMIT, MIB } from '../core/budgets.js';
import { constraintProblem, versioningProblem } from '../core/versioning.js';
import { cronProblem } from '../core/cron-pattern.js';
import { parseListenAddress } from '../core/listen-address.js';
import { timeZoneProblem } from '../core/time-zone.js';
import { configIssues, registryEntryIssues, type ConsistencyIssue } from './consistency.js';

const duration = z
  .string()
  .refine((text) => parseDuration(text) !== null, { error: 'expected a duration such as "4 hours", "30 minutes" or "1d"' })
  .describe('A duration: "4 hours", "30 minutes", "1d", "90s".');

const platform = z
  .string()
  .regex(/^[a-z0-9_-]+\/[a-z0-9_-]+(\/[a-z0-9_-]+)?$/i, { error: 'expected os/arch[/variant], e.g. "linux/amd64" or "linux/arm/v7"' })
  .superRefine((text, context) => {
    const check = checkPlatform(text);
    if (!check.ok && /^[a-z0-9_-]+\/[a-z0-9_-]+(\/[a-z0-9_-]+)?$/i.test(text)) context.addIssue({ code: 'custom', message: check.message });
  });

/** A string `problem` has nothing to say about. */
const checked = (problem: (text: string) => string | null) =>
  z.string().superRefine((text, context) => {
    const message = problem(text);
    if (message !== null) context.addIssue({ code: 'custom', message });
  });

const cron = checked((text) => {
  const problem = cronProblem(text);
  return problem === null ? null : `"${text}" is not a cron pattern: ${problem}`;
});

function addIssues(context: z.RefinementCtx, issues: readonly ConsistencyIssue[]): void {
  for (const issue of issues) context.addIssue({ code: 'custom', path: [...issue.path], message: issue.message, ...(issue.at ? { params: { at: issue.at } } : {}) });
}

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected an environment variable name' });

export const registrySchema = z
  .object({
    username: z.string().optional().describe('User name for Basic auth or the token realm.'),
    usernameEnv: envName.optional().describe('Environment variable holding the user name.'),
    passwordEnv: envName.optional().describe('Environment variable holding the password or token.'),
    insecure: z.boolean().optional().describe('Speak plain HTTP to this non-loopback registry.'),
    trustedRealmHosts: z.array(z.string()).optional().describe('Token realm hosts (other than the registry) that may receive the credentials.'),
    kind: z.enum(REGISTRY_KINDS).optional().describe('How this registry bends the distribution API (pagination, order, auth, release times); default: detected from the host and its first answers.'),
    hubApiUrl: z.url().optional().describe(`Docker Hub only (registries."docker.io"): the Hub API for tags with platforms and push times (default ${DEFAULTS.hubApiUrl}).`),
    passwordFile: z.string().optional().describe('File holding the password or token (trailing newline ignored).'),
    tokenEnv: envName.optional().describe("Environment variable holding a token; sent with `username` or the registry kind's token user (AWS, oauth2accesstoken, …)."),
    tokenFile: z.string().optional().describe('File holding a token, as tokenEnv.'),
    credentialHelper: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/)
      .optional()
      .describe('Docker credential helper to ask (runs docker-credential-<name> get), as credHelpers in ~/.docker/config.json.'),
  })
  .strict()
  .superRefine((entry, context) => addIssues(context, registryEntryIssues(entry)));

const UPDATE_TYPES = ['major', 'minor', 'patch', 'digest', 'pin'] as const;

const labelName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^,]+$/, { error: 'a label may not contain a comma' });
const userName = z.string().regex(/^[A-Za-z0-9_.-]+$/, { error: 'expected a user name such as "alice" (without @)' });

const versionConstraint = z.string().superRefine((text, context) => {
  const problem = constraintProblem(text);
  if (problem !== null) context.addIssue({ code: 'custom', message: problem });
});

export const packageRuleSchema = z
  .object({
    matchImages: z.array(z.string()).min(1).describe('Images this rule applies to: "docker.io/library/docker", "ghcr.io/org/*".'),
    matchCurrentVersion: versionConstraint
      .optional()
      .describe('Apply the rule only to references whose current tag satisfies this: "<2", ">=1.25 <1.27", "<8 || >=10", or "/regex/" (compared with the rule\'s versioning).'),
    matchUpdateTypes: z
      .array(z.enum(UPDATE_TYPES))
      .min(1)
      .optional()
      .describe(
        'Apply the rule only to updates of these types (major, minor, patch, digest, pin): any setting but versioning, e.g. "enabled": false, labels, reviewers, pinDigests, allowedVersions, minimumReleaseAge.',
      ),
    enabled: z.boolean().optional().describe('false: leave these images alone.'),
    versioning: z
      .string()
      .superRefine((text, context) => {
        const problem = versioningProblem(text);
        if (problem !== null) context.addIssue({ code: 'custom', message: problem });
      })
      .optional()
      .describe(
        `How tags are compared: "${DEFAULTS.versioning}" (default), "semver", "loose", or "regex:<pattern>" with named groups major, minor, patch, build, revision, prerelease, compatibility.`,
      ),
    allowedVersions: versionConstraint.optional().describe('Only propose tags that satisfy this: "<2", ">=1.25 <1.27", "/^1\\.2[0-9]\\./" (with the versioning in force).'),
    platforms: z.array(platform).optional().describe('Platforms the candidate must offer.'),
    allowMajor: z.boolean().optional().describe(`Propose major updates (default ${DEFAULTS.allowMajor}).`),
    minimumReleaseAge: duration.optional(),
    releaseAgeWithoutTimestamp: z.enum(['first-seen', 'hold']).optional(),
    settleTime: duration.optional(),
    groupName: z.string().optional().describe('Bundle these updates into one change.'),
    pinDigests: z
      .boolean()
      .optional()
      .describe(
        `false: update the tag of a reference without a digest and never add one (the candidate still passes the gate); a digest already written is kept up to date. Default ${DEFAULTS.pinDigests}.`,
      ),
    labels: z.array(labelName).optional().describe('Labels of the change request, added to the top-level labels and to those of the other matching rules; added to an open one too, never removed.'),
    reviewers: z
      .array(userName)
      .optional()
      .describe(
        'User names asked for a review (GitLab reviewers, GitHub requested reviewers), when the change request is opened or, if not asked before, updated; added up over matching rules, never removed.',
      ),
    assignees: z.array(userName).optional().describe('User names the change request is assigned to, when it is opened or, if not asked before, updated; added up over matching rules, never removed.'),
  })
  .strict()
  .superRefine((rule, context) => {
    if (rule.matchUpdateTypes !== undefined && rule.versioning !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['versioning'],
        message: 'a rule with matchUpdateTypes may not set versioning (the update type is worked out with the versioning); set it in a rule without matchUpdateTypes',
      });
    }
  });

export const forgeSchema = z
  .object({
    type: z.enum(['gitlab', 'github']),
    url: z.url().optional().describe(`API base: https://gitlab.example.com or ${DEFAULTS.githubApiUrl}.`),
    tokenEnv: envName.optional().describe(`Environment variable holding the token (default ${DEFAULTS.forgeTokenEnv.gitlab} / ${DEFAULTS.forgeTokenEnv.github}).`),
    groups: z.array(z.string()).optional().describe('GitLab groups (subgroups included).'),
    projects: z.array(z.string()).optional().describe('GitLab projects (path with namespace).'),
    owners: z.array(z.string()).optional().describe('GitHub users or organisations.'),
    repositories: z.array(z.string()).optional().describe('GitHub repositories (owner/name).'),
    requestsPerMinute: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('API requests per minute for this token, shared by every worker (0 or absent: only what the forge says in its rate-limit headers and 429s; GitLab.com: 2000).'),
    fullCheckInterval: duration
      .optional()
      .describe(
        `Sweeps skip a repository whose activity stamp has not moved; each one still runs in full at least this often, as a stamp can lag behind a change (default "${DEFAULTS.fullCheckInterval}").`,
      ),
    rateLimits: z
      .record(z.string(), z.number().int().positive())
      .optional()
      .describe("GitLab: per-process limits by endpoint glob, requests per minute, as gitbeaker takes them (default: GitLab.com's documented limits on gitlab.com, none elsewhere)."),
  })
  .strict();

export const serveSchema = z
  .object({
    schedule: cron.optional().describe(`Cron pattern for full sweeps of every target (default "${DEFAULTS.serve.schedule}": hourly; 6 fields add seconds).`),
    timezone: checked(timeZoneProblem).optional().describe('IANA time zone of the schedule, e.g. "Europe/Berlin" (default: the process time zone).'),
    listen: checked((text) => {
      const address = parseListenAddress(text);
      return address.ok ? null : address.message;
    })
      .optional()
      .describe(`host:port for webhooks, /healthz, /readyz and /metrics (default "${DEFAULTS.serve.listen}").`),
    webhookSecretEnv: envName.optional().describe('Environment variable holding the GitLab webhook token or GitHub webhook secret; without it webhooks are refused.'),
    concurrency: z.number().int().min(1).max(32).optional().describe(`Repositories processed at once (default ${DEFAULTS.serve.concurrency}).`),
    debounce: duration.optional().describe(`How long a repository named by a webhook waits for more events before it runs (default "${DEFAULTS.serve.debounce}").`),
    sweepOnStart: z.boolean().optional().describe(`Sweep every target when the server starts (default ${DEFAULTS.serve.sweepOnStart}).`),
    isolation: z
      .object({
        memoryMb: z
          .number()
          .int()
          .min(32)
          .max(16_384)
          .optional()
          .describe(`Heap ceiling, in MB, of the worker thread that scans one repository and makes its changes (default ${DEFAULTS.serve.isolation.memoryMb}).`),
        timeLimit: duration
          .refine((text) => (parseDuration(text) ?? 0) >= 1000, { error: 'at least 1 second' })
          .optional()
          .describe(
            `Time one repository's scanning and change making may take in its worker, summed over the run (default "${DEFAULTS.serve.isolation.timeLimit}"). Registry lookups and forge calls are not counted: they have their own timeouts.`,
          ),
      })
      .strict()
      .optional()
      .describe(
        'archpin serve: limits of one repository. A repository over either is stopped, logged, counted and reported on its dashboard, and skipped until its default branch or the config changes.',
      ),
    queue: z
      .object({
        redisUrl: z
          .string()
          .regex(/^rediss?:\/\/[^\s]+$/, 'a redis:// or rediss:// URL')
          .optional()
          .describe('Redis (or Valkey) for the distributed bot: BullMQ job queue, shared lookup cache, memo and rate budget. Without it, one process with an in-process queue.'),
        redisPasswordEnv: envName.optional().describe('Environment variable holding the Redis password (kept out of the URL).'),
        prefix: z
          .string()
          .regex(/^[A-Za-z0-9:_-]+$/)
          .optional()
          .describe(`Prefix of every Redis key (default "${DEFAULTS.serve.queue.prefix}").`),
        attempts: z.number().int().min(1).max(10).optional().describe(`Attempts per repository job (default ${DEFAULTS.serve.queue.attempts}: one retry).`),
        backoff: duration.optional().describe(`Delay before the first retry, doubled after each failure (default "${DEFAULTS.serve.queue.backoff}").`),
        lockDuration: duration.optional().describe(`How long a worker that stops answering keeps its job before another worker takes it (default "${DEFAULTS.serve.queue.lockDuration}").`),
        tagCacheTtl: duration.optional().describe(`How long tag lists and tag → digest answers are shared between workers (default "${DEFAULTS.serve.queue.tagCacheTtl}").`),
        registryConcurrency: z
          .number()
          .int()
          .min(1)
          .max(64)
          .optional()
          .describe(`Registry requests in flight per registry host across all workers (default ${DEFAULTS.serve.queue.registryConcurrency}).`),
      })
      .strict()
      .optional()
      .describe('The distributed bot on Redis (archpin serve --role scheduler|worker|all).'),
  })
  .strict();

const projectPath = z.string().regex(/^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/, { error: 'expected a project path such as "acme/images/base"' });

export const chainSchema = z
  .object({
    registry: z
      .string()
      .optional()
      .describe('The GitLab container registry host ($CI_REGISTRY), used to resolve $CI_REGISTRY_IMAGE in CI files. Without it $CI_REGISTRY_IMAGE matches its project path on any registry.'),
    upstream: z.array(projectPath).optional().describe("In a project's own archpin.json: the projects its image builds on (replaces the edges found from FROM lines, like .gitlab-deps)."),
    publishes: z.array(z.string()).optional().describe("In a project's own archpin.json: the images its pipeline pushes, when its CI does not show them."),
    rebuild: z.boolean().optional().describe('archpin serve: trigger the pipelines of the projects built on a project whose default-branch pipeline succeeded (default false).'),
    platforms: z
      .array(platform)
      .optional()
      .describe(`Platforms a freshly pushed parent image must offer before its children are rebuilt (default: "platforms", else ${DEFAULTS.chain.platforms.join(', ')}).`),
    concurrency: z.number().int().min(1).max(100).optional().describe(`Chain pipelines triggered and still running at once, per top-level group (default ${DEFAULTS.chain.concurrency}).`),
    debounce: duration.optional().describe(`How long a child waits for more parents of the same burst before it is triggered (default "${DEFAULTS.chain.debounce}").`),
    dryRun: z.boolean().optional().describe('Log the pipelines it would trigger, trigger nothing.'),
    triggerLease: duration
      .optional()
      .describe(
        `archpin serve: how long a child taken for triggering stays reserved for the replica that took it (default "${DEFAULTS.chain.triggerLease}"). Past it, GitLab is asked whether the trigger went out, and the child is adopted or triggered again.`,
      ),
    schedules: z
      .array(z.object({ root: projectPath, cron }).strict())
      .optional()
      .describe('archpin serve: start the chain below a root project on a cron pattern (like archpin chain trigger ROOT).'),
  })
  .strict();

export const configSchema = z
  .object({
    $schema: z.string().optional(),
    extends: z
      .array(z.string().min(1))
      .optional()
      .describe(
        "Shared config files this one builds on, in order: local paths relative to this file, under its directory or the scanned (run: working) directory; URLs are refused. packageRules are concatenated (theirs first), objects merged key by key, other keys replaced by this file's.",
      ),
    platforms: z.array(platform).optional().describe('Platforms every candidate must offer. Default: no platform regression.'),
    minimumReleaseAge: duration
      .optional()
      .describe("Hold candidates younger than this, measured from the best release time: Docker Hub's tag_last_pushed, the image config's created, the manifest's Last-Modified."),
    releaseAgeWithoutTimestamp: z
      .enum(['first-seen', 'hold'])
      .optional()
      .describe(`When no release time is known: measure minimumReleaseAge from when archpin first saw the digest ("${DEFAULTS.releaseAgeWithoutTimestamp}", default), or hold the candidate ("hold").`),
    settleTime: duration.optional().describe('Hold an index digest until it has been seen unchanged this long.'),
    ignorePaths: z.array(z.string()).optional().describe('gitignore-style patterns of paths not to scan.'),
    maxFileSize: z
      .number()
      .int()
      .positive()
      .max(MAX_FILE_SIZE_LIMIT)
      .optional()
      .describe(`Bytes; larger files are reported and skipped (default ${DEFAULTS.maxFileSize / MIB} MiB, at most ${MAX_FILE_SIZE_LIMIT / MIB} MiB). A repository config may only lower it.`),
    registries: z.record(z.string(), registrySchema).optional().describe('Per-registry credentials and transport.'),
    mirrors: z.record(z.string(), z.url()).optional().describe('Registry host → mirror base URL.'),
    registryTimeouts: z
      .object({
        connect: duration
          .optional()
          .describe(
            `To open a connection to a registry host (default "${DEFAULTS.registryTimeouts.connect}"). A host that refuses or does not connect in time is reported once as registry-unreachable and its other images are skipped at once.`,
          ),
        firstByte: duration
          .optional()
          .describe(
            `From sending a request to the response headers (default "${DEFAULTS.registryTimeouts.firstByte}"). A host that has not answered yet this run and stays silent this long is unreachable too.`,
          ),
        request: duration.optional().describe(`A whole request, body included (default "${DEFAULTS.registryTimeouts.request}").`),
      })
      .strict()
      .optional()
      .describe('Timeouts of registry requests.'),
    cacheDir: z.string().optional().describe('Where manifests and first-seen times are cached.'),
    tagCacheTtl: z
      .string()
      .refine((text) => text.trim() === '0' || parseDuration(text) !== null, { error: 'expected a duration such as "5 minutes", or "0"' })
      .optional()
      .describe(`How long a tag → digest answer from the registry is used again without asking (default "${DEFAULTS.tagCacheTtl}"; "0" asks every time). \`audit\` always asks.`),
    forge: forgeSchema.optional(),
    branchPrefix: z.string().optional().describe(`Default "${DEFAULTS.branchPrefix}".`),
    labels: z.array(labelName).optional(),
    pinDigests: z
      .boolean()
      .optional()
      .describe(
        `false: never add a digest to a reference that has none; its tag is still updated after the candidate passes the gate. Package rules can set it per image or update type. Default ${DEFAULTS.pinDigests}.`,
      ),
    sharedLiterals: z
      .enum(['group', 'hold'])
      .optional()
      .describe(
        `A literal that is the tag of several images (a GitLab CI variable each image's tag is written with): "group" (default) updates all of them in one change, to the newest tag every one has that passes the gate; "hold" never edits it and holds their updates. Default "${DEFAULTS.sharedLiterals}".`,
      ),
    automerge: z.boolean().optional(),
    prConcurrentLimit: z.number().int().min(0).optional().describe(`0 = no limit. Default ${DEFAULTS.prConcurrentLimit}.`),
    prHourlyLimit: z.number().int().min(0).optional().describe(`0 = no limit. Default ${DEFAULTS.prHourlyLimit}.`),
    dashboard: z.boolean().optional().describe(`Keep a dependency dashboard issue. Default ${DEFAULTS.dashboard}.`),
    packageRules: z.array(packageRuleSchema).optional(),
    serve: serveSchema.optional().describe('archpin serve: schedule, HTTP listener, webhooks.'),
    chain: chainSchema.optional().describe('Image chains: archpin graph, chain rebuilds in serve, archpin chain trigger.'),
  })
  .strict()
  .superRefine((config, context) => addIssues(context, configIssues(config)));

export type Config = z.infer<typeof configSchema>;
export type PackageRule = z.infer<typeof packageRuleSchema>;
