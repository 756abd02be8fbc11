import { describe, expect, it } from 'vitest';
import { tokenizePuppet, type PuppetToken } from '../../../src/scan/extractors/puppet/puppet-tokenizer.js';

const brief = (tokens: readonly PuppetToken[]): string[] => tokens.map((token) => `${token.kind}:${token.text}`);

describe('tokenizePuppet', () => {
  it('splits names, variables, numbers and punctuation, with offsets into the text', () => {
    const text = "docker::run { 'web': image => $::profile::image, count => 0x1F, ratio => 1.5e3 }";
    const { tokens, error } = tokenizePuppet(text);
    expect(error).toBeNull();
    expect(brief(tokens)).toEqual([
      'name:docker::run',
      'punct:{',
      "string:'web'",
      'punct::',
      'name:image',
      'punct:=>',
      'variable:$::profile::image',
      'punct:,',
      'name:count',
      'punct:=>',
      'number:0x1F',
      'punct:,',
      'name:ratio',
      'punct:=>',
      'number:1.5e3',
      'punct:}',
    ]);
    for (const token of tokens) expect(text.slice(token.start, token.end)).toBe(token.text);
    expect(tokens[6]!.value).toBe('::profile::image');
  });

  it('skips # and /* */ comments, also when they hold quotes', () => {
    const { tokens, error } = tokenizePuppet("# it's 'here'\n/* image => 'x:1'\n 'y' */ $a = 'b' # trailing \"quote\n");
    expect(error).toBeNull();
    expect(brief(tokens)).toEqual(['variable:$a', 'punct:=', "string:'b'"]);
  });

  it("undoes only \\\\ and \\' in single-quoted strings", () => {
    const { tokens } = tokenizePuppet("'it\\'s a \\\\ and \\n' 'plain:1.0'");
    expect(tokens[0]).toMatchObject({ kind: 'string', value: "it's a \\ and \\n", literal: false });
    expect(tokens[1]).toMatchObject({ kind: 'string', value: 'plain:1.0', literal: true, start: 20, end: 31 });
  });

  it('marks double-quoted strings that interpolate and keeps their source as the value', () => {
    const { tokens, error } = tokenizePuppet('"${facts[\'os\']}}/a:${v}" "x:$tag" "cost \\$5" "tab\\there" "$ alone" "ok:1"');
    expect(error).toBeNull();
    expect(tokens.map((token) => [token.value, token.interpolated, token.literal])).toEqual([
      ["${facts['os']}}/a:${v}", true, false],
      ['x:$tag', true, false],
      ['cost $5', false, false],
      ['tab\there', false, false],
      ['$ alone', false, true],
      ['ok:1', false, true],
    ]);
  });

  it('finds the end of an interpolation that holds braces and strings', () => {
    const { tokens, error } = tokenizePuppet('"${ $h.map |$k, $v| { "${k}}" } }" next');
    expect(error).toBeNull();
    expect(brief(tokens)).toEqual(['string:"${ $h.map |$k, $v| { "${k}}" } }"', 'name:next']);
  });

  it('skips heredoc bodies up to the end marker, with margins, trims and syntax tags', () => {
    const text = [
      "$a = @(END)  # comment 'x'",
      "  image => 'nginx:1.0'",
      '  END',
      '$b = [@("ONE":json/t), @(TWO)] \'same-line\'',
      '  {"image": "${x}"}',
      '  |- ONE',
      "  two's body",
      '    | TWO',
      "$c = 'after'",
    ].join('\n');
    const { tokens, error } = tokenizePuppet(text);
    expect(error).toBeNull();
    expect(brief(tokens)).toEqual([
      'variable:$a',
      'punct:=',
      'heredoc:@(END)',
      'variable:$b',
      'punct:=',
      'punct:[',
      'heredoc:@("ONE":json/t)',
      'punct:,',
      'heredoc:@(TWO)',
      'punct:]',
      "string:'same-line'",
      'variable:$c',
      'punct:=',
      "string:'after'",
    ]);
    expect(tokens[6]!.interpolated).toBe(true);
    expect(tokens[8]!.interpolated).toBe(false);
    expect(tokens[13]!.start).toBe(text.lastIndexOf("'after'"));
  });

  it('reads a regex after =~ and node, and a division after a value', () => {
    const { tokens } = tokenizePuppet("node /^web\\d+\\/x$/ { } if $x =~ /a'b/ { $y = $z / 2 }");
    expect(brief(tokens)).toEqual([
      'name:node',
      'regex:/^web\\d+\\/x$/',
      'punct:{',
      'punct:}',
      'name:if',
      'variable:$x',
      'punct:=~',
      "regex:/a'b/",
      'punct:{',
      'variable:$y',
      'punct:=',
      'variable:$z',
      'punct:/',
      'number:2',
      'punct:}',
    ]);
  });

  it('reports an unterminated single-quoted string at its start and keeps the tokens before it', () => {
    const text = "$a = 'ok'\n$b = 'never\nends";
    const { tokens, error } = tokenizePuppet(text);
    expect(brief(tokens)).toEqual(['variable:$a', 'punct:=', "string:'ok'", 'variable:$b', 'punct:=']);
    expect(error).toEqual({ offset: text.indexOf("'never"), message: 'unterminated single-quoted string' });
  });

  it('reports an unterminated double-quoted string, comment and heredoc', () => {
    expect(tokenizePuppet('$a = "x ${y').error).toEqual({ offset: 5, message: 'unterminated interpolation in double-quoted string' });
    expect(tokenizePuppet('$a = "x ${y}').error).toEqual({ offset: 5, message: 'unterminated double-quoted string' });
    expect(tokenizePuppet('$a = "x').error).toEqual({ offset: 5, message: 'unterminated double-quoted string' });
    expect(tokenizePuppet('$a = 1 /* no end').error).toEqual({ offset: 7, message: 'unterminated /* comment' });
    const heredoc = tokenizePuppet('$a = @(EOT)\n  text\n  EO\n');
    expect(heredoc.error).toEqual({ offset: 5, message: 'heredoc @(EOT) has no end marker' });
    expect(brief(heredoc.tokens)).toEqual(['variable:$a', 'punct:=', 'heredoc:@(EOT)']);
  });

  it('treats a heredoc on the last line without a body as unterminated', () => {
    expect(tokenizePuppet('$a = @(END)').error).toEqual({ offset: 5, message: 'heredoc @(END) has no end marker' });
  });
});
