import { describe, expect, it } from 'vitest';
import { embedState, extractState } from '../../src/plan/hidden-state.js';
import { unifiedDiff } from '../../src/plan/unified-diff.js';

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));
const lines = (count: number, change: Record<number, string> = {}) => Array.from({ length: count }, (_, index) => change[index + 1] ?? `line ${index + 1}`).join('\n');

describe('unifiedDiff', () => {
  it('shows each changed line with three lines of context, and joins hunks whose context touches', () => {
    const before = bytes(`${lines(20)}\n`);
    const after = bytes(`${lines(20, { 2: 'LINE 2', 9: 'LINE 9', 18: 'LINE 18' })}\n`);
    expect(unifiedDiff('deploy.yaml', before, after)).toBe(
      [
        '--- a/deploy.yaml',
        '+++ b/deploy.yaml',
        '@@ -1,12 +1,12 @@',
        ' line 1',
        '-line 2',
        '+LINE 2',
        ' line 3',
        ' line 4',
        ' line 5',
        ' line 6',
        ' line 7',
        ' line 8',
        '-line 9',
        '+LINE 9',
        ' line 10',
        ' line 11',
        ' line 12',
        '@@ -15,7 +15,7 @@',
        ' line 15',
        ' line 16',
        ' line 17',
        '-line 18',
        '+LINE 18',
        ' line 19',
        ' line 20',
        ' ',
        '',
      ].join('\n'),
    );
  });

  it('keeps hunks apart when their context does not touch, and takes the context length', () => {
    const diff = unifiedDiff('a', bytes(lines(12)), bytes(lines(12, { 2: 'x', 10: 'y' })), 1);
    expect(diff).toBe(['--- a/a', '+++ b/a', '@@ -1,3 +1,3 @@', ' line 1', '-line 2', '+x', ' line 3', '@@ -9,3 +9,3 @@', ' line 9', '-line 10', '+y', ' line 11', ''].join('\n'));
  });

  it('drops the carriage return of CRLF lines, shows bytes as latin1, and is empty when nothing changed', () => {
    expect(unifiedDiff('Dockerfile', bytes('FROM a:1\r\nRUN \xe9\r\n'), bytes('FROM a:2\r\nRUN \xe9\r\n'), 0)).toBe(
      ['--- a/Dockerfile', '+++ b/Dockerfile', '@@ -1,1 +1,1 @@', '-FROM a:1', '+FROM a:2', ''].join('\n'),
    );
    expect(unifiedDiff('Dockerfile', bytes('FROM a:1\n'), bytes('FROM a:1\n'))).toBe('');
  });

  it('refuses edits that add or remove a line', () => {
    expect(() => unifiedDiff('a', bytes('x\n'), bytes('x\ny\n'))).toThrow('line count changed');
  });
});

describe('hidden state', () => {
  it('round-trips through an HTML comment, and reads nothing from a body without one or with a broken one', () => {
    const state = { fingerprint: 'f00d', base: 'abc', nested: { list: [1, 'two'] } };
    expect(embedState(state)).toBe(`<!-- archpin-state:${Buffer.from(JSON.stringify(state)).toString('base64')} -->`);
    expect(extractState(`Some text\n\n${embedState(state)}\n`)).toEqual(state);
    expect(extractState('Some text')).toBeNull();
    expect(extractState(null)).toBeNull();
    expect(extractState(undefined)).toBeNull();
    expect(extractState(`<!-- archpin-state:${Buffer.from('{"cut').toString('base64')} -->`)).toBeNull();
  });
});
