import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { scanSources } from '../../src/pipeline/pipeline.js';
import { blankJsonComments } from '../../src/scan/extractors/devcontainer/jsonc.js';

function rows(files: Record<string, string>) {
  return scanSources(Object.entries(files).map(([path, text]) => sourceFile(path, new Uint8Array(Buffer.from(text)))))
    .references.filter((reference) => reference.kind === 'dockerfile-from')
    .map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail ?? null]);
}

/** A development container's Dockerfile that picks its base's flavour with a build argument. */
const DOCKERFILE = ['ARG FLAVOUR="2.4-slim"', 'FROM registry.example.test/devtools/base:1-${FLAVOUR}', 'ARG NODE_MAJOR="none"', ''].join('\n');

const asIs = (path: string) => [[path, 2, 'registry.example.test/devtools/base:1-2.4-slim', null, null]];
const passed = (path: string, where: string) => [
  [
    path,
    2,
    'registry.example.test/devtools/base:1-2.4-slim',
    'templated',
    `default of ARG FLAVOUR (line 1), but ${where} passes FLAVOUR as a build argument, so that build may use another value: shown, not edited`,
  ],
];

/** A devcontainer.json written as such files are: comments, a trailing comma. */
const definition = (build: string[]) =>
  ['// The editor builds this container.', '{', '  "name": "workbench",', ...build.map((line) => `  ${line}`), '  "remoteUser": "dev", // the user', '}', ''].join('\n');

describe('a development container that builds its Dockerfile with build arguments', () => {
  it('passes them to the Dockerfile it names, from the definition’s folder', () => {
    const build = definition([
      '"build": {',
      '  "dockerfile": "Dockerfile",',
      '  "context": "..",',
      '  "args": {',
      '    /* the flavour of the base */',
      '    "FLAVOUR": "2.5-slim",',
      '    "NODE_MAJOR": 22,',
      '  },',
      '},',
    ]);
    expect(rows({ '.devcontainer/Dockerfile': DOCKERFILE, '.devcontainer/devcontainer.json': build })).toEqual(passed('.devcontainer/Dockerfile', '.devcontainer/devcontainer.json:9'));
    // A named configuration in its own folder, naming a Dockerfile elsewhere in the repository.
    const named = definition(['"build": { "dockerfile": "../../docker/dev.Dockerfile", "args": { "FLAVOUR": "2.5-slim" } },']);
    expect(rows({ 'docker/dev.Dockerfile': DOCKERFILE, '.devcontainer/node/devcontainer.json': named })).toEqual(passed('docker/dev.Dockerfile', '.devcontainer/node/devcontainer.json:4'));
    // The older form: a top-level `dockerFile` beside `build.args`; also a `.devcontainer.json` at the root.
    const older = definition(['"dockerFile": "tools/Dockerfile",', '"build": { "args": { "FLAVOUR": "2.5-slim" } },']);
    expect(rows({ 'tools/Dockerfile': DOCKERFILE, '.devcontainer.json': older })).toEqual(passed('tools/Dockerfile', '.devcontainer.json:5'));
  });

  it('leaves other Dockerfiles, other arguments and image-based definitions as they are', () => {
    const other = definition(['"build": { "dockerfile": "Dockerfile", "args": { "FLAVOUR": "2.5-slim" } },']);
    expect(rows({ 'app/Dockerfile': DOCKERFILE, '.devcontainer/devcontainer.json': other })).toEqual(asIs('app/Dockerfile'));
    const unrelated = definition(['"build": { "dockerfile": "Dockerfile", "args": { "NODE_MAJOR": "22" } },']);
    expect(rows({ '.devcontainer/Dockerfile': DOCKERFILE, '.devcontainer/devcontainer.json': unrelated })).toEqual(asIs('.devcontainer/Dockerfile'));
    const image = definition(['"image": "registry.example.test/devtools/base:1-2.4-slim",', '"runArgs": ["--init"],']);
    expect(rows({ '.devcontainer/Dockerfile': DOCKERFILE, '.devcontainer/devcontainer.json': image })).toEqual(asIs('.devcontainer/Dockerfile'));
    // A file of that name outside the places the editor looks is no definition.
    expect(rows({ 'docs/Dockerfile': DOCKERFILE, 'docs/devcontainer.json': other })).toEqual(asIs('docs/Dockerfile'));
  });
});

describe('blankJsonComments', () => {
  it('turns comments and trailing commas into spaces, keeping every offset and the text inside strings', () => {
    const text = '{ "url": "https://registry.example.test//x", // note\n  "list": [1, 2, /* two */],\n}';
    const blanked = blankJsonComments(text);
    expect(blanked.length).toBe(text.length);
    expect(JSON.parse(blanked)).toEqual({ url: 'https://registry.example.test//x', list: [1, 2] });
  });
});
