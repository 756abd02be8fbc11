import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { applyEdits } from '../../src/core/text-edit.js';
import type { Reference } from '../../src/core/types.js';
import { editsForReference } from '../../src/plan/edits-for-reference.js';
import { scanFiles } from '../../src/scan/scan-files.js';

const scan = (text: string, path = 'Jenkinsfile') => scanFiles([sourceFile(path, Buffer.from(text, 'utf8'))]).references;
const brief = (references: readonly Reference[]) => references.map((reference) => [reference.line, reference.value, reference.skip, reference.detail ?? null]);

const SCRIPTED = [
  "// A comment's docker.withRegistry('https://wrong.example.test', 'x') { opens nothing.", // 1
  "node('linux') {", // 2
  "    docker.withRegistry('https://registry.example.test:5000/', 'team-registry') {", // 3
  "        docker.image('team/app-builder:2.3').inside('-u root') {", // 4
  "            sh 'make' // }", // 5
  '        }', // 6
  "        docker.image('registry.example.test:5000/team/lint:1.1').pull()", // 7
  "        docker.image('postgres:16.4').withRun('-e POSTGRES_PASSWORD=x') { db ->", // 8
  '            sh "echo \'}\'"', // 9
  '        }', // 10
  "        def cache = docker.image('team/cache:0.9')", // 11
  "        cache.inside { sh 'true' }", // 12
  '        docker.withRegistry("https://${env.MIRROR_HOST}", \'mirror\') {', // 13
  "            docker.image('team/mirror-tool:4.0').inside { sh 'true' }", // 14
  '        }', // 15
  "        docker.withRegistry('', 'hub') {", // 16
  "            docker.image('library/busybox:1.37').inside { sh 'true' }", // 17
  '        }', // 18
  "        docker.image('quay.io/team/scanner:0.5').inside { sh 'true' }", // 19
  '        docker.image("team/app:${env.TAG}").inside { sh \'true\' }', // 20
  '    }', // 21
  "    docker.image('my-tool:1.0').inside { sh 'true' }", // 22
  "    withDockerRegistry(url: 'https://registry.example.test') {", // 23
  "        docker.image('team/after:1.0').inside { sh 'true' }", // 24
  '    }', // 25
  '}', // 26
  '',
].join('\n');

