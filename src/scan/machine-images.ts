import { isMap, isScalar, isSeq, type Document, type YAMLMap } from 'yaml';
import type { Reference } from '../core/types.js';
import { isImageKey } from './yaml-image-fields.js';
import { mapEntries, mapGet, walkMaps } from './yaml-source.js';

/**
 * Image fields that name a virtual machine's or a cloud server's image (a Glance image, an AMI, a cloud
 * provider's OS image), not a container's, told by the format that holds them:
 * - an OpenStack Heat template (`heat_template_version` at the top): the `image` property of a resource
 *   (`OS::Nova::Server`, `OS::Cinder::Volume`, a nested stack or group member), and the `image` of its
 *   `block_device_mapping` / `block_device_mapping_v2` entries; a container resource (`OS::Zun::Container`)
 *   runs a container image, and images in a software configuration (`OS::Heat::StructuredConfig`'s compose
 *   services) are read as written;
 * - an Ansible task of a cloud collection's module (`openstack.cloud.server`, `amazon.aws.ec2_instance`,
 *   `hetzner.hcloud.server`, the older `os_server`, `ec2`, `azure_rm_virtualmachine`…): the module's own image
 *   arguments; container definitions nested in its arguments (`containers[].image` of an ECS task definition)
 *   are read as written;
 * - a Cluster API infrastructure machine (`infrastructure.cluster.x-k8s.io`, kind `…Machine`, `…MachineTemplate`,
 *   `…MachinePool`): its `image` fields, other than a KubeVirt `containerDisk`'s.
 * Each returns the text ranges of the values to leave out.
 */

type Range = readonly [number, number];

function valueRange(node: unknown): Range | null {
  if (!(isScalar(node) || isMap(node) || isSeq(node)) || !node.range) return null;
  return [node.range[0], node.range[1]];
}

/** A Heat resource type: `OS::Nova::Server`, `AWS::EC2::Instance`, a registry name (`My::Server`), a nested template file, or a Senlin profile type (`os.nova.server`). */
const HEAT_RESOURCE_TYPE = /^(?:[A-Za-z][\w]*::[\w:]+|[\w./-]+\.(?:ya?ml|template)|https?:\/\/\S+|os\.[a-z]+\.[a-z_]+(?:-[\d.]+)?)$/;
/** Resources that run a container image. */
const HEAT_CONTAINER_TYPE = /^OS::Zun::/;
const BLOCK_DEVICE_MAPPINGS = ['block_device_mapping', 'block_device_mapping_v2'];

export function isHeatTemplate(root: unknown): root is YAMLMap {
  return isMap(root) && (mapGet(root, 'heat_template_version') !== undefined || mapGet(root, 'HeatTemplateFormatVersion') !== undefined);
}

function heatImageRanges(root: YAMLMap): Range[] {
  const ranges: Range[] = [];
  const resources = mapGet(root, 'resources') ?? mapGet(root, 'Resources');
  walkMaps(resources, (map) => {
    const type = mapGet(map, 'type') ?? mapGet(map, 'Type');
    const properties = mapGet(map, 'properties') ?? mapGet(map, 'Properties');
    if (!isScalar(type) || typeof type.value !== 'string' || !HEAT_RESOURCE_TYPE.test(type.value) || HEAT_CONTAINER_TYPE.test(type.value) || !isMap(properties)) return;
    const own = valueRange(mapGet(properties, 'image'));
    if (own) ranges.push(own);
    for (const key of BLOCK_DEVICE_MAPPINGS) {
      const mappings = mapGet(properties, key);
      if (!isSeq(mappings)) continue;
      for (const item of mappings.items) {
        const range = isMap(item) ? valueRange(mapGet(item, 'image')) : null;
        if (range) ranges.push(range);
      }
    }
  });
  return ranges;
}

