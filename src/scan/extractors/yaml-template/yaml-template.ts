import type { SourceFile } from '../../../core/source-file.js';
import type { Reference } from '../../../core/types.js';
import { byPath, type Extractor } from '../../extractor.js';
import { templateLineImages } from '../../helm-template-lines.js';

/**
 * YAML files that a configuration tool renders before anything reads them: Puppet ERB and EPP
 * templates (`docker-compose.yml.erb`, `deployment.yaml.epp`), Ansible and Salt Jinja templates
 * (`compose.yaml.j2`), Go and envsubst templates (`service.yaml.tmpl`). They are not YAML until
 * rendered, so their `image:` lines (and `…Image:` keys) are read one by one, as Helm templates are.
 *
 * A line whose image text is written in the file is reported: a literal reference is updated where it
 * stands (`image: docker.io/library/redis:7.2` in a compose template), a literal name with a template
 * tag (`image: grafana/loki:<%= @loki_tag %>`) is shown `templated`. A value that starts with a
 * template (`image: <%= @image %>:<%= @tag %>`, `image: "{{ app_image }}"`) writes no image of its own
 * here: it passes on one set elsewhere, and is not reported.
 */

const KIND = 'yaml-template';
const TEMPLATE_FILE = /\.ya?ml\.(?:erb|epp|j2|jinja|jinja2|tmpl|tpl)$/i;
/** The value begins with a template action: ERB/EPP `<%`, Jinja/Go `{{`, `{%`, shell `${`/`$VAR`, Levant `[[`. */
const STARTS_WITH_TEMPLATE = /^(?:<%|\{\{|\{%|\$\{|\$[A-Za-z_]|\[\[)/;

function extract(file: SourceFile): Reference[] {
  return templateLineImages(file, () => KIND).filter((reference) => !STARTS_WITH_TEMPLATE.test(reference.value));
}

export const yamlTemplateExtractor: Extractor = {
  name: 'yaml-template',
  kinds: [KIND],
  quoting: 'yaml',
  ...byPath(TEMPLATE_FILE),
  extract: (file) => ({ references: extract(file), problems: [] }),
};
