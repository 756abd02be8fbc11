import { describe, expect, it } from 'vitest';
import { dependenciesOf, type Proposal } from '../../src/core/dependency.js';
import { sourceFile } from '../../src/core/source-file.js';
import type { Reference } from '../../src/core/types.js';
import { editsForReference } from '../../src/plan/edits-for-reference.js';
import { planUpdates } from '../../src/plan/plan-updates.js';
import { scanSources, verifyEdits } from '../../src/pipeline/pipeline.js';

const D1 = `sha256:${'c'.repeat(64)}`;

const proposal = (tag: string, digest: string): Proposal => ({ tag, digest, updateType: 'minor', platforms: ['linux/amd64'], fromPlatforms: ['linux/amd64'] });

function scan(files: Record<string, string>) {
  return scanSources(Object.entries(files).map(([path, text]) => sourceFile(path, new Uint8Array(Buffer.from(text)))));
}

/** Images whose tag (or registry) the environment may choose, with the value compose uses when it does not. */
const COMPOSE = [
  'services:', // 1
  '  web:', // 2
  '    image: registry.example.test/shop/web:${WEB_TAG:-4.1.0}', // 3
  '  lint:', // 4
  '    image: "${LINT_REGISTRY-registry.example.test}/tools/lint:${LINT_TAG:-1.10}"', // 5
  '  proxy:', // 6
  '    image: nginx:${PROXY_TAG}', // 7
  '  db:', // 8
  '    image: postgres:${PG_TAG:?set PG_TAG in the environment}', // 9
  '  queue:', // 10
  '    image: ${QUEUE_IMAGE:-rabbitmq:${RABBIT_TAG}}', // 11
  '',
].join('\r\n');

