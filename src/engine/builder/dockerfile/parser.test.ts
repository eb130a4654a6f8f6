import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isEngineError } from '../../../lib/errors.js';
import { parseDockerfile, parseTrigger } from './parser.js';
import type { Instruction } from './types.js';

/** The instructions of a one-stage Dockerfile `FROM scratch` + `body`, without line and original. */
function stageInstructions(body: string): object[] {
  return parseDockerfile(`FROM scratch\n${body}\n`).stages[0].instructions.map(withoutPosition);
}

function withoutPosition(instruction: Instruction): object {
  const { line: _line, original: _original, ...rest } = instruction;
  return rest;
}

function only(body: string): object {
  const instructions = stageInstructions(body);
  assert.equal(instructions.length, 1);
  return instructions[0];
}

function assertInvalid(run: () => unknown, message: string): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(isEngineError(err, 'invalid'), `not an invalid EngineError: ${String(err)}`);
    assert.equal(err.message, message);
    return true;
  });
}

function assertParseError(text: string, message: string): void {
  assertInvalid(() => parseDockerfile(text), message);
}

describe('parser directives', () => {
  test('escape and syntax are read from the top, in any case and spacing', () => {
    const parsed = parseDockerfile('# ESCAPE = `\n#\tSyntax=docker/dockerfile:1\nFROM scratch\n');
    assert.deepEqual(parsed.directives, { escape: '`', syntax: 'docker/dockerfile:1' });
    assert.deepEqual(parsed.warnings, ['[WARNING]: the syntax parser directive (docker/dockerfile:1) is ignored by the classic builder']);
  });

  test('the default escape is backslash and there are no warnings', () => {
    const parsed = parseDockerfile('FROM scratch');
    assert.deepEqual(parsed.directives, { escape: '\\' });
    assert.deepEqual(parsed.warnings, []);
  });

  const notDirectives: [string, string][] = [
    ['after an instruction', 'FROM scratch\n# escape=`\n'],
    ['after a plain comment', '# About my dockerfile\n# escape=`\nFROM scratch\n'],
    ['after an empty line', '\n# escape=`\nFROM scratch\n'],
    ['after an unknown directive', '# unknowndirective=value\n# escape=`\nFROM scratch\n'],
  ];
  for (const [why, text] of notDirectives) {
    test(`a directive is a comment ${why}`, () => {
      assert.equal(parseDockerfile(text).directives.escape, '\\');
    });
  }

  test('a comment cannot be continued: the next line is an instruction', () => {
    assertParseError('# direc \\\ntive=`\nFROM scratch\n', 'dockerfile parse error line 2: unknown instruction: TIVE=`');
  });

  test('a byte-order mark before the first directive is ignored', () => {
    assert.equal(parseDockerfile('\ufeff# escape=`\nFROM scratch').directives.escape, '`');
  });

  test('a directive may appear only once', () => {
    assertParseError('# escape=`\n# escape=\\\nFROM scratch\n', 'failed to parse Dockerfile: only one escape parser directive can be used');
    assertParseError('# syntax=a\n# SYNTAX=b\nFROM scratch\n', 'failed to parse Dockerfile: only one syntax parser directive can be used');
  });

  test('the escape token must be a backslash or a backtick', () => {
    assertParseError('# escape=x\nFROM scratch\n', "failed to parse Dockerfile: invalid escape token 'x' does not match ` or \\");
  });
});

