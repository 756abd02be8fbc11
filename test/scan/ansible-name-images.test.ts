import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { applyEdits } from '../../src/core/text-edit.js';
import { editsForReference } from '../../src/plan/edits-for-reference.js';
import { EXTRACTORS } from '../../src/scan/extractors/index.js';
import { prepareScan, scanFiles } from '../../src/scan/scan-files.js';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) =>
  scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.spans.map((span) => [span.role, span.text, span.line])]);

const DEFAULTS = [
  '---',
  'radio_enabled: true',
  '# the container',
  'radio_image_name: "airwaves/radio"',
  'radio_image_version: "7.3.0"',
  'mixer_image_repository: registry.example.test/studio/mixer',
  'mixer_image_tag: 1.10',
  "tuner_image_repo: 'studio/tuner'",
  'tuner_image_tag: v2',
  'tuner_image_registry: mirror.example.test',
  'archive_image_name: studio/archive',
  'seed_image_name: cirros',
  'vm_image_name: studio/base-disk',
  '',
].join('\n');

const TASKS = [
  '---',
  '- name: Run the radio',
  '  community.docker.docker_container:',
  '    name: radio',
  '    image: "{{ radio_image_name }}:{{ radio_image_version }}"',
  '- name: Run the mixer',
  '  community.docker.docker_container:',
  '    name: mixer',
  '    image: "{{mixer_image_repository}}:{{mixer_image_tag}}"',
  '',
].join('\n');

