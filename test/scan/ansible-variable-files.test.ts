/** Files of Ansible variables that a role loads: a role's `defaults/` and `vars/`, and the files its tasks load with `include_vars`. */
import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const rows = (files: Record<string, string>) =>
  scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.spans.map((span) => [span.role, span.text, span.line])]);

const tasks = ['---', '- include_vars: "checks/{{ check }}/vars.yml"', '- ansible.builtin.include_vars:', '    file: settings/extra.yml', ''].join('\n');

/** A name and its version, as a role's template joins them: `{{ image_name }}:{{ image_version }}`. */
const pair = (name: string, version: string, versionKey = 'image_version') => ['---', '# probe', `image_name: "${name}"`, `${versionKey}: "${version}"`, 'port: 9100', ''].join('\n');

describe('image_name + image_version in a file of Ansible variables', () => {
  it('is the image, reported at the name and edited in both places, in a file a task loads and in the role defaults', () => {
    expect(
      rows({
        'roles/probes/tasks/main.yml': tasks,
        'roles/probes/checks/disk/vars.yml': pair('registry.example.test/probes/disk-probe', 'v2.3.0'),
        'roles/probes/checks/net/vars.yml': pair('registry.example.test/probes/net-probe', '1.4.1', 'image_tag'),
        'roles/probes/settings/extra.yml': pair('registry.example.test/probes/extra-probe', '0.2.0'),
        'roles/probes/defaults/main.yml': pair('registry.example.test/probes/base-probe', '5.0.0'),
        'inventory/group_vars/all.yml': pair('registry.example.test/probes/edge-probe', '3.3.0'),
      }),
    ).toEqual([
      [
        'inventory/group_vars/all.yml',
        3,
        'registry.example.test/probes/edge-probe:3.3.0',
        null,
        [
          ['repository', 'registry.example.test/probes/edge-probe', 3],
          ['tag', '3.3.0', 4],
        ],
      ],
      [
        'roles/probes/checks/disk/vars.yml',
        3,
        'registry.example.test/probes/disk-probe:v2.3.0',
        null,
        [
          ['repository', 'registry.example.test/probes/disk-probe', 3],
          ['tag', 'v2.3.0', 4],
        ],
      ],
      [
        'roles/probes/checks/net/vars.yml',
        3,
        'registry.example.test/probes/net-probe:1.4.1',
        null,
        [
          ['repository', 'registry.example.test/probes/net-probe', 3],
          ['tag', '1.4.1', 4],
        ],
      ],
      [
        'roles/probes/defaults/main.yml',
        3,
        'registry.example.test/probes/base-probe:5.0.0',
        null,
        [
          ['repository', 'registry.example.test/probes/base-probe', 3],
          ['tag', '5.0.0', 4],
        ],
      ],
      [
        'roles/probes/settings/extra.yml',
        3,
        'registry.example.test/probes/extra-probe:0.2.0',
        null,
        [
          ['repository', 'registry.example.test/probes/extra-probe', 3],
          ['tag', '0.2.0', 4],
        ],
      ],
    ]);
  });

  it('takes only the image_ siblings; a file no task loads, and other YAML, are read as before', () => {
    expect(
      rows({
        'roles/probes/tasks/main.yml': tasks,
        // `version` is the role's own setting, not the image's tag: the name alone, with its path, is listed without a tag.
        'roles/probes/checks/cpu/vars.yml': ['image_name: registry.example.test/probes/cpu-probe', 'version: 3', ''].join('\n'),
        // A one-word name alone is as often a virtual machine's image.
        'roles/probes/checks/vm/vars.yml': ['image_name: cirros', ''].join('\n'),
        'roles/probes/unused/vars.yml': pair('registry.example.test/probes/old-probe', 'v0.9.0'),
        'config/tool.yml': pair('registry.example.test/team/tool', 'v3.0.0'),
      }),
    ).toEqual([['roles/probes/checks/cpu/vars.yml', 1, 'registry.example.test/probes/cpu-probe', 'no-tag', [['reference', 'registry.example.test/probes/cpu-probe', 1]]]]);
  });
});

