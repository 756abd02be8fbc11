import { isMap, isNode, isScalar, isSeq, type Document, type YAMLMap } from 'yaml';
import { isTemplated, parseImageRef, writtenParts } from '../../../core/image-ref.js';
import type { SourceFile } from '../../../core/source-file.js';
import type { Reference, ReferenceKind } from '../../../core/types.js';
import type { BuiltImage, Extractor } from '../../extractor.js';
import { ansiblePulledImages } from '../../ansible-image-modules.js';
import { circleciInputMaps, circleciParameterImages } from '../../circleci-params.js';
import { judgeVariableImages } from '../../ansible-variable-uses.js';
import { withEmptyPrefix } from '../../ansible-image-prefix.js';
import { ansibleFacts, isVariableFile, joinsVariables, loopedListImages, type AnsibleFacts } from '../../ansible-variables.js';
import { embeddedUnitImages } from '../../embedded-units.js';
import { embeddedYamlImages } from '../../embedded-yaml.js';
import { chartField } from '../../chart-metadata.js';
import { chartImageJoins, type ChartImageJoins } from '../../helm-image-joins.js';
import { chartRenderedTags, type RenderedTag } from '../../helm-rendered-tags.js';
import { chartFoldersWithPrefixes, chartTemplateImage, isChartHelper, registryPrefixes, type ChartFolders } from '../../helm-template-images.js';
import { isBrokenTemplate, joinsChartValues, templateLineImages } from '../../helm-template-lines.js';
import { buildkiteAgentImageLines, heatImageParameters, withoutMachineImages } from '../../machine-images.js';
import { makeReference, withTagAt, withValue } from '../../make-reference.js';
import {
  isApiDescription,
  isDistgenSpec,
  schemaValueRanges,
  isHelmUnittestSuite,
  isUpdatecliManifest,
  isUpdatecliTemplate,
  mapEntries,
  mapGet,
  stringScalar,
  walkMaps,
  yamlSource,
} from '../../yaml-source.js';
import { formFieldImages } from '../../form-field-images.js';
import { runnerLabelImages } from '../../runner-labels.js';
import { azureJobContainers, azureTemplateContainers, type AzureTemplateContainers } from '../../azure-pipelines.js';
import { executionEnvironmentImages } from '../../execution-environment.js';
import { catalogImages } from '../../image-catalog.js';
import { imageMapValues } from '../../image-maps.js';
import { carriedJsonPatchImages, jsonPatchImages } from '../../json-patch-images.js';
import { isTranslationFile } from '../../translation-files.js';
import { matrixFileImages, workflowMatrixFiles } from '../../workflow-matrix-files.js';
import { MOLECULE_FILE, withPlatformRegistries } from '../../molecule-platforms.js';
import { joinRelative } from '../compose/compose-extends.js';
import { throughDefaults, type InterpolationReader } from '../compose/compose-interpolation.js';
import { isComposeName, looksLikeComposeTemplate, withComposeDefault } from '../compose/compose-template.js';
import { isKubernetesObject, kubernetesExtractor } from '../kubernetes/kubernetes.js';
import { baseName, type FieldWalkOptions, IMAGE_REPOSITORY_KEY, imageFields, isYamlPath, passesOnImage, sortByPosition, yamlValueText } from '../../yaml-image-fields.js';
import { folderOf } from '../../../core/repo-path.js';

/**
 * Helm values and any other YAML no other extractor claimed: `image` / `…Image` / `…_image` string
 * fields, and split `registry` + `repository` + `tag` (+ `digest`) maps under any key. Values files
 * (`values*.yaml`, `*-values.yaml`, anything under `charts/`) report 'helm-values', the rest 'yaml-image'.
 * Values files are this extractor's by name: no other format's content check takes them. OpenAPI and
 * Swagger descriptions hold example answers, not deployments: nothing in them is reported; nor is
 * anything in updatecli manifests, whose `spec.image` fields name what to watch, nor in helm-unittest suites,
 * whose images are test inputs and expected values. OCI Marketplace `oci_meta` names are relative to a repository
 * the Marketplace fills in: not reported. In a distgen spec the values are template variables: a name without a tag or
 * digest under an image key, literal or built from the spec's own variables (`"{{ spec.org }}/postgresql-{{ spec.short }}"`),
 * is the name a build gives its output (written into a README's `podman pull`) or one a template completes, not reported; a reference with a tag or digest is a base image the Dockerfile templates pull.
 * Ansible tasks that pull an image name it in the module's `name` (ansible-image-modules.ts), each item of a list such a task loops over, and a role's list variable that
 * it loops over (ansible-variables.ts). A form's image field (`image: {value, options}`: a spawner config's default
 * and dropdown choices) lists images (form-field-images.ts).
 */

// `"{{ app_image_name }}:{{ app_image_version }}"` passes on an image too when the scan's variable files set both (ansible-variables.ts).
/** Ansible `docker_container` `comparisons: {image: ignore}` names how to compare, not an image. */
const COMPARISON_MODE = /^(?:ignore|strict|allow_more_present)$/;

/** An operator's image catalog (`base` + `components`): each name under the base, with its component's tag, in place of its plain reading. */
function catalogOrFields(file: SourceFile, root: unknown, kind: ReferenceKind, options: FieldWalkOptions): Reference[] {
  const catalog = catalogImages(file, root, kind);
  const found = imageFields(file, root, options);
  if (catalog.length === 0) return found;
  const names = new Set(catalog.map((reference) => reference.spans[0]?.start));
  return [...found.filter((reference) => !reference.spans.some((span) => names.has(span.start))), ...catalog];
}

/** A Jinja template of an Ansible role. */
const ROLE_TEMPLATE = /(?:^|\/)roles\/[^/]+\/templates\/(?:[^/]+\/)*[^/]+\.j2$/;

const VALUES_FILE = /^(?:.*[-_.])?values(?:[-_.][^/]*)?\.ya?ml$/i;

/**
 * A file named like a values file whose every document is a Kubernetes object with its `metadata` (a chart's output that
 * `helm template` wrote to `values.yaml`, kept for a test to apply): manifests, read as any other, not a chart's values.
 */
function isManifestStream(file: SourceFile): boolean {
  if (!/^apiVersion:/m.test(file.text) || !/^kind:/m.test(file.text)) return false;
  const { documents, broken } = yamlSource(file);
  const roots = documents.map((document) => document.contents).filter((root) => root !== null);
  return !broken && roots.length > 0 && roots.every((root) => isKubernetesObject(root) && isMap(mapGet(root, 'metadata')));
}

export function helmValuesKind(path: string): ReferenceKind {
  return VALUES_FILE.test(baseName(path)) || /(^|\/)charts\//.test(path) ? 'helm-values' : 'yaml-image';
}

/** Helm charts of the scan: `appVersion` of each chart folder, and its template files, read only when a values file needs them. */
interface ChartFacts {
  readonly charts: Map<string, ChartFact>;
  /** Every folder with a Chart.yaml, with or without an appVersion. */
  readonly folders: Set<string>;
}

interface ChartFact {
  appVersion: string;
  line: number;
  /** The chart's `name`, which its templates may write into an image (`.Chart.Name`); null when Chart.yaml gives none plainly. */
  name: string | null;
  /** The values keys of the chart's dependencies (`dependencies[].name`, or its `alias`; Chart.yaml or requirements.yaml): what is under them is the subchart's. */
  dependencies: Map<string, string>;
  templates: SourceFile[];
  /** The chart's default values (`values.yaml`). */
  values?: SourceFile;
  appVersionPrefix?: { prefix: string; suffix: string } | null;
  /** `defaultsTagOtherwise` by values path (`reloader.image`): the chart's values files (`values.yaml`, `ci/*-values.yaml`) ask for the same maps. */
  tagDefaults?: Map<string, boolean>;
}

/**
 * The folder of the chart a values file is given to: its own, or for a file of a chart's `ci/` folder (the values chart-testing
 * installs the chart with, over its `values.yaml`), the chart's.
 */
function valuesChartFolder(path: string, folders: ReadonlySet<string> | undefined): string {
  const own = folderOf(path);
  return folders?.has(own) !== true && /(?:^|\/)(?:ci|values)$/.test(own) && folders?.has(folderOf(own)) === true ? folderOf(own) : own;
}

/**
 * A values file's kind, also for the YAML files of a `values/` folder beside a chart's Chart.yaml (`values/mirror.yaml`, the
 * overlays a chart is installed or published with, whatever their names), which are that chart's values as `values.yaml` is.
 */
function valuesKind(path: string, folders: ReadonlySet<string> | undefined): ReferenceKind {
  const own = folderOf(path);
  return /(?:^|\/)values$/.test(own) && folders?.has(own) !== true && folders?.has(folderOf(own)) === true ? 'helm-values' : helmValuesKind(path);
}

function chartFacts(files: readonly SourceFile[]): ChartFacts {
  const charts: ChartFacts['charts'] = new Map();
  const folders = new Set<string>();
  for (const file of files) {
    if (baseName(file.path) !== 'Chart.yaml') continue;
    folders.add(folderOf(file.path));
    try {
      const appVersion = chartField(file.text, 'appVersion');
      const name = chartField(file.text, 'name')?.value ?? null;
      if (appVersion) {
        charts.set(folderOf(file.path), { appVersion: appVersion.value, line: file.position(appVersion.index).line, name, dependencies: dependencyKeys(file.text), templates: [] });
      }
    } catch {
      // A file that cannot be read again is reported when the scan reaches it.
    }
    file.release();
  }
  if (charts.size === 0) return { charts, folders };
  for (const file of files) {
    // A chart at the root of the scan has its templates under `templates/`.
    const at = `/${file.path}`.lastIndexOf('/templates/');
    const chart = at === -1 ? undefined : charts.get(file.path.slice(0, Math.max(at - 1, 0)));
    if (chart) chart.templates.push(file);
    if (/^values\.ya?ml$/.test(baseName(file.path))) {
      const owner = charts.get(folderOf(file.path));
      if (owner && owner.values === undefined) owner.values = file;
    }
    // Charts of apiVersion v1 list their dependencies in requirements.yaml.
    if (baseName(file.path) === 'requirements.yaml') {
      const owner = charts.get(folderOf(file.path));
      if (!owner) continue;
      try {
        for (const [key, name] of dependencyKeys(file.text)) owner.dependencies.set(key, name);
      } catch {
        // A file that cannot be read again is reported when the scan reaches it.
      }
      file.release();
    }
  }
  return { charts, folders };
}