describe('compose ${VAR:-default} inside a reference, with no .env setting the variable', () => {
  const scanned = scan({ 'docker-compose.yml': COMPOSE });

  it('resolves each default; a variable with no default (or :?) stays templated and is named', () => {
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.column, reference.value, reference.skip, reference.detail ?? null])).toEqual([
      ['docker-compose.yml', 3, 12, 'registry.example.test/shop/web:4.1.0', null, 'default of ${WEB_TAG}; the environment may set another value'],
      ['docker-compose.yml', 5, 13, 'registry.example.test/tools/lint:1.10', null, 'default of ${LINT_REGISTRY}, ${LINT_TAG}; the environment may set another value'],
      ['docker-compose.yml', 7, 12, 'nginx:${PROXY_TAG}', 'templated', '${PROXY_TAG} is not set: it has no default, and no .env beside the file sets it'],
      ['docker-compose.yml', 9, 12, 'postgres:${PG_TAG:?set PG_TAG in the environment}', 'templated', '${PG_TAG} must be set when compose runs (:?), and no .env beside the file sets it'],
      ['docker-compose.yml', 11, 12, '${QUEUE_IMAGE:-rabbitmq:${RABBIT_TAG}}', 'templated', '${RABBIT_TAG} is not set: it has no default, and no .env beside the file sets it'],
    ]);
    expect(scanned.references[1]!.spans.map((span) => [span.role, span.text, span.line, span.column, COMPOSE.slice(span.start, span.end)])).toEqual([
      ['template', '${LINT_REGISTRY-registry.example.test}/tools/lint:${LINT_TAG:-1.10}', 5, 13, '${LINT_REGISTRY-registry.example.test}/tools/lint:${LINT_TAG:-1.10}'],
      ['variable', 'registry.example.test', 5, 29, 'registry.example.test'],
      ['variable', '1.10', 5, 75, '1.10'],
    ]);
  });

  it('a new tag is written into the default, byte for byte and unquoted; a pin goes after the reference; the re-scan finds it', () => {
    const byValue = new Map(dependenciesOf(scanned.references).map((dependency) => [`${dependency.location.repository}:${dependency.tag}`, dependency]));
    const plan = planUpdates([
      { dependency: byValue.get('shop/web:4.1.0')!, update: proposal('4.2.0', D1), held: [], error: null },
      { dependency: byValue.get('tools/lint:1.10')!, update: { ...proposal('1.20', D1), tagOnly: true }, held: [], error: null },
    ]);
    expect(plan.failures).toEqual([]);
    expect(plan.fileEdits.map((file) => file.edits.map((edit) => [edit.expected, edit.replacement]))).toEqual([
      [
        ['registry.example.test/shop/web:${WEB_TAG:-4.1.0}', `registry.example.test/shop/web:\${WEB_TAG:-4.2.0}@${D1}`],
        ['1.10', '1.20'],
      ],
    ]);
    const outcomes = verifyEdits(plan.fileEdits, scanned);
    expect(outcomes.map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([
      ['docker-compose.yml', COMPOSE.replace('${WEB_TAG:-4.1.0}', `\${WEB_TAG:-4.2.0}@${D1}`).replace('${LINT_TAG:-1.10}', '${LINT_TAG:-1.20}')],
    ]);
  });

  it('a variable the .env beside the file sets takes that value and is edited there; the others keep their defaults', () => {
    const withEnv = scan({
      'app/.env': 'LINT_REGISTRY=mirror.example.test\nWEB_TAG=\n',
      'app/docker-compose.yml': COMPOSE,
    });
    expect(withEnv.references.map((reference) => [reference.line, reference.value, reference.skip, reference.detail ?? null])).toEqual([
      [3, 'registry.example.test/shop/web:4.1.0', null, 'default of ${WEB_TAG}; the environment may set another value'],
      [5, 'mirror.example.test/tools/lint:1.10', null, 'LINT_REGISTRY from app/.env:1, edited there; default of ${LINT_TAG}; the environment may set another value'],
      [7, 'nginx:${PROXY_TAG}', 'templated', '${PROXY_TAG} is not set: it has no default, and app/.env does not set it'],
      [9, 'postgres:${PG_TAG:?set PG_TAG in the environment}', 'templated', '${PG_TAG} must be set when compose runs (:?), and app/.env does not set it'],
      [11, '${QUEUE_IMAGE:-rabbitmq:${RABBIT_TAG}}', 'templated', '${RABBIT_TAG} is not set: it has no default, and app/.env does not set it'],
    ]);
    expect(withEnv.references[1]!.spans.map((span) => [span.file ?? null, span.role, span.text])).toEqual([
      [null, 'template', '${LINT_REGISTRY-registry.example.test}/tools/lint:${LINT_TAG:-1.10}'],
      ['app/.env', 'variable', 'mirror.example.test'],
      [null, 'variable', '1.10'],
    ]);
  });
});

/** A whole image with a default that itself uses a default (`${APP_IMAGE:-…:${APP_TAG:-2.18.0}}`). */
const NESTED = [
  'services:', // 1
  '  api:', // 2
  '    image: ${API_IMAGE:-registry.example.test/team/api:${API_TAG:-2.18.0}}', // 3
  '  worker:', // 4
  '    image: "${WORKER_IMAGE-${MIRROR:-}registry.example.test/team/worker:${WORKER_TAG-1.10}}"', // 5
  '  cache:', // 6
  '    image: ${CACHE_IMAGE:-registry.example.test/team/cache:${CACHE_TAG}}', // 7
  '',
].join('\n');

