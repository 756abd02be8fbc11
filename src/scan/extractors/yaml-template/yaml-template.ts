import type { SourceFile } from '../../../core/source-file.js';
import type { Reference } from '../../../core/types.js';
import type { Extractor } from '../../extractor.js';
import { chartFolders, isChartHelper, type ChartFolders } from '../../helm-template-images.js';
import { templateLineImages } from '../../helm-template-lines.js';
import { baseName } from '../../yaml-image-fields.js';
import { isComposeName, looksLikeComposeTemplate, withComposeDefault } from '../compose/compose-template.js';

/**
 * YAML files that a configuration tool renders before anything reads them: Puppet ERB and EPP
 * templates (`docker-compose.yml.erb`, `deployment.yaml.epp`), Ansible and Salt Jinja templates
 * (`compose.yaml.j2`), Go and envsubst templates (`service.yaml.tmpl`). They are not YAML until
 * rendered, so their `image:` lines (and `…Image:` keys) are read one by one, as Helm templates are.
 * Kubernetes manifests kept as `deployment-production.tmpl` (or `.tpl`), which a deploy script fills in
 * with `sed` or `envsubst`, are read the same way when their text holds Kubernetes objects (`apiVersion:`
 * and `kind:` at the start of a line); a Helm chart's `templates/` files and Go template libraries (`{{ define … }}`,
 * `_helpers.tpl`) are not, nor a chart's partial named as YAML (`templates/volumes/_volume-deployment.yaml.tpl`): it is
 * the chart's, read by its image lines as the chart's helpers are (generic-yaml), so `{{ .Values.registry }}/team/app:{{ … }}`
 * there is shown `templated`, as in any of the chart's templates.
 *
 * A line whose image text is written in the file is reported: a literal reference is updated where it
 * stands (`image: docker.io/library/redis:7.2` in a compose template), a literal name with a template
 * tag (`image: grafana/loki:<%= @loki_tag %>`) is shown `templated`. A value that starts with a
 * template (`image: <%= @image %>:<%= @tag %>`, `image: "{{ app_image }}"`) writes no image of its own
 * here: it passes on one set elsewhere, and is not reported.
 *
 * A compose file kept as a template (named as one, `docker-compose.yml.j2`, or shaped as one, with a `services:` map of
 * services: also a Jinja template named otherwise, `templates/app.j2`) keeps compose's own `${TAG:-1.4.2}` through the
 * rendering: on a line with no template action it is resolved with its default, as in a compose file. A Jinja template
 * so named whose text holds Kubernetes objects (an Ansible role's `templates/deployment.j2`, which a `k8s` task renders)
 * is read as the same text named `deployment.yaml.j2` is.
 */

const KIND = 'yaml-template';
const TEMPLATE_FILE = /\.ya?ml\.(?:erb|epp|j2|jinja|jinja2|tmpl|tpl)$/i;
/** A template without `.yaml` in its name (`job-production.tmpl`), outside a `templates/` folder, not named as a helper (`_helpers.tpl`). */
const BARE_TEMPLATE_FILE = /^(?!(?:.*\/)?templates\/)(?:.*\/)?(?!_)[^/]+\.(?:tmpl|tpl)$/i;
/**
 * A Jinja template whose name says nothing of what it renders (`templates/app.j2`, no other extension, not a Dockerfile's):
 * read only when its text is a compose file's or holds Kubernetes objects.
 */