describe('Jenkins: images pulled through docker.withRegistry', () => {
  it('qualifies an image run inside or pulled with the innermost registry, and leaves run, withRun and withDockerRegistry as written', () => {
    expect(brief(scan(SCRIPTED))).toEqual([
      [4, 'registry.example.test:5000/team/app-builder:2.3', null, 'docker.image; through the registry of docker.withRegistry (line 3)'],
      [7, 'registry.example.test:5000/team/lint:1.1', null, 'docker.image; through the registry of docker.withRegistry (line 3), which the image names already'],
      [8, 'postgres:16.4', null, 'docker.image'],
      [
        11,
        'team/cache:0.9',
        'templated',
        'docker.image; in docker.withRegistry (line 3), kept or used other than by .inside, .pull, .run or .withRun: whether the registry qualifies it is not worked out',
      ],
      [14, 'team/mirror-tool:4.0', 'templated', 'docker.image; the registry comes from docker.withRegistry (line 13) ("https://${env.MIRROR_HOST}") and is not worked out'],
      [17, 'library/busybox:1.37', null, 'docker.image'],
      [19, 'registry.example.test:5000/quay.io/team/scanner:0.5', null, 'docker.image; through the registry of docker.withRegistry (line 3)'],
      [20, 'team/app:${env.TAG}', 'templated', 'docker.image; through the registry of docker.withRegistry (line 3), not joined to an image written with variables'],
      [22, 'my-tool:1.0', null, 'docker.image'],
      [24, 'team/after:1.0', null, 'docker.image'],
    ]);
  });

  it('reports the registry at the URL and the rest in the image string, where an update edits it and keeps the URL', () => {
    const text = SCRIPTED.replace(/\n/g, '\r\n');
    const builder = scan(text)[0]!;
    expect([builder.image?.registry, builder.image?.repository, builder.column]).toEqual(['registry.example.test:5000', 'team/app-builder', 23]);
    expect(builder.spans.map((span) => [span.role, span.text, span.line, span.column])).toEqual([
      ['registry', 'registry.example.test:5000', 3, 34],
      ['repository', 'team/app-builder', 4, 23],
      ['tag', '2.3', 4, 40],
      ['digest', '', 4, 43],
    ]);
    const digest = `sha256:${'e'.repeat(64)}`;
    const plan = editsForReference(builder, { tag: '2.4', digest });
    if (!plan.ok) throw new Error(plan.reason);
    const edited = Buffer.from(applyEdits(Buffer.from(text, 'utf8'), plan.edits)).toString('utf8');
    expect(edited).toBe(text.replace("'team/app-builder:2.3'", `'team/app-builder:2.4@${digest}'`));
    expect(scan(edited)[0]?.value).toBe(`registry.example.test:5000/team/app-builder:2.4@${digest}`);
  });
  it('a registry URL that is a variable or not an http(s) URL leaves the image templated, the detail naming its line', () => {
    const text = [
      "docker.withRegistry(TEAM_REGISTRY_URL, 'team-registry') {",
      "    docker.image('team/packer:1.11').pull()",
      '}',
      "docker.withRegistry('registry.example.test', 'team-registry') {",
      "    docker.image('team/packer:1.12').inside { sh 'true' }",
      '}',
      '',
    ].join('\n');
    expect(brief(scan(text))).toEqual([
      [2, 'team/packer:1.11', 'templated', 'docker.image; the registry comes from docker.withRegistry (line 1) (TEAM_REGISTRY_URL) and is not worked out'],
      [5, 'team/packer:1.12', 'templated', "docker.image; the registry comes from docker.withRegistry (line 4) ('registry.example.test') and is not worked out"],
    ]);
  });
});

describe('Jenkins: a declarative docker agent with a registryUrl', () => {
  it('qualifies the agent image with its own block registryUrl, in any order, and leaves other agents as written', () => {
    const text = [
      'pipeline {', // 1
      '    agent {', // 2
      '        docker {', // 3
      "            registryCredentialsId 'team-registry'", // 4
      "            registryUrl 'https://registry.example.test'", // 5
      "            image 'team/builder:1.4'", // 6
      "            args '-v /tmp:/tmp'", // 7
      '        }', // 8
      '    }', // 9
      '    stages {', // 10
      "        stage('lint') {", // 11
      "            agent { docker { image 'team/lint:2.0'; registryUrl env.TEAM_REGISTRY } }", // 12
      "            steps { sh 'lint' }", // 13
      '        }', // 14
      "        stage('unit') {", // 15
      "            agent { docker { image 'node:22.11' } }", // 16
      "            steps { sh 'npm test' }", // 17
      '        }', // 18
      "        stage('hub') {", // 19
      '            agent {', // 20
      '                docker {', // 21
      "                    image 'alpine:3.20' // registryUrl 'https://wrong.example.test'", // 22
      "                    registryUrl ''", // 23
      '                }', // 24
      '            }', // 25
      "            steps { sh 'true' }", // 26
      '        }', // 27
      '    }', // 28
      '}', // 29
      '',
    ].join('\n');
    expect(brief(scan(text))).toEqual([
      [6, 'registry.example.test/team/builder:1.4', null, 'image; through the registry of registryUrl (line 5)'],
      [12, 'team/lint:2.0', 'templated', 'image; the registry comes from registryUrl (line 12) (env.TEAM_REGISTRY) and is not worked out'],
      [16, 'node:22.11', null, 'image'],
      [22, 'alpine:3.20', null, 'image'],
    ]);
  });
});
