import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

/** What the scan reports: file, line, value, kind, skip. */
const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.kind, reference.skip]);

const lines = (...text: string[]) => `${text.join('\n')}\n`;

describe('a camelCase …Image key whose last word before Image is an acronym', () => {
  it('is an image key (setupDBImage, proxyCSIImage), except a virtual machine’s (azureVMImage)', () => {
    const files = {
      'charts/ledger/values.yaml': lines(
        'global:',
        '  imageRegistry: registry.example.test',
        '  database:',
        '    setupDBImage: "{{ .Values.global.imageRegistry }}/team/db-setup:1.4.0"',
        '    restoreDBImage: registry.example.test/team/db-restore:1.4.0',
        '    azureVMImage: ubuntu-2204-lts',
        '    setupDBImagePullPolicy: IfNotPresent',
      ),
      'deploy/driver.yaml': lines(
        'apiVersion: storage.example.test/v1',
        'kind: Driver',
        'metadata:',
        '  name: main',
        'spec:',
        '  proxyCSIImage: registry.example.test/team/csi-proxy:2.0.1',
        '  baseOSImage: registry.example.test/team/os:9.4',
      ),
    };
    expect(scan(files)).toEqual([
      ['charts/ledger/values.yaml', 4, '{{ .Values.global.imageRegistry }}/team/db-setup:1.4.0', 'helm-values', 'templated'],
      ['charts/ledger/values.yaml', 5, 'registry.example.test/team/db-restore:1.4.0', 'helm-values', null],
      ['deploy/driver.yaml', 6, 'registry.example.test/team/csi-proxy:2.0.1', 'kubernetes-image', null],
    ]);
  });
});
