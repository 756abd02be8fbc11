/** Compose files kept as templates that a configuration tool (Ansible) renders before compose reads them. */
import { describe, expect, it } from 'vitest';
import { dependenciesOf } from '../../src/core/dependency.js';
import { sourceFile } from '../../src/core/source-file.js';
import { planUpdates } from '../../src/plan/plan-updates.js';
import { scanSources, verifyEdits } from '../../src/pipeline/pipeline.js';
import { scanTexts } from '../support/scan-texts.js';

const compose = [
  'services:', // 1
  '  relay:', // 2
  '    image: "{{ relay_image }}"', // 3
  '  cache:', // 4
  '    image: "{{ cache_image }}:7"', // 5
  '  proxy:', // 6
  '    image: "{{ proxy_registry }}/proxy:{{ proxy_tag }}"', // 7
  '  shell:', // 8
  '    image: example/shell:1.0', // 9
  '',
].join('\n');

describe('compose templates', () => {
  it('an image passed on through one template variable is not a reference (the variable, where it is written as an image, is); other template values stay templated', () => {
    const scanned = scanTexts({ 'services/edge/compose.yaml': compose, 'group_vars/edge.yaml': 'relay_image: registry.example.test/relay:3.0\n' });
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip])).toEqual([
      ['group_vars/edge.yaml', 1, 'registry.example.test/relay:3.0', 'yaml-image', null],
      ['services/edge/compose.yaml', 7, '{{ proxy_registry }}/proxy:{{ proxy_tag }}', 'compose-service', 'templated'],
      ['services/edge/compose.yaml', 9, 'example/shell:1.0', 'compose-service', null],
    ]);
  });
});

/** An Ansible role's compose template: Jinja on some lines, compose's own `${TAG:-default}` on others. */
const roleCompose = [
  'services:', // 1
  '  web:', // 2
  '    container_name: {{ web_container }}', // 3
  '    image: registry.example.test/team/web:${WEB_TAG:-stable}', // 4
  '    user: {{ web_uid }}:{{ web_uid }}', // 5
  '  worker:', // 6
  '    image: registry.example.test/team/worker:${WORKER_TAG:-{{ worker_tag }}}', // 7
  '  cache:', // 8
  '    image: registry.example.test/team/cache:${CACHE_TAG}', // 9
  '',
].join('\n');

describe('compose templates with compose interpolation', () => {
  it('resolves a compose default on an image line with no template action, as compose does; a line with one, or a variable without a default, stays templated', () => {
    const scanned = scanTexts({
      'roles/web/templates/app.docker-compose.yaml': roleCompose,
      'roles/web/templates/app.stack.yaml': roleCompose,
    });
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.value, reference.skip])).toEqual([
      ['roles/web/templates/app.docker-compose.yaml', 4, 'registry.example.test/team/web:stable', null],
      ['roles/web/templates/app.docker-compose.yaml', 7, 'registry.example.test/team/worker:${WORKER_TAG:-{{ worker_tag }}}', 'templated'],
      ['roles/web/templates/app.docker-compose.yaml', 9, 'registry.example.test/team/cache:${CACHE_TAG}', 'templated'],
      ['roles/web/templates/app.stack.yaml', 4, 'registry.example.test/team/web:${WEB_TAG:-stable}', 'templated'],
      ['roles/web/templates/app.stack.yaml', 7, 'registry.example.test/team/worker:${WORKER_TAG:-{{ worker_tag }}}', 'templated'],
      ['roles/web/templates/app.stack.yaml', 9, 'registry.example.test/team/cache:${CACHE_TAG}', 'templated'],
    ]);
    const web = scanned.references[0]!;
    expect(web.spans.map((span) => [span.role, span.text])).toEqual([
      ['template', 'registry.example.test/team/web:${WEB_TAG:-stable}'],
      ['variable', 'stable'],
    ]);
  });
});

/** Compose files kept as Jinja templates: named `docker-compose.yml.j2`, or named otherwise (`templates/app.j2`) with a compose file's shape. */
const jinjaCompose = [
  '# rendered by the deploy role', // 1
  'x-logging: &logging', // 2
  '  driver: json-file', // 3
  'services:', // 4
  '{% if with_app %}', // 5
  '  app:', // 6
  '    image: registry.example.test/team/app:${APP_VERSION:-1.4.2}', // 7
  '    container_name: {{ app_name }}', // 8
  '{% endif %}', // 9
  '  queue:', // 10
  '    image: registry.example.test/team/queue:{{ queue_tag }}', // 11
  '  worker:', // 12
  '    image: ${WORKER_IMAGE:-registry.example.test/team/worker:2.0.3}', // 13
  '  relay:', // 14
  '    image: "{{ relay_image }}"', // 15
  '  shell:', // 16
  '    image: registry.example.test/team/shell:${SHELL_TAG}', // 17
  'volumes:', // 18
  '  data: {}', // 19
  '',
].join('\n');
/** Other Jinja templates that are not compose files, each with an image line compose would resolve. */
const taskList = ['- name: start the app', '  community.docker.docker_container:', '    name: app', '    image: registry.example.test/team/task:${TASK_TAG:-3.0.0}', ''].join('\n');
const pod = [
  'apiVersion: v1',
  'kind: Pod',
  'metadata:',
  '  name: {{ pod_name }}',
  'spec:',
  '  containers:',
  '    - name: app',
  '      image: registry.example.test/team/pod:${POD_TAG:-5.0.0}',
  '',
].join('\n');
const pipeline = ['services:', '  db:', '    image: registry.example.test/team/db:${DB_TAG:-1.0.0}', 'steps:', '  - name: test', ''].join('\n');
const serviceList = ['services:', '  - registry.example.test/team/dind:${DIND_TAG:-27.0.1}', ''].join('\n');

