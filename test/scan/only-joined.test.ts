import { describe, expect, it } from 'vitest';
import { isOnlyJoined } from '../../src/core/image-ref.js';

const ACTION = /\{\{\s*\.?\w+\s*\}\}/g;
const PARAMETER = /\$\(params\.[\w-]+\)/g;

describe('isOnlyJoined', () => {
  it('holds for pieces joined by nothing but the separators of a name', () => {
    expect(['{{ .Repo }}', '{{ .Repo }}:{{ .Tag }}', '{{ .Host }}/{{ .Repo }}@{{ .Digest }}', '{{.A}}{{.B}}'].map((value) => isOnlyJoined(value, ACTION))).toEqual([true, true, true, true]);
    expect(isOnlyJoined('$(params.registry)/$(params.name):$(params.tag)', PARAMETER)).toBe(true);
  });

  it('fails for text of the value’s own, and for a value without any piece', () => {
    expect(['registry.example.test/{{ .Repo }}', '{{ .Repo }}:1.0', '{{ .Repo }}-slim', '/:', '', 'busybox'].map((value) => isOnlyJoined(value, ACTION))).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(isOnlyJoined('$(params.name):latest', PARAMETER)).toBe(false);
  });
});
