/** Nomad jobs rendered as JSON (`nomad job run -output`, the jobs API): task images read and edited in place. */
import { describe, expect, it } from 'vitest';
import { dependenciesOf, type Proposal } from '../../src/core/dependency.js';
import { sourceFile } from '../../src/core/source-file.js';
import { planUpdates } from '../../src/plan/plan-updates.js';
import { scanSources, verifyEdits } from '../../src/pipeline/pipeline.js';
import { isCandidatePath } from '../../src/scan/candidate-path.js';

const RENDERED = `{
  "Job": {
    "ID": "cache",
    "Name": "cache",
    "Type": "service",
    "TaskGroups": [
      {
        "Name": "cache",
        "Count": 1,
        "Tasks": [
          {
            "Name": "redis",
            "Driver": "docker",
            "Config": {
              "image": "redis:7.2.4-alpine",
              "ports": ["db"]
            },
            "Resources": {"CPU": 500, "MemoryMB": 256}
          },
          {
            "Name": "cleanup",
            "Driver": "exec",
            "Config": {"command": "/bin/cleanup", "image": "not-an-image"}
          },
          {
            "Name": "exporter",
            "Driver": "podman",
            "Config": {"image": "docker://quay.io/oliver006/redis_exporter:v1.66.0"}
          }
        ]
      }
    ]
  }
}
`;
/** The jobs API's form: the job itself, on one line, a task without a driver. */
const API = `{"ID":"web","TaskGroups":[{"Name":"web","Tasks":[{"Name":"nginx","Config":{"image":"nginx:1.27.3@sha256:${'a'.repeat(64)}"}},{"Name":"escaped","Driver":"docker","Config":{"image":"nginx\\u003a1.27.3"}}]}]}`;

const scan = (files: Record<string, string>) => scanSources(Object.entries(files).map(([name, text]) => sourceFile(name, new Uint8Array(Buffer.from(text)))));
const D1 = `sha256:${'1'.repeat(64)}`;
const proposal = (tag: string, digest: string): Proposal => ({ tag, digest, updateType: 'patch', platforms: ['linux/amd64'], fromPlatforms: ['linux/amd64'] });