describe('compose files kept as Jinja templates under other names', () => {
  const files = {
    'roles/deploy/templates/docker-compose.yml.j2': jinjaCompose,
    'roles/deploy/templates/app.j2': jinjaCompose,
    'roles/deploy/templates/tasks.j2': taskList,
    'roles/deploy/templates/pod.j2': pod,
    'roles/deploy/templates/ci.j2': pipeline,
    'roles/deploy/templates/runner.j2': serviceList,
  };
  const scanned = scanSources(Object.entries(files).map(([name, text]) => sourceFile(name, new Uint8Array(Buffer.from(text)))));

  it('resolves compose defaults on image lines without a template action, in compose-shaped templates only', () => {
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.value, reference.skip])).toEqual([
      ['roles/deploy/templates/app.j2', 7, 'registry.example.test/team/app:1.4.2', null],
      ['roles/deploy/templates/app.j2', 11, 'registry.example.test/team/queue:{{ queue_tag }}', 'templated'],
      ['roles/deploy/templates/app.j2', 13, 'registry.example.test/team/worker:2.0.3', null],
      ['roles/deploy/templates/app.j2', 17, 'registry.example.test/team/shell:${SHELL_TAG}', 'templated'],
      ['roles/deploy/templates/docker-compose.yml.j2', 7, 'registry.example.test/team/app:1.4.2', null],
      ['roles/deploy/templates/docker-compose.yml.j2', 11, 'registry.example.test/team/queue:{{ queue_tag }}', 'templated'],
      ['roles/deploy/templates/docker-compose.yml.j2', 13, 'registry.example.test/team/worker:2.0.3', null],
      ['roles/deploy/templates/docker-compose.yml.j2', 17, 'registry.example.test/team/shell:${SHELL_TAG}', 'templated'],
      // A Kubernetes object kept so is read as a YAML template, its `${POD_TAG:-5.0.0}` left as it is.
      ['roles/deploy/templates/pod.j2', 8, 'registry.example.test/team/pod:${POD_TAG:-5.0.0}', 'templated'],
    ]);
    expect(scanned.references[0]!.spans.map((span) => [span.role, span.text, span.line])).toEqual([
      ['template', 'registry.example.test/team/app:${APP_VERSION:-1.4.2}', 7],
      ['variable', '1.4.2', 7],
    ]);
  });

  it('edits the tag in the default and pins after the reference', () => {
    const D1 = `sha256:${'1'.repeat(64)}`;
    const app = dependenciesOf(scanned.references.filter((reference) => reference.file.endsWith('app.j2'))).find((dependency) => dependency.location.repository === 'team/app');
    const plan = planUpdates([{ dependency: app!, update: { tag: '1.4.3', digest: D1, updateType: 'patch', platforms: ['linux/amd64'], fromPlatforms: ['linux/amd64'] }, held: [], error: null }]);
    expect(plan.failures).toEqual([]);
    expect(verifyEdits(plan.fileEdits, scanned).map((outcome) => [outcome.file, outcome.ok ? Buffer.from(outcome.bytes).toString() : outcome.reason])).toEqual([
      ['roles/deploy/templates/app.j2', jinjaCompose.replace('${APP_VERSION:-1.4.2}', `\${APP_VERSION:-1.4.3}@${D1}`)],
    ]);
  });
});

/** A role's compose template with a template action where YAML reads a flow map (`- {{ data_dir }}/web:/data`): not YAML until rendered. */
const unquotedCompose = [
  '{% if edge_network %}', // 1
  'networks:', // 2
  '  edge: {}', // 3
  '{% endif %}', // 4
  'services:', // 5
  '  web:', // 6
  '    image: registry.example.test/team/web:${WEB_TAG:-2.4.1}', // 7
  '    volumes:', // 8
  '      - {{ data_dir }}/web:/data', // 9
  '  cache:', // 10
  '    image: registry.example.test/team/cache:7.2', // 11
  '',
].join('\n');