/** Collections whose modules create or describe cloud servers, machine images and volumes. */
const CLOUD_COLLECTION_MODULE =
  /^(?:openstack\.cloud|amazon\.aws|community\.aws|google\.cloud|azure\.azcollection|hetzner\.hcloud|community\.digitalocean|digitalocean\.cloud|linode\.cloud|vultr\.cloud|ngine_io\.cloudstack|ngine_io\.exoscale|ngine_io\.vultr|cloudscale_ch\.cloud|oracle\.oci|community\.vmware|vmware\.vmware|vmware\.vmware_rest|ovirt\.ovirt|community\.libvirt|scaleway\.scaleway|community\.proxmox|ibm\.cloudcollection|equinix\.metal)\.\w+$/;
/** The same modules by their short names from before collections (`os_server`, `ec2`, `gcp_compute_instance`), also as `community.general.*`. */
const LEGACY_CLOUD_MODULE =
  /^(?:community\.general\.)?(?:os_\w+|ec2(?:_\w+)?|gce(?:_\w+)?|gcp_\w+|azure_rm_\w+|hcloud_\w+|digital_ocean(?:_\w+)?|linode(?:_v4)?|cs_\w+|vultr_\w+|scaleway_\w+|proxmox(?:_\w+)?|ovirt_\w+|vmware_\w+|rax(?:_\w+)?|packet_\w+|oneandone_\w+|profitbricks(?:_\w+)?|cloudscale_\w+|exo_\w+|oci_\w+)$/;

export function isCloudModule(name: string): boolean {
  return CLOUD_COLLECTION_MODULE.test(name) || LEGACY_CLOUD_MODULE.test(name);
}

/** The image arguments of cloud module tasks: `image`, `…Image`, `…_image` directly under the module's key. Tasks and plays are lists. */
function cloudModuleImageRanges(root: unknown): Range[] {
  const ranges: Range[] = [];
  if (!isSeq(root)) return ranges;
  walkMaps(root, (map) => {
    for (const [key, value] of mapEntries(map)) {
      if (!isCloudModule(key) || !isMap(value)) continue;
      for (const [argument, node] of mapEntries(value)) {
        const range = isImageKey(argument, true) ? valueRange(node) : null;
        if (range) ranges.push(range);
      }
    }
  });
  return ranges;
}

const CAPI_INFRASTRUCTURE = /^infrastructure\.cluster\.x-k8s\.io\//;
const CAPI_MACHINE_KIND = /(?:Machine|MachineTemplate|MachinePool|MachinePoolTemplate)$/;

export function isInfrastructureMachine(root: unknown): root is YAMLMap {
  if (!isMap(root)) return false;
  const apiVersion = mapGet(root, 'apiVersion');
  const kind = mapGet(root, 'kind');
  return (
    isScalar(apiVersion) && typeof apiVersion.value === 'string' && CAPI_INFRASTRUCTURE.test(apiVersion.value) && isScalar(kind) && typeof kind.value === 'string' && CAPI_MACHINE_KIND.test(kind.value)
  );
}

function infrastructureMachineImageRanges(root: YAMLMap): Range[] {
  const ranges: Range[] = [];
  walkMaps(root, (map, path) => {
    // A KubeVirt machine's `containerDisk` is a container image holding the disk.
    if (path.at(-1) === 'containerDisk') return 'skip';
    const range = valueRange(mapGet(map, 'image'));
    if (range) ranges.push(range);
    return undefined;
  });
  return ranges;
}

/** The ranges of machine image values in one document. */
export function machineImageRanges(document: Document.Parsed): Range[] {
  const root = document.contents;
  if (isHeatTemplate(root)) return heatImageRanges(root);
  if (isInfrastructureMachine(root)) return infrastructureMachineImageRanges(root);
  return cloudModuleImageRanges(root);
}

/** The references of a file that are not machine images: none of their spans starts inside a range `machineImageRanges` gives for its documents. */
export function withoutMachineImages(references: Reference[], documents: readonly Document.Parsed[], base: number): Reference[] {
  const ranges = documents.flatMap(machineImageRanges);
  if (ranges.length === 0) return references;
  return references.filter((reference) => !reference.spans.some((span) => ranges.some(([start, end]) => span.start - base >= start && span.start - base < end)));
}
