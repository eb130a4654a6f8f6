import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isEngineError } from '../../../lib/errors.js';
import { ShellLex } from './lex.js';

const env = new Map([
  ['PWD', '/home'],
  ['SHELL', 'bash'],
  ['KOREAN', '한국어'],
  ['NULL', ''],
  ['SPACED', '  ab c  '],
]);
const lex = new ShellLex('\\');

function assertLexError(word: string, message: string, shell = lex): void {
  assert.throws(
    () => shell.processWord(word, env),
    (err: unknown) => isEngineError(err, 'invalid') && err.message === `failed to process ${JSON.stringify(word)}: ${message}`,
  );
}

describe('processWord (buildkit envVarTest cases)', () => {
  const cases: [string, string][] = [
    ['hello', 'hello'],
    ["he'll'o", 'hello'],
    ["he\\'llo", "he'llo"],
    ['abc\\tdef', 'abctdef'],
    ['"abc\\tdef"', 'abc\\tdef'],
    ['"abc\\\\tdef"', 'abc\\tdef'],
    ["'abc\\tdef'", 'abc\\tdef'],
    ['hello\\', 'hello'],
    ['hello\\\\', 'hello\\'],
    ['"hel\'lo"', "hel'lo"],
    ["'hello\\'", 'hello\\'],
    ["'hello\\there'", 'hello\\there'],
    ["'hello\\\\there'", 'hello\\\\there'],
    ['"\'\'"', "''"],
    ['$.', '$.'],
    ['he$1x', 'hex'],
    ['he$.x', 'he$.x'],
    ['he$pwd.', 'he.'],
    ['he$PWD', 'he/home'],
    ['he\\$PWD', 'he$PWD'],
    ['he\\\\$PWD', 'he\\/home'],
    ['"he\\$PWD"', 'he$PWD'],
    ['"he\\\\$PWD"', 'he\\/home'],
    ['\\${}', '${}'],
    ['\\${}aaa', '${}aaa'],
    ['he\\${}', 'he${}'],
    ['he\\${}xx', 'he${}xx'],
    ['he${hi}', 'he'],
    ['he${hi}xx', 'hexx'],
    ['he${PWD}', 'he/home'],
    ['he${XXX:-000}xx', 'he000xx'],
    ['he${PWD:-000}xx', 'he/homexx'],
    ['he${XXX:-$PWD}xx', 'he/homexx'],
    ['he${XXX:-${PWD:-yyy}}xx', 'he/homexx'],
    ['he${XXX:-${YYY:-yyy}}xx', 'heyyyxx'],
    ['he${PWD?}', 'he/home'],
    ['he${PWD:?}', 'he/home'],
    ['he${NULL?}', 'he'],
    ['he${XXX:+${PWD}}xx', 'hexx'],
    ['he${PWD:+${XXX}}xx', 'hexx'],
    ['he${PWD:+${SHELL}}xx', 'hebashxx'],
    ['he${XXX:+000}xx', 'hexx'],
    ['he${PWD:+000}xx', 'he000xx'],
    ["'he${XX}'", 'he${XX}'],
    ['"he${PWD}"', 'he/home'],
    ['"he\'$PWD\'"', "he'/home'"],
    ['"$PWD"', '/home'],
    ["'$PWD'", '$PWD'],
    ["'\\$PWD'", '\\$PWD'],
    ['\'"hello"\'', '"hello"'],
    ["'he\\$PWD'", 'he\\$PWD'],
    ['he${PWD:+${PWD}:}xx', 'he/home:xx'],
    ['he${XXX:-\\$PWD:}xx', 'he$PWD:xx'],
    ['he${XXX:-\\${PWD}z}xx', 'he${PWDz}xx'],
    ['안녕하세요', '안녕하세요'],
    ["안'녕'하세요", '안녕하세요'],
    ["안녕\\'하세요", "안녕'하세요"],
    ['안녕\\t하세요', '안녕t하세요'],
    ['"안녕\\t하세요"', '안녕\\t하세요'],
    ['안녕$1x', '안녕x'],
    ['$KOREAN', '한국어'],
    ['안녕$KOREAN', '안녕한국어'],
    ['${aaa}}', '}'],
    ['${aaa}}}', '}}'],
  ];
  for (const [word, expected] of cases) {
    test(`${word} → ${expected}`, () => assert.equal(lex.processWord(word, env), expected));
  }
});