describe('comments, continuations and lines', () => {
  test('comment lines inside a continuation are dropped, as the reference shows', () => {
    const parsed = parseDockerfile('FROM scratch\nRUN echo hello \\\n# comment\nworld\n');
    const run = parsed.stages[0].instructions[0];
    assert.equal(run.original, 'RUN echo hello world');
    assert.deepEqual(withoutPosition(run), { kind: 'RUN', args: ['echo hello world'], prependShell: true });
  });

  test('a # inside an instruction is an argument', () => {
    assert.deepEqual(only("RUN echo 'we are running some # of cool things'"), {
      kind: 'RUN',
      args: ["echo 'we are running some # of cool things'"],
      prependShell: true,
    });
  });

  test('leading white space before instructions and comments is ignored; continuation lines keep theirs', () => {
    const parsed = parseDockerfile('        # this is a comment-line\n    FROM scratch\n  RUN echo "\\\n     hello\\\n     world"\n');
    assert.equal(parsed.stages[0].from.line, 2);
    assert.deepEqual(withoutPosition(parsed.stages[0].instructions[0]), {
      kind: 'RUN',
      args: ['echo "     hello     world"'],
      prependShell: true,
    });
  });

  test('white space after the continuation character still continues the line', () => {
    assert.deepEqual(only('RUN a \\  \t\n  b'), { kind: 'RUN', args: ['a   b'], prependShell: true });
  });

  test('an escaped escape character at the end of a line does not continue it', () => {
    const parsed = parseDockerfile('FROM scratch\nCOPY testfile.txt c:\\\\\nRUN dir c:\\\n');
    assert.deepEqual(parsed.stages[0].instructions.map(withoutPosition), [
      { kind: 'COPY', sources: ['testfile.txt'], dest: 'c:\\\\' },
      // The last line continues into the end of the file.
      { kind: 'RUN', args: ['dir c:'], prependShell: true },
    ]);
  });

  test('with escape=` Windows paths keep their backslashes and ` continues lines', () => {
    const text = '# escape=`\n\nFROM microsoft/nanoserver\nCOPY testfile.txt c:\\\nRUN dir c:\\\nRUN echo a `\n  b\n';
    const parsed = parseDockerfile(text);
    assert.deepEqual(parsed.stages[0].instructions.map(withoutPosition), [
      { kind: 'COPY', sources: ['testfile.txt'], dest: 'c:\\' },
      { kind: 'RUN', args: ['dir c:\\'], prependShell: true },
      { kind: 'RUN', args: ['echo a   b'], prependShell: true },
    ]);
  });

  test('empty continuation lines are skipped with moby’s warnings', () => {
    const parsed = parseDockerfile('FROM scratch\nRUN a \\\n\n   \nb\n');
    assert.equal(parsed.stages[0].instructions[0].original, 'RUN a b');
    assert.deepEqual(parsed.warnings, [
      '[WARNING]: Empty continuation line found in:\n    RUN a b',
      '[WARNING]: Empty continuation lines will become errors in a future release.',
    ]);
  });

  test('lines are numbered from where an instruction starts, CRLF included', () => {
    const parsed = parseDockerfile('FROM scratch\r\n\r\n# c\r\nRUN a \\\r\n  b\r\nUSER me\r\n');
    const [run, user] = parsed.stages[0].instructions;
    assert.deepEqual([run.line, run.original, user.line, user.original], [4, 'RUN a   b', 6, 'USER me']);
  });

  test('instructions are case-insensitive', () => {
    const parsed = parseDockerfile('from busybox as Base\nrUn echo hi\n');
    assert.equal(parsed.stages[0].name, 'base');
    assert.equal(parsed.stages[0].instructions[0].kind, 'RUN');
  });

  test('an escape character alone on a line joins the lines around it', () => {
    assert.deepEqual(only('RUN a \\\n\\\nb'), { kind: 'RUN', args: ['a b'], prependShell: true });
  });
});

