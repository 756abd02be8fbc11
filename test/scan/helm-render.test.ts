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

  it('a hostile chart cannot make the rendering run away: includes that double at each level, a text that doubles each line', () => {
    const doubling = [
      ...Array.from({ length: 30 }, (_, level) => `{{- define "d${level}" -}}{{ include "d${level + 1}" . }}{{ include "d${level + 1}" . }}{{- end -}}`),
      '{{- define "d30" -}}x{{- end -}}',
    ].join('\n');
    expect(() => renderInclude('d0', {}, { defines: defines(doubling) })).toThrow(new NotRendered('more than 20000 template steps'));
    const growing = ['{{- define "grow" -}}{{- $a := "0123456789abcdef" -}}', ...Array.from({ length: 40 }, () => '{{- $a = printf "%s%s" $a $a -}}'), '{{ $a }}{{- end -}}'].join('\n');
    expect(() => renderInclude('grow', {}, { defines: defines(growing) })).toThrow(new NotRendered('a text longer than 1000000 characters'));
    const wide = ['{{- define "wide" -}}', ...Array.from({ length: 200 }, () => `{{ include "piece" . }}`), '{{- end -}}', `{{- define "piece" -}}${'y'.repeat(10_000)}{{- end -}}`].join('\n');
    expect(() => renderInclude('wide', {}, { defines: defines(wide) })).toThrow(new NotRendered('more than 1000000 characters written'));
  });
});
