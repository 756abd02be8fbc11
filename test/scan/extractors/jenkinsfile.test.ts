import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../../src/core/source-file.js';
import { applyEdits } from '../../../src/core/text-edit.js';
import type { Reference } from '../../../src/core/types.js';
import { editsForReference } from '../../../src/plan/edits-for-reference.js';
import { scanFiles } from '../../../src/scan/scan-files.js';

const scan = (text: string, path = 'vars/buildPod.groovy') => scanFiles([sourceFile(path, Buffer.from(text, 'utf8'))]).references;
const brief = (references: readonly Reference[]) =>
  references.map((reference) => [reference.line, reference.column, reference.value, reference.skip, reference.detail ?? null, reference.spans.map((span) => [span.role, span.text, span.line])]);

const STEP = [
  '// A library step that runs its body beside a compiler and an agent.',
  'def call(Map options = [:], Closure body) {',
  "    def compilerImage = options.get('compilerImage', 'registry.example.test/build/gcc:14.2')",
  "    def agentImage = isMirrored() ? 'mirror.example.test/agent:5.0' : 'agent/inbound:5.0'",
  "    def lintImage = (options.lint ?: 'example/linter:1.8')",
  '    podTemplate(containers: [',
  '        containerTemplate(name: \'jnlp\', image: "${agentImage}"),',
  "        containerTemplate(name: 'cc', image: \"${compilerImage}\", command: 'cat'),",
  '        containerTemplate(name: \'lint\', image: "$lintImage"),',
  '        containerTemplate(name: \'cc2\', image: "${compilerImage}"),',
  '    ]) { body() }',
  '}',
  '',
].join('\n');