describe('stages', () => {
  test('ARGs before the first FROM are meta args; stages collect their instructions', () => {
    const parsed = parseDockerfile(
      'ARG CODE_VERSION=latest\nFROM base:${CODE_VERSION} AS one\nCMD /code/run-app\nFROM extras:${CODE_VERSION}\nARG CODE_VERSION\n',
    );
    assert.deepEqual(parsed.metaArgs.map(withoutPosition), [{ kind: 'ARG', args: [{ key: 'CODE_VERSION', value: 'latest' }] }]);
    assert.equal(parsed.stages.length, 2);
    assert.equal(parsed.stages[0].name, 'one');
    assert.equal(parsed.stages[0].from.image, 'base:${CODE_VERSION}');
    assert.deepEqual(parsed.stages[0].instructions.map((i) => i.kind), ['CMD']);
    assert.equal(parsed.stages[1].name, undefined);
    assert.deepEqual(parsed.stages[1].instructions.map(withoutPosition), [{ kind: 'ARG', args: [{ key: 'CODE_VERSION' }] }]);
  });

  test('FROM keeps the original text, platform and lower-cased stage name', () => {
    const from = parseDockerfile('  FROM --platform=$BUILDPLATFORM golang:1.22 AS Builder-1.x_y  \n').stages[0].from;
    assert.deepEqual(from, {
      kind: 'FROM',
      line: 1,
      original: 'FROM --platform=$BUILDPLATFORM golang:1.22 AS Builder-1.x_y',
      image: 'golang:1.22',
      stageName: 'builder-1.x_y',
      platform: '$BUILDPLATFORM',
    });
  });

  const errors: [string, string][] = [
    ['', 'failed to parse Dockerfile: file with no instructions'],
    ['# only a comment\n\n', 'failed to parse Dockerfile: file with no instructions'],
    ['ARG A\n', 'no build stage in current context'],
    ['ARG A\nRUN x\nFROM scratch\n', 'no build stage in current context'],
    ['FROM\n', 'dockerfile parse error line 1: FROM requires either one or three arguments'],
    ['FROM a b\n', 'dockerfile parse error line 1: FROM requires either one or three arguments'],
    ['FROM a AS\n', 'dockerfile parse error line 1: FROM requires either one or three arguments'],
    ['FROM a FOR b\n', 'dockerfile parse error line 1: FROM requires either one or three arguments'],
    ['FROM a AS b c\n', 'dockerfile parse error line 1: FROM requires either one or three arguments'],
    ['FROM a AS 1st\n', 'dockerfile parse error line 1: invalid name for build stage: "1st", name can\'t start with a number or contain symbols'],
    ['FROM a AS my/stage\n', 'dockerfile parse error line 1: invalid name for build stage: "my/stage", name can\'t start with a number or contain symbols'],
    // The stage name is checked before the flags, as in moby.
    ['FROM --platform linux/amd64 a\n', 'dockerfile parse error line 1: FROM requires either one or three arguments'],
    ['FROM --platform a\n', 'dockerfile parse error line 1: Missing a value on flag: platform'],
    ['FROM --foo=1 a\n', 'dockerfile parse error line 1: Unknown flag: foo'],
    ['FROM scratch\n\n\nRUNN x\n', 'dockerfile parse error line 4: unknown instruction: RUNN'],
    ['FROM scratch\nrunn x\n', 'dockerfile parse error line 2: unknown instruction: RUNN'],
  ];
  for (const [text, message] of errors) {
    test(`${JSON.stringify(text)} → ${message}`, () => assertParseError(text, message));
  }

  test('first-pass errors anywhere are reported before second-pass errors, as moby parses in two passes', () => {
    assertParseError('FROM scratch\nRUNN x\nENV A\n', 'failed to parse Dockerfile: ENV must have two arguments');
  });
});

