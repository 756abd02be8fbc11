/** POST /webhooks/gitlab and /webhooks/github: check the secret, read the event, queue the repository it is about. */
import type { Forge, ForgeTargets, ForgeType, Repository } from '../apply/forges/forge.js';
import { errorFields } from '../core/errors.js';
import type { Logger } from 'pino';
import type { HttpRequest, HttpResponse } from './http-server.js';
import type { Metrics } from './metrics.js';
import { gitlabDecision, gitlabPushedFiles, githubDecision, githubSignatureMatches, gitlabTokenMatches, inTargets, type PipelineHookEvent, type WebhookDecision } from './webhooks.js';
import type { EnqueueResult } from './work-queue.js';

export interface WebhookEndpointDeps {
  readonly forgeType: ForgeType;
  /** null: webhooks are refused with 403. */
  readonly secret: string | null;
  readonly branchPrefix: string;
  readonly targets: ForgeTargets;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly stopping: () => boolean;
  readonly enqueue: (id: string, event: string) => EnqueueResult | Promise<EnqueueResult>;
  /** Chain rebuilds: a Pipeline Hook of a project in scope; absent when chain rebuilds are off (the event is ignored). */
  readonly pipeline?: (event: PipelineHookEvent) => void;
  /** Chain rebuilds: a push to the default branch of a project in scope, with the files it changed (null: not all listed). */
  readonly push?: (event: { readonly path: string; readonly changed: readonly string[] | null }) => void;
  /** The repository a hook names, looked up by its id through the forge API (the payload is not trusted for it). */
  readonly resolve: (id: string) => Promise<Repository>;
}

/**
 * Whether the repository the forge knows under the hook's id is the one the hook claims and is in scope.
 * A hook carrying an in-scope path with the id of another project is refused (`mismatched`), so is one
 * whose project the forge places outside the targets (`out-of-scope`).
 */
export function checkHookRepository(claimedPath: string, resolved: Repository, targets: ForgeTargets): 'ok' | 'mismatched' | 'out-of-scope' {
  if (resolved.path.toLowerCase() !== claimedPath.toLowerCase()) return 'mismatched';
  return inTargets(resolved.path, resolved.id, targets) ? 'ok' : 'out-of-scope';
}

/**
 * The endpoint as both serve modes wire it: the forge's type, and the repository a hook names looked up through the
 * forge; with chain rebuilds on, Pipeline and Push hooks also go to the chain.
 */
export function serveWebhook(
  forge: Pick<Forge, 'type' | 'getRepository'>,
  chain: { readonly pipelineEvent: NonNullable<WebhookEndpointDeps['pipeline']>; readonly pushEvent: NonNullable<WebhookEndpointDeps['push']> } | undefined,
  deps: Omit<WebhookEndpointDeps, 'forgeType' | 'pipeline' | 'push' | 'resolve'>,
): ReturnType<typeof webhookEndpoint> {
  return webhookEndpoint({
    forgeType: forge.type,
    ...deps,
    ...(chain ? { pipeline: (event) => chain.pipelineEvent(event), push: (event) => chain.pushEvent(event) } : {}),
    resolve: (id) => forge.getRepository(id),
  });
}