describe('Jenkins shared libraries: images through Groovy variables with defaults', () => {
  it('reports each literal an image takes where it is written, and not the uses', () => {
    expect(brief(scan(STEP))).toEqual([
      [
        3,
        55,
        'registry.example.test/build/gcc:14.2',
        null,
        "default of compilerImage (options.get('compilerImage')), the image at lines 8, 10; a caller may pass another image",
        [['reference', 'registry.example.test/build/gcc:14.2', 3]],
      ],
      [4, 38, 'mirror.example.test/agent:5.0', null, 'one of two values of agentImage, the image at line 7', [['reference', 'mirror.example.test/agent:5.0', 4]]],
      [4, 72, 'agent/inbound:5.0', null, 'one of two values of agentImage, the image at line 7', [['reference', 'agent/inbound:5.0', 4]]],
      [5, 39, 'example/linter:1.8', null, 'default of lintImage (options.lint ?:), the image at line 9; a caller may pass another image', [['reference', 'example/linter:1.8', 5]]],
    ]);
  });

  it('an update changes only the literal, byte for byte, and a re-scan finds the new image there', () => {
    const text = STEP.replace(/\n/g, '\r\n');
    const agent = scan(text).find((reference) => reference.value === 'agent/inbound:5.0')!;
    const digest = `sha256:${'d'.repeat(64)}`;
    const plan = editsForReference(agent, { tag: '5.1', digest });
    if (!plan.ok) throw new Error(plan.reason);
    const edited = Buffer.from(applyEdits(Buffer.from(text, 'utf8'), plan.edits)).toString('utf8');
    expect(edited).toBe(text.replace("'agent/inbound:5.0'", `'agent/inbound:5.1@${digest}'`));
    expect(scan(edited).map((reference) => [reference.line, reference.value])).toEqual([
      [3, 'registry.example.test/build/gcc:14.2'],
      [4, 'mirror.example.test/agent:5.0'],
      [4, `agent/inbound:5.1@${digest}`],
      [5, 'example/linter:1.8'],
    ]);
  });

  it('a default inside a longer image string is resolved at the use, the detail naming it', () => {
    const text = ["def tag = params.kanikoTag ?: 'v1.23.2-debug'", 'podTemplate(containers: [containerTemplate(name: \'k\', image: "gcr.io/kaniko-project/executor:${tag}")]) {}', ''].join('\n');
    expect(brief(scan(text, 'Jenkinsfile'))).toEqual([
      [
        2,
        63,
        'gcr.io/kaniko-project/executor:v1.23.2-debug',
        null,
        'image; default of tag (params.kanikoTag ?:, line 1); a caller may pass another image',
        [
          ['template', 'gcr.io/kaniko-project/executor:${tag}', 2],
          ['variable', 'v1.23.2-debug', 1],
        ],
      ],
    ]);
  });

  it('a variable archpin cannot know keeps the use templated, the detail naming it', () => {
    const text = [
      'def call(Map options = [:]) {',
      "    def fromCaller = options.get('image')",
      '    def fromMap = options.image',
      "    def twice = 'example/one:1.0'",
      "    twice = 'example/two:2.0'",
      "    def joined = 'example/app:' + options.tag",
      "    def version = options.fast ? '1.0' : '2.0'",
      '    podTemplate(containers: [',
      '        containerTemplate(name: \'a\', image: "${fromCaller}"),',
      '        containerTemplate(name: \'b\', image: "${fromMap}"),',
      '        containerTemplate(name: \'c\', image: "${twice}"),',
      '        containerTemplate(name: \'d\', image: "${joined}"),',
      '        containerTemplate(name: \'e\', image: "example/tool:${version}"),',
      '        containerTemplate(name: \'f\', image: "${nowhere}"),',
      '    ]) {}',
      '}',
      '',
    ].join('\n');
    expect(scan(text).map((reference) => [reference.line, reference.value, reference.skip, reference.detail])).toEqual([
      [9, '${fromCaller}', 'templated', 'image; fromCaller (line 2) is not set to a literal'],
      [10, '${fromMap}', 'templated', 'image; fromMap (line 3) is not set to a literal'],
      [11, '${twice}', 'templated', 'image; twice is assigned more than once (lines 4, 5)'],
      [12, '${joined}', 'templated', 'image; joined (line 6) is not set to a literal'],
      [13, 'example/tool:${version}', 'templated', 'image; version is one of two values (line 7)'],
      [14, '${nowhere}', 'templated', 'image; ${nowhere} is not set in this file'],
    ]);
  });

  it('bounds its work on hostile files: thousands of assignments, one name assigned thousands of times', () => {
    const many = Array.from({ length: 5000 }, (_, index) => `def image${index} = flag ? 'example/a:${index}.0' : 'example/b:${index}.0'`);
    const uses = Array.from({ length: 5000 }, (_, index) => `containerTemplate(name: 'c${index}', image: "\${image${index}}")`);
    const again = Array.from({ length: 3000 }, () => 'shared = nextImage()');
    const text = [
      ...many,
      ...again,
      "def shared = options.get('shared', 'example/shared:1.0')",
      'podTemplate(containers: [',
      ...uses,
      'containerTemplate(name: "s", image: "${shared}")',
      ']) {}',
      '',
    ].join('\n');
    const references = scan(text, 'Jenkinsfile');
    expect(references.length).toBe(10001);
    expect(references.slice(0, 2).map((reference) => reference.value)).toEqual(['example/a:0.0', 'example/b:0.0']);
    expect(references.at(-2)?.value).toBe('example/b:4999.0');
    expect(references.at(-1)?.detail).toBe('image; shared is assigned more than once (lines 5001, 5002, 5003, 5004, 5005, …)');
  });

  it('names at most five lines of use in the detail of a literal used thousands of times', () => {
    const uses = Array.from({ length: 3000 }, (_, index) => `containerTemplate(name: 'c${index}', image: "\${runner}")`);
    const text = ["def runner = options.get('runner', 'example/runner:2.1')", 'podTemplate(containers: [', ...uses, ']) {}', ''].join('\n');
    expect(scan(text, 'Jenkinsfile').map((reference) => [reference.line, reference.value, reference.detail])).toEqual([
      [1, 'example/runner:2.1', "default of runner (options.get('runner')), the image at lines 3, 4, 5, 6, 7, …; a caller may pass another image"],
    ]);
  });

  it('a string joined with + is only the start of an image: a variable named image so built is read at its uses, an image field so written is templated', () => {
    const text = [
      'pipeline {',
      "    agent { label 'linux' }",
      '    stages {',
      "        stage('test') {",
      '            steps {',
      '                script {',
      '                    def image = "registry.example.test/suite/runner:" + params.tag',
      '                    sh "docker pull ${image}"',
      "                    docker.image('example/linter:' + params.lintTag).inside { sh 'lint' }",
      "                    def other = 'example/static:4.1'",
      "                    image = 'example/whole:2.0'",
      '                }',
      '            }',
      '        }',
      '    }',
      '}',
      '',
    ].join('\n');
    expect(scan(text, 'Jenkinsfile').map((reference) => [reference.line, reference.value, reference.skip, reference.detail])).toEqual([
      [9, 'example/linter:', 'templated', 'docker.image; joined with + to what follows'],
    ]);
  });

  it('an assignment to image or to a property named image is not an image field: the value is read where an image field uses it', () => {
    const text = [
      'class Agent {',
      '    def run(Map config) {',
      "        def registry = env.REGISTRY ?: 'registry.example.test'",
      '        config.image = "${registry}/${config.streamTag}"',
      "        image = 'example/whole:2.0'",
      "        def tool = 'example/tool:1.2'",
      '        def image = "example/runner:${config.tag}"',
      '        podTemplate(containers: [',
      "            containerTemplate(name: 'jnlp', image: config.image),",
      '            containerTemplate(name: \'tool\', image: "${tool}"),',
      '        ]) {}',
      '    }',
      '}',
      '',
    ].join('\n');
    expect(brief(scan(text, 'src/org/example/Agent.groovy'))).toEqual([
      [
        10,
        53,
        'example/tool:1.2',
        null,
        'image',
        [
          ['template', '${tool}', 10],
          ['variable', 'example/tool:1.2', 6],
        ],
      ],
    ]);
  });

  it("a map literal's image entry is an image only when an image field of the file reads that property", () => {
    const read = [
      "def TOOLCHAIN = '14.2'",
      'def targets = [',
      "    'el9': [name: 'el9', image: \"registry.example.test/ci/el9:${TOOLCHAIN}\"],",
      "    'bookworm': [name: 'bookworm', image: 'registry.example.test/ci/bookworm:2.1'],",
      ']',
      'for (target in targets.keySet()) {',
      '    node {',
      '        docker.image(targets[target].image).inside { sh "make" }',
      '    }',
      '}',
      '',
    ].join('\n');
    expect(scan(read, 'Jenkinsfile').map((reference) => [reference.line, reference.value, reference.skip])).toEqual([
      [3, 'registry.example.test/ci/el9:14.2', null],
      [4, 'registry.example.test/ci/bookworm:2.1', null],
    ]);
    const declarative = [
      "def tools = [lint: [image: 'registry.example.test/ci/lint:0.9'], test: [image: 'registry.example.test/ci/test:3.0']]",
      'pipeline {',
      '    agent { docker { image "${tools.lint.image}" } }',
      '    stages { stage("lint") { steps { sh "lint" } } }',
      '}',
      '',
    ].join('\n');
    expect(scan(declarative, 'Jenkinsfile').map((reference) => [reference.line, reference.value, reference.skip])).toEqual([
      [1, 'registry.example.test/ci/lint:0.9', null],
      [1, 'registry.example.test/ci/test:3.0', null],
      [3, '${tools.lint.image}', 'templated'],
    ]);
    const unread = [
      "def report = [title: 'nightly', image: 'registry.example.test/ci/notes:1.0']",
      "def matrix = [[os: 'el9', image: 'registry.example.test/ci/el9:14.2']]",
      'podTemplate(containers: [',
      "    containerTemplate(name: 'cc', image: 'registry.example.test/ci/cc:14.2'),",
      ']) {',
      '    node(POD_LABEL) { sh "publish ${report.image} ${matrix[0].image}" }',
      '}',
      '',
    ].join('\n');
    expect(scan(unread, 'Jenkinsfile').map((reference) => [reference.line, reference.value, reference.skip])).toEqual([[4, 'registry.example.test/ci/cc:14.2', null]]);
  });
});