describe('shell and exec forms', () => {
  const forms: [string, object][] = [
    ['RUN apt-get update', { kind: 'RUN', args: ['apt-get update'], prependShell: true }],
    ['RUN ["/bin/bash", "-c", "echo hello"]', { kind: 'RUN', args: ['/bin/bash', '-c', 'echo hello'], prependShell: false }],
    ['RUN [ "a" ,"b" ]  ', { kind: 'RUN', args: ['a', 'b'], prependShell: false }],
    ['CMD ["echo", "$HOME"]', { kind: 'CMD', args: ['echo', '$HOME'], prependShell: false }],
    ['CMD echo $HOME', { kind: 'CMD', args: ['echo $HOME'], prependShell: true }],
    ['CMD []', { kind: 'CMD', args: [], prependShell: false }],
    ['CMD', { kind: 'CMD', args: [], prependShell: true }],
    ['ENTRYPOINT ["top", "-b"]', { kind: 'ENTRYPOINT', args: ['top', '-b'], prependShell: false }],
    ['ENTRYPOINT exec top -b', { kind: 'ENTRYPOINT', args: ['exec top -b'], prependShell: true }],
    ['ENTRYPOINT []', { kind: 'ENTRYPOINT', args: [], prependShell: false }],
    // Not valid JSON: shell form, brackets and all.
    ["RUN ['single', 'quotes']", { kind: 'RUN', args: ["['single', 'quotes']"], prependShell: true }],
    ['RUN ["a"] && b', { kind: 'RUN', args: ['["a"] && b'], prependShell: true }],
    ['RUN ["unterminated', { kind: 'RUN', args: ['["unterminated'], prependShell: true }],
    ['CMD {"a": "b"}', { kind: 'CMD', args: ['{"a": "b"}'], prependShell: true }],
  ];
  for (const [line, expected] of forms) {
    test(line, () => assert.deepEqual(only(line), expected));
  }

  test('the JSON form keeps escapes decoded by JSON, not by the Dockerfile escape', () => {
    assert.deepEqual(only('CMD ["c:\\\\dir", "\\u00e9"]'), { kind: 'CMD', args: ['c:\\dir', 'é'], prependShell: false });
  });

  test('a JSON array of anything but strings is an error', () => {
    for (const line of ['CMD ["a", 1]', 'RUN [null]', 'COPY ["a", ["b"]]', 'HEALTHCHECK CMD [true]']) {
      assertParseError(`FROM scratch\n${line}\n`, 'failed to parse Dockerfile: when using JSON array syntax, arrays must be comprised of strings only');
    }
  });

  test('RUN flags need BuildKit', () => {
    for (const flag of ['mount', 'network', 'security']) {
      assertParseError(
        `FROM scratch\nRUN --${flag}=x true\n`,
        `dockerfile parse error line 2: the --${flag} option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled`,
      );
    }
    assertParseError('FROM scratch\nRUN --privileged true\n', 'dockerfile parse error line 2: Unknown flag: privileged');
  });

  test('a lone -- ends the flags', () => {
    assert.deepEqual(only('RUN -- --not-a-flag'), { kind: 'RUN', args: ['--not-a-flag'], prependShell: true });
  });

  test('CMD and ENTRYPOINT take no flags', () => {
    assertParseError('FROM scratch\nCMD --x=1 a\n', 'dockerfile parse error line 2: Unknown flag: x');
    assertParseError('FROM scratch\nENTRYPOINT --x a\n', 'dockerfile parse error line 2: Unknown flag: x');
  });

  test('SHELL must be a non-empty JSON array', () => {
    assert.deepEqual(only('SHELL ["powershell", "-command"]'), { kind: 'SHELL', shell: ['powershell', '-command'] });
    assertParseError('FROM scratch\nSHELL powershell -command\n', 'dockerfile parse error line 2: SHELL requires the arguments to be in JSON form');
    assertParseError('FROM scratch\nSHELL []\n', 'dockerfile parse error line 2: SHELL requires at least one argument');
    assertParseError('FROM scratch\nSHELL\n', 'dockerfile parse error line 2: SHELL requires at least one argument');
  });
});