describe('a key in capitals or kebab-case with the word image, in a file of Ansible variables', () => {
  const inventory = [
    '---',
    'cluster_flags:',
    '  node-label: edge',
    '  sandbox-image: registry.example.test/infra/sandbox:3.10',
    'streams:',
    '  agent:',
    '    STREAM_FROM_KIND: DockerImage',
    '    IMAGE_STREAM_FROM_NAME: registry.example.test/ci/agent-base:v2.4',
    '    AGENT_IMAGE: registry.example.test/ci/agent:1.8.0',
    '    AGENT_IMAGE_TAG: registry.example.test/ci/agent:1.8.0',
    '    OUTPUT_IMAGE: registry.example.test/ci/agent-out:1.8.0',
    '    push-image: registry.example.test/ci/agent-out:1.8.0',
    '    LOCAL_IMAGE: agent:latest',
    '    BARE_IMAGE: registry.example.test/ci/agent',
    '',
  ].join('\n');

  it('is an image when it holds a full reference, a path with a tag or digest; not a setting, a push target, or a name without a path or tag', () => {
    expect(rows({ 'inventory/group_vars/ci.yml': inventory })).toEqual([
      ['inventory/group_vars/ci.yml', 4, 'registry.example.test/infra/sandbox:3.10', null, [['reference', 'registry.example.test/infra/sandbox:3.10', 4]]],
      ['inventory/group_vars/ci.yml', 8, 'registry.example.test/ci/agent-base:v2.4', null, [['reference', 'registry.example.test/ci/agent-base:v2.4', 8]]],
      ['inventory/group_vars/ci.yml', 9, 'registry.example.test/ci/agent:1.8.0', null, [['reference', 'registry.example.test/ci/agent:1.8.0', 9]]],
    ]);
  });

  it('is not read so outside a file of Ansible variables, nor in folders Ansible does not read (`Group_Vars/`)', () => {
    expect(rows({ 'deploy/settings.yml': inventory, 'inventory/Group_Vars/ci.yml': inventory, 'inventory/HOST_VARS/ci.yml': inventory })).toEqual([]);
  });
});

describe('files of inventory variables without an extension', () => {
  const groupVars = [
    '---',
    'relay_registry: registry.example.test',
    'relay_image: edge/relay',
    'relay_image_tag: "4.1.0"',
    'exporter_container_image: "registry.example.test/metrics/exporter:0.9.2"',
    'AGENT_IMAGE: registry.example.test/ci/agent:1.8.0',
    '',
  ].join('\n');
  const hostVars = ['---', 'probe_image: registry.example.test/probes/disk-probe:v2.3.0', ''].join('\n');

  it('are read as YAML, as Ansible reads `group_vars/all`, `host_vars/db1` and a file in a group folder', () => {
    expect(
      rows({
        'tests/scenario/group_vars/all': groupVars,
        'inventory/host_vars/db1': hostVars,
        'inventory/group_vars/web/settings': hostVars,
      }),
    ).toEqual([
      ['inventory/group_vars/web/settings', 2, 'registry.example.test/probes/disk-probe:v2.3.0', null, [['reference', 'registry.example.test/probes/disk-probe:v2.3.0', 2]]],
      ['inventory/host_vars/db1', 2, 'registry.example.test/probes/disk-probe:v2.3.0', null, [['reference', 'registry.example.test/probes/disk-probe:v2.3.0', 2]]],
      [
        'tests/scenario/group_vars/all',
        3,
        'registry.example.test/edge/relay:4.1.0',
        null,
        [
          ['registry', 'registry.example.test', 2],
          ['repository', 'edge/relay', 3],
          ['tag', '4.1.0', 4],
        ],
      ],
      ['tests/scenario/group_vars/all', 5, 'registry.example.test/metrics/exporter:0.9.2', null, [['reference', 'registry.example.test/metrics/exporter:0.9.2', 5]]],
      ['tests/scenario/group_vars/all', 6, 'registry.example.test/ci/agent:1.8.0', null, [['reference', 'registry.example.test/ci/agent:1.8.0', 6]]],
    ]);
  });

  it('are not read elsewhere, nor under a name with a dot (`README.md`, `.gitkeep`)', () => {
    expect(rows({ 'inventory/settings': hostVars, 'inventory/group_vars/README.md': hostVars, 'inventory/group_vars/.gitkeep': hostVars })).toEqual([]);
  });
});