describe('Ansible role variables that name an image in one key and its version in another', () => {
  it('a one-word name written with a template is not read, as a one-word name alone is not; one with a path is, `templated`', () => {
    const defaults = [
      'node_image_name: "noble-kube-{{ kube_version }}"', // 1
      'relay_image_name: "{{ mirror }}/studio/relay"', // 2
      '',
    ].join('\n');
    const vars = 'image_name: "jammy-{{ release }}"\n';
    expect(scan({ 'roles/nodes/defaults/main.yml': defaults, 'roles/probe/vars/main.yml': vars })).toEqual([
      ['roles/nodes/defaults/main.yml', 2, '{{ mirror }}/studio/relay', 'templated', [['reference', '{{ mirror }}/studio/relay', 2]]],
    ]);
  });

  it('a name written with a template takes its _image_tag sibling as a literal name does, `templated`; one with its own tag does not', () => {
    const defaults = [
      'broker_image_repo: "{{ mirror }}/studio/broker"', // 1
      'broker_image_tag: "v{{ broker_version }}"', // 2
      "relay_image_repository: '{{ mirror }}/studio/relay'", // 3
      'relay_image_tag: 2.4.1', // 4
      'gateway_image: "{{ mirror }}/studio/gateway"', // 5
      'gateway_image_tag: "3.0.0"', // 6
      'probe_image_repo: "{{ mirror }}/studio/probe:{{ probe_version }}"', // 7
      'probe_image_tag: "9.9.9"', // 8
      'monitor_image_repo: "{{ mirror }}/studio/monitor"', // 9
      '',
    ].join('\n');
    expect(scan({ 'roles/studio/defaults/main.yml': defaults })).toEqual([
      [
        'roles/studio/defaults/main.yml',
        1,
        '{{ mirror }}/studio/broker:v{{ broker_version }}',
        'templated',
        [
          ['repository', '{{ mirror }}/studio/broker', 1],
          ['tag', 'v{{ broker_version }}', 2],
        ],
      ],
      [
        'roles/studio/defaults/main.yml',
        3,
        '{{ mirror }}/studio/relay:2.4.1',
        'templated',
        [
          ['repository', '{{ mirror }}/studio/relay', 3],
          ['tag', '2.4.1', 4],
        ],
      ],
      [
        'roles/studio/defaults/main.yml',
        5,
        '{{ mirror }}/studio/gateway:3.0.0',
        'templated',
        [
          ['repository', '{{ mirror }}/studio/gateway', 5],
          ['tag', '3.0.0', 6],
        ],
      ],
      ['roles/studio/defaults/main.yml', 7, '{{ mirror }}/studio/probe:{{ probe_version }}', 'templated', [['reference', '{{ mirror }}/studio/probe:{{ probe_version }}', 7]]],
      ['roles/studio/defaults/main.yml', 9, '{{ mirror }}/studio/monitor', 'templated', [['reference', '{{ mirror }}/studio/monitor', 9]]],
    ]);
  });

  it('pairs <x>_image_name, _image_repository and _image_repo with their _image_version / _image_tag and _image_registry siblings', () => {
    expect(scan({ 'roles/radio/defaults/main.yml': DEFAULTS })).toEqual([
      [
        'roles/radio/defaults/main.yml',
        4,
        'airwaves/radio:7.3.0',
        null,
        [
          ['repository', 'airwaves/radio', 4],
          ['tag', '7.3.0', 5],
        ],
      ],
      [
        'roles/radio/defaults/main.yml',
        6,
        'registry.example.test/studio/mixer:1.10',
        null,
        [
          ['repository', 'registry.example.test/studio/mixer', 6],
          ['tag', '1.10', 7],
        ],
      ],
      [
        'roles/radio/defaults/main.yml',
        8,
        'mirror.example.test/studio/tuner:v2',
        null,
        [
          ['registry', 'mirror.example.test', 10],
          ['repository', 'studio/tuner', 8],
          ['tag', 'v2', 9],
        ],
      ],
      // A name with a path and no version beside it is reported alone; a one-word name alone, and a virtual machine's image, are not.
      ['roles/radio/defaults/main.yml', 11, 'studio/archive', 'no-tag', [['reference', 'studio/archive', 11]]],
    ]);
  });

  it('a task that only joins the two variables is not reported: the image is where they are set, in the scan or outside it', () => {
    const both = scan({ 'roles/radio/defaults/main.yml': DEFAULTS, 'roles/radio/tasks/main.yml': TASKS }).filter((row) => row[0] === 'roles/radio/tasks/main.yml');
    expect(both).toEqual([]);
    // Set by the inventory, extra vars or an operator's custom resource: nothing in the repository to pin.
    expect(scan({ 'roles/radio/tasks/main.yml': TASKS })).toEqual([]);
    const inventory = 'radio_image_name: airwaves/radio\nradio_image_version: "7.3.0"\n';
    expect(scan({ 'inventories/home/group_vars/all.yml': inventory, 'roles/radio/tasks/main.yml': TASKS }).map((row) => [row[0], row[1]])).toEqual([['inventories/home/group_vars/all.yml', 1]]);
  });

  it('a join of attributes or keys of a settings map is not reported either, in a parsed task file and in one read line by line', () => {
    const tasks = [
      '- name: Pull the relay',
      '  community.docker.docker_image:',
      '    source: pull',
      '    name: "{{ apps.relay.image_repository }}:{{ apps.relay.image_tag }}"',
      '- name: Run the relay',
      '  community.docker.docker_container:',
      '    name: relay',
      '    image: "{{ apps.relay.registry }}/{{ apps.relay.image_repository }}:{{ apps.relay.image_tag }}"',
      '- name: Run the probe',
      '  community.docker.docker_container:',
      '    name: probe',
      "    image: \"{{ probe['image'] }}:{{ probe['tags'][0] }}\"",
      '',
    ].join('\n');
    expect(scan({ 'roles/edge/tasks/main.yml': tasks })).toEqual([]);
    // A task file that YAML cannot read until Jinja renders it (an unquoted action as a key) is read line by line, with the same rule.
    const broken = ['- name: Run the relay', '  community.docker.docker_container:', '    {{ relay_args }}', '    image: "{{ apps.relay.image_repository }}:{{ apps.relay.image_tag }}"', ''].join(
      '\n',
    );
    expect(scan({ 'roles/edge/tasks/relay.yml': broken })).toEqual([]);
  });

  it('a join with a filter, a literal or text of its own around the attributes stays templated', () => {
    const joins = [
      '- name: Run the relay',
      '  community.docker.docker_container:',
      '    name: relay',
      '    image: "{{ apps.relay.image_repository }}:{{ apps.relay.image_tag | default(\'2.4.1\') }}"',
      '- name: Run the mirror',
      '  community.docker.docker_container:',
      '    name: mirror',
      '    image: "mirror.example.test/{{ apps.relay.image_repository }}:{{ apps.relay.image_tag }}"',
      '',
    ].join('\n');
    expect(scan({ 'roles/edge/tasks/main.yml': joins }).map((row) => [row[1], row[2], row[3]])).toEqual([
      [4, "{{ apps.relay.image_repository }}:{{ apps.relay.image_tag | default('2.4.1') }}", 'templated'],
      [8, 'mirror.example.test/{{ apps.relay.image_repository }}:{{ apps.relay.image_tag }}', 'templated'],
    ]);
  });

  it('a join with text of its own besides the variables stays templated', () => {
    const joins = [
      '- name: Set the images',
      '  ansible.builtin.set_fact:',
      '    custom_image: "{{ image }}:{{ image_version }}"',
      '    mirrored_image: "mirror.example.test/{{ image }}:{{ image_version }}"',
      '    suffixed_image: "{{ image }}:{{ image_version }}-slim"',
      '',
    ].join('\n');
    expect(scan({ 'roles/app/tasks/images.yml': joins })).toEqual([
      ['roles/app/tasks/images.yml', 4, 'mirror.example.test/{{ image }}:{{ image_version }}', 'templated', [['reference', 'mirror.example.test/{{ image }}:{{ image_version }}', 4]]],
      ['roles/app/tasks/images.yml', 5, '{{ image }}:{{ image_version }}-slim', 'templated', [['reference', '{{ image }}:{{ image_version }}-slim', 5]]],
    ]);
  });

  it('an update edits the version literal only, byte for byte', () => {
    const file = sourceFile('roles/radio/defaults/main.yml', new Uint8Array(Buffer.from(DEFAULTS.replace(/\n/g, '\r\n'), 'latin1')));
    const [radio] = scanFiles([file]).references;
    const plan = editsForReference(radio!, { tag: '7.4.0', digest: null });
    if (!plan.ok) throw new Error(plan.reason);
    expect(plan.edits.map((edit) => [edit.expected, edit.replacement])).toEqual([['7.3.0', '7.4.0']]);
    expect(Buffer.from(applyEdits(file.bytes, plan.edits)).toString('latin1')).toBe(DEFAULTS.replace(/\n/g, '\r\n').replace('radio_image_version: "7.3.0"', 'radio_image_version: "7.4.0"'));
  });
});

