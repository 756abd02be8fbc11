import { describe, expect, it } from 'vitest';
import { defines, evaluate, NotRendered, renderInclude, renderUpTo } from '../../src/scan/helm-render.js';

const helpers = [
  '{{- define "site.host" -}}',
  '{{- $region := default "eu" .region -}}',
  '{{- if and .pinned (ne $region "eu") -}}',
  '{{ printf "%s.pinned.example.test" $region }}',
  '{{- else if or .mirror (eq $region "us") -}}',
  '  mirror.example.test  ',
  '{{- else -}}',
  '{{- with .fallback }}{{ .host }}{{ else }}{{ print "registry" ".example.test" }}{{ end -}}',
  '{{- end -}}',
  '{{- end -}}',
  '{{- define "site.broken" -}}{{ lookup "v1" "Secret" "ns" "name" }}{{- end -}}',
].join('\n');

describe('Helm template rendering with default values', () => {
  const named = defines(helpers);

  it('follows variables, default, if / else if / else, with, and, or, eq, ne, printf, print and the trim markers', () => {
    expect(renderInclude('site.host', {}, { defines: named })).toBe('registry.example.test');
    expect(renderInclude('site.host', { region: 'us' }, { defines: named })).toBe('mirror.example.test');
    expect(renderInclude('site.host', { region: 'ap', pinned: true }, { defines: named })).toBe('ap.pinned.example.test');
    expect(renderInclude('site.host', { fallback: { host: 'fallback.example.test' } }, { defines: named })).toBe('fallback.example.test');
  });

  it('evaluates one pipeline: default, coalesce, ternary-free forms and a field of a group', () => {
    expect(evaluate('.Values.registry | default "registry.example.test"', { Values: { registry: '' } }, { defines: named })).toBe('registry.example.test');
    expect(evaluate('coalesce .Values.image.tag .Chart.AppVersion', { Values: { image: { tag: null } }, Chart: { AppVersion: '1.4.0' } }, { defines: named })).toBe('1.4.0');
    expect(evaluate('(dict "host" "a.example.test").host', {}, { defines: named })).toBe('a.example.test');
  });

  it('a function it does not model, or a template it does not know, is not rendered: no guess', () => {
    expect(() => renderInclude('site.broken', {}, { defines: named })).toThrow(new NotRendered('function lookup'));
    expect(() => renderInclude('site.missing', {}, { defines: named })).toThrow(new NotRendered('no template "site.missing"'));
  });

  it('renders a file up to an action and gives back what it wrote before it; null when that action is not reached', () => {
    const text = '{{ if .on }}on.example.test{{ else }}off.example.test{{ end }}/{{ .name }}\n{{ range .list }}{{ .x }}{{ end }}';
    const at = text.indexOf('{{ .name }}');
    expect(renderUpTo(text, 0, at, { on: true }, { defines: named })).toBe('on.example.test/');
    expect(renderUpTo(text, 0, at, {}, { defines: named })).toBe('off.example.test/');
    expect(renderUpTo(text, 0, text.indexOf('{{ .x }}'), {}, { defines: named })).toBe(null);
  });
});