describe('Jenkins pod YAML kept in a variable', () => {
  const POD = [
    "def toolVersion = '1.8.2'",
    "def jdk = '21'",
    'def podYaml = """',
    'apiVersion: v1',
    'kind: Pod',
    'spec:',
    '  containers:',
    '  - name: builder',
    '    image: registry.example.test/build/toolbox:${toolVersion}-jdk${jdk}',
    '  - name: helper',
    "    image: 'busybox:1.36.1'",
    '  - name: signer',
    '    image: registry.example.test/sign/${flavour}:2.0',
    '"""',
    "def notesYaml = '''",
    'spec:',
    '  containers:',
    '  - image: alpine:3.20.3',
    "'''",
    'def runOn(cfg) {',
    '    podTemplate(yaml: cfg) { node(POD_LABEL) { sh "make" } }',
    '}',
    'pipeline {',
    '    agent { kubernetes { yaml podYaml } }',
    '    stages { stage("pack") { steps { script { podTemplate(yaml: podYaml) { node(POD_LABEL) { sh "pack" } } } } } }',
    '}',
    '',
  ].join('\n');

  it('reads the YAML that a pod field is given by name once, where it is written, resolving the variables of the file', () => {
    expect(brief(scan(POD, 'Jenkinsfile'))).toEqual([
      [
        9,
        12,
        'registry.example.test/build/toolbox:1.8.2-jdk21',
        null,
        'pod YAML',
        [
          ['template', 'registry.example.test/build/toolbox:${toolVersion}-jdk${jdk}', 9],
          ['variable', '1.8.2', 1],
          ['variable', '21', 2],
        ],
      ],
      [11, 13, 'busybox:1.36.1', null, 'pod YAML', [['reference', 'busybox:1.36.1', 11]]],
      [13, 12, 'registry.example.test/sign/${flavour}:2.0', 'templated', 'pod YAML; ${flavour} is not set in this file', [['reference', 'registry.example.test/sign/${flavour}:2.0', 13]]],
    ]);
  });

  it('an update of the resolved image changes the literal, and a re-scan finds the new image there', () => {
    const [toolbox] = scan(POD, 'Jenkinsfile');
    const plan = editsForReference(toolbox!, { tag: '1.9.0-jdk21', digest: null });
    if (!plan.ok) throw new Error(plan.reason);
    const updated = Buffer.from(applyEdits(Buffer.from(POD, 'utf8'), plan.edits)).toString('utf8');
    expect(updated).toBe(POD.replace("'1.8.2'", "'1.9.0'"));
    expect(scan(updated, 'Jenkinsfile')[0]?.value).toBe('registry.example.test/build/toolbox:1.9.0-jdk21');
  });
});