describe('Hiera image keys split as <x>::image::name and <x>::image::version', () => {
  it('pairs them, with ::tag, ::registry and ::digest siblings; a one-word name alone is not an image', () => {
    const data = [
      '---',
      "profile::ledger::image::name: 'books/ledger'",
      "profile::ledger::image::version: '5.2.7'",
      'profile::relay::image::repository: books/relay',
      'profile::relay::image::tag: "1.20"',
      'profile::relay::image::registry: mirror.example.test:5000',
      'profile::spool::image::name: books/spool',
      `profile::spool::image::digest: 'sha256:${'a'.repeat(64)}'`,
      'profile::openstack::image::name: cirros',
      '',
    ].join('\n');
    expect(scan({ 'data/common.yaml': data })).toEqual([
      [
        'data/common.yaml',
        2,
        'books/ledger:5.2.7',
        null,
        [
          ['repository', 'books/ledger', 2],
          ['tag', '5.2.7', 3],
        ],
      ],
      [
        'data/common.yaml',
        4,
        'mirror.example.test:5000/books/relay:1.20',
        null,
        [
          ['registry', 'mirror.example.test:5000', 6],
          ['repository', 'books/relay', 4],
          ['tag', '1.20', 5],
        ],
      ],
      [
        'data/common.yaml',
        7,
        `books/spool@sha256:${'a'.repeat(64)}`,
        null,
        [
          ['repository', 'books/spool', 7],
          ['digest', `sha256:${'a'.repeat(64)}`, 8],
        ],
      ],
    ]);
  });
});

describe('Puppet parameters split the same way', () => {
  it('pairs $<x>_image_name with $<x>_image_version', () => {
    const manifest = [
      'class studio::radio (',
      "  String $radio_image_name    = 'airwaves/radio',",
      "  String $radio_image_version = '7.3.0',",
      "  String $seed_image_name     = 'cirros',",
      ') {}',
      '',
    ].join('\n');
    expect(scan({ 'manifests/radio.pp': manifest })).toEqual([
      [
        'manifests/radio.pp',
        2,
        'airwaves/radio:7.3.0',
        null,
        [
          ['repository', 'airwaves/radio', 2],
          ['tag', '7.3.0', 3],
        ],
      ],
    ]);
  });
});