describe('compose: a whole image whose default uses another default', () => {
  it('is the default, resolved through the inner defaults; an inner variable nothing sets leaves it templated and named', () => {
    const scanned = scan({ 'docker-compose.yml': NESTED });
    expect(scanned.references.map((reference) => [reference.line, reference.column, reference.value, reference.skip, reference.detail ?? null])).toEqual([
      [3, 12, 'registry.example.test/team/api:2.18.0', null, 'default of ${API_IMAGE}, ${API_TAG}; the environment may set another value'],
      [5, 13, 'registry.example.test/team/worker:1.10', null, 'default of ${WORKER_IMAGE}, ${MIRROR}, ${WORKER_TAG}; the environment may set another value'],
      [7, 12, '${CACHE_IMAGE:-registry.example.test/team/cache:${CACHE_TAG}}', 'templated', '${CACHE_TAG} is not set: it has no default, and no .env beside the file sets it'],
    ]);
    expect(scanned.references[0]!.spans.map((span) => [span.role, span.text, span.line, span.column, NESTED.slice(span.start, span.end)])).toEqual([
      ['template', 'registry.example.test/team/api:${API_TAG:-2.18.0}', 3, 25, 'registry.example.test/team/api:${API_TAG:-2.18.0}'],
      ['variable', '2.18.0', 3, 67, '2.18.0'],
    ]);
  });

  it('an update writes the tag into the inner default and the pin inside the outer braces, byte for byte; the re-scan finds it', () => {
    const scanned = scan({ 'docker-compose.yml': NESTED });
    const byValue = new Map(dependenciesOf(scanned.references).map((dependency) => [`${dependency.location.repository}:${dependency.tag}`, dependency]));
    const plan = planUpdates([
      { dependency: byValue.get('team/api:2.18.0')!, update: proposal('2.19.0', D1), held: [], error: null },
      { dependency: byValue.get('team/worker:1.10')!, update: { ...proposal('1.20', D1), tagOnly: true }, held: [], error: null },
    ]);
    expect(plan.failures).toEqual([]);
    const outcomes = verifyEdits(plan.fileEdits, scanned);
    expect(outcomes.map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([
      ['docker-compose.yml', NESTED.replace('${API_TAG:-2.18.0}}', `\${API_TAG:-2.19.0}@${D1}}`).replace('${WORKER_TAG-1.10}', '${WORKER_TAG-1.20}')],
    ]);
  });

  it('the .env beside the file may set the outer variable (its value is the image, edited there) or an inner one', () => {
    const scanned = scan({ 'app/.env': 'API_IMAGE=registry.example.test/team/api-fork:3.0.1\nWORKER_TAG=1.12\nCACHE_TAG=7.4.1\n', 'app/docker-compose.yml': NESTED });
    expect(scanned.references.map((reference) => [reference.line, reference.value, reference.skip, reference.detail ?? null])).toEqual([
      [3, 'registry.example.test/team/api-fork:3.0.1', null, 'API_IMAGE from app/.env:1, edited there; the default here is not used'],
      [5, 'registry.example.test/team/worker:1.12', null, 'WORKER_TAG from app/.env:2, edited there; default of ${WORKER_IMAGE}, ${MIRROR}; the environment may set another value'],
      [7, 'registry.example.test/team/cache:7.4.1', null, 'CACHE_TAG from app/.env:3, edited there; default of ${CACHE_IMAGE}; the environment may set another value'],
    ]);
    const byValue = new Map(dependenciesOf(scanned.references).map((dependency) => [`${dependency.location.repository}:${dependency.tag}`, dependency]));
    const plan = planUpdates([
      { dependency: byValue.get('team/api-fork:3.0.1')!, update: proposal('3.1.0', D1), held: [], error: null },
      { dependency: byValue.get('team/cache:7.4.1')!, update: proposal('7.4.2', D1), held: [], error: null },
    ]);
    expect(plan.failures).toEqual([]);
    const outcomes = verifyEdits(plan.fileEdits, scanned);
    expect(outcomes.map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([
      ['app/.env', `API_IMAGE=registry.example.test/team/api-fork:3.1.0@${D1}\nWORKER_TAG=1.12\nCACHE_TAG=7.4.2\n`],
      ['app/docker-compose.yml', NESTED.replace('${CACHE_TAG}}', `\${CACHE_TAG}@${D1}}`)],
    ]);
  });
});

/** Defaults inside a reference that use other variables and their defaults, as compose reads them. */
const NESTED_TAGS = [
  'services:', // 1
  '  api:', // 2
  '    image: ${REGISTRY:-registry.example.test/team}/api:${API_TAG:-${RELEASE_TAG:-2.18.0}}', // 3
  '  worker:', // 4
  '    image: "registry.example.test/team/worker:${WORKER_TAG-${RELEASE_TAG-1.10}}"', // 5
  '  probe:', // 6
  '    image: registry.example.test/team/probe:${PROBE_TAG:-${PROBE_TRACK:-2}.4.1}', // 7
  '  cache:', // 8
  '    image: registry.example.test/team/cache:${CACHE_TAG:-${CACHE_BASE_TAG}}', // 9
  '',
].join('\n');

describe('compose: a default inside a reference whose default uses another variable', () => {
  const scanned = scan({ 'docker-compose.yml': NESTED_TAGS });

  it('is resolved through each default; an inner variable nothing sets leaves it templated and named', () => {
    expect(scanned.references.map((reference) => [reference.line, reference.column, reference.value, reference.skip, reference.detail ?? null])).toEqual([
      [3, 12, 'registry.example.test/team/api:2.18.0', null, 'default of ${REGISTRY}, ${API_TAG}, ${RELEASE_TAG}; the environment may set another value'],
      [5, 13, 'registry.example.test/team/worker:1.10', null, 'default of ${WORKER_TAG}, ${RELEASE_TAG}; the environment may set another value'],
      [7, 12, 'registry.example.test/team/probe:2.4.1', null, 'default of ${PROBE_TAG}, ${PROBE_TRACK}; the environment may set another value'],
      [9, 12, 'registry.example.test/team/cache:${CACHE_TAG:-${CACHE_BASE_TAG}}', 'templated', '${CACHE_BASE_TAG} is not set: it has no default, and no .env beside the file sets it'],
    ]);
    expect(scanned.references[0]!.spans.map((span) => [span.role, span.text, span.column, NESTED_TAGS.slice(span.start, span.end)])).toEqual([
      ['template', '${REGISTRY:-registry.example.test/team}/api:${API_TAG:-${RELEASE_TAG:-2.18.0}}', 12, '${REGISTRY:-registry.example.test/team}/api:${API_TAG:-${RELEASE_TAG:-2.18.0}}'],
      ['variable', 'registry.example.test/team', 24, 'registry.example.test/team'],
      ['variable', '${RELEASE_TAG:-2.18.0}', 67, '${RELEASE_TAG:-2.18.0}'],
      ['variable', '2.18.0', 82, '2.18.0'],
    ]);
  });

  it('an update writes the tag into the default that gives it (inner, or the outer one’s own characters) and a pin after the reference; the re-scan finds it', () => {
    const byValue = new Map(dependenciesOf(scanned.references).map((dependency) => [`${dependency.location.repository}:${dependency.tag}`, dependency]));
    const plan = planUpdates([
      { dependency: byValue.get('team/api:2.18.0')!, update: proposal('2.19.0', D1), held: [], error: null },
      { dependency: byValue.get('team/worker:1.10')!, update: { ...proposal('1.20', D1), tagOnly: true }, held: [], error: null },
      { dependency: byValue.get('team/probe:2.4.1')!, update: { ...proposal('2.5.0', D1), tagOnly: true }, held: [], error: null },
    ]);
    expect(plan.failures).toEqual([]);
    const outcomes = verifyEdits(plan.fileEdits, scanned);
    expect(outcomes.map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([
      [
        'docker-compose.yml',
        NESTED_TAGS.replace('${RELEASE_TAG:-2.18.0}}', `\${RELEASE_TAG:-2.19.0}}@${D1}`)
          .replace('${RELEASE_TAG-1.10}', '${RELEASE_TAG-1.20}')
          .replace('${PROBE_TRACK:-2}.4.1}', '${PROBE_TRACK:-2}.5.0}'),
      ],
    ]);
  });

  it('a .env beside the file that sets the outer variable gives the tag (its default is not used); one that sets the inner one gives it there', () => {
    const withEnv = scan({ 'app/.env': 'API_TAG=2.20.1\nRELEASE_TAG=1.12.0\nCACHE_BASE_TAG=7.4.1\n', 'app/docker-compose.yml': NESTED_TAGS });
    expect(withEnv.references.map((reference) => [reference.line, reference.value, reference.skip, reference.detail ?? null])).toEqual([
      [3, 'registry.example.test/team/api:2.20.1', null, 'API_TAG from app/.env:1, edited there; default of ${REGISTRY}; the environment may set another value'],
      [5, 'registry.example.test/team/worker:1.12.0', null, 'RELEASE_TAG from app/.env:2, edited there; default of ${WORKER_TAG}; the environment may set another value'],
      [7, 'registry.example.test/team/probe:2.4.1', null, 'default of ${PROBE_TAG}, ${PROBE_TRACK}; the environment may set another value'],
      [9, 'registry.example.test/team/cache:7.4.1', null, 'CACHE_BASE_TAG from app/.env:3, edited there; default of ${CACHE_TAG}; the environment may set another value'],
    ]);
    const byValue = new Map(dependenciesOf(withEnv.references).map((dependency) => [`${dependency.location.repository}:${dependency.tag}`, dependency]));
    const plan = planUpdates([
      { dependency: byValue.get('team/api:2.20.1')!, update: { ...proposal('2.21.0', D1), tagOnly: true }, held: [], error: null },
      { dependency: byValue.get('team/worker:1.12.0')!, update: { ...proposal('1.13.0', D1), tagOnly: true }, held: [], error: null },
    ]);
    expect(plan.failures).toEqual([]);
    const outcomes = verifyEdits(plan.fileEdits, withEnv);
    expect(outcomes.map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([
      ['app/.env', 'API_TAG=2.21.0\nRELEASE_TAG=1.13.0\nCACHE_BASE_TAG=7.4.1\n'],
    ]);
  });
});

describe('a tag written in the .env beside a compose file', () => {
  it('is replaced as it stands: a value YAML would read as a number is not quoted there, unlike in the compose file itself', () => {
    const files = {
      'app/.env': 'WORKER_TAG=1.12\n',
      'app/docker-compose.yml': 'services:\n  worker:\n    image: registry.example.test/team/worker:${WORKER_TAG}\n  cache:\n    image: registry.example.test/team/cache:7.4\n',
    };
    const scanned = scan(files);
    const byValue = new Map(dependenciesOf(scanned.references).map((dependency) => [`${dependency.location.repository}:${dependency.tag}`, dependency]));
    const plan = planUpdates([
      { dependency: byValue.get('team/worker:1.12')!, update: { ...proposal('1.13', D1), tagOnly: true }, held: [], error: null },
      { dependency: byValue.get('team/cache:7.4')!, update: { ...proposal('7.6', D1), tagOnly: true }, held: [], error: null },
    ]);
    expect(plan.failures).toEqual([]);
    const outcomes = verifyEdits(plan.fileEdits, scanned);
    expect(outcomes.map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([
      ['app/.env', 'WORKER_TAG=1.13\n'],
      ['app/docker-compose.yml', files['app/docker-compose.yml'].replace('cache:7.4', 'cache:7.6')],
    ]);
  });
});

describe('a .env value span says it is not YAML', () => {
  it('carries its syntax from the scan, and the planner follows the span, not the file name', () => {
    const scanned = scan({
      'svc/.env': 'API_TAG=2.8\n',
      'svc/compose.yaml': 'services:\n  api:\n    image: registry.example.test/team/api:${API_TAG}\n',
    });
    const [api] = scanned.references;
    expect(api!.spans.map((span) => [span.file, span.role, span.text, span.syntax])).toEqual([
      [undefined, 'template', 'registry.example.test/team/api:${API_TAG}', undefined],
      ['svc/.env', 'variable', '2.8', 'dotenv'],
    ]);
    const replacement = (reference: Reference) => {
      const plan = editsForReference(reference, { tag: '2.10', digest: null });
      return plan.ok ? plan.edits.map((edit) => [edit.file, edit.replacement]) : plan.reason;
    };
    expect(replacement(api!)).toEqual([['svc/.env', '2.10']]);
    // The same span without its syntax is a YAML scalar, whatever its file is called: 2.10 is quoted so it stays a string.
    const asYaml = { ...api!, spans: api!.spans.map(({ syntax: _syntax, ...span }) => span) };
    expect(replacement(asYaml)).toEqual([['svc/.env', '"2.10"']]);
  });
});