describe('compose templates YAML cannot read before rendering', () => {
  it("report their services' images as compose's, read line by line; other YAML so read stays yaml-image", () => {
    const scanned = scanTexts({
      'roles/web/templates/compose.yaml': unquotedCompose,
      'roles/web/templates/settings.yaml': ['web:', '  image: registry.example.test/team/web:2.4.1', '  paths:', '    - {{ data_dir }}/web', ''].join('\n'),
    });
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip])).toEqual([
      ['roles/web/templates/compose.yaml', 7, 'registry.example.test/team/web:2.4.1', 'compose-service', null],
      ['roles/web/templates/compose.yaml', 11, 'registry.example.test/team/cache:7.2', 'compose-service', null],
      ['roles/web/templates/settings.yaml', 2, 'registry.example.test/team/web:2.4.1', 'yaml-image', null],
    ]);
  });
});

describe('compose files kept as Jinja templates with YAML document markers', () => {
  it('a compose-shaped template that starts with --- and ends with ... is read as compose; a task list so marked is not', () => {
    const marked = [
      '---', // 1
      '# rendered by the lab role', // 2
      'services:', // 3
      '  web:', // 4
      '    image: registry.example.test/lab/web:2.4.1', // 5
      '{% for tab in lab_tabs %}', // 6
      '  {{ tab }}:', // 7
      '    image: registry.example.test/lab/terminal:{{ terminal_tag }}', // 8
      '{% endfor %}', // 9
      '...', // 10
      '',
    ].join('\n');
    const tasks = ['---', '- name: Start the lab', '  ansible.builtin.command: podman-compose up -d', '  environment:', '    image: registry.example.test/lab/web:2.4.1', ''].join('\n');
    const scanned = scanTexts({ 'roles/lab/templates/lab.j2': marked, 'roles/lab/templates/start.j2': tasks });
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip])).toEqual([
      ['roles/lab/templates/lab.j2', 5, 'registry.example.test/lab/web:2.4.1', 'yaml-template', null],
      ['roles/lab/templates/lab.j2', 8, 'registry.example.test/lab/terminal:{{ terminal_tag }}', 'yaml-template', 'templated'],
    ]);
  });
});

/** A Puppet module's compose template, named as a compose file with `.erb` before `.yml`, and the class that renders it. */
const mailClass = [
  'class relay::mail (', // 1
  "  String $mail_image = 'registry.example.test/team/mail',", // 2
  "  String $mail_tag   = '3.2.1',", // 3
  ') {', // 4
  "  file { '/opt/mail/docker-compose.yml': content => template('relay/mail/docker-compose.erb.yml') }", // 5
  '}', // 6
  '',
].join('\n');
const mailCompose = [
  'services:', // 1
  '  mail:', // 2
  '    image: <%= @mail_image %>:<%= @mail_tag %>', // 3
  '  archive:', // 4
  '    image: "<%= @registry -%>/<%= @archive_image -%>:<%= @archive_tag -%>"', // 5
  '  sidecar:', // 6
  "    image: <%= scope['relay::mail::sidecar_image'] %>", // 7
  '  proxy:', // 8
  '    image: registry.example.test/team/proxy:<%= @proxy_tag %>', // 9
  '  store:', // 10
  '    image: <%= @store_registry %>/team/store:<%= @store_tag %>', // 11
  '  shell:', // 12
  '    image: registry.example.test/team/shell:1.0', // 13
  '',
].join('\n');
const roleJoinCompose = [
  'services:', // 1
  '  relay:', // 2
  '    image: "{{ relay_image }}:{{ relay_tag }}"', // 3
  '  edge:', // 4
  '    image: "{{ edge_registry }}/{{ edge_image }}:{{ edge_tag | default(\'\') }}"', // 5
  '',
].join('\n');

describe('compose templates whose image is only the renderer’s variables', () => {
  it('an image made only of ERB or Jinja variables (a name and its tag joined, or one alone) passes on the image the class or role sets; text of its own stays templated', () => {
    const scanned = scanTexts({
      'manifests/mail.pp': mailClass,
      'templates/mail/docker-compose.erb.yml': mailCompose,
      'roles/relay/templates/docker-compose.yml': roleJoinCompose,
    });
    expect(scanned.references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip])).toEqual([
      ['manifests/mail.pp', 2, 'registry.example.test/team/mail:3.2.1', 'puppet', null],
      ['templates/mail/docker-compose.erb.yml', 9, 'registry.example.test/team/proxy:<%= @proxy_tag %>', 'compose-service', 'templated'],
      ['templates/mail/docker-compose.erb.yml', 11, '<%= @store_registry %>/team/store:<%= @store_tag %>', 'compose-service', 'templated'],
      ['templates/mail/docker-compose.erb.yml', 13, 'registry.example.test/team/shell:1.0', 'compose-service', null],
    ]);
  });
});
