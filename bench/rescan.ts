// Cost of the re-scan that confirms a change before anything is written (`check --write`, `run`, `serve`):
// each edited file is scanned again, and a change whose edit lies in another file (a GitLab CI variable
// defined in an included file, a shared literal) is re-scanned with the facts of the whole pipeline worked
// out again over the edited bytes (the overlay). Built in memory, in our own words: a GitLab CI monorepo of
// S services that include their CI files, where every service's job image is written through one variable
// (`BUILDER_REVISION`, the tag of N builder images) and the default image through another (`RUBY_VERSION`).
// Prints the full scan, a one-file re-scan, the overlay for one variable, and the whole verification of the
// grouped change through the shared literal (every file that uses it), each the best of R runs.
//
// Usage: npm run bench:rescan -- [--services S] [--builders N] [--runs R]
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { dependenciesOf, type DependencyResult } from '../src/core/dependency.js';
import { sourceFile, type SourceFile } from '../src/core/source-file.js';
import { scanSources, verifyEdits } from '../src/pipeline/pipeline.js';
import { planUpdates } from '../src/plan/plan-updates.js';

const { values } = parseArgs({ options: { services: { type: 'string', default: '250' }, builders: { type: 'string', default: '30' }, runs: { type: 'string', default: '5' } } });
const SERVICES = Number(values.services);
const BUILDERS = Number(values.builders);
const RUNS = Number(values.runs);

const text = (path: string, body: string): SourceFile => sourceFile(path, Buffer.from(body, 'utf8'));

function tree(): SourceFile[] {
  const files: SourceFile[] = [
    text(
      '.gitlab-ci.yml',
      `include:\n  - local: ci/variables.yml\n  - local: ci/templates/*.yml\n${Array.from({ length: SERVICES }, (_, s) => `  - local: services/svc${s}/ci.yml`).join('\n')}\nstages: [build, test, deploy]\ndefault:\n  image: ruby:\${RUBY_VERSION}-alpine\n`,
    ),
    text('ci/variables.yml', `variables:\n  RUBY_VERSION: "3.3.6"\n  BUILDER_REVISION: "5.65.0"\n  DOCKER_VERSION: "27.3.1"\n`),
  ];
  for (const t of ['build', 'test', 'deploy']) {
    files.push(text(`ci/templates/${t}.yml`, `.${t}:\n  stage: ${t}\n  services:\n    - name: docker:\${DOCKER_VERSION}-dind\n      alias: docker\n  script:\n    - make ${t}\n`));
  }
  for (let s = 0; s < SERVICES; s++) {
    files.push(
      text(
        `services/svc${s}/ci.yml`,
        `svc${s}:build:\n  extends: .build\n  image: registry.example.test/builder/os${s % BUILDERS}:\${BUILDER_REVISION}\n  variables:\n    SERVICE: svc${s}\nsvc${s}:test:\n  extends: .test\nsvc${s}:deploy:\n  extends: .deploy\n  image: alpine/helm:3.16.${s % 4}\n`,
      ),
    );
    files.push(text(`services/svc${s}/Dockerfile`, `FROM golang:1.23.3 AS build\nRUN go build ./...\nFROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /out /app\n`));
  }
  return files;
}

/** Best and all of R timings of `work`, in milliseconds. */
function time(work: () => unknown): { best: number; all: number[] } {
  const all: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const started = performance.now();
    work();
    all.push(performance.now() - started);
  }
  return { best: Math.min(...all), all };
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const line = (label: string, figures: { best: number; all: number[] }, extra = '') =>
  console.log(`${label}: ${ms(figures.best)} (best of ${RUNS}; all: ${figures.all.map((value) => value.toFixed(1)).join(', ')})${extra}`);

const files = tree();
const bytes = files.reduce((sum, file) => sum + file.bytes.length, 0);
console.log(`GitLab CI monorepo: ${files.length} files, ${(bytes / 1e3).toFixed(0)} kB, ${SERVICES} services, BUILDER_REVISION the tag of ${BUILDERS} images`);