describe('ENV, LABEL and ARG', () => {
  const cases: [string, object][] = [
    ['ENV MY_NAME="John Doe"', { kind: 'ENV', pairs: [{ key: 'MY_NAME', value: '"John Doe"' }] }],
    ['ENV MY_DOG=Rex\\ The\\ Dog', { kind: 'ENV', pairs: [{ key: 'MY_DOG', value: 'Rex\\ The\\ Dog' }] }],
    ['ENV MY_CAT=fluffy', { kind: 'ENV', pairs: [{ key: 'MY_CAT', value: 'fluffy' }] }],
    [
      'ENV MY_NAME="John Doe" MY_DOG=Rex\\ The\\ Dog \\\n    MY_CAT=fluffy',
      {
        kind: 'ENV',
        pairs: [
          { key: 'MY_NAME', value: '"John Doe"' },
          { key: 'MY_DOG', value: 'Rex\\ The\\ Dog' },
          { key: 'MY_CAT', value: 'fluffy' },
        ],
      },
    ],
    ['ENV ONE TWO= THREE=world', { kind: 'ENV', pairs: [{ key: 'ONE', value: 'TWO= THREE=world' }] }],
    ['ENV key   value  with   spaces', { kind: 'ENV', pairs: [{ key: 'key', value: 'value  with   spaces' }] }],
    ['ENV a= b=""', { kind: 'ENV', pairs: [{ key: 'a', value: '' }, { key: 'b', value: '""' }] }],
    ["ENV x='a=b c'", { kind: 'ENV', pairs: [{ key: 'x', value: "'a=b c'" }] }],
    ['env abc=hello', { kind: 'ENV', pairs: [{ key: 'abc', value: 'hello' }] }],
    [
      'LABEL "com.example.vendor"="ACME Incorporated" version=1.0',
      {
        kind: 'LABEL',
        pairs: [
          { key: '"com.example.vendor"', value: '"ACME Incorporated"' },
          { key: 'version', value: '1.0' },
        ],
      },
    ],
    ['LABEL description="This text illustrates \\\nthat label-values can span multiple lines."', {
      kind: 'LABEL',
      pairs: [{ key: 'description', value: '"This text illustrates that label-values can span multiple lines."' }],
    }],
    ['LABEL maintainer legacy form', { kind: 'LABEL', pairs: [{ key: 'maintainer', value: 'legacy form' }] }],
    ['ARG user1', { kind: 'ARG', args: [{ key: 'user1' }] }],
    ['ARG buildno=1 user1=someuser empty=', {
      kind: 'ARG',
      args: [{ key: 'buildno', value: '1' }, { key: 'user1', value: 'someuser' }, { key: 'empty', value: '' }],
    }],
    ['ARG quoted="a b"', { kind: 'ARG', args: [{ key: 'quoted', value: '"a b"' }] }],
    // moby never looks at ARG's flags.
    ['ARG --ignored=1 A', { kind: 'ARG', args: [{ key: 'A' }] }],
  ];
  for (const [line, expected] of cases) {
    test(line.replace(/\n/g, '⏎'), () => assert.deepEqual(only(line), expected));
  }

  const errors: [string, string][] = [
    ['ENV', 'ENV requires at least one argument'],
    ['ENV =x', 'ENV names can not be blank'],
    ['LABEL =x', 'LABEL names can not be blank'],
    ['ENV --x=1 a=b', 'Unknown flag: x'],
    ['LABEL --x a=b', 'Unknown flag: x'],
    ['ARG', 'ARG requires at least one argument'],
    ['ARG =x', 'ARG names can not be blank'],
  ];
  for (const [line, message] of errors) {
    test(`${line} → ${message}`, () => assertParseError(`FROM scratch\n${line}\n`, `dockerfile parse error line 2: ${message}`));
  }

  // Found by the line parsers, moby's first pass: no line number, the file's name.
  const firstPassErrors: [string, string][] = [
    ['ENV A', 'ENV must have two arguments'],
    ['LABEL A', 'LABEL must have two arguments'],
    ['ENV a=1 b', 'Syntax error - can\'t find = in "b". Must be of the form: name=value'],
    ['LABEL a=1 "b c"', 'Syntax error - can\'t find = in "\\"b c\\"". Must be of the form: name=value'],
    ['ONBUILD ENV A', 'ENV must have two arguments'],
  ];
  for (const [line, message] of firstPassErrors) {
    test(`${line} → ${message}`, () => assertParseError(`FROM scratch\n${line}\n`, `failed to parse Dockerfile: ${message}`));
  }
});