describe('Nomad job JSON', () => {
  const scanned = scan({ 'nomad/cache.json': RENDERED, 'nomad/web.nomad.json': API, 'nomad/package.json': '{"name": "app", "dependencies": {"image": "1.0.0"}}\n' });

  it('reads the image of each docker and podman task, at its line and column', () => {
    expect(['nomad/cache.json', 'nomad/web.nomad.json', 'jobs/bad.json', 'ops/job.json', 'config/devcontainer.json', 'package.json'].map(isCandidatePath)).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(scanned.problems).toEqual([]);
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.column, reference.value, reference.skip, reference.detail, reference.image])).toEqual([
      ['nomad/cache.json', 15, 25, 'redis:7.2.4-alpine', null, 'group "cache", task "redis"', { registry: 'docker.io', repository: 'library/redis', tag: '7.2.4-alpine', digest: null }],
      [
        'nomad/cache.json',
        28,
        43,
        'quay.io/oliver006/redis_exporter:v1.66.0',
        null,
        'group "cache", task "exporter"',
        { registry: 'quay.io', repository: 'oliver006/redis_exporter', tag: 'v1.66.0', digest: null },
      ],
      [
        'nomad/web.nomad.json',
        1,
        85,
        `nginx:1.27.3@sha256:${'a'.repeat(64)}`,
        null,
        'group "web", task "nginx"',
        { registry: 'docker.io', repository: 'library/nginx', tag: '1.27.3', digest: `sha256:${'a'.repeat(64)}` },
      ],
      ['nomad/web.nomad.json', 1, 228, 'nginx\\u003a1.27.3', 'unsupported-quoting', 'group "web", task "escaped"; written with JSON escapes', null],
    ]);
  });

  it('edits the string in place, keeping the transport and everything around it, verified by a re-scan', () => {
    const byName = new Map(dependenciesOf(scanned.references).map((dependency) => [`${dependency.location.repository}:${dependency.tag}`, dependency]));
    const plan = planUpdates([
      { dependency: byName.get('library/redis:7.2.4-alpine')!, update: proposal('7.2.5-alpine', D1), held: [], error: null },
      { dependency: byName.get('oliver006/redis_exporter:v1.66.0')!, update: { ...proposal('v1.67.0', D1), tagOnly: true }, held: [], error: null },
      { dependency: byName.get('library/nginx:1.27.3')!, update: proposal('1.27.4', D1), held: [], error: null },
    ]);
    expect(plan.failures).toEqual([]);
    expect(verifyEdits(plan.fileEdits, scanned).map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([
      ['nomad/cache.json', RENDERED.replace('"redis:7.2.4-alpine"', `"redis:7.2.5-alpine@${D1}"`).replace('redis_exporter:v1.66.0', 'redis_exporter:v1.67.0')],
      ['nomad/web.nomad.json', API.replace(`nginx:1.27.3@sha256:${'a'.repeat(64)}`, `nginx:1.27.4@${D1}`)],
    ]);
  });

  it('of a key written twice, reads the last, as Nomad does: an image written first and replaced is not the one that runs', () => {
    const twice = scan({
      'jobs/twice.json':
        '{"TaskGroups": [{"Name": "a", "Tasks": [{"Name": "t", "Config": {"image": "redis:7.2"}}]}],\n "TaskGroups": [{"Name": "b", "Tasks": [{"Name": "t", "Config": {"image": "redis:7.4", "image": "valkey/valkey:8.0"}}]}]}\n',
    });
    expect(twice.problems).toEqual([]);
    expect(twice.references.map((reference) => [reference.line, reference.value, reference.detail])).toEqual([[2, 'valkey/valkey:8.0', 'group "b", task "t"']]);
  });

  it("finds the job's fields by their keys as Go's JSON decoding does: escapes decoded, letters in either case (ſ and the Kelvin sign too), the Config map's keys exactly", () => {
    const folded = scan({
      'jobs/folded.json': [
        '{"TaskGroups": [{"Name": "first", "Tasks": [{"Name": "t", "Config": {"image": "redis:7.2"}}]}],',
        ' "Ta\u017fkgroups": [{"n\\u0061me": "g", "TAS\u212aS": [{"Name": "a", "dr\\u0069ver": "d\\u006fcker", "config": {"\\u0069mage": "redis:7.4"}},',
        '   {"Name": "b", "Config": {"image": "valkey/valkey:8.0", "Image": "not-read:1"}},',
        '   {"Name": "c", "Config": {"Image": "not-read:2"}},',
        '   {"Name": "d", "Driver": "exec", "Dr\u0131ver": "docker", "Config": {"image": "not-read:3"}},',
        '   {"Name": "e", "Config": {"image": "nginx:1.27"}, "Config": null}]}],',
        ' "Job": null}\n',
      ].join('\n'),
    });
    expect(folded.problems).toEqual([]);
    expect(folded.references.map((reference) => [reference.line, reference.value, reference.detail])).toEqual([
      [2, 'redis:7.4', 'group "g", task "a"'],
      [3, 'valkey/valkey:8.0', 'group "g", task "b"'],
    ]);
  });

  it("reads no image from the servers' record of a registered job (a submit time and a change index of their own), while a job to submit with those fields null or zero is read", () => {
    const task = (image: string) => `"TaskGroups": [{"Name": "web", "Tasks": [{"Name": "app", "Driver": "docker", "Config": {"image": "${image}"}}]}]`;
    const record = (image: string, state: string) => `{\n  "ID": "web",\n  ${task(image)},\n  ${state}\n}\n`;
    const recorded = scan({
      'fixtures/job_web.json': record(
        'registry.example.test/team/web:2.4.0',
        '"Status": "running", "Version": 3, "SubmitTime": 1712345678901234500, "CreateIndex": 41, "ModifyIndex": 57, "JobModifyIndex": 52',
      ),
      'fixtures/inspect.json': `{"Job": ${record('registry.example.test/team/api:1.9.1', '"Status": "dead", "SubmitTime": 1712345678000000000, "JobModifyIndex": 9')}}`,
      'jobs/run-output.json': `{"Job": ${record('registry.example.test/team/worker:3.0.2', '"Status": null, "SubmitTime": null, "CreateIndex": null, "JobModifyIndex": null')}}`,
      'jobs/zeroed.json': record('registry.example.test/team/cron:0.8.0', '"SubmitTime": 0, "JobModifyIndex": 0'),
      'jobs/submit-time-only.json': record('registry.example.test/team/queue:5.1.0', '"SubmitTime": 1712345678000000000'),
    });
    expect(recorded.problems).toEqual([]);
    expect(recorded.references.map((reference) => [reference.file, reference.line, reference.value])).toEqual([
      ['jobs/run-output.json', 3, 'registry.example.test/team/worker:3.0.2'],
      ['jobs/submit-time-only.json', 3, 'registry.example.test/team/queue:5.1.0'],
      ['jobs/zeroed.json', 3, 'registry.example.test/team/cron:0.8.0'],
    ]);
  });

  it('says where JSON that looks like a job does not parse, and reads no other JSON', () => {
    const broken = scan({ 'jobs/bad.json': '{"TaskGroups": [{"Tasks": [\n  {"Config": {"image": "redis:7"}\n]}\n' });
    expect(broken.references).toEqual([]);
    expect(broken.problems).toEqual([{ file: 'jobs/bad.json', line: 3, code: 'parse-error', message: 'JSON: expected "," or "}"' }]);
  });
});