export function webhookEndpoint(deps: WebhookEndpointDeps): (forgeType: ForgeType, request: HttpRequest) => Promise<HttpResponse> {
  return async (forgeType, request) => {
    const count = (result: string) => deps.metrics.inc('archpin_webhook_events_total', { forge: forgeType, result });
    if (deps.forgeType !== forgeType) return { status: 404, body: `this bot serves ${deps.forgeType}\n` };
    if (deps.stopping()) {
      count('stopping');
      return { status: 503, body: 'stopping\n' };
    }
    if (deps.secret === null) {
      count('disabled');
      return { status: 403, body: 'webhooks are disabled: set serve.webhookSecretEnv\n' };
    }
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    if (forgeType === 'gitlab' && !gitlabTokenMatches(header('x-gitlab-token'), deps.secret)) {
      count('unauthorized');
      deps.logger.warn({ forge: forgeType }, 'webhook with a wrong or missing X-Gitlab-Token');
      return { status: 401, body: 'unauthorized\n' };
    }
    const body = await request.body();
    if (body === null) {
      count('too-large');
      return { status: 413, body: 'payload too large\n' };
    }
    if (forgeType === 'github' && !githubSignatureMatches(body, header('x-hub-signature-256'), deps.secret)) {
      count('unauthorized');
      deps.logger.warn({ forge: forgeType }, 'webhook with a wrong or missing X-Hub-Signature-256');
      return { status: 401, body: 'unauthorized\n' };
    }
    let payload: unknown;
    try {
      const raw = body.toString('utf8');
      const form = (header('content-type') ?? '').startsWith('application/x-www-form-urlencoded');
      payload = JSON.parse(form ? (new URLSearchParams(raw).get('payload') ?? '') : raw);
    } catch {
      count('invalid');
      return { status: 400, body: 'body is not JSON\n' };
    }
    const decision: WebhookDecision =
      forgeType === 'gitlab' ? gitlabDecision(payload, deps.branchPrefix, deps.pipeline !== undefined) : githubDecision(header('x-github-event'), payload, deps.branchPrefix);
    if (decision.kind === 'ping') {
      count('ping');
      return { status: 200, body: 'pong\n' };
    }
    if (decision.kind === 'ignore' || !inTargets(decision.path, decision.id, deps.targets)) {
      const reason = decision.kind === 'ignore' ? decision.reason : `${decision.path} is not a target`;
      count('ignored');
      deps.logger.debug({ forge: forgeType, reason }, 'webhook ignored');
      return { status: 202, body: JSON.stringify({ result: 'ignored', reason }), contentType: 'application/json' };
    }
    let resolved: Repository;
    try {
      resolved = await deps.resolve(decision.id);
    } catch (error) {
      const { code, message } = errorFields(error);
      count('unresolved');
      deps.logger.warn({ forge: forgeType, id: decision.id, repository: decision.path, code }, `webhook refused: the forge cannot resolve the project: ${message}`);
      return { status: 403, body: JSON.stringify({ result: 'refused', reason: 'project cannot be resolved by id' }), contentType: 'application/json' };
    }
    const check = checkHookRepository(decision.path, resolved, deps.targets);
    if (check !== 'ok') {
      count(check);
      const reason = check === 'mismatched' ? `id ${decision.id} is ${resolved.path}, not ${decision.path}` : `${resolved.path} is not a target`;
      deps.logger.warn({ forge: forgeType, id: decision.id, claimed: decision.path, resolved: resolved.path, result: check }, `webhook refused: ${reason}`);
      return { status: 403, body: JSON.stringify({ result: 'refused', reason }), contentType: 'application/json' };
    }
    if (decision.kind === 'pipeline') {
      // Pipeline events are only decided on when a chain listens (gitlabDecision is told so above).
      deps.pipeline?.(decision.pipeline);
      count('queued');
      deps.logger.info({ forge: forgeType, repository: decision.path, event: 'pipeline', status: decision.pipeline.status, pipeline: decision.pipeline.pipeline.id }, 'webhook');
      return { status: 202, body: JSON.stringify({ result: 'chain', repository: decision.path }), contentType: 'application/json' };
    }
    if (forgeType === 'gitlab' && decision.event === 'push' && deps.push) deps.push({ path: resolved.path, changed: gitlabPushedFiles(payload) });
    const result = await deps.enqueue(decision.id, decision.event);
    count(result === 'duplicate' ? 'duplicate' : 'queued');
    deps.logger.info({ forge: forgeType, repository: decision.path, event: decision.event, result }, 'webhook');
    return { status: 202, body: JSON.stringify({ result, repository: decision.path }), contentType: 'application/json' };
  };
}