describe('COPY and ADD', () => {
  const cases: [string, object][] = [
    ['COPY hom* /mydir/', { kind: 'COPY', sources: ['hom*'], dest: '/mydir/' }],
    ['COPY a b c/ /dest/', { kind: 'COPY', sources: ['a', 'b', 'c/'], dest: '/dest/' }],
    ['COPY ["with space", "/dest dir/"]', { kind: 'COPY', sources: ['with space'], dest: '/dest dir/' }],
    ['COPY [a b] c', { kind: 'COPY', sources: ['[a', 'b]'], dest: 'c' }],
    ['COPY --from=build --chown=55:mygroup --chmod=644 files* /somedir/', {
      kind: 'COPY',
      sources: ['files*'],
      dest: '/somedir/',
      from: 'build',
      chown: '55:mygroup',
      chmod: '644',
    }],
    ['COPY --chown="user name" a b', { kind: 'COPY', sources: ['a'], dest: 'b', chown: 'user name' }],
    ['COPY --from= a b', { kind: 'COPY', sources: ['a'], dest: 'b', from: '' }],
    // Flags take quotes and backslash escapes (always backslash, whatever the escape directive).
    ['COPY --chown=a\\ b\\\\c x y', { kind: 'COPY', sources: ['x'], dest: 'y', chown: 'a b\\c' }],
    ["COPY --chown='it''s' x y", { kind: 'COPY', sources: ['x'], dest: 'y', chown: 'its' }],
    ['COPY --link=false a b', { kind: 'COPY', sources: ['a'], dest: 'b' }],
    ['ADD --chown=1 http://example.com/big.tar.xz /usr/src/things/', {
      kind: 'ADD',
      sources: ['http://example.com/big.tar.xz'],
      dest: '/usr/src/things/',
      chown: '1',
    }],
    ['add ["a", "b"]', { kind: 'ADD', sources: ['a'], dest: 'b' }],
  ];
  for (const [line, expected] of cases) {
    test(line, () => assert.deepEqual(only(line), expected));
  }

  const buildKitOnly = ['COPY --link a b', 'COPY --link=true a b', 'COPY --parents a b', 'COPY --exclude=*.md a b'];
  const buildKitOnlyAdd = ['ADD --link a b', 'ADD --keep-git-dir a b', 'ADD --checksum=sha256:0 a b', 'ADD --exclude=x a b'];
  for (const line of [...buildKitOnly, ...buildKitOnlyAdd]) {
    const flag = /--([a-z-]+)/.exec(line)![1];
    test(`${line} needs BuildKit`, () =>
      assertParseError(
        `FROM scratch\n${line}\n`,
        `dockerfile parse error line 2: the --${flag} option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled`,
      ));
  }

  const errors: [string, string][] = [
    ['COPY a', 'COPY requires at least two arguments, but only one was provided. Destination could not be determined'],
    ['ADD', 'ADD requires at least two arguments, but only one was provided. Destination could not be determined'],
    ['COPY ["a"]', 'COPY requires at least two arguments, but only one was provided. Destination could not be determined'],
    ['ADD --from=x a b', 'Unknown flag: from'],
    ['COPY --chown a b', 'Missing a value on flag: chown'],
    ['COPY --from=a --from=b a b', 'Duplicate flag specified: from'],
    ['COPY --link= a b', 'Missing a value on flag: link'],
    ['COPY --link=maybe a b', 'Expecting boolean value for flag link, not: maybe'],
  ];
  for (const [line, message] of errors) {
    test(`${line} → ${message}`, () => assertParseError(`FROM scratch\n${line}\n`, `dockerfile parse error line 2: ${message}`));
  }
});

describe('single-value instructions', () => {
  const cases: [string, object][] = [
    ['MAINTAINER John Doe <jd@example.com>', { kind: 'MAINTAINER', name: 'John Doe <jd@example.com>' }],
    ['WORKDIR /path/to/$DIRNAME', { kind: 'WORKDIR', path: '/path/to/$DIRNAME' }],
    ['WORKDIR c:\\\\windows', { kind: 'WORKDIR', path: 'c:\\\\windows' }],
    ['USER patrick:staff', { kind: 'USER', user: 'patrick:staff' }],
    ['USER a b', { kind: 'USER', user: 'a b' }],
    ['STOPSIGNAL SIGKILL', { kind: 'STOPSIGNAL', signal: 'SIGKILL' }],
    ['STOPSIGNAL --ignored 9', { kind: 'STOPSIGNAL', signal: '9' }],
    ['EXPOSE 80/udp 80/tcp 443', { kind: 'EXPOSE', ports: ['443', '80/tcp', '80/udp'] }],
    ['EXPOSE $PORT', { kind: 'EXPOSE', ports: ['$PORT'] }],
    ['VOLUME ["/data", " /logs "]', { kind: 'VOLUME', paths: ['/data', '/logs'] }],
    ['VOLUME /var/log /var/db', { kind: 'VOLUME', paths: ['/var/log', '/var/db'] }],
  ];
  for (const [line, expected] of cases) {
    test(line, () => assert.deepEqual(only(line), expected));
  }

  const errors: [string, string][] = [
    ['MAINTAINER', 'MAINTAINER requires exactly one argument'],
    ['MAINTAINER --x=1 me', 'Unknown flag: x'],
    ['WORKDIR', 'WORKDIR requires exactly one argument'],
    ['WORKDIR --x=1 /a', 'Unknown flag: x'],
    ['USER', 'USER requires exactly one argument'],
    ['STOPSIGNAL', 'STOPSIGNAL requires exactly one argument'],
    ['EXPOSE', 'EXPOSE requires at least one argument'],
    ['EXPOSE --x=1 80', 'Unknown flag: x'],
    ['VOLUME', 'VOLUME requires at least one argument'],
    ['VOLUME []', 'VOLUME requires at least one argument'],
    ['VOLUME ["/a", "  "]', 'VOLUME specified can not be an empty string'],
    ['VOLUME --x=1 /a', 'Unknown flag: x'],
  ];
  for (const [line, message] of errors) {
    test(`${line} → ${message}`, () => assertParseError(`FROM scratch\n${line}\n`, `dockerfile parse error line 2: ${message}`));
  }
});