const JINJA_FILE = /(?:^|\/)(?!(?:docker|container)file)[^/.]+\.(?:j2|jinja2?)$/i;
const TEMPLATE_EXTENSION = /\.(?:erb|epp|j2|jinja|jinja2|tmpl|tpl)$/i;
/** A Kubernetes object's own keys at the start of a line. */
const API_VERSION_LINE = /^apiVersion:[ \t]*\S/m;
const KIND_LINE = /^kind:[ \t]*\S/m;
/** A document's start or end marker (`---`, `...`): it ends the document before it and holds no key. */
const DOCUMENT_MARKER = /^(?:---|\.\.\.)(?:[ \t]|\r?$)/;
/** A Go template library: named templates for other files to include, no manifest of its own. */
const DEFINE_ACTION = /\{\{-?\s*define\s/;
/** A ClusterServiceVersion written out: its `metadata.annotations` describe the operator for a catalog, and OLM pulls nothing named there. */
const CSV_KIND_LINE = /^kind:[ \t]*["']?ClusterServiceVersion["']?[ \t]*(?:#.*)?$/m;
/** The value begins with a template action: ERB/EPP `<%`, Jinja/Go `{{`, `{%`, shell `${`/`$VAR`, Levant `[[`. */
const STARTS_WITH_TEMPLATE = /^(?:<%|\{\{|\{%|\$\{|\$[A-Za-z_]|\[\[)/;

/**
 * Text that holds a Kubernetes object: one document with an `apiVersion:` line and a `kind:` line at its top level (at the
 * start of a line, between the same `---` markers). A template statement alone on its line holds no key and changes nothing.
 */
function holdsKubernetesObject(text: string): boolean {
  if (!API_VERSION_LINE.test(text) || !KIND_LINE.test(text)) return false;
  let apiVersion = false;
  let kind = false;
  for (const line of text.split('\n')) {
    if (DOCUMENT_MARKER.test(line)) {
      apiVersion = false;
      kind = false;
      continue;
    }
    apiVersion ||= API_VERSION_LINE.test(line);
    kind ||= KIND_LINE.test(line);
    if (apiVersion && kind) return true;
  }
  return false;
}

/** `deployment-production.tmpl` whose text holds Kubernetes objects: a manifest that a script fills in before it is applied. */
function isManifestTemplate(file: SourceFile): boolean {
  return BARE_TEMPLATE_FILE.test(file.path) && holdsKubernetesObject(file.text) && !DEFINE_ACTION.test(file.text);
}

/** `templates/deployment.j2` whose text is a compose file's or holds Kubernetes objects, as `compose.yaml.j2` and `deployment.yaml.j2` do. */
function isJinjaYamlTemplate(file: SourceFile): boolean {
  return JINJA_FILE.test(file.path) && (looksLikeComposeTemplate(file.text) || holdsKubernetesObject(file.text));
}

/** A compose file kept as a template: named as one once the template's extension is taken off, or shaped as one. */
function isComposeTemplate(file: SourceFile): boolean {
  return isComposeName(baseName(file.path).replace(TEMPLATE_EXTENSION, '')) || looksLikeComposeTemplate(file.text);
}

/**
 * An OLM ClusterServiceVersion kept as a template: an image under its top-level `metadata.annotations`
 * (`containerImage`, the sample objects of `alm-examples`) is the operator's description for a catalog, not one
 * anything pulls, as in a ClusterServiceVersion read as YAML; its deployments and `relatedImages` are read as usual.
 */
function outsideCsvAnnotations(file: SourceFile): (reference: Reference, parents: readonly string[]) => boolean {
  if (!CSV_KIND_LINE.test(file.text)) return () => true;
  return (_reference, parents) => !(parents[0] === 'metadata' && parents[1] === 'annotations');
}

function extract(file: SourceFile): Reference[] {
  const references = templateLineImages(file, () => KIND, false, undefined, outsideCsvAnnotations(file));
  if (!isComposeTemplate(file)) return references.filter((reference) => !STARTS_WITH_TEMPLATE.test(reference.value));
  return references.flatMap((reference) => {
    const resolved = withComposeDefault(file, reference);
    // A whole image in compose's `${APP_IMAGE:-…}` is its default; any other value that starts with a template passes one on.
    return !STARTS_WITH_TEMPLATE.test(reference.value) || (reference.value.startsWith('${') && resolved.skip !== 'templated') ? [resolved] : [];
  });
}

/** `*.yaml.erb`, `*.yml.j2`, … by name; not a `.tpl` in a chart's `templates/`, which the chart's helper reading takes. */
function isTemplateFile(path: string, charts: ChartFolders | undefined): boolean {
  return TEMPLATE_FILE.test(path) && !isChartHelper(path, charts);
}

export const yamlTemplateExtractor: Extractor<ChartFolders> = {
  name: 'yaml-template',
  kinds: [KIND],
  quoting: 'yaml',
  isCandidate: (path) => TEMPLATE_FILE.test(path) || BARE_TEMPLATE_FILE.test(path) || JINJA_FILE.test(path),
  prepare: (files) => chartFolders(files),
  owns: (file, charts) => isTemplateFile(file.path, charts),
  claims: (file, charts) => isTemplateFile(file.path, charts) || isManifestTemplate(file) || isJinjaYamlTemplate(file),
  extract: (file) => ({ references: extract(file), problems: [] }),
};
