import type { SourceFile } from '../../../core/source-file.js';
import type { Reference } from '../../../core/types.js';
import { throughDefaults } from './compose-interpolation.js';
import { joinsVariables } from '../../ansible-variables.js';
import { passesOnImage } from '../../yaml-image-fields.js';

/**
 * Compose files kept as templates that a configuration tool renders before compose reads them (an Ansible role's
 * `templates/docker-compose.yml.j2`, `templates/app.j2`), read line by line: compose's own `${TAG:-1.4.0}` passes
 * through the rendering untouched. Pure.
 */

/** A compose file's name, also with a prefix (`app.docker-compose.yaml`, `web-compose.yml`, `compose.prod.yaml`). */
const COMPOSE_NAME = /^(?:[^/]*[._-])?(?:docker-)?compose(?:[._-][^/]*)?\.ya?ml$/i;
/** A template action of the tool that renders the file (Jinja, Go templates, ERB). */
const RENDERER_ACTION = /\{\{|\{%|<%/;

export function isComposeName(name: string): boolean {
  return COMPOSE_NAME.test(name);
}

/** The top-level keys a compose file may have (`x-…` extensions too). */
const COMPOSE_KEYS = new Set(['version', 'name', 'services', 'networks', 'volumes', 'configs', 'secrets', 'include', 'models']);
/** A key at the start of a line (the top level of the document), with its name. */
const TOP_KEY = /^([A-Za-z_][\w.-]*)[ \t]*:(?:[ \t]|$)/;
/**
 * A line the rendering takes away or that holds no key: blank, a comment, a template statement or comment alone, or a
 * document's start or end marker (`---` at the top of a template a linter checks, `...` after it).
 */
const NOT_YAML = /^(?:[ \t]*(?:$|#|\{%|\{#|<%)|(?:---|\.\.\.)[ \t]*(?:#.*)?$)/;

/**
 * The text of a template shaped as a compose file: only compose's top-level keys (`services`, `networks`, `volumes`, `x-…`)
 * at the start of a line, a `services:` map among them, and a service under it (a key indented under `services:`) with an
 * `image:` or `build:` key of its own. A template statement alone on its line (`{% if … %}`) and a document marker are stepped over. An Ansible
 * task file (a list), a Kubernetes object (`apiVersion`, `kind`) or a CI pipeline (`steps`, `stages`) is not.
 */
export function looksLikeComposeTemplate(text: string): boolean {
  let inServices = false;
  let serviceIndent = -1;
  let found = false;
  let sawServices = false;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (NOT_YAML.test(line)) continue;
    const top = TOP_KEY.exec(line);
    if (top) {
      const key = top[1] ?? '';
      if (!COMPOSE_KEYS.has(key) && !key.startsWith('x-')) return false;
      inServices = key === 'services' && /^services[ \t]*:[ \t]*(?:#.*)?$/.test(line);
      sawServices ||= inServices;
      serviceIndent = -1;
      continue;
    }
    if (!/^[ \t]/.test(line)) return false;
    if (!inServices || found) continue;
    const indent = /^[ \t]*/.exec(line)?.[0].length ?? 0;
    const key = /^[ \t]*([^\s:#'"{}[\]-][^\s:]*)[ \t]*:(?:[ \t]|$)/.exec(line)?.[1];
    if (serviceIndent === -1) {
      // The first entry under `services:` is a service's name (a map), not a list item.
      if (key === undefined) inServices = false;
      else serviceIndent = indent;
    } else if (indent > serviceIndent && (key === 'image' || key === 'build')) found = true;
  }
  return sawServices && found;
}

/**
 * An image line of a compose template that holds no template action of its own: its `${TAG:-1.4.0}` is compose's own
 * interpolation, resolved with its default as in any compose file. A line with a template action is left as it is.
 */
export function withComposeDefault(file: SourceFile, reference: Reference): Reference {
  const span = reference.spans[0];
  if (reference.skip !== 'templated' || span === undefined) return reference;
  const start = span.start - file.base;
  const lineStart = file.text.lastIndexOf('\n', start - 1) + 1;
  const lineEnd = file.text.indexOf('\n', start);
  if (RENDERER_ACTION.test(file.text.slice(lineStart, lineEnd === -1 ? file.text.length : lineEnd))) return reference;
  return throughDefaults(file, reference, undefined);
}

/**
 * An ERB or EPP output tag that prints one variable of the Puppet class that renders the template: `<%= @mail_image %>`,
 * `<%= @mail_tag -%>`, `<%= $mail::image %>`, `<%= scope['mail::image'] %>`, `<%= scope.lookupvar('mail::image') %>`.
 */
const PUPPET_NAME = String.raw`(?:'[\w:]+'|"[\w:]+")`;
const ERB_ACTION = String.raw`<%=-?\s*(?:@[A-Za-z_]\w*|\$(?:::)?[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*|scope(?:\[\s*${PUPPET_NAME}\s*\]|\.lookupvar\(\s*${PUPPET_NAME}\s*\)))\s*-?%>`;
/**
 * One such variable, perhaps with a literal tag or digest after it (`<%= @web_image %>`, `<%= @web_image %>:latest`), or
 * a name and a tag variable joined, after a registry variable (`<%= @mail_image %>:<%= @mail_tag %>`,
 * `<%= @registry %>/<%= @mail_image %>:<%= @mail_tag %>`): nothing of the file's own names an image.
 */
const ERB_PASSES_ON = new RegExp(`^(?:${ERB_ACTION}(?:[:@][^<>%{}$]*)?|(?:${ERB_ACTION}/?)?${ERB_ACTION}:${ERB_ACTION})$`);

/**
 * A service image of a compose file kept as a template (`templates/mail/docker-compose.erb.yml`, an Ansible role's
 * `docker-compose.yml`) made only of the renderer's variables: one variable (`"{{ relay_image }}"`, with at most a
 * literal tag), or a name and a tag variable joined (`"{{ relay_image }}:{{ relay_tag }}"`, `<%= @mail_image %>:<%= @mail_tag %>`,
 * also after a registry variable). Compose never expands such actions; the tool that renders the file passes on an image
 * set elsewhere (the Puppet class's parameters, the role's variables), where it is reported. A value with text of its own
 * (`"{{ registry }}/team/proxy:{{ proxy_tag }}"`) names its image and stays `templated`.
 */
export function passesOnTemplateImage(value: string): boolean {
  return passesOnImage(value) || joinsVariables(value) || ERB_PASSES_ON.test(value);
}