describe('Ansible tasks that pull each image of a loop', () => {
  it('reports each item of loop: and with_items: at its own line, and nothing for a task that removes them', () => {
    const tasks = [
      '- name: Fetch helpers',
      '  community.docker.docker_image:',
      '    name: "{{ item }}"',
      '    source: pull',
      '  loop:',
      '    - "studio/probe:3.1"',
      '    - studio/fonts:2024.1',
      '- name: Fetch sidecars',
      '  containers.podman.podman_image:',
      '    name: "{{ item }}"',
      "  with_items: ['studio/sidecar:5.0.1', studio/metrics]",
      '- name: Drop the old ones',
      '  docker_image:',
      '    name: "{{ item }}"',
      '    state: absent',
      '  loop: [studio/probe:3.0]',
      '',
    ].join('\n');
    expect(scan({ 'playbooks/pull.yml': tasks })).toEqual([
      ['playbooks/pull.yml', 6, 'studio/probe:3.1', null, [['reference', 'studio/probe:3.1', 6]]],
      ['playbooks/pull.yml', 7, 'studio/fonts:2024.1', null, [['reference', 'studio/fonts:2024.1', 7]]],
      ['playbooks/pull.yml', 11, 'studio/sidecar:5.0.1', null, [['reference', 'studio/sidecar:5.0.1', 11]]],
      ['playbooks/pull.yml', 11, 'studio/metrics', 'no-tag', [['reference', 'studio/metrics', 11]]],
    ]);
  });

  it("a loop over a role variable reports that list's items in the role's defaults, and re-scanning the defaults alone with the scan's facts finds them", () => {
    const tasks = ['- name: Fetch the extra images', '  community.docker.docker_image_pull:', '    name: "{{ item }}"', '  loop: "{{ radio_extra_images }}"', ''].join('\n');
    const defaults = ['radio_extra_images:', '  - studio/jingles:2.2', "  - 'studio/ads:0.4.1'", 'radio_other_images:', '  - studio/unused:1.0', ''].join('\n');
    const files = { 'roles/radio/tasks/pull.yml': tasks, 'roles/radio/defaults/main.yml': defaults, 'roles/other/defaults/main.yml': defaults };
    expect(scan(files)).toEqual([
      ['roles/radio/defaults/main.yml', 2, 'studio/jingles:2.2', null, [['reference', 'studio/jingles:2.2', 2]]],
      ['roles/radio/defaults/main.yml', 3, 'studio/ads:0.4.1', null, [['reference', 'studio/ads:0.4.1', 3]]],
    ]);
    const sources = Object.entries(files).map(([path, text]) => sourceFile(path, Buffer.from(text, 'utf8')));
    const context = prepareScan(sources);
    const edited = sourceFile('roles/radio/defaults/main.yml', Buffer.from(defaults.replace('jingles:2.2', 'jingles:2.3'), 'utf8'));
    expect(scanFiles([edited], EXTRACTORS, context).references.map((reference) => [reference.line, reference.value])).toEqual([
      [2, 'studio/jingles:2.3'],
      [3, 'studio/ads:0.4.1'],
    ]);
  });
});

describe('a snake_case key whose last word is image', () => {
  it('holds an image as image: does, a name with a tag alone included; image as a word inside a key needs a path', () => {
    const vars = [
      '- name: Apply the probe pod',
      '  kubernetes.core.k8s:',
      '    template: probe-pod.j2',
      '  vars:',
      '    probe_pod_image: "toolbox:2.4.0"',
      '    sidecar_image: relay',
      '    probe_image_alpine: toolbox:2.4.0',
      '    probe_image_tools: registry.example.test/probe/tools:2.4.0',
      '',
    ].join('\n');
    expect(scan({ 'probes/tasks/main.yml': vars })).toEqual([
      ['probes/tasks/main.yml', 5, 'toolbox:2.4.0', null, [['reference', 'toolbox:2.4.0', 5]]],
      ['probes/tasks/main.yml', 6, 'relay', 'no-tag', [['reference', 'relay', 6]]],
      ['probes/tasks/main.yml', 8, 'registry.example.test/probe/tools:2.4.0', null, [['reference', 'registry.example.test/probe/tools:2.4.0', 8]]],
    ]);
  });
});
