/**
 * Top-level scalars of a chart's Chart.yaml, read from its lines. Helm decodes Chart.yaml through
 * a JSON decoder that matches keys in any case, so `AppVersion: "1.4.0"` is the chart's appVersion
 * (`.Chart.AppVersion`) as `appVersion:` is; the key written exactly so wins when both are there.
 */

export interface ChartField {
  readonly value: string;
  /** Offset of the field's line in the text. */
  readonly index: number;
}

const VALUE: Record<'appVersion' | 'name', string> = { appVersion: '[\\w][\\w.+-]*', name: '[\\w][\\w.-]*' };

export function chartField(text: string, key: 'appVersion' | 'name'): ChartField | null {
  const pattern = `^${key}:[ \\t]*(["']?)(${VALUE[key]})\\1[ \\t]*(?:#.*)?$`;
  const match = new RegExp(pattern, 'm').exec(text) ?? new RegExp(pattern, 'mi').exec(text);
  return match ? { value: match[2] ?? '', index: match.index } : null;
}