describe('HEALTHCHECK', () => {
  const cases: [string, object][] = [
    ['HEALTHCHECK NONE', { kind: 'HEALTHCHECK', test: ['NONE'] }],
    ['healthcheck none', { kind: 'HEALTHCHECK', test: ['NONE'] }],
    ['HEALTHCHECK CMD curl -f http://localhost/ || exit 1', {
      kind: 'HEALTHCHECK',
      test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'],
    }],
    ['HEALTHCHECK cmd ["curl", "-f", "http://localhost/"]', { kind: 'HEALTHCHECK', test: ['CMD', 'curl', '-f', 'http://localhost/'] }],
    [
      'HEALTHCHECK --interval=5m --timeout=3s --start-period=1m30s --start-interval=500ms --retries=3 CMD true',
      {
        kind: 'HEALTHCHECK',
        test: ['CMD-SHELL', 'true'],
        interval: 300e9,
        timeout: 3e9,
        startPeriod: 90e9,
        startInterval: 500e6,
        retries: 3,
      },
    ],
    ['HEALTHCHECK --interval=1ms --retries=1 CMD true', { kind: 'HEALTHCHECK', test: ['CMD-SHELL', 'true'], interval: 1e6, retries: 1 }],
    ['HEALTHCHECK --interval= --retries= CMD true', { kind: 'HEALTHCHECK', test: ['CMD-SHELL', 'true'] }],
    // moby looks at no flags for NONE.
    ['HEALTHCHECK --bogus NONE', { kind: 'HEALTHCHECK', test: ['NONE'] }],
  ];
  for (const [line, expected] of cases) {
    test(line, () => assert.deepEqual(only(line), expected));
  }

  const errors: [string, string][] = [
    ['HEALTHCHECK', 'HEALTHCHECK requires at least one argument'],
    ['HEALTHCHECK NONE true', 'HEALTHCHECK NONE takes no arguments'],
    ['HEALTHCHECK CMD', 'Missing command after HEALTHCHECK CMD'],
    ['HEALTHCHECK CMD []', 'Missing command after HEALTHCHECK CMD'],
    ['HEALTHCHECK RUN true', 'Unknown type "RUN" in HEALTHCHECK (try CMD)'],
    ['HEALTHCHECK --interval=5 CMD true', 'time: missing unit in duration "5"'],
    ['HEALTHCHECK --timeout=abc CMD true', 'time: invalid duration "abc"'],
    ['HEALTHCHECK --start-period=3x CMD true', 'time: unknown unit "x" in duration "3x"'],
    ['HEALTHCHECK --interval=999us CMD true', 'Interval "interval" cannot be less than 1ms'],
    ['HEALTHCHECK --start-interval=-1s CMD true', 'Interval "start-interval" cannot be less than 1ms'],
    ['HEALTHCHECK --retries=-1 CMD true', '--retries must be at least 1 (not -1)'],
    ['HEALTHCHECK --retries=0 CMD true', '--retries must be at least 1 (not 0)'],
    ['HEALTHCHECK --interval=0s CMD true', 'Interval "interval" cannot be less than 1ms'],
    ['HEALTHCHECK --retries=x CMD true', 'strconv.ParseInt: parsing "x": invalid syntax'],
    ['HEALTHCHECK --retries=2147483648 CMD true', 'strconv.ParseInt: parsing "2147483648": value out of range'],
    ['HEALTHCHECK --retries CMD true', 'Missing a value on flag: retries'],
    ['HEALTHCHECK --foo=1 CMD true', 'Unknown flag: foo'],
  ];
  for (const [line, message] of errors) {
    test(`${line} → ${message}`, () => assertParseError(`FROM scratch\n${line}\n`, `dockerfile parse error line 2: ${message}`));
  }
});

