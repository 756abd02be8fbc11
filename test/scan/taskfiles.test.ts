import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => {
  const result = scanTexts(files);
  return { references: result.references.map((reference) => [reference.file, reference.line, reference.value, reference.skip]), problems: result.problems };
};

/** A go-task Taskfile: its tasks run shell commands, given an image name as a variable. */
const TASKFILE = [
  'version: "3"',
  '',
  'vars:',
  '  registry_image: registry.example.test/team/api:1.4.0',
  '',
  'tasks:',
  '  image:',
  '    cmds:',
  '      - task: image-build',
  '        vars: { target: api, image: team/api }',
  '  image-build:',
  '    vars:',
  '      builder:',
  '        image: registry.example.test/tools/builder:2.0',
  '    cmds:',
  '      - docker build -t {{.image}} --build-arg TARGET={{.target}} .',
  '      - docker tag {{.image}} {{.registry_image}}',
  '',
].join('\n');

describe('a go-task Taskfile', () => {
  it('is not read: its variables are text for shell commands, under each of its names', () => {
    expect(scan({ 'Taskfile.yml': TASKFILE, 'api/taskfile.yaml': TASKFILE, 'Taskfile.dist.yml': TASKFILE, '.taskfiles/Taskfile_docker.yml': TASKFILE })).toEqual({ references: [], problems: [] });
  });

  it('is not read when a task writes a template where YAML cannot read it', () => {
    const templated = `${TASKFILE}  lint:\n    cmds:\n      - {{.LINTER}} run\n`;
    expect(scan({ 'Taskfile.yaml': templated })).toEqual({ references: [], problems: [] });
  });

  it('is told by its name and by `version:` and `tasks:` at the top: other files are read as before', () => {
    const noTasks = 'version: "1"\nimage: registry.example.test/team/api:1.4.0\n';
    expect(scan({ 'ops/tasks.yml': TASKFILE, 'Taskfile.yml': noTasks }).references).toEqual([
      ['Taskfile.yml', 2, 'registry.example.test/team/api:1.4.0', null],
      ['ops/tasks.yml', 4, 'registry.example.test/team/api:1.4.0', null],
      ['ops/tasks.yml', 10, 'team/api', 'no-tag'],
      ['ops/tasks.yml', 14, 'registry.example.test/tools/builder:2.0', null],
    ]);
  });
});
