/** `archpin chain trigger ROOT`: start an image chain from its root, for a scheduled pipeline or cron. */
import { createGitlabPipelines, type PipelineApi } from '../apply/forges/gitlab-pipelines.js';
import { resolveProjectPath } from '../chain/build-graph.js';
import type { Config } from '../config/schema.js';
import { DEFAULTS } from '../config/defaults.js';
import { ArchpinError } from '../core/errors.js';
import type { ParsedArgs } from './args.js';
import { EXIT_OK, type CliIo, type ExitCode } from './io.js';
import { makeForge } from './make-forge.js';

/** The pipeline API of the configured GitLab (the same URL and token as the forge). */
export function makePipelines(args: Pick<ParsedArgs, 'url'>, config: Config, io: CliIo): PipelineApi {
  const tokenEnv = config.forge?.tokenEnv ?? DEFAULTS.forgeTokenEnv.gitlab;
  const url = args.url ?? config.forge?.url;
  const token = io.env[tokenEnv];
  if (!url || !token) throw new ArchpinError('usage', 'chain rebuilds need GitLab: --url or forge.url, and a token');
  return createGitlabPipelines({ url, token, tokenEnv });
}

export async function runChain(args: ParsedArgs, config: Config, io: CliIo): Promise<ExitCode> {
  const [sub, root] = args.positionals;
  if (sub !== 'trigger')
    throw new ArchpinError('usage', sub === undefined ? 'chain needs a subcommand: archpin chain trigger ROOT' : `chain has no subcommand "${sub}"; write archpin chain trigger ROOT`);
  if (!root) throw new ArchpinError('usage', "chain trigger needs the root project: archpin chain trigger ROOT (the project path of the chain's root image)");
  const { forge, targets } = await makeForge(args, config, io);
  if (forge.type !== 'gitlab') throw new ArchpinError('usage', 'image chains need a GitLab forge (the pipeline API)');
  const repositories = await forge.listRepositories(targets);
  const path = resolveProjectPath(
    root,
    repositories.map((repository) => repository.path),
  );
  const repository = repositories.find((candidate) => candidate.path === path);
  if (!repository) throw new ArchpinError('usage', `${root} is not one of the target projects`);
  if (args.dryRun) {
    io.stdout(`would start the chain: a pipeline on ${repository.path} (${repository.defaultBranch})\n`);
    return EXIT_OK;
  }
  const pipeline = await makePipelines(args, config, io).createPipeline(repository.id, repository.defaultBranch, { ARCHPIN_CHAIN_ROOT: repository.path });
  io.stdout(
    args.format === 'json'
      ? `${JSON.stringify({ version: 1, project: repository.path, pipeline: { id: pipeline.id, url: pipeline.webUrl, status: pipeline.status } }, null, 2)}\n`
      : `started the chain: pipeline #${pipeline.id} on ${repository.path} ${pipeline.webUrl}\n`,
  );
  return EXIT_OK;
}