describe('modifiers: - + ? with and without the colon', () => {
  const cases: [string, string][] = [
    ['${NULL-word}', ''],
    ['${NULL:-word}', 'word'],
    ['${UNSET-word}', 'word'],
    ['${UNSET:-word}', 'word'],
    ['${NULL+word}', 'word'],
    ['${NULL:+word}', ''],
    ['${UNSET+word}', ''],
    ['${PWD+word}', 'word'],
    ['${PWD?msg}', '/home'],
    ['${UNSET:-a b  c}', 'a b  c'],
    ['${UNSET:-"quoted }"}', 'quoted }'],
    ['$@$#$?', ''],
  ];
  for (const [word, expected] of cases) {
    test(`${word} → ${JSON.stringify(expected)}`, () => assert.equal(lex.processWord(word, env), expected));
  }
});

describe('pattern modifiers: # ## % %% / //', () => {
  const paths = new Map([['P', '/usr/local/bin/tool.tar.gz']]);
  const cases: [string, string][] = [
    ['${P#*/}', 'usr/local/bin/tool.tar.gz'],
    ['${P##*/}', 'tool.tar.gz'],
    ['${P%.*}', '/usr/local/bin/tool.tar'],
    ['${P%%.*}', '/usr/local/bin/tool'],
    ['${P#/usr}', '/local/bin/tool.tar.gz'],
    ['${P#nomatch}', '/usr/local/bin/tool.tar.gz'],
    ['${P%?z}', '/usr/local/bin/tool.tar.'],
    ['${P/o/0}', '/usr/l0cal/bin/tool.tar.gz'],
    ['${P//o/0}', '/usr/l0cal/bin/t00l.tar.gz'],
    ['${P/l*l/X}', '/usr/X.tar.gz'],
    ['${P/\\//:}', ':usr/local/bin/tool.tar.gz'],
    ['${P//\\//:}', ':usr:local:bin:tool.tar.gz'],
    ['${P//./_}', '/usr/local/bin/tool_tar_gz'],
    ['${UNSET//*/x}', 'x'],
    ['${P//*/x}', 'x'],
    ['${P%\\*}', '/usr/local/bin/tool.tar.gz'],
  ];
  for (const [word, expected] of cases) {
    test(`${word} → ${expected}`, () => assert.equal(lex.processWord(word, paths), expected));
  }
});

describe('processWords', () => {
  const wordsEnv = new Map([
    ['hi', 'hi'],
    ['space', 'abc  def'],
    ['leading', '  ab c'],
    ['trailing', 'ab c   '],
  ]);
  const cases: [string, string[]][] = [
    ['hello', ['hello']],
    ['hello${hi}bye', ['hellohibye']],
    ['hello${space}bye', ['helloabc', 'defbye']],
    ['hello"${space}"bye', ['helloabc  defbye']],
    ['hello "${space}"bye', ['hello', 'abc  defbye']],
    ['hello${leading}def', ['hello', 'ab', 'cdef']],
    ['hello"${leading}" def', ['hello  ab c', 'def']],
    ['hello"${leading}"', ['hello  ab c']],
    ['hello${leading}', ['hello', 'ab', 'c']],
    ['hello${trailing}', ['helloab', 'c']],
    ['hello${trailing}d', ['helloab', 'c', 'd']],
    ['hello"${trailing}"d', ['helloab c   d']],
    ['hel"lo${trailing}"', ['helloab c   ']],
    ['hello" there  "', ['hello there  ']],
    ['hello there     ', ['hello', 'there']],
    ['hello\\ there', ['hello there']],
    ['hello\\" there', ['hello"', 'there']],
    ['hello"\\\\there"', ['hello\\there']],
    ['hello"\\there"', ['hello\\there']],
    ["hello'\\\\there'", ['hello\\\\there']],
    ["hello'\\there'", ['hello\\there']],
    ["hello'$there'", ['hello$there']],
    ['80/tcp ${UNSET} 443', ['80/tcp', '443']],
    ['"" a', ['a']],
    ['', []],
  ];
  for (const [word, expected] of cases) {
    test(`${word} → ${JSON.stringify(expected)}`, () => assert.deepEqual(lex.processWords(word, wordsEnv), expected));
  }
});

