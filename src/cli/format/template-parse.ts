/**
 * Parser for the subset of Go's text/template that docker users write in
 * `--format`: actions with trim markers, pipelines, variables, parenthesised
 * sub-pipelines, string/number/bool/nil literals and the if/else, range/else,
 * with/else control structures (with `else if` / `else with` chains).
 */

export type Arg =
  | { kind: 'field'; base: 'dot' | { variable: string }; path: string[] }
  | { kind: 'func'; name: string }
  | { kind: 'literal'; value: unknown }
  | { kind: 'pipe'; pipe: Pipeline; path: string[] };

export interface Command {
  args: Arg[];
}

export interface Pipeline {
  declare: string[];
  commands: Command[];
  /** Byte offset of the action in the source, for Go-style error positions. */
  position: number;
  source: string;
}

export interface BlockNode {
  kind: 'if' | 'with' | 'range';
  pipe: Pipeline;
  body: Node[];
  elseBody: Node[];
}

export type Node = { kind: 'text'; text: string } | { kind: 'action'; pipe: Pipeline } | BlockNode;

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

interface RawAction {
  text: string;
  position: number;
}

type Piece = { text: string } | { action: RawAction };

const TRIM_SPACE = /^[ \t\r\n]+|[ \t\r\n]+$/g;

/** Splits the source into text and actions, applying `{{-` / `-}}` trimming. */
function splitActions(source: string): Piece[] {
  const pieces: Piece[] = [];
  let cursor = 0;
  let trimNextText = false;
  while (cursor <= source.length) {
    const open = source.indexOf('{{', cursor);
    let text = source.slice(cursor, open === -1 ? source.length : open);
    if (trimNextText) text = text.replace(/^[ \t\r\n]+/, '');
    if (open === -1) {
      if (text) pieces.push({ text });
      break;
    }
    let inner = open + 2;
    if (source.startsWith('- ', inner) || source.startsWith('-\t', inner) || source.startsWith('-\n', inner)) {
      text = text.replace(/[ \t\r\n]+$/, '');
      inner += 1;
    }
    if (text) pieces.push({ text });
    const close = findActionEnd(source, inner);
    if (close === -1) throw new TemplateError(`template: :${lineOf(source, open)}: unclosed action`);
    let body = source.slice(inner, close);
    trimNextText = false;
    if (/[ \t\r\n]-$/.test(body)) {
      body = body.slice(0, -1);
      trimNextText = true;
    }
    pieces.push({ action: { text: body.replace(TRIM_SPACE, ''), position: open } });
    cursor = close + 2;
  }
  return pieces;
}

/** Finds the closing `}}` of an action, skipping over quoted strings. */
function findActionEnd(source: string, from: number): number {
  for (let i = from; i < source.length; i++) {
    const ch = source[i];
    if (ch === '"' || ch === '`') {
      const end = ch === '`' ? source.indexOf('`', i + 1) : closingQuote(source, i + 1);
      if (end === -1) return -1;
      i = end;
    } else if (ch === '}' && source[i + 1] === '}') {
      return i;
    }
  }
  return -1;
}

function closingQuote(source: string, from: number): number {
  for (let i = from; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === '"') return i;
  }
  return -1;
}

function lineOf(source: string, offset: number): number {
  return source.slice(0, offset).split('\n').length;
}