/** The chart's dependencies from its Chart.yaml's top-level `dependencies:` list: values key (`alias`, else `name`) → chart name. */
function dependencyKeys(text: string): Map<string, string> {
  const keys = new Map<string, string>();
  const block = /^dependencies:[ \t]*\r?\n((?:(?:[ \t-].*)?\r?\n?)*)/m.exec(text)?.[1];
  if (block === undefined) return keys;
  for (const item of block.split(/^[ \t]*-[ \t]+/m).slice(1)) {
    const field = (key: string) => new RegExp(String.raw`^[ \t]*${key}:[ \t]*["']?([\w.-]+)["']?[ \t]*(?:#.*)?\r?$`, 'm').exec(item)?.[1];
    const name = field('name');
    if (name !== undefined) keys.set(field('alias') ?? name, name);
  }
  return keys;
}

/** `.Chart.AppVersion` through any receiver: `.`, `$` or a variable holding the root context (`$global`, `$root`). */
const APP_VERSION = String.raw`\$[A-Za-z_]\w*\.Chart\.AppVersion\b|\$?\.Chart\.AppVersion\b`;
/** `.Chart.AppVersion` also through a field of the dict a named helper is called with that holds the root context (`.context.Chart.AppVersion`). */
const HELPER_APP_VERSION = String.raw`${APP_VERSION}|\.[A-Za-z_]\w*\.Chart\.AppVersion\b`;
/**
 * The forms in which a template gives the image tag the chart's appVersion by default, each with the
 * text it writes before the version: `.Values.image.tag | default .Chart.AppVersion`,
 * `default (printf "v%s" .Chart.AppVersion) .Values.image.tag`, `default (print "v" $root.Chart.AppVersion)`.
 */
const APP_VERSION_DEFAULTS: readonly RegExp[] = [
  new RegExp(String.raw`\bdefault\s+\(?\s*(?:${APP_VERSION})`, 'g'),
  // `coalesce .Values.image.tag .Chart.AppVersion`: the first non-empty one.
  new RegExp(String.raw`\bcoalesce\s+(?:[$.\w]+\s+)*?\(?\s*(?:${APP_VERSION})`, 'g'),
  new RegExp(String.raw`\bcoalesce\s+(?:[$.\w]+\s+)+\(\s*printf\s+"([^"%\\]*)%s"\s+(?:${APP_VERSION})\s*\)`, 'g'),
  new RegExp(String.raw`\bcoalesce\s+(?:[$.\w]+\s+)+\(\s*print\s+"([^"\\]*)"\s+(?:${APP_VERSION})\s*\)`, 'g'),
  // `merge .imageRoot (dict "tag" .context.Chart.AppVersion)` in a helper that renders an image map (Sprig's merge fills the
  // map's empty tag; `mergeOverwrite (dict "tag" …) .Values.image` keeps a tag that is set): appVersion when the tag is empty.
  new RegExp(String.raw`\bmerge(?:Overwrite)?\s[^{}]{0,200}?\(\s*dict\s[^()]{0,200}?"tag"\s+(?:\(\s*printf\s+"([^"%\\]*)%s"\s+)?(?:${HELPER_APP_VERSION})`, 'g'),
  // `{{ if .Values.image.tag }}{{ .Values.image.tag }}{{ else }}v{{ .Chart.AppVersion }}{{ end }}`
  new RegExp(String.raw`\{\{-?\s*if\s+[$.\w]*\.tag\s*-?\}\}\s*\{\{-?\s*[$.\w]*\.tag\s*-?\}\}\s*\{\{-?\s*else\s*-?\}\}([^{}\s"':]*)\{\{-?\s*(?:${APP_VERSION})\s*-?\}\}`, 'g'),
  // `default (printf "%s-alpine" .Chart.AppVersion)`: text before and after the version.
  new RegExp(String.raw`\bdefault\s+\(\s*printf\s+"([^"%\\]*)%s([^"%\\]*)"\s+(?:${APP_VERSION})\s*\)`, 'g'),
  new RegExp(String.raw`\bdefault\s+\(\s*print\s+"([^"\\]*)"\s+(?:${APP_VERSION})\s*\)`, 'g'),
  // `default (printf "%s-%s" .Chart.AppVersion .Values.flavor)`: a flavour from the chart's values after it.
  new RegExp(String.raw`\bdefault\s+\(\s*printf\s+"([^"%\\]*)%s([^"%\\]*)%s"\s+(?:${APP_VERSION})\s+\.Values((?:\.[A-Za-z_]\w*)+)\s*\)`, 'g'),
  // `image: "{{ .Values.image.repository }}:{{ .Chart.AppVersion }}-{{ .Values.flavor }}"`: the version written as the tag.
  new RegExp(String.raw`:()\{\{-?\s*(?:${APP_VERSION})\s*-?\}\}([^{}\s"':]*)(?:\{\{-?\s*\.Values((?:\.[A-Za-z_]\w*)+)\s*-?\}\})?`, 'g'),
];
/** Joins what a template writes around appVersion: the text before, the text after, the values path whose value follows. */
const AFFIX = '\u0000';
/** A named template (`{{ define "chart.imageTag" }}`) and its body, up to the next `define` or the end. */
const DEFINE = /\{\{-?\s*define\s+"([^"]+)"\s*-?\}\}([\s\S]*?)(?=\{\{-?\s*define\s|$)/g;
/**
 * In a named template that reads a values `tag`, a line that is only the appVersion printed, as the helper's
 * output when the tag is empty: `{{- print "v" .Chart.AppVersion -}}`, `{{ printf "v%s" … }}`, `{{ .Chart.AppVersion }}`,
 * `{{- printf ":%s" .Chart.AppVersion }}` (a helper that writes the `:` before the tag, or `@` and a digest when one is set).
 * A `key: {{ … }}` line (a label) is not one.
 */
const PRINTED_APP_VERSION = new RegExp(
  String.raw`^[ \t]*\{\{-?\s*(?:print\s+"([^"\\]*)"\s+(?:${APP_VERSION})|printf\s+"([^"%\\]*)%s"\s+(?:${APP_VERSION})|(?:${APP_VERSION}))\s*-?\}\}[ \t]*\r?$`,
  'gm',
);
const VALUES_TAG = /\.Values(?:\.[A-Za-z_]\w*)*\.tag\b/;

/**
 * A default or coalesce that an action compares or tests rather than writes
 * (`{{ if semverCompare ">=1.4.0-0" (coalesce .Values.version .Values.image.tag .Chart.AppVersion) }}`): not the image's tag.
 */
const COMPARED = /\b(?:if|semverCompare|eq|ne|lt|le|gt|ge|hasPrefix|hasSuffix|contains|regexMatch)\b/;

function inComparison(text: string, at: number): boolean {
  const open = text.lastIndexOf('{{', at);
  return open !== -1 && text.lastIndexOf('}}', at) < open && COMPARED.test(text.slice(open, at));
}

/** `printf "<format>" <arguments>`: an argument is a word, a quoted text or a parenthesised call (one level of parentheses inside). */
const PRINTF_CALL = /\bprintf\s+"([^"\\]*)"((?:[ \t]+(?:\((?:[^()]|\([^()]*\))*\)|"[^"\\]*"|[$.\w]+))+)/g;
const PRINTF_ARGUMENT = /\((?:[^()]|\([^()]*\))*\)|"[^"\\]*"|[$.\w]+/g;
const APP_VERSION_ARGUMENT = new RegExp(String.raw`^(?:${APP_VERSION})$`);
const VALUES_ARGUMENT = /^\$?\.Values((?:\.[A-Za-z_]\w*)+)$/;
const TAG_TEXT = /^[\w.-]*$/;

/**
 * A helper that writes the whole image with one printf whose tag is appVersion
 * (`printf "%s/%s:%s-%s" <registry> .Values.image.repository .Chart.AppVersion .Values.image.flavor`): the text
 * between the format's last `:` and appVersion's verb, the text after it, and at most one values path after that,
 * the format's last verb. Each is joined as APP_VERSION_DEFAULTS' groups are.
 */
function printfImageAffixes(text: string): string[] {
  const affixes: string[] = [];
  if (!text.includes('printf')) return affixes;
  for (const match of text.matchAll(PRINTF_CALL)) {
    const format = match[1] ?? '';
    if (!format.includes(':') || inComparison(text, match.index)) continue;
    const args = [...(match[2] ?? '').matchAll(PRINTF_ARGUMENT)].map((argument) => argument[0]);
    const pieces = format.split(/%[sv]/);
    const at = args.findIndex((argument) => APP_VERSION_ARGUMENT.test(argument));
    if (pieces.length - 1 !== args.length || pieces.some((piece) => piece.includes('%')) || at === -1) continue;
    const before = pieces[at] ?? '';
    const colon = before.lastIndexOf(':');
    const prefix = before.slice(colon + 1);
    const middle = pieces[at + 1] ?? '';
    const flavour = args.length === at + 2 ? VALUES_ARGUMENT.exec(args[at + 1] ?? '') : null;
    if (colon === -1 || !TAG_TEXT.test(prefix) || !TAG_TEXT.test(middle) || (args.length !== at + 1 && (flavour === null || pieces[at + 2] !== ''))) continue;
    affixes.push([prefix, middle, flavour?.[1] ?? ''].join(AFFIX));
  }
  return affixes;
}

/** The texts the chart's templates put before appVersion when they use it as the default image tag. */
function appVersionPrefixes(text: string): Set<string> {
  const prefixes = new Set<string>();
  if (!text.includes('AppVersion')) return prefixes;
  for (const pattern of APP_VERSION_DEFAULTS) {
    for (const match of text.matchAll(pattern)) if (!inComparison(text, match.index)) prefixes.add([match[1] ?? '', match[2] ?? '', match[3] ?? ''].join(AFFIX));
  }
  for (const affix of printfImageAffixes(text)) prefixes.add(affix);
  for (const define of text.matchAll(DEFINE)) {
    const body = define[2] ?? '';
    if (!VALUES_TAG.test(body)) continue;
    for (const match of body.matchAll(PRINTED_APP_VERSION)) {
      // `printf ":%s" .Chart.AppVersion`: the helper writes the tag's `:` itself, after the name; the tag is what follows it.
      const printed = match[1] ?? match[2] ?? '';
      prefixes.add([printed.slice(printed.lastIndexOf(':') + 1), '', ''].join(AFFIX));
    }
  }
  return prefixes;
}

/** `{{ if .Values.image.tagLabel }}`: a values path a template tests (`.image.tagLabel`). */
const TESTED_VALUE = /\{\{-?\s*if\s+\$?\.Values((?:\.[A-Za-z_]\w*)+)\s*-?\}\}/g;

/** A scalar of the chart's default values at a dotted path (`.flavor`, `.image.flavor`), as text; null when it is not one. */
function chartValue(chart: ChartFact, path: string): string | null {
  if (!chart.values) return null;
  let node: unknown = yamlSource(chart.values).documents[0]?.contents;
  for (const key of path.split('.').slice(1)) node = isMap(node) ? mapGet(node, key) : undefined;
  if (!isScalar(node) || !(typeof node.value === 'string' || typeof node.value === 'number')) return null;
  const text = String(node.value);
  return /^[\w][\w.-]*$/.test(text) ? text : null;
}