describe('the backtick escape', () => {
  const windows = new ShellLex('`');
  const cases: [string, string][] = [
    ['c:\\windows\\system32', 'c:\\windows\\system32'],
    ['`$PWD', '$PWD'],
    ['a` b', 'a b'],
    ['"c:\\dir`"x"', 'c:\\dir"x'],
    ['"`$PWD ``"', '$PWD `'],
    ['"a`b"', 'a`b'],
    ['${UNSET:-`}}', '}'],
  ];
  for (const [word, expected] of cases) {
    test(`${word} → ${expected}`, () => assert.equal(windows.processWord(word, env), expected));
  }

  test('words split where the escape is not', () => {
    assert.deepEqual(windows.processWords('a` b c', env), ['a b', 'c']);
  });
});

describe('the reference examples', () => {
  const fooEnv = new Map([['FOO', '/bar']]);
  const cases: [string, string][] = [
    ['${FOO}', '/bar'],
    ['$FOO', '/bar'],
    ['\\$FOO', '$FOO'],
    ['\\${foo}', '${foo}'],
    ['${FOO}_bar', '/bar_bar'],
    ['${variable:-word}', 'word'],
    ['${FOO:+word}', 'word'],
  ];
  for (const [word, expected] of cases) {
    test(`${word} → ${expected}`, () => assert.equal(lex.processWord(word, fooEnv), expected));
  }
});

describe('errors', () => {
  const cases: [string, string][] = [
    ["he'llo", 'unexpected end of statement while looking for matching single-quote'],
    ["he\\\\'llo", 'unexpected end of statement while looking for matching single-quote'],
    ['"hello', 'unexpected end of statement while looking for matching double-quote'],
    ['"hello\\"', 'unexpected end of statement while looking for matching double-quote'],
    ["안'녕하세요", 'unexpected end of statement while looking for matching single-quote'],
    ['${}', 'syntax error: bad substitution'],
    ['he${}xx', 'syntax error: bad substitution'],
    ['${:}', 'syntax error: bad substitution'],
    ['${{aaa}', 'syntax error: bad substitution'],
    ['${', "syntax error: missing '}'"],
    ['${aaa', 'unsupported modifier (\ufffd) in substitution'],
    ['he${.}', 'unsupported modifier (.) in substitution'],
    ['he${XXX:YYY}', 'unsupported modifier (:Y) in substitution'],
    ['he${PWD:=000}xx', 'unsupported modifier (:=) in substitution'],
    ['${PWD=x}', 'unsupported modifier (=) in substitution'],
    ['${UNSET:-abc', "syntax error: missing '}'"],
    ['${UNSET:-"abc}', "syntax error: missing '}'"],
    ['he${XXX?}', 'XXX: is not allowed to be unset'],
    ['he${XXX:?}', 'XXX: is not allowed to be unset'],
    ['he${NULL:?}', 'NULL: is not allowed to be empty'],
    ['${XXX?custom message}', 'XXX: custom message'],
    ['${NULL:?${SHELL} needed}', 'NULL: bash needed'],
    ['${PWD#\\a}', "invalid pattern (\\a) in substitution: invalid escape '\\a'"],
    ['${PWD/a', "syntax error: missing '/' in ${}"],
    ['${PWD/a/b', "syntax error: missing '}'"],
  ];
  for (const [word, message] of cases) {
    test(`${word} → ${message}`, () => assertLexError(word, message));
  }

  test('errors quote the word as Go does', () => {
    assert.throws(() => lex.processWord('"\t', env), { message: 'failed to process "\\"\\t": unexpected end of statement while looking for matching double-quote' });
  });
});
