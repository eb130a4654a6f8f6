/**
 * The Dockerfile parser of the classic builder, after moby's: logical lines
 * (directives, comments, continuations), then a first pass that splits each
 * line into instruction, flags and arguments, then a second pass that checks
 * and types each instruction and groups them into stages. As in moby, every
 * line gets through the first pass before the second begins, so a first-pass
 * error later in the file is reported before a second-pass error earlier.
 *
 * Errors are `invalid`, worded as dockerd 20.10's classic builder words them:
 * `failed to parse <name>: <message>` from the first pass (directives, line
 * syntax), `dockerfile parse error line <n>: <message>` from the second.
 */
import { invalid, isEngineError } from '../../../lib/errors.js';
import { checkTrigger, toInstruction, type ParsedInstruction } from './instructions.js';
import { parseNode, type RawNode } from './line-parsers.js';
import { splitLogicalLines } from './logical-lines.js';
import type { ArgInstruction, Directives, Dockerfile, Instruction, Stage } from './types.js';

type EscapeChar = Directives['escape'];

/** `name` is the Dockerfile's name in the context, for dockerd's "failed to parse <name>" of a file with no instructions. */
export function parseDockerfile(text: string, name = 'Dockerfile'): Dockerfile {
  const firstPass = <T>(step: () => T): T => rewordInvalid(step, (message) => `failed to parse ${name}: ${message}`);
  const { directives, lines, warnings } = firstPass(() => splitLogicalLines(text));
  if (lines.length === 0) throw invalid(`failed to parse ${name}: file with no instructions`);
  const nodes = lines.map(({ text: line, line: number }) => ({
    number,
    node: firstPass(() => parseNode(line, directives.escape)),
  }));
  const metaArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  for (const { number, node } of nodes) {
    const instruction = rewordInvalid(() => checkedInstruction(node, number, directives.escape), (message) => `dockerfile parse error line ${number}: ${message}`);
    if (instruction.kind === 'FROM') stages.push({ from: instruction, ...nameOf(instruction), instructions: [] });
    else if (stages.length > 0) stages[stages.length - 1].instructions.push(instruction);
    else if (instruction.kind === 'ARG') metaArgs.push(instruction);
    else throw invalid('no build stage in current context');
  }
  if (stages.length === 0) throw invalid('no build stage in current context');
  return { directives, metaArgs, stages, warnings: [...warnings, ...directiveWarnings(directives)] };
}

/**
 * Parses an ONBUILD trigger (the text after ONBUILD) as the child build does:
 * one instruction, not FROM, MAINTAINER or ONBUILD. Its `line` is 1: the
 * trigger is its own one-line source. Errors carry no line prefix.
 */
export function parseTrigger(expression: string, escape: EscapeChar): Instruction {
  const { lines } = splitLogicalLines(expression, escape);
  if (lines.length !== 1) throw invalid('onbuild trigger should be a single expression');
  const node = parseNode(lines[0].text, escape);
  checkTrigger(node.command);
  const instruction = toInstruction(node, 1);
  if (instruction.kind === 'FROM') throw invalid("FROM isn't allowed as an ONBUILD trigger");
  return instruction;
}

/** The typed instruction; an ONBUILD's trigger must parse now, not only in the child build. */
function checkedInstruction(node: RawNode, line: number, escape: EscapeChar): ParsedInstruction {
  const instruction = toInstruction(node, line);
  if (instruction.kind === 'ONBUILD') parseTrigger(instruction.expression, escape);
  return instruction;
}

function nameOf(from: Stage['from']): Pick<Stage, 'name'> {
  return from.stageName === undefined ? {} : { name: from.stageName };
}

function directiveWarnings(directives: Directives): string[] {
  if (directives.syntax === undefined) return [];
  return [`[WARNING]: the syntax parser directive (${directives.syntax}) is ignored by the classic builder`];
}

/** Runs a step of the parse, giving its `invalid` errors the words dockerd reports them with. */
function rewordInvalid<T>(step: () => T, reword: (message: string) => string): T {
  try {
    return step();
  } catch (err) {
    if (isEngineError(err, 'invalid')) throw invalid(reword(err.message), err);
    throw err;
  }
}
