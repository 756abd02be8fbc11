import { isMap, isScalar, isSeq, type Document, type YAMLMap } from 'yaml';
import type { SourceFile } from '../core/source-file.js';
import type { Reference } from '../core/types.js';
import { withoutSpansIn } from './observed-records.js';
import { isImageKey, isYamlPath } from './yaml-image-fields.js';
import { mapEntries, mapGet, scalarText, walkMaps, yamlSource } from './yaml-source.js';

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
 * - a Heat environment file (only `parameters`, `parameter_defaults`, `resource_registry` and Heat's other environment
 *   sections at the top): the value of a parameter that a Heat template of the scan takes as a Glance image (declared
 *   with `custom_constraint: glance.image`, or passed with `get_param` to a resource's `image`);
 * - a CircleCI configuration or orb (`version` with `jobs`, `workflows`, `executors` or `orbs` at the top): the `image` of a
 *   `machine:` executor (`ubuntu-2204:2024.01.1`, `android:2024.01.1`); its `docker:` executor images are containers;
 * - a Travis CI configuration (`language`, `os`, `dist` or `osx_image` at the top, with `script`, `jobs` or `matrix`): every
 *   `osx_image` (`xcode15.4`), the macOS VM image a job runs on, at the top or in a job of `jobs`/`matrix`;
 * - an AppVeyor configuration (`image` with `build_script`, `test_script`, `before_build`, `after_build`, `before_test`,
 *   `deploy_script` or `clone_folder` at the top): every `image` (one name or a list, `Visual Studio 2022`, `macos-sonoma`; at the
 *   top, in a `for:` item or in a `matrix: only:` filter), the build worker's VM image; AppVeyor names no container image in its file;
 * - a Cluster API infrastructure machine (`infrastructure.cluster.x-k8s.io`, kind `…Machine`, `…MachineTemplate`,
 *   `…MachinePool`): its `image` fields, other than a KubeVirt `containerDisk`'s.
 * - a kops instance group (`kops.k8s.io`, kind `InstanceGroup`): its `spec.image`, the cloud image its nodes boot (an AMI
 *   such as `099720109477/ubuntu/images/…`); the images of a kops `Cluster` (`kubeAPIServer.image`…) are containers.
 * - a Buildkite pipeline (`steps` at the top): the `image` of an `agents` map (a step's, or the pipeline's own) whose
 *   `provider` is a cloud that boots the agent as a virtual machine (`provider: gcp` + `image: family/core-ubuntu-2204`,
 *   `aws`, `orka`); an `agents` map without such a provider names the container image a Kubernetes agent runs, read as written.
 * - a sourcehut build manifest (`.build.yml`, or any YAML file in a `.builds/` folder, with `image` and a `tasks` list of
 *   one-key maps of scripts at the top): its `image` (`alpine/edge`, `debian/stable`, `archlinux`) is the operating system
 *   of the virtual machine builds.sr.ht boots for the job.
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

/** `{get_param: name}` or `{get_param: [name]}`: the parameter's name. */
function paramName(node: unknown): string | null {
  if (!isMap(node) || node.items.length !== 1) return null;
  let name = mapGet(node, 'get_param');
  if (isSeq(name) && name.items.length === 1) name = name.items[0];
  return scalarText(name);
}

/** The `image` values of a template's resources (and of their block device mappings). */
function heatImageNodes(root: YAMLMap): unknown[] {
  const nodes: unknown[] = [];
  const resources = mapGet(root, 'resources') ?? mapGet(root, 'Resources');
  walkMaps(resources, (map) => {
    const type = mapGet(map, 'type') ?? mapGet(map, 'Type');
    const properties = mapGet(map, 'properties') ?? mapGet(map, 'Properties');
    if (!isScalar(type) || typeof type.value !== 'string' || !HEAT_RESOURCE_TYPE.test(type.value) || HEAT_CONTAINER_TYPE.test(type.value) || !isMap(properties)) return;
    nodes.push(mapGet(properties, 'image'));
    for (const key of BLOCK_DEVICE_MAPPINGS) {
      const mappings = mapGet(properties, key);
      if (isSeq(mappings)) for (const item of mappings.items) if (isMap(item)) nodes.push(mapGet(item, 'image'));
    }
  });
  return nodes;
}

function heatImageRanges(root: YAMLMap): Range[] {
  return heatImageNodes(root)
    .map(valueRange)
    .filter((range): range is Range => range !== null);
}

const GLANCE_IMAGE = 'glance.image';

function isGlanceConstraint(item: unknown): boolean {
  const constraint = isMap(item) ? mapGet(item, 'custom_constraint') : undefined;
  return isScalar(constraint) && constraint.value === GLANCE_IMAGE;
}

/** The parameters a template takes as Glance images: constrained to `glance.image`, or passed to a resource's `image`. */
function glanceParameters(root: YAMLMap): string[] {
  const names = heatImageNodes(root).flatMap((node) => paramName(node) ?? []);
  const parameters = mapGet(root, 'parameters');
  for (const [name, declaration] of isMap(parameters) ? mapEntries(parameters) : []) {
    const constraints = isMap(declaration) ? mapGet(declaration, 'constraints') : undefined;
    if (!isSeq(constraints)) continue;
    if (constraints.items.some(isGlanceConstraint)) names.push(name);
  }
  return names;
}

const HEAT_TEMPLATE_TEXT = /^(?:heat_template_version|HeatTemplateFormatVersion):/m;

/** The names of the parameters that the scan's Heat templates take as Glance images. */
export function heatImageParameters(files: readonly SourceFile[]): Set<string> {
  const names = new Set<string>();
  for (const file of files) {
    if (!isYamlPath(file.path)) continue;
    try {
      if (!HEAT_TEMPLATE_TEXT.test(file.text)) continue;
      for (const document of yamlSource(file).documents) if (isHeatTemplate(document.contents)) for (const name of glanceParameters(document.contents)) names.add(name);
    } catch {
      // A file that cannot be read again is reported when the scan reaches it.
    }
  }
  return names;
}

const HEAT_ENVIRONMENT_SECTIONS = new Set(['parameters', 'parameter_defaults', 'resource_registry', 'encrypted_param_names', 'event_sinks', 'parameter_merge_strategies']);

/** A Heat environment file: a map of Heat's environment sections only, with parameters to set. */
function isHeatEnvironment(root: unknown): root is YAMLMap {
  if (!isMap(root) || root.items.length === 0) return false;
  const keys = mapEntries(root).map(([key]) => key);
  return keys.every((key) => HEAT_ENVIRONMENT_SECTIONS.has(key)) && (isMap(mapGet(root, 'parameters')) || isMap(mapGet(root, 'parameter_defaults')));
}

function heatEnvironmentImageRanges(root: YAMLMap, glance: ReadonlySet<string>): Range[] {
  const ranges: Range[] = [];
  for (const section of ['parameters', 'parameter_defaults']) {
    const values = mapGet(root, section);
    if (!isMap(values)) continue;
    for (const [name, value] of mapEntries(values)) {
      const range = glance.has(name) ? valueRange(value) : null;
      if (range) ranges.push(range);
    }
  }
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

const KOPS_API = /^kops(?:\.k8s\.io)?\//;

function isKopsInstanceGroup(root: unknown): root is YAMLMap {
  return isMap(root) && KOPS_API.test(scalarText(mapGet(root, 'apiVersion')) ?? '') && scalarText(mapGet(root, 'kind')) === 'InstanceGroup';
}

function kopsInstanceGroupImageRanges(root: YAMLMap): Range[] {
  const spec = mapGet(root, 'spec');
  const range = isMap(spec) ? valueRange(mapGet(spec, 'image')) : null;
  return range ? [range] : [];
}

/** Buildkite agent providers that boot the agent as a virtual machine from the `image` named beside them. */
export const BUILDKITE_VM_PROVIDERS = new Set(['gcp', 'aws', 'orka']);

function isBuildkitePipeline(root: unknown): root is YAMLMap {
  return isMap(root) && isSeq(mapGet(root, 'steps'));
}

/** The `image` of every `agents` map whose `provider` boots a virtual machine. */
function buildkiteAgentImageRanges(root: YAMLMap): Range[] {
  const ranges: Range[] = [];
  walkMaps(root, (map) => {
    const agents = mapGet(map, 'agents');
    const provider = isMap(agents) ? mapGet(agents, 'provider') : undefined;
    if (!isMap(agents) || !isScalar(provider) || typeof provider.value !== 'string' || !BUILDKITE_VM_PROVIDERS.has(provider.value)) return;
    const range = valueRange(mapGet(agents, 'image'));
    if (range) ranges.push(range);
  });
  return ranges;
}

/** A template action alone on its line (`{{- if $test.Dind }}`); an `else` one starts another branch. */
const ACTION_LINE = /^\s*\{\{-?\s*(\w+)?.*\}\}\s*$/;

/**
 * In a Buildkite pipeline kept as a template, read line by line (a `steps:` line at the top): the lines of an `agents`
 * map's `image` whose `provider` line, in the same branch of the template, boots a virtual machine.
 */
export function buildkiteAgentImageLines(text: string): ReadonlySet<number> {
  const found = new Set<number>();
  const lines = text.split(/\r?\n/);
  if (!lines.some((line) => /^steps:\s*(?:#.*)?$/.test(line))) return found;
  lines.forEach((line, index) => {
    const agents = /^(\s*(?:-\s+)?)agents:\s*(?:#.*)?$/.exec(line);
    if (!agents) return;
    const column = agents[1]?.length ?? 0;
    let provider = false;
    let images: number[] = [];
    const close = (): void => {
      if (provider) for (const image of images) found.add(image);
      provider = false;
      images = [];
    };
    for (let next = index + 1; next < lines.length; next++) {
      const text = lines[next] ?? '';
      if (/^\s*(?:#.*)?$/.test(text)) continue;
      const action = ACTION_LINE.exec(text);
      if (action) {
        if (action[1] === 'else') close();
        continue;
      }
      if (text.length - text.trimStart().length <= column) break;
      const entry = /^\s*(provider|image):\s*["']?([^"'\s#]*)/.exec(text);
      if (entry?.[1] === 'provider' && BUILDKITE_VM_PROVIDERS.has(entry[2] ?? '')) provider = true;
      if (entry?.[1] === 'image') images.push(next + 1);
    }
    close();
  });
  return found;
}

const CIRCLECI_SECTIONS = ['jobs', 'workflows', 'executors', 'orbs'];

function isCircleConfig(root: unknown): root is YAMLMap {
  return isMap(root) && mapGet(root, 'version') !== undefined && CIRCLECI_SECTIONS.some((key) => isMap(mapGet(root, key)));
}

function circleMachineImageRanges(root: YAMLMap): Range[] {
  const ranges: Range[] = [];
  walkMaps(root, (map) => {
    const machine = mapGet(map, 'machine');
    const range = isMap(machine) ? valueRange(mapGet(machine, 'image')) : null;
    if (range) ranges.push(range);
  });
  return ranges;
}

const TRAVIS_PLATFORM_KEYS = ['language', 'os', 'dist', 'osx_image'];
const TRAVIS_JOB_KEYS = ['script', 'jobs', 'matrix'];

function isTravisConfig(root: unknown): root is YAMLMap {
  return isMap(root) && TRAVIS_PLATFORM_KEYS.some((key) => mapGet(root, key) !== undefined) && TRAVIS_JOB_KEYS.some((key) => mapGet(root, key) !== undefined);
}

/** The ranges of every `key` value of any map in the document. */
function keyRanges(root: YAMLMap, key: string): Range[] {
  const ranges: Range[] = [];
  walkMaps(root, (map) => {
    const range = valueRange(mapGet(map, key));
    if (range) ranges.push(range);
  });
  return ranges;
}

const APPVEYOR_KEYS = ['build_script', 'test_script', 'before_build', 'after_build', 'before_test', 'deploy_script', 'clone_folder'];

function isAppveyorConfig(root: unknown): root is YAMLMap {
  return isMap(root) && mapGet(root, 'image') !== undefined && APPVEYOR_KEYS.some((key) => mapGet(root, key) !== undefined);
}

/** A sourcehut build manifest's place: `.build.yml` (`.yaml`) at any depth, or a YAML file of a `.builds/` folder. */
const SOURCEHUT_MANIFEST = /(?:^|\/)(?:\.build\.ya?ml|\.builds\/[^/]+\.ya?ml)$/;

/** `image: alpine/edge` beside `tasks:`, each task a map of its one name to its script. */
function isSourcehutManifest(root: unknown, path: string | undefined): root is YAMLMap {
  if (path === undefined || !SOURCEHUT_MANIFEST.test(path) || !isMap(root) || !isScalar(mapGet(root, 'image'))) return false;
  const tasks = mapGet(root, 'tasks');
  return isSeq(tasks) && tasks.items.length > 0 && tasks.items.every((task) => isMap(task) && task.items.length === 1 && isScalar(task.items[0]?.value));
}

/**
 * The ranges of machine image values in one document; `glance` names the Heat parameters that are Glance images (asked only
 * for a Heat environment); `path` is the file's, for the formats told by where they are kept.
 */
export function machineImageRanges(document: Document.Parsed, glance?: () => ReadonlySet<string>, path?: string): Range[] {
  const root = document.contents;
  if (isSourcehutManifest(root, path)) {
    const range = valueRange(mapGet(root, 'image'));
    return range ? [range] : [];
  }
  if (isHeatTemplate(root)) return heatImageRanges(root);
  if (glance && isHeatEnvironment(root)) return heatEnvironmentImageRanges(root, glance());
  if (isInfrastructureMachine(root)) return infrastructureMachineImageRanges(root);
  if (isKopsInstanceGroup(root)) return kopsInstanceGroupImageRanges(root);
  if (isCircleConfig(root)) return circleMachineImageRanges(root);
  if (isTravisConfig(root)) return keyRanges(root, 'osx_image');
  if (isAppveyorConfig(root)) return keyRanges(root, 'image');
  if (isBuildkitePipeline(root)) return buildkiteAgentImageRanges(root);
  return cloudModuleImageRanges(root);
}

/** The references of a file that are not machine images: none of their spans starts inside a range `machineImageRanges` gives for its documents. */
export function withoutMachineImages(references: Reference[], documents: readonly Document.Parsed[], base: number, glance?: () => ReadonlySet<string>, path?: string): Reference[] {
  if (references.length === 0) return references;
  return withoutSpansIn(
    references,
    documents.flatMap((document) => machineImageRanges(document, glance, path)),
    base,
  );
}