/**
 * What a template of the chart writes around appVersion when it gives the image tag the chart's appVersion
 * by default: the text before (`''`, or `'v'` for `printf "v%s" .Chart.AppVersion`) and after (`-alpine` for
 * `printf "%s-alpine" …`, `-` and the value of `.Values.flavor` for `printf "%s-%s" … .Values.flavor`); null
 * when no template does, a flavour is not a plain value of the chart's values, or templates of the chart write
 * different texts (which one a values entry gets is not known).
 */
function appVersionPrefix(chart: ChartFact): { prefix: string; suffix: string } | null {
  if (chart.appVersionPrefix === undefined) {
    let affixes = new Set<string>();
    /** Values paths that templates test with `if` (`{{- if .Values.image.tagLabel -}}`). */
    const tested = new Set<string>();
    for (const template of chart.templates) {
      try {
        for (const affix of appVersionPrefixes(template.text)) affixes.add(affix);
        for (const match of template.text.matchAll(TESTED_VALUE)) if (match[1]) tested.add(match[1]);
      } catch {
        // A template that cannot be read again is reported when the scan reaches it.
      } finally {
        template.release();
      }
    }
    // `{{ if .Values.image.tagLabel }}appVersion-tagLabel{{ else }}appVersion{{ end }}`: the flavour's value decides
    // which text applies (a flavour that is empty or not set gives appVersion alone).
    const plain = ['', '', ''].join(AFFIX);
    const flavoured = [...affixes].find((affix) => affix !== plain);
    const flavourPath = flavoured?.split(AFFIX)[2] ?? '';
    if (affixes.size === 2 && affixes.has(plain) && flavoured !== undefined && flavourPath !== '' && tested.has(flavourPath)) {
      affixes = new Set([chartValue(chart, flavourPath) === null ? plain : flavoured]);
    }
    const [only] = affixes.size === 1 ? [...affixes] : [];
    const [prefix = '', middle = '', path = ''] = only?.split(AFFIX) ?? [];
    const flavour = path === '' ? '' : chartValue(chart, path);
    chart.appVersionPrefix = only === undefined || flavour === null ? null : { prefix, suffix: `${middle}${flavour}` };
  }
  return chart.appVersionPrefix;
}

/**
 * A values file's `repository` with an empty or missing tag, in a chart whose templates default the tag to
 * `appVersion`: the image run is `repository:appVersion`. Shown with that tag, and left `templated`: the
 * version is set in Chart.yaml, and writing a tag into the values file would stop it following the chart.
 */
function throughAppVersion(
  reference: Reference,
  facts: ChartFacts | undefined,
  topKey: (reference: Reference) => string | undefined,
  mapPath: (reference: Reference) => readonly string[] | undefined,
): Reference {
  if (!facts || reference.kind !== 'helm-values' || reference.skip !== 'no-tag' || !reference.spans.some((span) => span.role === 'repository')) return reference;
  let folder = valuesChartFolder(reference.file, facts.folders);
  let chart = facts.charts.get(folder);
  // Values under a dependency's key are the subchart's: its templates and its appVersion decide the tag.
  const dependency = chart && chart.dependencies.size > 0 ? chart.dependencies.get(topKey(reference) ?? '') : undefined;
  if (chart && dependency !== undefined) {
    const parentFile = folder === '' ? 'Chart.yaml' : `${folder}/Chart.yaml`;
    folder = folder === '' ? `charts/${dependency}` : `${folder}/charts/${dependency}`;
    chart = facts.charts.get(folder);
    if (!chart) {
      const where = facts.folders.has(folder) ? `${folder}/, with no appVersion` : 'not in this repository';
      const note = `no tag here: the ${dependency} chart (a dependency of ${parentFile}, ${where}) decides it`;
      return { ...reference, detail: [reference.detail, note].filter(Boolean).join('; ') };
    }
  }
  const affix = chart ? appVersionPrefix(chart) : null;
  if (!chart || affix === null) return reference;
  const path = dependency === undefined ? mapPath(reference) : undefined;
  if (path !== undefined && defaultsTagOtherwise(chart, path)) return reference;
  const { prefix, suffix } = affix;
  const tag = `${prefix}${chart.appVersion}${suffix}`;
  const value = `${reference.value}:${tag}`;
  const image = parseImageRef(value);
  if (!image) return reference;
  const chartFile = folder === '' ? 'Chart.yaml' : `${folder}/Chart.yaml`;
  return {
    ...withValue(reference, value, image),
    skip: 'templated',
    detail: [
      reference.detail,
      `no tag here: the chart's templates use ${[prefix === '' ? '' : `"${prefix}"`, 'appVersion', suffix === '' ? '' : `"${suffix}"`].filter(Boolean).join(' + ')} ${chart.appVersion} (${chartFile}:${chart.line}); set there, not edited here`,
    ]
      .filter(Boolean)
      .join('; '),
  };
}

/**
 * Do the chart's templates write this values map's tag with a default of their own that is not appVersion
 * (`{{ .Values.reloader.image.tag | default (printf "%s.%s" .Capabilities.KubeVersion.Major .Capabilities.KubeVersion.Minor) }}`),
 * and never with appVersion? The image line's own default wins over an appVersion default that other maps' lines write.
 */
function defaultsTagOtherwise(chart: ChartFact, path: readonly string[]): boolean {
  if (path.length === 0 || !path.every((key) => /^[A-Za-z_]\w*$/.test(key))) return false;
  chart.tagDefaults ??= new Map();
  const key = path.join('.');
  let answer = chart.tagDefaults.get(key);
  if (answer === undefined) {
    answer = readsTagDefaults(chart, path);
    chart.tagDefaults.set(key, answer);
  }
  return answer;
}

/** `defaultsTagOtherwise` read from the chart's templates (each is read again from its file, then released). */
function readsTagDefaults(chart: ChartFact, path: readonly string[]): boolean {
  const tag = String.raw`\$?\.Values\.${path.join(String.raw`\.`)}\.tag\b`;
  const fallback = String.raw`(\([^{}]*?\)|[^\s{}|()]+)`;
  const defaults = new RegExp(String.raw`${tag}\s*\|\s*default\s+${fallback}|\bdefault\s+${fallback}\s+${tag}`, 'g');
  let other = false;
  for (const template of chart.templates) {
    try {
      for (const match of template.text.matchAll(defaults)) {
        if (/AppVersion/.test(match[1] ?? match[2] ?? '')) return false;
        other = true;
      }
    } catch {
      // A template that cannot be read again is reported when the scan reaches it.
    } finally {
      template.release();
    }
  }
  return other;
}

/** A values map with a `repository`: its path (`['operator', 'image']`) and where its `tag` key starts, if it has one. */
interface RepositoryMap {
  readonly path: readonly string[];
  readonly tagAt: number | null;
}

/** The path of the values map whose `repository` this reference starts at (`['reloader', 'image']`). */
function mapPathOf(reference: Reference, maps: ReadonlyMap<number, RepositoryMap>): readonly string[] | undefined {
  const span = reference.spans.find((found) => found.role === 'repository');
  return span === undefined ? undefined : maps.get(span.start)?.path;
}

/**
 * Each values map's `repository`, by where its value starts (also inside its quotes); and each `imageName` / `imageRepository`
 * value (`<x>ImageName`), as a map of its own at the path of its key, whose tag is its `<x>ImageTag` sibling; and each
 * name written whole under `image`, a map of its own at its key.
 */
function repositoryMaps(file: SourceFile, documents: readonly Document.Parsed[]): Map<number, RepositoryMap> {
  const maps = new Map<number, RepositoryMap>();
  const keyAt = (map: YAMLMap, key: string): number | null => {
    const pair = map.items.find((item) => isScalar(item.key) && item.key.value === key);
    return pair && isScalar(pair.key) && pair.key.range ? pair.key.range[0] : null;
  };
  const add = (node: unknown, entry: RepositoryMap): void => {
    if (!isScalar(node) || !node.range) return;
    maps.set(file.base + node.range[0], entry);
    maps.set(file.base + node.range[0] + 1, entry);
  };
  for (const document of documents) {
    walkMaps(document.contents, (map, path) => {
      add(map.get('repository', true), { path, tagAt: keyAt(map, 'tag') });
      for (const [key, node] of mapEntries(map)) {
        if (IMAGE_REPOSITORY_KEY.test(key)) add(node, { path: [...path, key], tagAt: keyAt(map, `${key.replace(/(?:Repository|Name)$/, '')}Tag`) });
        // A whole name under `image` (`image: registry.example.test/team/app`, its version beside it or the chart's).
        else if (key === 'image' && !map.has('repository')) add(node, { path: [...path, key], tagAt: null });
      }
    });
  }
  return maps;
}

/**
 * A comment that says an empty tag is the chart's appVersion: helm-docs' `# @default -- chart.appVersion`, `# Overrides the
 * image tag whose default is the chart appVersion.`, `# if not set appVersion field from Chart.yaml is used`, `# image tag
 * (overrides appVersion)`, `tag: "" # rewrites Chart.AppVersion`, `# override Chart.AppVersion` (a tag written there takes the place
 * of appVersion; the verb in any of its forms).
 */
const DOCUMENTED_APP_VERSION = /\bapp_?version\b/i;
const DEFAULT_WORDS = /\b(?:default|defaults|not set|unset|empty|follows|override|overrides|overridden|rewrite|rewrites|overwrite|overwrites)\b/i;
/** A comment that puts text around the version (`{{ printf "v%s" .Chart.AppVersion }}`, `"<appVersion>-core"`, `v + appVersion`). */
const AFFIXED = /%s|printf|"v|\bv\s*\+|app_?version>?(?:\s*\+|-)|(?:\+\s*|\w-)<?\.?(?:chart\.)?app_?version|\$\{/i;

