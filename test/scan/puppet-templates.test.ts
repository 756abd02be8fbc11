import { describe, expect, it } from 'vitest';
import { sourceFile } from '../../src/core/source-file.js';
import { applyEdits } from '../../src/core/text-edit.js';
import { editsForReference } from '../../src/plan/edits-for-reference.js';
import { scanFiles } from '../../src/scan/scan-files.js';

const MANIFEST = [
  'class shelf::app (',
  "  String $version = '1.2.3',",
  "  String $registry = 'registry.example.test',",
  ') {',
  '  $image = "shelf/app:${version}"',
  "  docker::run { 'app':",
  '    image => $image,',
  '  }',
  "  docker::run { 'worker':",
  '    image => "${registry}/shelf/worker:$version",',
  '  }',
  '}',
  '',
].join('\n');

const scanOne = (text: string) => scanFiles([sourceFile('manifests/app.pp', Buffer.from(text, 'utf8'))]).references;

describe('Puppet image strings built from class parameter defaults', () => {
  it('fills in a local set to "repo/app:${version}" and a string used in place, reported where the image is used', () => {
    expect(scanOne(MANIFEST).map((reference) => [reference.line, reference.value, reference.skip, reference.detail, reference.spans.map((span) => [span.role, span.text, span.line])])).toEqual([
      [
        7,
        'shelf/app:1.2.3',
        null,
        `docker::run 'app'; $image = "shelf/app:\${version}"; $version from line 2; $version (manifests/app.pp:2) is the tag of 2 images: it moves only when all of them have the same new tag`,
        [
          ['template', 'shelf/app:${version}', 5],
          ['variable', '1.2.3', 2],
        ],
      ],
      [
        10,
        'registry.example.test/shelf/worker:1.2.3',
        null,
        `docker::run 'worker'; $registry from line 3; $version from line 2; $version (manifests/app.pp:2) is the tag of 2 images: it moves only when all of them have the same new tag`,
        [
          ['template', '${registry}/shelf/worker:$version', 10],
          ['variable', 'registry.example.test', 3],
          ['variable', '1.2.3', 2],
        ],
      ],
    ]);
  });

  it('an update edits the parameter default, byte for byte, and a pin goes after the string', () => {
    const single = MANIFEST.replace(/ {2}docker::run \{ 'worker':\n.*\n {2}\}\n/, '');
    const [app] = scanOne(single);
    expect(app?.shared).toBeUndefined();
    const plan = editsForReference(app!, { tag: '1.3.0', digest: `sha256:${'c'.repeat(64)}` });
    if (!plan.ok) throw new Error(plan.reason);
    const edited = Buffer.from(applyEdits(Buffer.from(single, 'utf8'), plan.edits)).toString('utf8');
    expect(edited).toBe(single.replace("'1.2.3'", "'1.3.0'").replace('"shelf/app:${version}"', `"shelf/app:\${version}@sha256:${'c'.repeat(64)}"`));
    expect(scanOne(edited).map((reference) => reference.value)).toEqual([`shelf/app:1.3.0@sha256:${'c'.repeat(64)}`]);
  });

  it('stays templated when a variable is not a plain string of the file, is set twice, or names an image reported where it is set', () => {
    const manifest = [
      'class shelf::misc (',
      '  String $release,',
      "  String $base_image = 'shelf/base',",
      "  String $base_tag = '2.0',",
      ') {',
      '  $loose = "shelf/loose:${release}"',
      "  docker::run { 'loose': image => $loose }",
      '  $twice = "shelf/twice:${base_tag}"',
      '  $twice = "shelf/twice:${base_tag}-b"',
      "  docker::run { 'twice': image => $twice }",
      '  docker::run { \'based\': image => "${base_image}:${base_tag}" }',
      '}',
      '',
    ].join('\n');
    expect(scanOne(manifest).map((reference) => [reference.line, reference.value, reference.skip])).toEqual([
      [3, 'shelf/base:2.0', null],
      [7, '$loose', 'templated'],
      [10, '$twice', 'templated'],
    ]);
  });

  it('a literal that is the tag of more than 100 images is not followed: each stays templated, naming why', () => {
    const lines = ['class shelf::many (', "  String $version = '3.0',", ') {'];
    for (let index = 0; index < 101; index++) lines.push(`  $local${index} = "shelf/part${index}:\${version}"`, `  docker::run { 'part${index}': image => $local${index} }`);
    lines.push('}', '');
    const references = scanOne(lines.join('\n'));
    expect(references.length).toBe(101);
    expect(references.filter((reference) => reference.skip === 'templated' && reference.shared === undefined).length).toBe(101);
    expect([references[0]?.line, references[0]?.value, references[0]?.detail]).toEqual([
      5,
      'shelf/part0:3.0',
      'docker::run \'part0\'; $local0 = "shelf/part0:${version}"; $version from line 2; $version (manifests/app.pp:2) is the tag of 101 images, more than 100: not followed',
    ]);
  });
});