let scanned = scanSources(files);
line(
  'full scan (prepare + every file)',
  time(() => (scanned = scanSources(files))),
  `, ${scanned.references.length} references`,
);

// One file edited in its own bytes (a literal image line): the scan's own facts are reused.
const one = files.find((file) => file.path === 'services/svc0/ci.yml')!;
const edited = Buffer.from(new TextDecoder().decode(one.bytes).replace('alpine/helm:3.16.0', 'alpine/helm:3.16.1'), 'utf8');
line(
  're-scan of one edited file, no other file changed',
  time(() => scanned.rescan(one.path, edited)),
);

// The grouped change through BUILDER_REVISION: every builder image to 5.66.0, planned and verified as `run` does.
const DIGEST = `sha256:${'7'.repeat(64)}`;
const results: DependencyResult[] = dependenciesOf(scanned.references).map((dependency) => ({
  dependency,
  update: dependency.location.repository.startsWith('builder/') ? { tag: '5.66.0', digest: DIGEST, updateType: 'minor', platforms: ['linux/amd64'], fromPlatforms: ['linux/amd64'] } : null,
  held: [],
  error: null,
}));
const plan = planUpdates(results);
const grouped = plan.updates.filter((update) => update.group !== undefined);
/** Verifies `fileEdits` R times, timing each re-scan call: the first of a group builds the overlay, the others reuse it. */
function verifyTimed(fileEdits: typeof plan.fileEdits): { total: { best: number; all: number[] }; first: number; further: number; calls: number; ok: number } {
  let first = Infinity;
  let further = Infinity;
  let calls = 0;
  let ok = 0;
  const total = time(() => {
    const each: number[] = [];
    const timed = {
      ...scanned,
      rescan: ((path, bytes, others) => {
        const started = performance.now();
        const found = scanned.rescan(path, bytes, others);
        each.push(performance.now() - started);
        return found;
      }) as typeof scanned.rescan,
    };
    ok = verifyEdits(fileEdits, timed).filter((file) => file.ok).length;
    calls = each.length;
    first = Math.min(first, each[0] ?? NaN);
    if (each.length > 1) further = Math.min(further, each.slice(1).reduce((sum, value) => sum + value, 0) / (each.length - 1));
  });
  return { total, first, further, calls, ok };
}
const groupedRun = verifyTimed(plan.fileEdits);
line(
  `verify the grouped change (${grouped.length} updates, ${plan.fileEdits.length} files)`,
  groupedRun.total,
  `, ${groupedRun.ok} of ${plan.fileEdits.length} files confirmed; ${groupedRun.calls} re-scans: the first (overlay: facts of the whole pipeline again) ${ms(groupedRun.first)}, each further ${ms(groupedRun.further)} on average`,
);
if (grouped.length !== SERVICES || groupedRun.ok !== plan.fileEdits.length) throw new Error(`the grouped change did not plan or verify: ${JSON.stringify(plan.held.slice(0, 2))}`);

// One variable of the pipeline (RUBY_VERSION, the default image) edited in ci/variables.yml: two linked files.
const ruby = planUpdates(
  dependenciesOf(scanned.references).map((dependency) => ({
    dependency,
    update: dependency.location.repository === 'library/ruby' ? { tag: '3.3.7-alpine', digest: DIGEST, updateType: 'patch', platforms: ['linux/amd64'], fromPlatforms: ['linux/amd64'] } : null,
    held: [],
    error: null,
  })),
);
const rubyRun = verifyTimed(ruby.fileEdits);
line(
  `verify a change of one variable (${ruby.updates.length} update, ${ruby.fileEdits.length} files)`,
  rubyRun.total,
  `; ${rubyRun.calls} re-scans: the first ${ms(rubyRun.first)}, the other ${ms(rubyRun.further)}`,
);
if (ruby.updates.length !== 1 || rubyRun.calls !== 2) throw new Error(`the variable change did not plan or verify as expected: ${JSON.stringify(ruby)}`);