/** The comment lines right above a values key at `at` and the comment after it on its line, as one text. */
function commentAbove(text: string, at: number): string {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const lineEnd = text.indexOf('\n', at);
  const own = text.slice(at, lineEnd === -1 ? text.length : lineEnd);
  const comments: string[] = [];
  const trailing = /\s#(.*)$/.exec(own)?.[1];
  if (trailing !== undefined) comments.push(trailing);
  for (let end = lineStart - 1; end > 0;) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(start, end).trim();
    if (!line.startsWith('#')) break;
    comments.unshift(line.replace(/^#+/, ''));
    end = start - 1;
  }
  return comments.join(' ');
}

/** Whether the comment of a values map's empty `tag` documents the chart's appVersion as the tag, with nothing around it. */
function documentsAppVersion(text: string, tagAt: number | null): boolean {
  if (tagAt === null) return false;
  const comment = commentAbove(text, tagAt);
  return DOCUMENTED_APP_VERSION.test(comment) && DEFAULT_WORDS.test(comment) && !AFFIXED.test(comment);
}

/**
 * A values map with a digest and an empty tag (`tag: ""` + `sha: …` or `digest: …`): read alone it names the image by its
 * digest, but a chart's template may write a tag before that digest.
 */
function isDigestWithoutTag(reference: Reference): boolean {
  return (
    reference.kind === 'helm-values' &&
    reference.skip === null &&
    reference.image?.tag === null &&
    reference.image.digest !== null &&
    reference.spans.some((span) => span.role === 'repository') &&
    reference.spans.some((span) => span.role === 'tag' && span.text === '') &&
    reference.spans.some((span) => span.role === 'digest')
  );
}

/** Without the images written as a schema's `default`, `example` or `enum` (schemaValueRanges): a CustomResourceDefinition's, also a part of one kept as a file of its own. */
function withoutSchemaValues(references: Reference[], documents: readonly Document.Parsed[], file: SourceFile): Reference[] {
  if (references.length === 0 || !/\bproperties["']?[ \t]*:/.test(file.text)) return references;
  const base = file.base;
  const ranges = schemaValueRanges(documents);
  if (ranges.length === 0) return references;
  return references.filter((reference) => !reference.spans.some((span) => ranges.some(([start, end]) => span.start - base >= start && span.start - base < end)));
}

/** A chart's dependency taken from a folder of the repository: `repository: file://../app-lib` (quoted or not). */
const FILE_DEPENDENCY = /^[ \t-]*repository:[ \t]*["']?file:\/\/([^"'\s#]+)["']?[ \t]*(?:#.*)?$/gm;

/**
 * The other charts of the scan whose named templates Helm gives this chart's templates when it renders it: the charts
 * it sits in (`spire/charts/agent` in `spire`), and the charts that it or they take from a folder of the repository
 * (`repository: file://../spire-lib`, a library chart of shared helpers).
 */
function renderedWith(folder: string, folders: ChartFolders): { readonly templates: readonly SourceFile[] }[] {
  const chain = [folder];
  for (let at = folder; ;) {
    const parent = /^(?:(.*)\/)?charts\/[^/]+$/.exec(at);
    if (!parent || !folders.charts.has(parent[1] ?? '')) break;
    at = parent[1] ?? '';
    chain.push(at);
  }
  const found = new Set(chain.slice(1));
  for (const owner of chain) {
    const chart = folders.charts.get(owner)?.chart;
    if (!chart) continue;
    let text: string;
    try {
      text = chart.text;
    } catch {
      // A Chart.yaml that cannot be read again is reported when the scan reaches it.
      continue;
    } finally {
      chart.release();
    }
    for (const match of text.matchAll(FILE_DEPENDENCY)) {
      const dependency = joinRelative(owner, match[1] ?? '');
      if (dependency !== null && dependency !== folder && folders.charts.has(dependency)) found.add(dependency);
    }
  }
  return [...found].flatMap((other) => folders.charts.get(other) ?? []);
}

/**
 * The name of a values map whose `tag` is itself a template (`tag: "{{ .Chart.AppVersion }}"`, that the chart renders with
 * `tpl`), its repository written whole: null for any other.
 */
function templatedTag(reference: Reference): string | null {
  if (reference.kind !== 'helm-values' || reference.skip !== 'templated' || reference.spans.length !== 2) return null;
  const repository = reference.spans.find((span) => span.role === 'repository');
  const tag = reference.spans.find((span) => span.role === 'tag');
  return repository && tag?.text.includes('{{') === true && !isTemplated(repository.text) ? repository.text : null;
}

/**
 * A values file's `repository` with no tag: the tag the chart's own template lines for that values map render, with this
 * file's values over the chart's defaults
 * (`{{ .Values.image.tag | default $defaultTag }}` with `$defaultTag` assigned before it from appVersion and values, a
 * helper given `.Chart.AppVersion` as a parameter, another values map's tag as the default). Shown with it and held
 * `templated`: writing a tag here would override what the templates choose. When no template line says, the tag's comment
 * may (documentsAppVersion), unless the appVersion rules above completed it (`completed`).
 *
 * A map with an empty tag and a digest (isDigestWithoutTag) whose lines render the name, a tag and that same digest
 * (`"{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}@sha256:{{ .Values.image.sha }}"`)
 * runs `name:tag@digest`: shown so, and still updated, in its digest field only. The tag stays the templates' choice: an
 * update to another tag is held (the empty `tag` keeps its `outside` note), as writing a tag here would override theirs.
 */
function throughRenderedTag(
  file: SourceFile,
  documents: readonly Document.Parsed[],
  facts: YamlFacts | undefined,
  topKey: (reference: Reference) => string | undefined,
  mapsOf: () => Map<number, RepositoryMap>,
): (reference: Reference, completed: boolean) => Reference {
  const folder = valuesChartFolder(file.path, facts?.folders);
  const chartFiles = facts?.chartFolders.charts.get(folder);
  if (!facts || !chartFiles || valuesKind(file.path, facts.folders) !== 'helm-values') return (reference) => reference;
  let tagsOf: ReturnType<typeof chartRenderedTags> | null | undefined;
  const chart = facts.charts.get(folder);
  const chartFile = folder === '' ? 'Chart.yaml' : `${folder}/Chart.yaml`;
  /** What the chart's lines render for the values map of the reference's repository, named `name`; null when none says. */
  const renderedFor = (reference: Reference, name: string): { found: ReturnType<ReturnType<typeof chartRenderedTags>>; map: RepositoryMap } | null => {
    // A `repository`'s span, or a whole `imageName` or `image` value's.
    const span = reference.spans.find((entry) => entry.role === 'repository') ?? (reference.spans.length === 1 ? reference.spans.find((entry) => entry.role === 'reference') : undefined);
    if (!span || (chart?.dependencies.has(topKey(reference) ?? '') ?? false)) return null;
    const map = mapsOf().get(span.start);
    if (!map) return null;
    if (tagsOf === undefined) {
      let library: { file: SourceFile; path: string }[] = [];
      let values = valuesData(documents);
      try {
        if (chartFiles.values && chartFiles.values.path !== file.path) values = mergeValues(valuesData(yamlSource(chartFiles.values).documents), values);
        const templates = chartFiles.templates.map((template) => ({ file: template, path: folder === '' ? template.path : template.path.slice(folder.length + 1) }));
        library = renderedWith(folder, facts.chartFolders).flatMap((other) => other.templates.map((template) => ({ file: template, path: template.path })));
        tagsOf = chartRenderedTags(templates, values, chart?.appVersion ?? null, library, chart?.name ?? null);
      } catch {
        // A template that cannot be read again is reported when the scan reaches it.
        tagsOf = null;
      } finally {
        for (const template of chartFiles.templates) template.release();
        for (const template of library) template.file.release();
      }
    }
    return { found: tagsOf?.(map.path, name) ?? null, map };
  };
  const from = (found: RenderedTag): string => (found.appVersion && chart ? `, with appVersion ${chart.appVersion} of ${chartFile}:${chart.line}` : '');
  /** What the lines write around the name besides its tag: a registry before it, a path after it (`path /agent-operator and `). */
  const rendersAround = (found: RenderedTag): string => `${found.registry === null ? '' : `registry ${found.registry} and `}${found.after === '' ? '' : `path ${found.after} after it and `}`;
  const throughRenderedDigestTag = (reference: Reference): Reference => {
    const found = reference.name === null ? null : renderedFor(reference, reference.name)?.found;
    if (!found || found === 'other' || found.tag === '' || found.digest === null || found.digest !== reference.image?.digest) return reference;
    const value = `${found.registry === null ? '' : `${found.registry}/`}${reference.name}${found.after}:${found.tag}@${found.digest}`;
    const image = parseImageRef(value);
    if (!image) return reference;
    const note = `the chart's templates render ${rendersAround(found)}tag ${found.tag} before the digest (${found.where}${from(found)})`;
    const outside = `the tag is the chart's (${found.where}${from(found)}): a tag written here would override it; change it there, with the digest`;
    return {
      ...withValue(reference, value, image),
      spans: reference.spans.map((span) => (span.role === 'tag' ? { ...span, outside } : span)),
      detail: [reference.detail, `${note}; the digest is updated here, the tag is not`].filter(Boolean).join('; '),
    };
  };
  return (reference, completed) => {
    if (isDigestWithoutTag(reference)) return throughRenderedDigestTag(reference);
    const written = templatedTag(reference);
    if (reference.skip !== 'no-tag' && written === null) return reference;
    const rendered = renderedFor(reference, written ?? reference.value);
    if (!rendered) return reference;
    const { found, map } = rendered;
    // Shown as the chart gives it, held `templated`: the values file is not where the tag is chosen.
    const held = (value: string, note: string): Reference => {
      const image = parseImageRef(value);
      if (!image) return reference;
      return { ...withValue(reference, value, image), skip: 'templated', detail: [reference.detail, note].filter(Boolean).join('; ') };
    };
    if (found === 'other') return reference;
    // The lines write the name with a digest alone, read from the values (`{{ if .Values.image.tag }}:…{{ else }}@{{ .Values.image.sha }}{{ end }}`).
    if (found !== null && found.tag === '' && found.digest !== null && written === null) {
      const prefix = found.registry === null ? '' : `${found.registry}/`;
      return held(`${prefix}${reference.value}${found.after}@${found.digest}`, `no tag here: the chart's templates render ${rendersAround(found)}the digest alone (${found.where}); not edited here`);
    }
    if (found?.digest != null) return reference;
    if (found === null) {
      if (written !== null) return reference;
      // No template of the repository says (the chart's images are written by a library chart it depends on): the tag's
      // comment, when it says the tag is the chart's appVersion.
      if (completed || !chart || !documentsAppVersion(file.text, map.tagAt)) return reference;
      return held(`${reference.value}:${chart.appVersion}`, `no tag here: its comment gives the chart's appVersion ${chart.appVersion} (${chartFile}:${chart.line}); set there, not edited here`);
    }
    return held(
      `${found.registry === null ? '' : `${found.registry}/`}${written ?? reference.value}${found.after}:${found.tag}`,
      written === null
        ? `no tag here: the chart's templates render ${rendersAround(found)}tag ${found.tag} (${found.where}${from(found)}); not edited here, where a tag would override theirs`
        : `the tag here is a template the chart renders: ${rendersAround(found)}tag ${found.tag} (${found.where}${from(found)}); not edited here`,
    );
  };
}

/**
 * A template that merges a component's values over the chart's top-level values before it renders the component (the
 * library-chart pattern `{{- $_ := get .Values "server" | mergeOverwrite $ctx.Values -}}`, also `index .Values "server"`,
 * either argument order, or `merge`): the component's key.
 */
const MERGED_OVER_ROOT = [
  /\b(?:get|index)\s+\$?\.Values\s+"([\w-]+)"\s*\)?\s*\|\s*merge(?:Overwrite)?\s+\$[A-Za-z_]\w*\.Values\b/g,
  /\bmerge(?:Overwrite)?\s+\$[A-Za-z_]\w*\.Values\s+\(\s*(?:get|index)\s+\$?\.Values\s+"([\w-]+)"\s*\)/g,
];

/**
 * A component's image without a tag (`server.controllers.main.containers.main.image: {repository: …}`) in a chart whose
 * templates merge that component's values over the top-level values: the image takes the top-level map's tag at the same
 * path (`controllers.main.containers.main.image.tag`), written once for every such component. Reported with that tag and
 * edited where it is written, so the images that share it move together.
 */
function throughMergedValues(file: SourceFile, documents: readonly Document.Parsed[], facts: YamlFacts | undefined, mapsOf: () => Map<number, RepositoryMap>): (reference: Reference) => Reference {
  const folder = folderOf(file.path);
  const chartFiles = facts?.chartFolders.charts.get(folder);
  if (!chartFiles || chartFiles.values?.path !== file.path) return (reference) => reference;
  let merged: Map<string, string> | undefined;
  return (reference) => {
    if (reference.skip !== 'no-tag') return reference;
    const span = reference.spans.find((entry) => entry.role === 'repository');
    if (!span) return reference;
    const map = mapsOf().get(span.start);
    const [component, ...rest] = map?.path ?? [];
    if (!map || map.tagAt !== null || component === undefined || rest.length === 0) return reference;
    if (merged === undefined) {
      merged = new Map();
      for (const template of chartFiles.templates) {
        try {
          for (const pattern of MERGED_OVER_ROOT)
            for (const match of template.text.matchAll(pattern)) if (match[1] && !merged.has(match[1])) merged.set(match[1], `${template.path}:${template.position(match.index).line}`);
        } catch {
          // A template that cannot be read again is reported when the scan reaches it.
        } finally {
          template.release();
        }
      }
    }
    const where = merged.get(component);
    if (where === undefined) return reference;
    const document = documents.find((candidate) => candidate.contents?.range && candidate.contents.range[0] <= span.start - file.base && span.start - file.base < candidate.contents.range[2]);
    const tag = yamlValueText(document?.getIn([...rest, 'tag'], true), file, true);
    if (!tag || tag.text === '' || tag.templated === true || tag.skip !== undefined) return reference;
    const shared = withTagAt(file, reference, { value: tag.text, start: tag.start, end: tag.end });
    if (!shared) return reference;
    const detail = `the tag is the top-level ${[...rest, 'tag'].join('.')} (line ${file.position(tag.start).line}): ${where} merges the values of ${component} over the top-level values; edited there, with every image that shares it`;
    return { ...shared, detail: [reference.detail, detail].filter(Boolean).join('; ') };
  };
}

/** One image name with no registry, path, tag or digest (`pilot`, `proxyv2`): what a `hub` completes. */
const ONE_NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
/** A registry host with an optional path under it (`docker.io/istio`, `registry.example.test:5000/mesh`). */
const HUB = /^(?:localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)+|[a-z0-9.-]+:\d+)(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/**
 * A values map that names its image as one name beside a `hub` (Istio's charts: `image: pilot`, `hub`, `tag`, the templates
 * writing `{{ .hub | default .Values.global.hub }}/{{ .image }}:{{ .tag | default .Values.global.tag }}`): the hub is the
 * registry and path, the tag the map's own or, where the map's `hub` / `tag` are empty or absent, the `global` map's of an
 * enclosing map (`global.hub: docker.io/istio` + `global.tag: 1.22.3` + `pilot.image: pilot` = `docker.io/istio/pilot:1.22.3`,
 * also `global.proxy.image: proxyv2`). Reported at the image, the tag edited where it is written; the hub is not edited.
 * A `variant` (a suffix the templates add to the tag) leaves the image as it was read.
 */
function throughHub(file: SourceFile, documents: readonly Document.Parsed[]): (reference: Reference) => Reference {
  type ImageMap = { readonly map: YAMLMap; readonly ancestors: readonly YAMLMap[] };
  let index: Map<number, ImageMap> | undefined;
  const build = (): Map<number, ImageMap> => {
    const found = new Map<number, ImageMap>();
    const walk = (node: unknown, ancestors: readonly YAMLMap[]): void => {
      if (!isMap(node) || ancestors.length > 64) return;
      const image = node.get('image', true);
      if (isScalar(image) && image.range) {
        const entry = { map: node, ancestors };
        found.set(file.base + image.range[0], entry);
        found.set(file.base + image.range[0] + 1, entry);
      }
      for (const item of node.items) if (isMap(item.value)) walk(item.value, [...ancestors, node]);
    };
    for (const document of documents) walk(document.contents, []);
    return found;
  };
  const text = (map: YAMLMap | undefined, key: string): ReturnType<typeof yamlValueText> => (map ? yamlValueText(map.get(key, true), file, true) : null);
  return (reference) => {
    if (reference.kind !== 'helm-values' || reference.detail !== undefined) return reference;
    const [span, second, ...more] = reference.spans;
    if (span === undefined || more.length > 0 || !ONE_NAME.test(span.text)) return reference;
    const entry = (index ??= build()).get(span.start);
    if (!entry) return reference;
    const { map, ancestors } = entry;
    // The map's own `global` (Istio's newer charts: `image`, `hub`, `tag` and `global` side by side under one defaults map), or an enclosing map's.
    const global = [...ancestors, map]
      .map((ancestor): unknown => ancestor.get('global', true))
      .reverse()
      .find((node): node is YAMLMap => isMap(node));
    const own = (key: string): ReturnType<typeof yamlValueText> => {
      const value = text(map, key);
      return value && value.text !== '' ? value : null;
    };
    const hub = own('hub') ?? text(global, 'hub');
    if (!hub || hub.templated === true || hub.skip !== undefined || !HUB.test(hub.text)) return reference;
    if ((own('variant')?.text ?? text(global, 'variant')?.text ?? '') !== '') return reference;
    const ownTag = own('tag');
    const tag = ownTag ?? text(global, 'tag');
    const usable = tag && tag.text !== '' && tag.templated !== true && tag.skip === undefined ? tag : null;
    if (tag && tag.text !== '' && !usable) return reference;
    // The reading this completes: the name alone, or the name and its own tag.
    const plain =
      second === undefined ? reference.skip === 'no-tag' && reference.value === span.text : second.role === 'tag' && (second.text === '' || reference.value === `${span.text}:${second.text}`);
    if (!plain) return reference;
    const start = span.start - file.base;
    const details = [`registry ${hub.text}: the hub at line ${file.position(hub.start).line}, not edited here`];
    if (usable && usable !== ownTag) details.push(`the tag is the global tag (line ${file.position(usable.start).line}), edited there`);
    return makeReference(file, {
      kind: reference.kind,
      value: `${hub.text.replace(/\/+$/, '')}/${span.text}${usable ? `:${usable.text}` : ''}`,
      parts: [{ role: 'repository', start, end: start + span.text.length }, ...(usable ? [{ role: 'tag' as const, start: usable.start, end: usable.end }] : [])],
      detail: details.join('; '),
    });
  };
}

/** The top-level key of the document under which a reference is written (`redis-ha` for `redis-ha.haproxy.image`). */
function topKeyOf(file: SourceFile, documents: readonly Document.Parsed[]): (reference: Reference) => string | undefined {
  return (reference) => {
    const at = (reference.spans[0]?.start ?? 0) - file.base;
    for (const document of documents) {
      const root = document.contents;
      if (!isMap(root)) continue;
      for (const item of root.items) {
        const range = isNode(item.value) ? item.value.range : undefined;
        if (range && at >= range[0] && at < range[2] && isScalar(item.key)) return String(item.key.value);
      }
    }
    return undefined;
  };
}

/** Plain data of the first document that is a map, or an empty map. */
function valuesData(documents: readonly Document.Parsed[]): Record<string, unknown> {
  for (const document of documents) {
    if (!isMap(document.contents)) continue;
    try {
      const data: unknown = document.toJS({ maxAliasCount: 100 });
      if (data !== null && typeof data === 'object' && !Array.isArray(data)) return data as Record<string, unknown>;
    } catch {
      // Values that cannot be read as data render nothing known.
    }
  }
  return {};
}

/** Helm's merge of a values file over the chart's defaults: maps merge key by key, anything else replaces. */
function mergeValues(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const below = merged[key];
    const isRecord = (entry: unknown): entry is Record<string, unknown> => entry !== null && typeof entry === 'object' && !Array.isArray(entry);
    merged[key] = isRecord(below) && isRecord(value) ? mergeValues(below, value) : value;
  }
  return merged;
}

/**
 * How the chart of a values file joins image parts, with that file's values over the chart's defaults; asked at most once
 * per file. A values file of the chart's `ci/` folder (the values chart-testing installs it with) is the chart's too.
 */
function chartJoinsOf(file: SourceFile, documents: readonly Document.Parsed[], facts: YamlFacts | undefined): (() => ChartImageJoins | null) | undefined {
  const folder = valuesChartFolder(file.path, facts?.folders);
  // A chart without an appVersion joins its image parts too: Helm renders `.Chart.AppVersion` empty there.
  const appVersion = facts?.charts.get(folder)?.appVersion ?? '';
  const chart = facts?.charts.get(folder) ?? facts?.chartFolders.charts.get(folder);
  if (!chart || valuesKind(file.path, facts?.folders) !== 'helm-values') return undefined;
  let joins: ChartImageJoins | null | undefined;
  return () => {
    if (joins !== undefined) return joins;
    let values = valuesData(documents);
    if (chart.values && chart.values.path !== file.path) {
      try {
        values = mergeValues(valuesData(yamlSource(chart.values).documents), values);
      } catch {
        // Defaults that cannot be read again leave this file's own values.
      }
    }
    joins = joinsOf(folder, chart, values, appVersion);
    if (joins) {
      const subcharts = new Map<string, ChartImageJoins | null>();
      const given = values;
      joins = {
        ...joins,
        subchart: (key) => {
          if (!subcharts.has(key)) subcharts.set(key, subchartJoins(folder, key, given, facts));
          return subcharts.get(key) ?? null;
        },
      };
    }
    return joins;
  };
}

/** How a chart's templates join image parts with `values`; null when a template cannot be read again. */
function joinsOf(folder: string, chart: { readonly templates: readonly SourceFile[] }, values: Record<string, unknown>, appVersion: string): ChartImageJoins | null {
  const templates = chart.templates.map((template) => ({ file: template, path: folder === '' ? template.path : template.path.slice(folder.length + 1) }));
  try {
    return chartImageJoins(templates, values, { appVersion });
  } catch {
    // A template that cannot be read again is reported when the scan reaches it.
    return null;
  } finally {
    for (const template of chart.templates) template.release();
  }
}

/**
 * The subchart in the folder `charts/<key>/` of a chart, which Helm renders with the parent's values under `key` over its own
 * defaults: how its templates join image parts.
 */
function subchartJoins(folder: string, key: string, parent: Record<string, unknown>, facts: YamlFacts | undefined): ChartImageJoins | null {
  if (!/^[\w.-]+$/.test(key)) return null;
  const sub = folder === '' ? `charts/${key}` : `${folder}/charts/${key}`;
  const chart = facts?.charts.get(sub) ?? facts?.chartFolders.charts.get(sub);
  if (!chart) return null;
  const given = parent[key];
  let values = given !== null && typeof given === 'object' && !Array.isArray(given) ? (given as Record<string, unknown>) : {};
  if (chart.values) {
    try {
      values = mergeValues(valuesData(yamlSource(chart.values).documents), values);
    } catch {
      // Defaults that cannot be read again leave the parent's values.
    }
  }
  return joinsOf(sub, chart, values, facts?.charts.get(sub)?.appVersion ?? '');
}

/**
 * A chart's `Chart.yaml` is its metadata: Helm pulls no image it names. Its annotations list images for a chart index to
 * show (`artifacthub.io/images: |`, a vendor's `images: |`, also one written at the top by mistake); the images the chart
 * runs are in its values and templates, which are read.
 */
function isChartMetadata(file: SourceFile): boolean {
  return baseName(file.path) === 'Chart.yaml';
}

/**
 * Artifact Hub's metadata files: `artifacthub-pkg.yml` describes a package for the hub, `artifacthub-repo.yml` its
 * repository. Their `containersImages` list (`- name: web` / `image: registry.example.test/team/web:1.2.0`) names the
 * images the hub shows on the package's page and scans for vulnerabilities; nothing runs from it, the images a package
 * runs are read where it runs them (a chart's values and templates, a manifest).
 */
function isHubMetadata(file: SourceFile): boolean {
  return /^artifacthub-(?:pkg|repo)\.ya?ml$/.test(baseName(file.path));
}

/**
 * A chart repository's index (`index.yaml` as `helm repo index` writes it, often served from a `docs/` folder): every
 * chart version's `Chart.yaml` copied under `entries`, annotations included. Like `Chart.yaml` itself it is metadata: the
 * images its annotations list are for an index to show. Known by its three top-level keys, `apiVersion`, `entries` and
 * `generated`, each at the start of a line.
 */
function isChartRepositoryIndex(file: SourceFile): boolean {
  return /^entries:[ \t]*$/m.test(file.text) && /^generated:[ \t]/m.test(file.text) && /^apiVersion:[ \t]/m.test(file.text);
}

/** Chart metadata, Artifact Hub metadata, a chart repository's index, a Dofigen source: other tools' data, none of it an image to pin. */
function isOtherToolsData(file: SourceFile): boolean {
  return isChartMetadata(file) || isHubMetadata(file) || isChartRepositoryIndex(file) || isDofigenSource(file);
}

/**
 * A Dofigen source (`dofigen.yml`, `dofigen.yaml`): the description Dofigen generates a Dockerfile from, with its base images
 * as `fromImage` (at the top, in a builder or under `from:`). The Dockerfile it generates is what a build reads, and is read;
 * the source is not (nor is its `dofigen.lock`, which no extractor reads).
 */
function isDofigenSource(file: SourceFile): boolean {
  return /^dofigen\.ya?ml$/.test(baseName(file.path));
}

/**
 * OCI Marketplace metadata in a chart's values (`oci_meta: {repo, images: {proxy: {image, tag}}}`): the
 * Marketplace copies those images into its own registry and fills `repo` in; the names here are
 * relative to a placeholder, not images anyone pulls. The text range it covers, or null.
 */
function marketplaceMeta(document: Document.Parsed): readonly [number, number] | null {
  const root = document.contents;
  if (!isMap(root)) return null;
  const meta = mapGet(root, 'oci_meta');
  if (!isMap(meta) || !isMap(mapGet(meta, 'images')) || mapGet(meta, 'repo') === undefined || !meta.range) return null;
  return [meta.range[0], meta.range[2]];
}

/**
 * A manifest-tool push spec (`image: acme/tool:2.0` with `manifests: [{image: acme/tool:2.0-arm64, platform: {…}}]`, and
 * `tags:`): the top-level `image` is the manifest list the tool writes from the entries, where it pushes, not an image to
 * pull; its span. The entries are images it reads, and stay. Known by its keys alone: `image`, `manifests` and `tags` at
 * the top, each entry a map of `image` and `platform`.
 */
function pushedList(document: Document.Parsed): readonly [number, number] | null {
  const root = document.contents;
  if (!isMap(root)) return null;
  const image = mapGet(root, 'image');
  const manifests = mapGet(root, 'manifests');
  if (!isScalar(image) || !image.range || !isSeq(manifests) || manifests.items.length === 0) return null;
  if (!mapEntries(root).every(([key]) => key === 'image' || key === 'manifests' || key === 'tags')) return null;
  const entry = (item: unknown): boolean => isMap(item) && isScalar(mapGet(item, 'image')) && mapEntries(item).every(([key]) => key === 'image' || key === 'platform');
  return manifests.items.every(entry) ? [image.range[0], image.range[1]] : null;
}

/**
 * A values map of full image names that share one empty `tag` (`images: {tag: "", operator: ghcr.io/org/operator,
 * scaler: ghcr.io/org/scaler}`): each name is an image, reported at its own line without a tag, so that the
 * chart's appVersion default gives it one.
 */
function sharedTagNames(file: SourceFile, root: unknown, kind: ReferenceKind): Reference[] {
  const found: Reference[] = [];
  walkMaps(root, (map, path) => {
    if (!/images$/i.test(path[path.length - 1] ?? '')) return;
    const tag = mapGet(map, 'tag');
    if (tag === undefined || !isScalar(tag) || !(tag.value === null || tag.value === '')) return;
    for (const [key, node] of mapEntries(map)) {
      const scalar = key === 'tag' ? null : stringScalar(node, file);
      if (!scalar?.literal || !scalar.value.includes('/')) continue;
      const image = parseImageRef(scalar.value);
      if (!image || image.tag !== null || image.digest !== null) continue;
      found.push(makeReference(file, { kind, value: scalar.value, parts: [{ role: 'repository', start: scalar.start, end: scalar.end }] }));
    }
  });
  return found;
}

/**
 * Where the `repository` of each values map at `paths` starts, when the map has no `name` beside it: the chart's
 * templates write it before `/` and a name from elsewhere, so it is a registry prefix, not an image.
 */
function prefixRepositories(documents: readonly Document.Parsed[], paths: ReadonlySet<string>): Set<number> {
  const starts = new Set<number>();
  for (const path of paths) {
    const keys = path.split('.');
    for (const document of documents) {
      const map = document.getIn(keys, true);
      // A `*Repository` field that a `join "/"` list writes before more of the name (registryPrefixes).
      if (isScalar(map) && map.range && /Repository$/.test(keys.at(-1) ?? '') && !(isMap(document.getIn(keys.slice(0, -1), true)) && document.hasIn([...keys.slice(0, -1), 'name']))) {
        starts.add(map.range[0]);
        starts.add(map.range[0] + 1);
      }
      if (!isMap(map) || map.has('name')) continue;
      const repository = map.get('repository', true);
      if (!isScalar(repository) || !repository.range) continue;
      // The span starts inside the quotes of a quoted value.
      starts.add(repository.range[0]);
      starts.add(repository.range[0] + 1);
    }
  }
  return starts;
}

/**
 * A Concourse pipeline that still writes its parameters the old way (`access_token: {{github_token}}`): YAML reads each
 * such value as a small flow map, so the file parses, and it is read as YAML rather than line by line as a template is.
 * Known by a top-level `resource_types`, or `jobs` whose every entry has a `plan`, and by every `{{…}}` being a bare name.
 */
function isConcoursePipeline(file: SourceFile): boolean {
  // Told from the text before any parse: a template's actions (`{{ .Values.x }}`, `{{- if … }}`) are not bare names.
  if (!/^(?:resource_types|jobs):/m.test(file.text)) return false;
  if ((file.text.match(/\{\{/g) ?? []).length !== (file.text.match(/\{\{[A-Za-z_][\w-]*\}\}/g) ?? []).length) return false;
  const { documents, broken } = yamlSource(file);
  if (broken) return false;
  return documents.some((document) => {
    const root = document.contents;
    if (!isMap(root)) return false;
    const jobs = mapGet(root, 'jobs');
    return isSeq(mapGet(root, 'resource_types')) || (isSeq(jobs) && jobs.items.length > 0 && jobs.items.every((job) => isMap(job) && isSeq(mapGet(job, 'plan'))));
  });
}

/** go-task's file names: `Taskfile.yml`, `taskfile.yaml`, `Taskfile.dist.yml`, and included ones such as `Taskfile_docker.yml`. */
const TASKFILE_NAME = /^[Tt]askfile(?:[._-][^/]*)?\.ya?ml$/;

/**
 * A go-task Taskfile (its name, with `version:` and `tasks:` at the top): its tasks run shell commands, and its `vars:`
 * (`image: registry.example.test/team/app`) are text those commands are given, not images a runtime pulls. Told from the
 * text, as the file may hold `{{.VAR}}` templates anywhere.
 */
function isTaskfile(file: SourceFile): boolean {
  return TASKFILE_NAME.test(baseName(file.path)) && /^version:/m.test(file.text) && /^tasks:/m.test(file.text);
}

/** An issue or discussion form of a forge (`.github/ISSUE_TEMPLATE/bug_report.yml`, also `.gitea/` and `.forgejo/`). */
const ISSUE_FORM = /(?:^|\/)\.(?:github|gitea|forgejo)\/(?:ISSUE_TEMPLATE|DISCUSSION_TEMPLATE)\/[^/]+\.ya?ml$/i;

/**
 * An issue or discussion form: its fields' labels, descriptions, placeholders and default values are text shown to
 * whoever reports (an example playbook in a `placeholder: |`), not a deployment; nothing in it is an image.
 */
function isIssueForm(path: string): boolean {
  return ISSUE_FORM.test(path);
}

/** The settings of a folder's build description (`build.yaml` beside a Dockerfile): nothing else may be at its top. */
const BUILD_SETTINGS = new Set(['image', 'tag', 'dockerfile', 'context', 'buildArgs', 'build_args', 'args', 'target', 'platforms', 'platform']);

/** The settings of a LinuxKit package's `build.yml` besides those: the organisation it is pushed under, its architectures, its build's options. */
const PACKAGE_SETTINGS = new Set(['org', 'arches', 'network', 'disable-content-trust', 'disable-cache', 'extra-sources', 'gitrepo', 'config', 'depends']);

/** A folder's own build file: `build.yml` or `build.yaml`. */
const BUILD_FILE = /(?:^|\/)build\.ya?ml$/;

/**
 * A build description: a YAML document of only build settings, with the `image` name it builds and its `tag` (or the
 * `dockerfile` it builds from), in a folder with a Dockerfile or naming one. Its image is the name the build gives
 * what it makes and pushes, not an image to pull: nothing in it is reported. A `build.yml` beside a Dockerfile that names
 * its `image` without a tag (a LinuxKit package: `image: grub` + `arches`, `network`, `org`; the build tags it with the
 * folder's content hash) is one too.
 */
function isBuildDescription(path: string, root: unknown, folderHasDockerfile: boolean): boolean {
  if (!isMap(root)) return false;
  const keys = mapEntries(root).map(([key]) => key);
  if (keys.length !== root.items.length || !keys.includes('image')) return false;
  if (keys.every((key) => BUILD_SETTINGS.has(key)) && ((keys.includes('tag') && folderHasDockerfile) || keys.includes('dockerfile'))) return true;
  if (!BUILD_FILE.test(path) || !folderHasDockerfile || !keys.every((key) => BUILD_SETTINGS.has(key) || PACKAGE_SETTINGS.has(key))) return false;
  const image = mapGet(root, 'image');
  return isScalar(image) && typeof image.value === 'string' && /^[a-z0-9][a-z0-9._-]*$/.test(image.value);
}

/**
 * An image section of a werf configuration (`werf.yaml`, `werf.yml`): a document whose top-level `image` (or `artifact`, in
 * older versions) names an image werf builds, from a `dockerfile` or with Stapel instructions. That name, and the names of
 * other sections it builds on (`fromImage`, `import[].image`), are werf's own images, not images to pull: nothing in such a
 * section is reported.
 */
function isWerfImageSection(path: string, root: unknown): boolean {
  if (!/^werf\.ya?ml$/.test(baseName(path)) || !isMap(root)) return false;
  return mapGet(root, 'image') !== undefined || mapGet(root, 'artifact') !== undefined;
}

/** The folders that hold a `Dockerfile` or `Containerfile`. */
function dockerfileFolders(files: readonly SourceFile[]): ReadonlySet<string> {
  const folders = new Set<string>();
  for (const file of files) if (/(?:^|\/)(?:Dockerfile|Containerfile)$/i.test(file.path)) folders.add(folderOf(file.path));
  return folders;
}

/**
 * In a distgen spec, a name written with neither a tag nor a digest, literally (`quay.io/fedora/python-314`) or with the
 * spec's variables in it (`"{{ spec.org }}/postgresql-{{ spec.short }}-{{ spec.prod }}"`): the name a build gives its output.
 */
function namesBuildOutput(reference: Reference): boolean {
  if (reference.skip === 'no-tag') return true;
  if (reference.skip !== 'templated') return false;
  const text = reference.value.replace(/\{\{[^{}]*\}\}/g, 'x');
  return !isTemplated(text) && writtenParts(text).name === text;
}

/**
 * `${AWX_TEST_IMAGE}`, `${OPERATOR_IMAGE:-""}`, `$AGENT_IMAGE`: one environment variable with no default or an empty one,
 * filled in by whoever runs the file (Molecule's environment, envsubst, a library that substitutes its pod templates).
 * It names no image unless that environment gives one. A non-empty default (`${IMAGE:-alpine:3.20}`) stays templated.
 */
const ENVIRONMENT_VARIABLE = /^(?:\$\{[A-Za-z_]\w*(?::?-(?:""|'')?)?\}|\$[A-Za-z_]\w*)$/;

/** `${NAME}` or `$NAME`, without a default. */
const PLAIN_VARIABLE = String.raw`(?:\$\{[A-Za-z_]\w*\}|\$[A-Za-z_]\w*)`;

/**
 * `$IMAGE_REPOSITORY:$IMAGE_TAG`, `${REGISTRY}/${NAME}:${TAG}`: environment variables joined as a name and a tag (a registry
 * before them), the way `{{ name }}:{{ tag }}` joins template variables. No tool of a plain YAML file fills them in
 * (envsubst does, before the file is used): the value names no image of its own, as one such variable does not.
 */
const ENVIRONMENT_NAME_AND_TAG = new RegExp(`^(?:${PLAIN_VARIABLE}/)?${PLAIN_VARIABLE}:${PLAIN_VARIABLE}$`);

/**
 * `{{ app_image }}{% if app_image_tag %}:{{ app_image_tag }}{% endif %}`: Jinja actions joined by control blocks, with no
 * text of their own but the `/`, `:` or `@` between a registry, a name, a tag and a digest. Every part is a variable set
 * elsewhere (the inventory, a role's defaults); the value names no image of its own.
 */
function joinsWithControlBlocks(value: string): boolean {
  if (!/\{%[^{}]*%\}/.test(value) || !/\{\{[^{}]*\}\}/.test(value)) return false;
  return /^[:/@]*$/.test(value.replace(/\{\{[^{}]*\}\}|\{%[^{}]*%\}/g, ''));
}

/** A GitHub Actions job's or step's output: `${{ needs.publish.outputs.image }}`, `${{ steps.meta.outputs.tags }}`. */
const OUTPUT_EXPRESSION = String.raw`\$\{\{\s*(?:needs|steps)\.[\w-]+\.outputs\.[\w-]+\s*\}\}`;
/**
 * A value made only of such outputs (`docker_image: ${{ needs.publish.outputs.image }}` given to a reusable workflow, in a
 * workflow read as plain YAML): it passes on an image another job or step made, and names none here.
 */
const ONLY_OUTPUTS = new RegExp(`^${OUTPUT_EXPRESSION}(?:[/:@]${OUTPUT_EXPRESSION})*$`);

/**
 * A value that passes on an image set elsewhere: one template variable (with at most a tag), a join of a name and a tag
 * variable (template or environment, or Jinja actions joined by control blocks), Helm actions that read only the chart,
 * one environment variable without a default, or only the outputs of other jobs or steps of a workflow.
 */
function passesOn(value: string): boolean {
  return (
    passesOnImage(value) ||
    joinsVariables(value) ||
    joinsWithControlBlocks(value) ||
    joinsChartValues(value) ||
    ENVIRONMENT_VARIABLE.test(value) ||
    ENVIRONMENT_NAME_AND_TAG.test(value) ||
    ONLY_OUTPUTS.test(value.trim())
  );
}

/**
 * The references of a template that are not inside a template comment (`{{/* … *\/}}`, `{{- /* … *\/ -}}`), where a
 * helper documents its usage with example values and what it returns: text Helm never renders.
 */
function withoutTemplateComments(file: SourceFile, references: readonly Reference[]): Reference[] {
  const { text } = file;
  if (!text.includes('/*')) return [...references];
  const comments: [number, number][] = [];
  for (const match of text.matchAll(/\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/g)) comments.push([file.base + match.index, file.base + match.index + match[0].length]);
  return references.filter((reference) => !reference.spans.some((span) => comments.some(([from, to]) => span.start >= from && span.start < to)));
}

/**
 * An image of a Molecule scenario written with environment variables that have defaults
 * (`registry.example.test/test/${DISTRO:-debian12}-systemd:latest`): Molecule runs the image with each default when the
 * environment sets nothing, as compose does (compose-interpolation.ts): it is reported with the defaults, a change
 * written in the default's or the value's own characters. A variable without a default leaves it `templated`, as written,
 * and so do defaults that do not make a valid reference (the detail says so).
 */
function withMoleculeDefault(file: SourceFile, reference: Reference): Reference {
  return throughDefaults(file, reference, undefined, MOLECULE);
}

/**
 * Molecule's interpolation (taken from compose's first, Python, version) ends a default at its first `}`: a default
 * inside a reference that uses another variable (`app:${TAG:-${BASE_TAG:-1.0}}`) is not resolved.
 */
const MOLECULE: InterpolationReader = { unsetNotes: false, nestedDefaults: false };

/** What the extractor knows across files: Helm charts, and Ansible variables. */
interface YamlFacts extends ChartFacts {
  readonly ansible: AnsibleFacts;
  readonly chartFolders: ChartFolders;
  /** The folders with a Dockerfile: a build description beside one names what the build makes. */
  readonly dockerfileFolders: ReadonlySet<string>;
  /** The Heat template parameters that are Glance images, worked out when a Heat environment file asks. */
  readonly glance: () => ReadonlySet<string>;
  /** The YAML files a GitHub workflow loads as matrix data, with the hyphenated image axes it uses (workflow-matrix-files.ts). */
  readonly matrixFiles: ReadonlyMap<string, ReadonlySet<string>>;
  /** The Azure Pipelines templates whose jobs run a parameter as their container (azure-pipelines.ts). */
  readonly azureTemplates: AzureTemplateContainers;
}

function lazyGlance(files: readonly SourceFile[]): () => ReadonlySet<string> {
  let names: ReadonlySet<string> | undefined;
  return () => (names ??= heatImageParameters(files));
}

/**
 * A DevSpace config (`devspace.yaml`, `version: v1beta11` / `v2beta1`): each entry of its top-level `images` map
 * describes an image DevSpace builds (`dockerfile`, `context`, `build`) and its `image` is the name it gives the build,
 * as a Skaffold artifact's is; what a builder entry pulls (`build.kaniko.image`) and what `dev` and `deployments` run
 * are read as usual. The names, where each is written.
 */
function devspaceBuiltNames(file: SourceFile, documents: readonly Document.Parsed[]): Map<number, number> {
  const names = new Map<number, number>();
  if (!/^devspace\.ya?ml$/.test(baseName(file.path))) return names;
  for (const document of documents) {
    const root = document.contents;
    if (!isMap(root)) continue;
    const version = mapGet(root, 'version');
    const images = mapGet(root, 'images');
    if (!isScalar(version) || typeof version.value !== 'string' || !/^v\d+(?:alpha|beta)\d+$/.test(version.value) || !isMap(images)) continue;
    for (const [, entry] of mapEntries(images)) {
      if (!isMap(entry)) continue;
      const name = yamlValueText(mapGet(entry, 'image'), file, false);
      if (name) names.set(name.start, name.end);
    }
  }
  return names;
}

/** A reference written whole at one of those names. */
function isDevspaceBuild(reference: Reference, names: ReadonlyMap<number, number>, file: SourceFile): boolean {
  const [span, ...more] = reference.spans;
  return span !== undefined && more.length === 0 && names.get(span.start - file.base) === span.end - file.base;
}

/**
 * A value of plain YAML (not a chart's values) under an image key whose name cannot be an image's by the reference
 * grammar (`image: Picture`, a translation's label, words with spaces, `Page:Key:image`, a trailing colon): the file
 * uses the word `image` for something else, and the value is text, not a misspelt image. A name that parses with a
 * digest that does not (`app@sha256:12ab`) is still an image written wrong.
 */
function isPlainText(reference: Reference): boolean {
  if (reference.kind !== 'yaml-image' || reference.skip !== 'invalid-reference') return false;
  const at = reference.value.indexOf('@');
  return parseImageRef(at < 0 ? reference.value : reference.value.slice(0, at)) === null;
}

/**
 * A file that is not YAML until a template is rendered, read line by line: a value that passes on an image set elsewhere
 * (`image: "{{ relay.image }}"`) is left out as in a parsed file. An updatecli manifest is a template too: its
 * `spec.image` names what to watch, and nothing in it is read, as in a parsed one. A compose file so kept (named as
 * one, shaped as one: an Ansible role's `templates/compose.yaml` with `- {{ data_dir }}/web:/data`) reports its
 * services' images as compose's, as it does when YAML can read it. A Buildkite pipeline so kept leaves out the `image` of
 * an `agents` map that boots a virtual machine (`provider: gcp`), as a parsed one does.
 */
function brokenTemplateImages(file: SourceFile, kind: ReferenceKind, charts: YamlFacts['chartFolders'] | undefined): Reference[] {
  if (isUpdatecliTemplate(file.text)) return [];
  const compose = isComposeName(baseName(file.path));
  const lineKind: ReferenceKind = compose && looksLikeComposeTemplate(file.text) ? 'compose-service' : kind;
  const agentImages = buildkiteAgentImageLines(file.text);
  return withoutTemplateComments(
    file,
    templateLineImages(file, () => lineKind, true),
  )
    .flatMap((reference) => chartTemplateImage(reference, charts, file) ?? [])
    .filter((reference) => !passesOn(reference.value) && !agentImages.has(reference.line))
    .map((reference) => (compose ? withComposeDefault(file, reference) : reference));
}

/** To the fields found, the images other forms in the document name (Ansible pulls and loops, forms, runner labels, Azure Pipelines job containers, image maps, patches, matrices), each once. */
function addOtherForms(file: SourceFile, root: unknown, kind: ReferenceKind, facts: YamlFacts | undefined, found: Reference[]): void {
  const taken = new Set(found.map((reference) => reference.spans[0]?.start));
  for (const pulled of ansiblePulledImages(file, root, kind)) if (!taken.has(pulled.spans[0]?.start)) found.push(pulled);
  for (const item of loopedListImages(file, root, kind, facts?.ansible)) if (!taken.has(item.spans[0]?.start)) found.push(item);
  for (const field of [
    ...formFieldImages(file, root, kind),
    ...runnerLabelImages(file, root, kind),
    ...azureJobContainers(file, root, kind, facts?.azureTemplates),
    ...executionEnvironmentImages(file, root, kind),
  ])
    if (!taken.has(field.spans[0]?.start)) found.push(field);
  if (kind === 'helm-values') for (const named of sharedTagNames(file, root, kind)) if (!taken.has(named.spans[0]?.start)) found.push(named);
  for (const mapped of imageMapValues(file, root, kind)) if (!taken.has(mapped.spans[0]?.start)) found.push(mapped);
  for (const patched of [...jsonPatchImages(file, root, kind), ...carriedJsonPatchImages(file, root, kind)]) if (!taken.has(patched.spans[0]?.start)) found.push(patched);
  for (const axis of matrixFileImages(file, root, kind, facts?.matrixFiles.get(file.path))) if (!taken.has(axis.spans[0]?.start)) found.push(axis);
}

/** The fields found, a CircleCI value that a job's parameter runs as its image reported with the parameter named, in place of the plain field. */
function withCircleciParameters(file: SourceFile, root: unknown, kind: ReferenceKind, found: Reference[]): Reference[] {
  const parameters = circleciParameterImages(file, root, kind);
  if (parameters.length === 0) return found;
  const given = new Set(parameters.map((reference) => reference.spans[0]?.start));
  return [...found.filter((reference) => !given.has(reference.spans[0]?.start)), ...parameters];
}

export const genericYamlExtractor: Extractor<YamlFacts> = {
  name: 'generic-yaml',
  kinds: ['helm-values', 'yaml-image'],
  quoting: 'yaml',
  // Helm helper templates (`templates/_helpers.tpl`, also in a folder under `templates/`, as Helm loads them) tell how the chart
  // writes its images (whether the tag defaults to appVersion, how a registry is joined); a chart's helpers are read by their
  // `image:` lines as its other templates are.
  // An Ansible role's Jinja templates (`roles/auth/templates/ldap.container.j2`) are read only for how they join its variables.
  isCandidate: (path) => isYamlPath(path) || /(^|\/)templates\/(?:[^/]+\/)*[^/]*\.tpl$/.test(path) || ROLE_TEMPLATE.test(path),
  prepare: (files) => ({
    ...chartFacts(files),
    ansible: ansibleFacts(files),
    chartFolders: chartFoldersWithPrefixes(files),
    dockerfileFolders: dockerfileFolders(files),
    glance: lazyGlance(files),
    matrixFiles: workflowMatrixFiles(files),
    azureTemplates: azureTemplateContainers(files),
  }),
  claimsTemplate: () => true,
  owns: (file) => VALUES_FILE.test(baseName(file.path)) && !isManifestStream(file),
  claims: (file, facts) => isYamlPath(file.path) || isChartHelper(file.path, facts?.chartFolders),
  extract(file, facts) {
    const kind = valuesKind(file.path, facts?.folders);
    if (!isYamlPath(file.path) && !isBrokenTemplate(file)) return { references: [], problems: [] };
    if (isTaskfile(file) || isIssueForm(file.path)) return { references: [], problems: [] };
    if (isOtherToolsData(file)) return { references: [], problems: isBrokenTemplate(file) ? [] : yamlSource(file).problems };
    if (isBrokenTemplate(file) && !isConcoursePipeline(file)) return { references: brokenTemplateImages(file, kind, facts?.chartFolders), problems: [] };
    const { documents, problems } = yamlSource(file);
    // A translation file (`config/locales/nl_BE.yml`) holds a program's words: `image: plaatje` is a label.
    if (isApiDescription(documents) || isUpdatecliManifest(documents) || isHelmUnittestSuite(documents) || isTranslationFile(file.path, documents)) return { references: [], problems };
    const chartJoins = chartJoinsOf(file, documents, facts);
    const distgen = isDistgenSpec(documents);
    const molecule = MOLECULE_FILE.test(file.path);
    const references = documents
      .flatMap((document) => {
        if (isBuildDescription(file.path, document.contents, facts?.dockerfileFolders.has(folderOf(file.path)) ?? false) || isWerfImageSection(file.path, document.contents)) return [];
        // A CircleCI step's or workflow entry's parameters are a command's or job's inputs: read only where an image field runs them (below).
        const inputs = circleciInputMaps(file, document.contents);
        const found = withCircleciParameters(
          file,
          document.contents,
          kind,
          catalogOrFields(file, document.contents, kind, {
            kindFor: () => kind,
            splitKind: kind,
            splitAnywhere: true,
            snakeKeys: true,
            variableFile: isVariableFile(file.path, facts?.ansible),
            ...(inputs.size === 0 ? {} : { skipMap: (map) => inputs.has(map) }),
            ...(chartJoins === undefined ? {} : { chartJoins }),
          }),
        );
        addOtherForms(file, document.contents, kind, facts, found);
        // A Molecule scenario's platform takes its image from its `registry.url`.
        const listed = molecule ? withPlatformRegistries(file, document.contents, found) : found;
        const meta = marketplaceMeta(document) ?? pushedList(document);
        return meta === null ? listed : listed.filter((reference) => !reference.spans.some((span) => span.start - file.base >= meta[0] && span.start - file.base < meta[1]));
      })
      .filter((reference) => !passesOn(reference.value) && !COMPARISON_MODE.test(reference.value))
      .filter((reference) => !(distgen && namesBuildOutput(reference)))
      .map((reference) => (molecule ? withMoleculeDefault(file, reference) : reference))
      .map((reference) => (facts === undefined ? reference : withEmptyPrefix(file, reference, facts.ansible.emptyVariables)));
    // Objects carried in a literal block (a post-renderer's patch in a chart value) are read as objects, kept as this file's kind.
    const manifests = (block: SourceFile): readonly Reference[] => kubernetesExtractor.extract(block, facts?.chartFolders).references.map((reference) => ({ ...reference, kind }));
    for (const reference of embeddedYamlImages(file, documents, () => kind, references, manifests)) references.push(reference);
    for (const reference of embeddedUnitImages(file, documents, kind)) references.push(reference);
    const topKey = topKeyOf(file, documents);
    // Where each values map's repository starts: built once, when either reading first needs it.
    let maps: Map<number, RepositoryMap> | undefined;
    const mapsOf = (): Map<number, RepositoryMap> => (maps ??= repositoryMaps(file, documents));
    const renderedTag = throughRenderedTag(file, documents, facts, topKey, mapsOf);
    const mergedTag = throughMergedValues(file, documents, facts, mapsOf);
    const hubbed = kind === 'helm-values' ? throughHub(file, documents) : (reference: Reference): Reference => reference;
    const prefixes = kind === 'helm-values' ? prefixRepositories(documents, registryPrefixes(folderOf(file.path), facts?.chartFolders)) : new Set<number>();
    const devspace = devspaceBuiltNames(file, documents);
    const judged = judgeVariableImages(file, documents, devspace.size === 0 ? references : references.filter((reference) => !isDevspaceBuild(reference, devspace, file)), facts?.ansible.uses);
    // A name that a task builds under its variable (`operator_image: testing-operator`) is this repository's own image
    // wherever else it is written (a kustomization's `newName`, a manifest): those uses are marked as built here too.
    const unjudged = new Set(references);
    const builds: BuiltImage[] = judged
      .filter((reference) => reference.skip === 'local-stage' && !unjudged.has(reference))
      .map((reference) => ({ value: reference.value, file: file.path, line: reference.line }));
    // DevSpace builds its images for the project its config is in: the same name used there is its own build.
    for (const reference of references) {
      if (isDevspaceBuild(reference, devspace, file) && (reference.skip === null || reference.skip === 'no-tag'))
        builds.push({ value: reference.value, file: file.path, line: reference.line, scope: file.path.slice(0, file.path.lastIndexOf('/') + 1) });
    }
    const own = judged.flatMap((reference) =>
      reference.spans.some((span) => span.role === 'repository' && prefixes.has(span.start - file.base)) ? [] : (chartTemplateImage(reference, facts?.chartFolders, file) ?? []),
    );
    return {
      references: sortByPosition(
        withoutSchemaValues(
          withoutMachineImages(
            own.filter((reference) => !isPlainText(reference)),
            documents,
            file.base,
            facts?.glance,
            file.path,
          ),
          documents,
          file,
        )
          .map((reference) => {
            const shared = mergedTag(reference);
            if (shared !== reference) return shared;
            const completed = throughAppVersion(reference, facts, topKey, (found) => mapPathOf(found, mapsOf()));
            const rendered = renderedTag(reference, completed !== reference);
            // The image line's own rendering wins over a default found anywhere in the chart (a label's `default .Chart.AppVersion`).
            return rendered === reference || rendered.value === completed.value ? completed : rendered;
          })
          .map(hubbed),
      ),
      problems,
      ...(builds.length > 0 ? { builds } : {}),
    };
  },
};