type Token =
  | { t: 'field'; path: string[] }
  | { t: 'var'; name: string; path: string[] }
  | { t: 'ident'; name: string }
  | { t: 'literal'; value: unknown }
  | { t: 'punct'; value: '|' | '(' | ')' | ':=' | '=' | ',' }
  | { t: 'dot' };

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;
const FIELD_CHAIN = /^(\.[A-Za-z_][A-Za-z0-9_]*)+/;
const NUMBER = /^[-+]?(0[xX][0-9a-fA-F]+|\d+(\.\d*)?([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)/;

function tokenize(text: string, where: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const ch = text[i];
    if (/\s/.test(ch)) {
      i++;
    } else if (rest.startsWith(':=')) {
      tokens.push({ t: 'punct', value: ':=' });
      i += 2;
    } else if ('|(),='.includes(ch)) {
      tokens.push({ t: 'punct', value: ch as '|' });
      i++;
    } else if (ch === '"') {
      const end = closingQuote(text, i + 1);
      if (end === -1) throw new TemplateError(`${where}: unterminated quoted string`);
      tokens.push({ t: 'literal', value: JSON.parse(text.slice(i, end + 1)) });
      i = end + 1;
    } else if (ch === '`') {
      const end = text.indexOf('`', i + 1);
      if (end === -1) throw new TemplateError(`${where}: unterminated raw quoted string`);
      tokens.push({ t: 'literal', value: text.slice(i + 1, end) });
      i = end + 1;
    } else if (FIELD_CHAIN.test(rest)) {
      const chain = FIELD_CHAIN.exec(rest)![0];
      tokens.push({ t: 'field', path: chain.slice(1).split('.') });
      i += chain.length;
    } else if (ch === '.') {
      tokens.push({ t: 'dot' });
      i++;
    } else if (ch === '$') {
      const name = IDENT.exec(rest.slice(1))?.[0] ?? '';
      i += 1 + name.length;
      const chain = FIELD_CHAIN.exec(text.slice(i))?.[0] ?? '';
      i += chain.length;
      tokens.push({ t: 'var', name: `$${name}`, path: chain ? chain.slice(1).split('.') : [] });
    } else if (NUMBER.test(rest) && !(ch === '-' && !/\d/.test(text[i + 1] ?? ''))) {
      const literal = NUMBER.exec(rest)![0];
      tokens.push({ t: 'literal', value: Number(literal) });
      i += literal.length;
    } else if (IDENT.test(rest)) {
      const name = IDENT.exec(rest)![0];
      if (name === 'true' || name === 'false') tokens.push({ t: 'literal', value: name === 'true' });
      else if (name === 'nil') tokens.push({ t: 'literal', value: null });
      else tokens.push({ t: 'ident', name });
      i += name.length;
    } else {
      throw new TemplateError(`${where}: unexpected "${ch}" in command`);
    }
  }
  return tokens;
}

class PipelineParser {
  private index = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly where: string,
  ) {}

  parsePipeline(source: string, position: number, allowDeclare: boolean): Pipeline {
    const declare = allowDeclare ? this.parseDeclaration() : [];
    const commands: Command[] = [];
    for (;;) {
      const args = this.parseCommandArgs();
      if (args.length === 0) throw new TemplateError(`${this.where}: missing value for command`);
      commands.push({ args });
      const next = this.tokens[this.index];
      if (next?.t === 'punct' && next.value === '|') {
        this.index++;
        continue;
      }
      break;
    }
    return { declare, commands, position, source };
  }

  done(): boolean {
    return this.index >= this.tokens.length;
  }

  private parseDeclaration(): string[] {
    const names: string[] = [];
    let probe = this.index;
    for (;;) {
      const token = this.tokens[probe];
      if (token?.t !== 'var' || token.path.length > 0) return [];
      names.push(token.name);
      const sep = this.tokens[probe + 1];
      if (sep?.t === 'punct' && sep.value === ',') {
        probe += 2;
        continue;
      }
      if (sep?.t === 'punct' && (sep.value === ':=' || sep.value === '=')) {
        this.index = probe + 2;
        return names;
      }
      return [];
    }
  }

  private parseCommandArgs(): Arg[] {
    const args: Arg[] = [];
    for (;;) {
      const token = this.tokens[this.index];
      if (!token || (token.t === 'punct' && (token.value === '|' || token.value === ')'))) return args;
      this.index++;
      args.push(this.toArg(token));
    }
  }

  private toArg(token: Token): Arg {
    switch (token.t) {
      case 'field':
        return { kind: 'field', base: 'dot', path: token.path };
      case 'dot':
        return { kind: 'field', base: 'dot', path: [] };
      case 'var':
        return { kind: 'field', base: { variable: token.name }, path: token.path };
      case 'ident':
        return { kind: 'func', name: token.name };
      case 'literal':
        return { kind: 'literal', value: token.value };
      case 'punct':
        if (token.value !== '(') throw new TemplateError(`${this.where}: unexpected "${token.value}" in operand`);
        return this.parseParenthesised();
    }
  }

  private parseParenthesised(): Arg {
    const pipe = this.parsePipeline('', 0, false);
    const close = this.tokens[this.index];
    if (close?.t !== 'punct' || close.value !== ')') throw new TemplateError(`${this.where}: unclosed left paren`);
    this.index++;
    const after = this.tokens[this.index];
    let path: string[] = [];
    if (after?.t === 'field') {
      path = after.path;
      this.index++;
    }
    return { kind: 'pipe', pipe, path };
  }
}

function parsePipelineText(text: string, source: string, position: number): Pipeline {
  const where = `template: :${lineOf(source, position)}`;
  const parser = new PipelineParser(tokenize(text, where), where);
  const pipe = parser.parsePipeline(source, position, true);
  if (!parser.done()) throw new TemplateError(`${where}: unexpected token in pipeline`);
  return pipe;
}

type Frame = { node: BlockNode; inElse: boolean; chained: boolean };

/** Parses a template source into a tree. */
export function parseTemplate(source: string): Node[] {
  const root: Node[] = [];
  const stack: Frame[] = [];
  const current = (): Node[] => {
    const top = stack[stack.length - 1];
    if (!top) return root;
    return top.inElse ? top.node.elseBody : top.node.body;
  };
  for (const piece of splitActions(source)) {
    if ('text' in piece) {
      current().push({ kind: 'text', text: piece.text });
      continue;
    }
    const { text, position } = piece.action;
    const where = `template: :${lineOf(source, position)}`;
    if (text.startsWith('/*')) continue;
    const keyword = /^(if|with|range|else|end)\b/.exec(text)?.[1];
    if (keyword === 'if' || keyword === 'with' || keyword === 'range') {
      const node: BlockNode = { kind: keyword, pipe: parsePipelineText(text.slice(keyword.length), source, position), body: [], elseBody: [] };
      current().push(node);
      stack.push({ node, inElse: false, chained: false });
    } else if (keyword === 'else') {
      const top = stack[stack.length - 1];
      if (!top || top.inElse) throw new TemplateError(`${where}: unexpected {{else}}`);
      top.inElse = true;
      const chained = /^else\s+(if|with)\b/.exec(text)?.[1] as 'if' | 'with' | undefined;
      if (chained) {
        const rest = text.replace(/^else\s+(if|with)/, '');
        const node: BlockNode = { kind: chained, pipe: parsePipelineText(rest, source, position), body: [], elseBody: [] };
        top.node.elseBody.push(node);
        stack.push({ node, inElse: false, chained: true });
      }
    } else if (keyword === 'end') {
      let frame = stack.pop();
      if (!frame) throw new TemplateError(`${where}: unexpected {{end}}`);
      // An `else if` chain shares the single {{end}} of its outermost if.
      while (frame?.chained) frame = stack.pop();
    } else {
      current().push({ kind: 'action', pipe: parsePipelineText(text, source, position) });
    }
  }
  if (stack.length > 0) throw new TemplateError(`template: :${lineOf(source, source.length)}: unexpected EOF`);
  return root;
}
