import { describe, expect, it } from 'vitest';
import { scanTexts } from '../support/scan-texts.js';

const scan = (files: Record<string, string>) => scanTexts(files).references.map((reference) => [reference.file, reference.line, reference.value, reference.skip, reference.detail ?? null]);

/** A template whose database container takes its image from a stream of the shared namespace, and a sidecar that does not. */
const template = `apiVersion: template.openshift.io/v1
kind: Template
parameters:
  - name: STREAM_NAMESPACE
    value: shared
  - name: DB_STREAM_TAG
    value: "16"
objects:
  - apiVersion: apps.openshift.io/v1
    kind: DeploymentConfig
    metadata:
      name: ledger-db
    spec:
      triggers:
        - type: ConfigChange
        - type: ImageChange
          imageChangeParams:
            automatic: true
            containerNames:
              - db
              - db-init
            from:
              kind: ImageStreamTag
              namespace: \${STREAM_NAMESPACE}
              name: ledger-db:\${DB_STREAM_TAG}
      template:
        spec:
          initContainers:
            - name: db-init
              image: ledger-db
          containers:
            - name: db
              image: "ledger-db"
            - name: exporter
              image: registry.example.test/ops/db-exporter:0.4
`;

describe('OpenShift image triggers', () => {
  it('a DeploymentConfig container an automatic ImageChange trigger names is overridden, naming the stream; the others stay', () => {
    const stream = "not run: an OpenShift image trigger sets this container's image from the ImageStreamTag ${STREAM_NAMESPACE}/ledger-db:${DB_STREAM_TAG}";
    expect(scan({ 'openshift/ledger-db.yaml': template })).toEqual([
      ['openshift/ledger-db.yaml', 30, 'ledger-db', 'overridden', stream],
      ['openshift/ledger-db.yaml', 33, 'ledger-db', 'overridden', stream],
      ['openshift/ledger-db.yaml', 35, 'registry.example.test/ops/db-exporter:0.4', null, null],
    ]);
  });

  it('a trigger that is not automatic, or takes a DockerImage (itself reported), leaves the written image to run', () => {
    const written = [
      ['dc.yaml', 30, 'ledger-db', 'no-tag', null],
      ['dc.yaml', 33, 'ledger-db', 'no-tag', null],
      ['dc.yaml', 35, 'registry.example.test/ops/db-exporter:0.4', null, null],
    ];
    expect(scan({ 'dc.yaml': template.replace('automatic: true', 'automatic: false') })).toEqual(written);
    expect(scan({ 'dc.yaml': template.replace('kind: ImageStreamTag', 'kind: DockerImage') })).toEqual([
      ['dc.yaml', 25, 'ledger-db:16', null, "through the template's parameter DB_STREAM_TAG (line 6), edited there"],
      ...written,
    ]);
  });

  it("an exported DeploymentConfig's lastTriggeredImage is the cluster's record of the trigger, not an image to pin", () => {
    const exported = template.replace(
      '              name: ledger-db:${DB_STREAM_TAG}\n',
      '              name: ledger-db:${DB_STREAM_TAG}\n            lastTriggeredImage: registry.example.test/shared/ledger-db@sha256:' + 'e'.repeat(64) + '\n',
    );
    const stream = "not run: an OpenShift image trigger sets this container's image from the ImageStreamTag ${STREAM_NAMESPACE}/ledger-db:${DB_STREAM_TAG}";
    expect(scan({ 'openshift/ledger-db.yaml': exported })).toEqual([
      ['openshift/ledger-db.yaml', 31, 'ledger-db', 'overridden', stream],
      ['openshift/ledger-db.yaml', 34, 'ledger-db', 'overridden', stream],
      ['openshift/ledger-db.yaml', 36, 'registry.example.test/ops/db-exporter:0.4', null, null],
    ]);
  });

  it('the same DeploymentConfig written as JSON in a List', () => {
    const json = `{"apiVersion": "v1", "kind": "List", "items": [
  {"apiVersion": "apps.openshift.io/v1", "kind": "DeploymentConfig", "metadata": {"name": "queue"},
   "spec": {"triggers": [{"type": "ImageChange", "imageChangeParams": {"automatic": true, "containerNames": ["queue"],
              "from": {"kind": "ImageStreamTag", "name": "queue:4"}}}],
            "template": {"spec": {"containers": [{"name": "queue", "image": "queue"}]}}}}
]}
`;
    expect(scan({ 'deploy/queue.json': json })).toEqual([
      ['deploy/queue.json', 5, 'queue', 'overridden', "not run: an OpenShift image trigger sets this container's image from the ImageStreamTag queue:4"],
    ]);
  });

  it('a workload whose image.openshift.io/triggers annotation names a container; a paused entry does not count', () => {
    const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  annotations:
    image.openshift.io/triggers: '[{"from":{"kind":"ImageStreamTag","name":"shop-web:stable"},"fieldPath":"spec.template.spec.containers[?(@.name==\\"web\\")].image"},{"from":{"kind":"ImageStreamTag","name":"shop-cache:7"},"fieldPath":"spec.template.spec.containers[?(@.name==\\"cache\\")].image","paused":"true"}]'
spec:
  template:
    spec:
      containers:
        - name: web
          image: shop-web
        - name: cache
          image: registry.example.test/shop/cache:7.2
`;
    expect(scan({ 'shop.yaml': deployment })).toEqual([
      ['shop.yaml', 12, 'shop-web', 'overridden', "not run: an OpenShift image trigger sets this container's image from the ImageStreamTag shop-web:stable"],
      ['shop.yaml', 14, 'registry.example.test/shop/cache:7.2', null, null],
    ]);
  });

  it('a triggered container whose stream a BuildConfig of the file builds stays local-stage', () => {
    const built = template.replace(
      'objects:\n',
      'objects:\n  - apiVersion: build.openshift.io/v1\n    kind: BuildConfig\n    spec:\n      output:\n        to:\n          kind: ImageStreamTag\n          name: ledger-db:latest\n',
    );
    expect(scan({ 'built.yaml': built }).map(([, line, value, skip]) => [line, value, skip])).toEqual([
      [37, 'ledger-db', 'local-stage'],
      [40, 'ledger-db', 'local-stage'],
      [42, 'registry.example.test/ops/db-exporter:0.4', null],
    ]);
  });
});
