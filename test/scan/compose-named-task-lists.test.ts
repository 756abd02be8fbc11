/** A list of Ansible tasks kept in a file named like a compose file: compose cannot read a list, so it is read as other YAML. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const tasks = [
  '---', // 1
  '- name: Write the stack file', // 2
  '  ansible.builtin.copy:', // 3
  '    dest: "{{ stack_dir }}/docker-compose.yml"', // 4
  '    content: |', // 5
  '      services:', // 6
  '        ledger:', // 7
  '          image: registry.example.test/team/ledger:3.2.1', // 8
  '          volumes:', // 9
  '            - {{ stack_dir }}/ledger:/data', // 10
  '', // 11
  '- name: Run the probe', // 12
  '  community.docker.docker_container:', // 13
  '    name: probe', // 14
  '    image: registry.example.test/tools/probe:0.9', // 15
  '',
].join('\n');

const compose = ['services:', '  web:', '    image: registry.example.test/team/web:1.4', ''].join('\n');

describe('a file named like a compose file that holds an Ansible task list', () => {
  it('has its tasks and the compose file a task writes read as other YAML; a compose file of that name is still compose', () => {
    const scanned = scanTexts({ 'roles/stack/tasks/docker-compose.yml': tasks, 'roles/probe/tasks/compose.yaml': tasks.split('\n').slice(11).join('\n'), 'app/docker-compose.yaml': compose });
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip])).toEqual([
      ['app/docker-compose.yaml', 3, 'registry.example.test/team/web:1.4', 'compose-service', null],
      ['roles/probe/tasks/compose.yaml', 4, 'registry.example.test/tools/probe:0.9', 'yaml-image', null],
      ['roles/stack/tasks/docker-compose.yml', 8, 'registry.example.test/team/ledger:3.2.1', 'yaml-image', null],
      ['roles/stack/tasks/docker-compose.yml', 15, 'registry.example.test/tools/probe:0.9', 'yaml-image', null],
    ]);
  });
});
