/**
 * The parsed form of a Dockerfile, as the builder's dispatcher consumes it.
 *
 * Parsing is separate from expansion, as in moby's classic builder: words
 * keep their quotes and `$VAR`s here, and the dispatcher expands them step by
 * step with the environment in scope at that step (ENV and ARG change it as
 * the build goes), through `ShellLex`.
 */

export interface Directives {
  /** The escape character: '\\' (default) or '`' (`# escape=`). */
  escape: '\\' | '`';
  /** `# syntax=` is accepted and ignored (the classic builder has no frontends). */
  syntax?: string;
}

interface Base {
  /** 1-based line where the instruction starts. */
  line: number;
  /** The instruction as written, continuations joined (for "Step 3/9 : …"). */
  original: string;
}

/** Shell form keeps the command as one unexpanded string; exec (JSON) form is a list. */
export interface CommandForm {
  /** Exec form: the JSON array; shell form: [the command text]. */
  args: string[];
  /** True for shell form: the stage's SHELL is prepended at dispatch. */
  prependShell: boolean;
}

export interface FromInstruction extends Base { kind: 'FROM'; image: string; stageName?: string; platform?: string }
export interface RunInstruction extends Base, CommandForm { kind: 'RUN' }
export interface CmdInstruction extends Base, CommandForm { kind: 'CMD' }
export interface EntrypointInstruction extends Base, CommandForm { kind: 'ENTRYPOINT' }
/** ENV and LABEL pairs: both keys and values unexpanded (quotes kept). */
export interface KeyValue { key: string; value: string }
export interface EnvInstruction extends Base { kind: 'ENV'; pairs: KeyValue[] }
export interface LabelInstruction extends Base { kind: 'LABEL'; pairs: KeyValue[] }
/** ARG name[=default]; value undefined when no default is given. */
export interface ArgInstruction extends Base { kind: 'ARG'; args: { key: string; value?: string }[] }
export interface MaintainerInstruction extends Base { kind: 'MAINTAINER'; name: string }
export interface ExposeInstruction extends Base { kind: 'EXPOSE'; ports: string[] }
export interface VolumeInstruction extends Base { kind: 'VOLUME'; paths: string[] }
export interface WorkdirInstruction extends Base { kind: 'WORKDIR'; path: string }
export interface UserInstruction extends Base { kind: 'USER'; user: string }
export interface CopyInstruction extends Base {
  kind: 'COPY' | 'ADD';
  /** Unexpanded source words (JSON form already unquoted). */
  sources: string[];
  dest: string;
  /** COPY --from=stage|image|index. */
  from?: string;
  chown?: string;
  chmod?: string;
}
/** ONBUILD keeps its trigger as text ("RUN make"); it is parsed again in the child build. */
export interface OnbuildInstruction extends Base { kind: 'ONBUILD'; expression: string }
export interface HealthcheckInstruction extends Base {
  kind: 'HEALTHCHECK';
  /** ["NONE"], ["CMD", ...exec args] or ["CMD-SHELL", command], as stored in image configs. */
  test: string[];
  /** Durations in nanoseconds; undefined when the flag is not given. */
  interval?: number;
  timeout?: number;
  startPeriod?: number;
  startInterval?: number;
  retries?: number;
}
export interface ShellInstruction extends Base { kind: 'SHELL'; shell: string[] }
export interface StopsignalInstruction extends Base { kind: 'STOPSIGNAL'; signal: string }

export type Instruction =
  | RunInstruction
  | CmdInstruction
  | EntrypointInstruction
  | EnvInstruction
  | LabelInstruction
  | ArgInstruction
  | MaintainerInstruction
  | ExposeInstruction
  | VolumeInstruction
  | WorkdirInstruction
  | UserInstruction
  | CopyInstruction
  | OnbuildInstruction
  | HealthcheckInstruction
  | ShellInstruction
  | StopsignalInstruction;

export interface Stage {
  from: FromInstruction;
  /** Lower-cased `AS` name, if any. */
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  directives: Directives;
  /** ARGs before the first FROM (usable in FROM lines, and in stages that re-declare them). */
  metaArgs: ArgInstruction[];
  stages: Stage[];
  /** Notes for the build output (e.g. "# syntax= is ignored by the classic builder"). */
  warnings: string[];
}