describe('ONBUILD', () => {
  test('keeps the trigger text after ONBUILD', () => {
    const parsed = parseDockerfile('FROM scratch\n  onbuild   ADD . /app/src \\\n  --more\n');
    const onbuild = parsed.stages[0].instructions[0];
    assert.deepEqual(withoutPosition(onbuild), { kind: 'ONBUILD', expression: 'ADD . /app/src   --more' });
    assert.equal(onbuild.original, 'onbuild   ADD . /app/src   --more');
  });

  const errors: [string, string][] = [
    ['ONBUILD', 'ONBUILD requires at least one argument'],
    ['ONBUILD ONBUILD RUN x', 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed'],
    ['ONBUILD FROM busybox', 'FROM isn\'t allowed as an ONBUILD trigger'],
    ['ONBUILD maintainer me', 'MAINTAINER isn\'t allowed as an ONBUILD trigger'],
    ['ONBUILD --x=1 RUN a', 'Unknown flag: x'],
    ['ONBUILD RUNN a', 'unknown instruction: RUNN'],
    ['ONBUILD COPY a', 'COPY requires at least two arguments, but only one was provided. Destination could not be determined'],
    ['ONBUILD RUN --mount=type=cache,target=/x true', 'the --mount option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled'],
  ];
  for (const [line, message] of errors) {
    test(`${line} → ${message}`, () => assertParseError(`FROM scratch\n${line}\n`, `dockerfile parse error line 2: ${message}`));
  }
});

describe('parseTrigger', () => {
  test('parses one instruction as the child build does', () => {
    const run = parseTrigger('RUN /usr/local/bin/python-build --dir /app/src', '\\');
    assert.deepEqual(run, {
      kind: 'RUN',
      line: 1,
      original: 'RUN /usr/local/bin/python-build --dir /app/src',
      args: ['/usr/local/bin/python-build --dir /app/src'],
      prependShell: true,
    });
  });

  test('uses the escape character it is given', () => {
    assert.deepEqual(withoutPosition(parseTrigger('COPY a c:\\dir\\', '`')), { kind: 'COPY', sources: ['a'], dest: 'c:\\dir\\' });
    assert.deepEqual(withoutPosition(parseTrigger('ENV A=x`"y', '`')), { kind: 'ENV', pairs: [{ key: 'A', value: 'x`"y' }] });
  });

  test('ARG and other instructions are allowed', () => {
    assert.deepEqual(withoutPosition(parseTrigger('ARG A=1', '\\')), { kind: 'ARG', args: [{ key: 'A', value: '1' }] });
  });

  const errors: [string, string][] = [
    ['FROM busybox', "FROM isn't allowed as an ONBUILD trigger"],
    ['MAINTAINER me', "MAINTAINER isn't allowed as an ONBUILD trigger"],
    ['ONBUILD RUN x', "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"],
    ['RUN a\nRUN b', 'onbuild trigger should be a single expression'],
    ['', 'onbuild trigger should be a single expression'],
    ['RUNN x', 'unknown instruction: RUNN'],
    ['USER', 'USER requires exactly one argument'],
  ];
  for (const [expression, message] of errors) {
    test(`${JSON.stringify(expression)} → ${message}`, () => assertInvalid(() => parseTrigger(expression, '\\'), message));
  }
});
