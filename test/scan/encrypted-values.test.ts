import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

const CIPHER = ['$ANSIBLE_VAULT;1.1;AES256', '3132333435363738393061626364656630313233343536373839616263646566', '6162636465663031323334353637383930616263646566303132333435363738'];

describe('encrypted values name no image until they are decrypted', () => {
  it('Ansible Vault values under image keys of role defaults are not listed; a plain one beside them is', () => {
    const defaults = [
      '---',
      'shop:',
      '  web_image: !vault |',
      ...CIPHER.map((line) => `    ${line}`),
      `  worker_image: "${CIPHER.join('\\n')}"`,
      '  cache_image: registry.example.test/shop/cache:7.2',
      '',
    ].join('\n');
    expect(scan({ 'roles/shop/defaults/main.yml': defaults })).toEqual([['roles/shop/defaults/main.yml', 8, 'registry.example.test/shop/cache:7.2', 'yaml-image', null]]);
  });

  it('in a manifest, compose file or chart values too, and so is a value tagged !encrypted/…', () => {
    const manifest = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: shop',
      'spec:',
      '  containers:',
      '    - name: web',
      '      image: !vault |',
      ...CIPHER.map((line) => `        ${line}`),
      '    - name: proxy',
      '      image: registry.example.test/shop/proxy:1.4.0',
      '',
    ].join('\n');
    const compose = ['services:', '  web:', '    image: !encrypted/pkcs1-oaep shop/webcipher', '  db:', '    image: !vault shop/dbcipher', ''].join('\n');
    const values = ['image:', '  repository: registry.example.test/shop/api', '  tag: !vault |', ...CIPHER.map((line) => `    ${line}`), ''].join('\n');
    expect(
      scan({
        'deploy/pod.yaml': manifest,
        'compose.yaml': compose,
        'chart/Chart.yaml': 'apiVersion: v2\nname: shop\nversion: 1.0.0\n',
        'chart/values.yaml': values,
      }),
    ).toEqual([['deploy/pod.yaml', 13, 'registry.example.test/shop/proxy:1.4.0', 'kubernetes-container', null]]);
  });

  it('a plain value tagged as a string is still read', () => {
    expect(scan({ 'compose.yaml': 'services:\n  web:\n    image: !!str registry.example.test/shop/web:2.0\n' })).toEqual([
      ['compose.yaml', 3, 'registry.example.test/shop/web:2.0', 'compose-service', null],
    ]);
  });
});
